#pragma once

#include <QString>
#include <utility>
#include <variant>

namespace occ {

// Every user-facing error carries one of these categories, so that a log line or
// a status page can say what kind of thing went wrong before it says what.
enum class ErrorCategory
{
    Input,    // malformed data from a peer or a file
    Protocol, // a peer broke the rules of the conversation
    Io,       // files, disks, sockets
    Crypto,   // keys, certificates, TLS
    Auth,     // a peer is not who it must be
    Config,   // settings and command lines
    Keychain, // the operating system's secret store
    Storage,  // databases
    Network,  // reachability, DNS, proxies
    Internal,
};

QString categoryName(ErrorCategory category);

struct Error
{
    ErrorCategory category = ErrorCategory::Internal;
    QString message;

    QString toString() const;
    bool operator==(const Error &) const = default;
};

inline Error fail(ErrorCategory category, QString message)
{
    return Error{category, std::move(message)};
}

// A small std::expected: either a value or an Error.
template <typename T> class [[nodiscard]] Result
{
public:
    Result(T value)
        : m_data(std::in_place_index<0>, std::move(value))
    {}
    Result(Error error)
        : m_data(std::in_place_index<1>, std::move(error))
    {}

    bool ok() const { return m_data.index() == 0; }
    explicit operator bool() const { return ok(); }

    T &value() & { return std::get<0>(m_data); }
    const T &value() const & { return std::get<0>(m_data); }
    T &&value() && { return std::get<0>(std::move(m_data)); }
    T valueOr(T fallback) const { return ok() ? value() : std::move(fallback); }

    T *operator->() { return &value(); }
    const T *operator->() const { return &value(); }
    T &operator*() & { return value(); }
    const T &operator*() const & { return value(); }

    const Error &error() const { return std::get<1>(m_data); }

private:
    std::variant<T, Error> m_data;
};

template <> class [[nodiscard]] Result<void>
{
public:
    Result() = default;
    Result(Error error)
        : m_error(std::move(error))
        , m_ok(false)
    {}

    bool ok() const { return m_ok; }
    explicit operator bool() const { return m_ok; }
    const Error &error() const { return m_error; }

private:
    Error m_error;
    bool m_ok = true;
};

} // namespace occ
