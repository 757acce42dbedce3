#pragma once

#include <atomic>
#include <QByteArray>
#include <QHash>
#include <QMutex>

namespace occ::connector {

// Admission to the TLS handshake, per source address (issue 9 items 13, 16): one
// LAN host with hundreds of idle or half-sent connections holds at most
// maxPerAddress handshake slots, so it can never fill the global budget that
// paces a reconnect storm, and the other hubs keep getting in. Thread-safe: the
// listener admits, the workers release.
class HandshakeGate
{
public:
    explicit HandshakeGate(int maxPerAddress)
        : m_maxPerAddress(qMax(1, maxPerAddress))
    {}

    // A slot for a connection from this address, or false: it holds too many.
    bool admit(const QByteArray &address)
    {
        QMutexLocker lock(&m_mutex);
        int &count = m_perAddress[address];
        if (count >= m_maxPerAddress)
            return false;
        ++count;
        ++m_pending;
        return true;
    }
    // The handshake ended (done or failed).
    void release(const QByteArray &address)
    {
        QMutexLocker lock(&m_mutex);
        auto it = m_perAddress.find(address);
        if (it == m_perAddress.end())
            return;
        if (--it.value() <= 0)
            m_perAddress.erase(it);
        --m_pending;
    }
    int pending() const { return m_pending.load(std::memory_order_relaxed); }
    int maxPerAddress() const { return m_maxPerAddress; }

private:
    const int m_maxPerAddress;
    QMutex m_mutex;
    QHash<QByteArray, int> m_perAddress;
    std::atomic<int> m_pending{0};
};

} // namespace occ::connector
