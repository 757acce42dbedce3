#pragma once

#include "cloudapi/cloudtypes.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace occ::hub {

// What the hub knows about one connector of its customer (ARCHITECTURE §5).
struct CachedConnector
{
    QString connectorId;
    QString hostname;      // FQDN, tried first
    QStringList addresses; // last known, newest first
    quint16 port = 0;
    QByteArray fingerprint;
    qint64 lastSuccess = 0; // ms since the epoch; 0 = never reached
    qint64 successCount = 0;
};

// The connector cache in DATA/connectors.ini: filled from successful connections,
// UPnP descriptions and the cloud's ListConnectors; read in order of last success
// at every start, network change and reconnect, before any M-SEARCH.
class ConnectorCache
{
public:
    explicit ConnectorCache(QString path);

    // Newest success first; never-reached entries last.
    QList<CachedConnector> ordered() const;
    void recordSuccess(const CachedConnector &connector, const QString &address, qint64 now);
    // Adds or updates what is known without claiming a success.
    void learn(const CachedConnector &connector);
    void learn(const QList<cloudapi::ConnectorInfo> &fromCloud);
    bool isEmpty() const { return m_entries.isEmpty(); }

private:
    void load();
    void save() const;

    QString m_path;
    QList<CachedConnector> m_entries;
};

} // namespace occ::hub
