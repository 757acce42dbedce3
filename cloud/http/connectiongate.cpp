#include "connectiongate.h"

namespace occ::cloud::http {

ConnectionGate::Verdict ConnectionGate::admit(const QByteArray &address)
{
    QMutexLocker lock(&m_mutex);
    if (m_open.load(std::memory_order_relaxed) >= m_limits.maxConnections)
        return Verdict::ServerFull;
    Counts &counts = m_perAddress[address];
    if (counts.open >= m_limits.maxPerAddress)
        return Verdict::AddressFull;
    if (counts.pending >= m_limits.maxPendingPerAddress)
        return Verdict::AddressPending;
    ++counts.open;
    ++counts.pending;
    ++m_open;
    ++m_pending;
    return Verdict::Admitted;
}

void ConnectionGate::established(const QByteArray &address)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_perAddress.find(address);
    if (it == m_perAddress.end() || it->pending <= 0)
        return;
    --it->pending;
    --m_pending;
}

void ConnectionGate::closed(const QByteArray &address, bool wasPending)
{
    QMutexLocker lock(&m_mutex);
    auto it = m_perAddress.find(address);
    if (it == m_perAddress.end())
        return;
    if (wasPending && it->pending > 0) {
        --it->pending;
        --m_pending;
    }
    if (it->open > 0) {
        --it->open;
        --m_open;
    }
    if (it->open == 0)
        m_perAddress.erase(it);
}

} // namespace occ::cloud::http
