#pragma once

#include <atomic>
#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QMutex>

namespace occ::cloud::http {

struct GateLimits
{
    int maxConnections = 10000;    // all addresses together
    int maxPerAddress = 512;       // one address, open connections (a NAT'ed office)
    int maxPendingPerAddress = 32; // one address, before its first complete request
    int ipv6PrefixLength = 64;     // IPv6 callers are counted per prefix of this length
};

// Admission at the cloud's front door (issue 15 item 2): how many connections one
// source address may hold, and how many of them may still be anonymous (TLS
// handshake or first request head under way: idle, half-TLS, half-HTTP). An
// address beyond its share is closed at once, so descriptors are never exhausted
// by one peer and the others keep getting answers. Thread-safe: the listener
// admits, the workers report.
class ConnectionGate
{
public:
    explicit ConnectionGate(GateLimits limits)
        : m_limits(limits)
    {}

    enum class Verdict
    {
        Admitted,
        AddressFull,
        AddressPending,
        ServerFull,
    };
    // What the caps count as one caller: an IPv4 address (also IPv4-mapped IPv6), or
    // the IPv6 prefix of ipv6PrefixLength bits (one host with a /64 may use all of
    // its addresses), e.g. "2001:db8:1:2::/64".
    static QByteArray callerKey(const QHostAddress &peer, int ipv6PrefixLength);

    Verdict admit(const QByteArray &address);
    // The connection delivered a complete request: no longer pending.
    void established(const QByteArray &address);
    void closed(const QByteArray &address, bool wasPending);

    int open() const { return m_open.load(std::memory_order_relaxed); }
    int pending() const { return m_pending.load(std::memory_order_relaxed); }
    const GateLimits &limits() const { return m_limits; }

private:
    struct Counts
    {
        int open = 0;
        int pending = 0;
    };
    const GateLimits m_limits;
    QMutex m_mutex;
    QHash<QByteArray, Counts> m_perAddress;
    std::atomic<int> m_open{0};
    std::atomic<int> m_pending{0};
};

} // namespace occ::cloud::http
