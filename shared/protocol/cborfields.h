#pragma once

// Generic CBOR (de)serialisation for structs that describe their fields with
// static constexpr auto fields() { return std::tuple{req("k", &S::m), ...}; }.
// The messages in messages.h are plain data; this file is the only place that
// knows how a C++ type maps onto CBOR, so no message repeats that code.

#include <cmath>
#include <QCborArray>
#include <QCborMap>
#include <QCborValue>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <tuple>
#include <type_traits>

namespace occ::protocol {

template <typename S, typename T> struct Field
{
    const char *key;
    T S::*member;
    bool required;
};

template <typename S, typename T> constexpr Field<S, T> req(const char *key, T S::*member)
{
    return {key, member, true};
}

template <typename S, typename T> constexpr Field<S, T> opt(const char *key, T S::*member)
{
    return {key, member, false};
}

template <typename T>
concept Described = requires
{
    T::fields();
};

template <typename T>
concept NamedEnum = std::is_enum_v<T> && requires(T t, QStringView name)
{
    {
        enumName(t)
        } -> std::same_as<QString>;
    {
        enumFromName(name, &t)
        } -> std::same_as<bool>;
};

template <typename T> struct CborCodec;

template <> struct CborCodec<qint64>
{
    static QCborValue encode(qint64 v) { return QCborValue(v); }
    static bool decode(const QCborValue &c, qint64 &out)
    {
        if (!c.isInteger())
            return false;
        out = c.toInteger();
        return true;
    }
};

template <> struct CborCodec<bool>
{
    static QCborValue encode(bool v) { return QCborValue(v); }
    static bool decode(const QCborValue &c, bool &out)
    {
        if (!c.isBool())
            return false;
        out = c.toBool();
        return true;
    }
};

template <> struct CborCodec<double>
{
    static QCborValue encode(double v) { return QCborValue(v); }
    // Only finite numbers: NaN and infinities have no meaning as a measurement and
    // would not survive storage (found by the fuzzer).
    static bool decode(const QCborValue &c, double &out)
    {
        if (c.isDouble())
            out = c.toDouble();
        else if (c.isInteger())
            out = double(c.toInteger());
        else
            return false;
        return std::isfinite(out);
    }
};

template <> struct CborCodec<QString>
{
    static QCborValue encode(const QString &v) { return QCborValue(v); }
    static bool decode(const QCborValue &c, QString &out)
    {
        if (!c.isString())
            return false;
        out = c.toString();
        return true;
    }
};

template <NamedEnum E> struct CborCodec<E>
{
    static QCborValue encode(E v) { return QCborValue(enumName(v)); }
    static bool decode(const QCborValue &c, E &out)
    {
        return c.isString() && enumFromName(c.toString(), &out);
    }
};

template <typename T> struct CborCodec<QList<T>>
{
    static QCborValue encode(const QList<T> &list)
    {
        QCborArray array;
        for (const T &item : list)
            array.append(CborCodec<T>::encode(item));
        return array;
    }
    static bool decode(const QCborValue &c, QList<T> &out)
    {
        if (!c.isArray())
            return false;
        const QCborArray array = c.toArray();
        out.clear();
        out.reserve(array.size());
        for (const QCborValue &item : array) {
            T value{};
            if (!CborCodec<T>::decode(item, value))
                return false;
            out.append(std::move(value));
        }
        return true;
    }
};

template <typename T> struct CborCodec<QMap<QString, T>>
{
    static QCborValue encode(const QMap<QString, T> &map)
    {
        QCborMap out;
        for (auto it = map.cbegin(); it != map.cend(); ++it)
            out.insert(it.key(), CborCodec<T>::encode(it.value()));
        return out;
    }
    static bool decode(const QCborValue &c, QMap<QString, T> &out)
    {
        if (!c.isMap())
            return false;
        const QCborMap map = c.toMap();
        out.clear();
        for (auto it = map.cbegin(); it != map.cend(); ++it) {
            T value{};
            if (!it.key().isString() || !CborCodec<T>::decode(it.value(), value))
                return false;
            out.insert(it.key().toString(), std::move(value));
        }
        return true;
    }
};

// Writes every described field of s into map.
template <Described S> void encodeFields(const S &s, QCborMap &map)
{
    std::apply(
        [&](const auto &...field) {
            (map.insert(
                 QLatin1StringView(field.key),
                 CborCodec<std::remove_cvref_t<decltype(s.*(field.member))>>::encode(s.*(field.member))),
             ...);
        },
        S::fields());
}

// Reads every described field; on failure names the offending key in *badKey.
// Unknown keys are ignored (forward compatibility).
template <Described S> bool decodeFields(const QCborMap &map, S &s, QString *badKey)
{
    bool ok = true;
    std::apply(
        [&](const auto &...field) {
            auto one = [&](const auto &f) {
                if (!ok)
                    return;
                const QCborValue value = map.value(QLatin1StringView(f.key));
                if (value.isUndefined()) {
                    if (f.required) {
                        ok = false;
                        *badKey = QStringLiteral("missing field '%1'").arg(QLatin1StringView(f.key));
                    }
                    return;
                }
                using T = std::remove_cvref_t<decltype(s.*(f.member))>;
                if (!CborCodec<T>::decode(value, s.*(f.member))) {
                    ok = false;
                    *badKey = QStringLiteral("field '%1' has the wrong type").arg(QLatin1StringView(f.key));
                }
            };
            (one(field), ...);
        },
        S::fields());
    return ok;
}

template <Described S> struct CborCodec<S>
{
    static QCborValue encode(const S &s)
    {
        QCborMap map;
        encodeFields(s, map);
        return map;
    }
    static bool decode(const QCborValue &c, S &out)
    {
        QString ignored;
        return c.isMap() && decodeFields(c.toMap(), out, &ignored);
    }
};

} // namespace occ::protocol
