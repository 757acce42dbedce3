#include "connectiongate.h"

namespace occ::cloud::http {

QByteArray ConnectionGate::callerKey(const QHostAddress &peer, int ipv6PrefixLength)
{
    bool isV4 = false;
    const quint32 v4 = peer.toIPv4Address(&isV4);
    if (isV4)
        return QHostAddress(v4).toString().toLatin1();
    if (peer.protocol() != QAbstractSocket::IPv6Protocol)
        return peer.toString().toLatin1();
    const int prefix = qBound(0, ipv6PrefixLength, 128);
    Q_IPV6ADDR bytes = peer.toIPv6Address();
    for (int bit = prefix; bit < 128; ++bit)
        bytes[bit / 8] &= quint8(~(0x80u >> (bit % 8)));
    return QHostAddress(bytes).toString().toLatin1() + '/' + QByteArray::number(prefix);
}

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
