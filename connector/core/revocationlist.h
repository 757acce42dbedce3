#pragma once

#include <QByteArray>
#include <QReadWriteLock>
#include <QSet>

namespace occ::connector {

// Serials the cloud has revoked (GetRevocations); read by every worker thread at
// each handshake, replaced by the uplink.
class RevocationList
{
public:
    bool contains(const QByteArray &serial) const
    {
        QReadLocker lock(&m_lock);
        return m_serials.contains(serial);
    }
    void replace(QSet<QByteArray> serials)
    {
        QWriteLocker lock(&m_lock);
        m_serials = std::move(serials);
    }
    QSet<QByteArray> snapshot() const
    {
        QReadLocker lock(&m_lock);
        return m_serials;
    }

private:
    mutable QReadWriteLock m_lock;
    QSet<QByteArray> m_serials;
};

} // namespace occ::connector
