#pragma once

#include "hubserver/sessionconfig.h"
#include "protocol/messages.h"

#include <QHash>
#include <QObject>

namespace occ::connector {

class Worker;

// A hub connected to this connector, as the main thread knows it.
struct HubEntry
{
    HubHello hello;
    Worker *worker = nullptr;
    QString path = QStringLiteral("ConnectorLan"); // as the hub reports it
    qint64 queueDepth = 0;
    qint64 dropped = 0;
    qint64 connectedAt = 0; // ms since the epoch
};

// The connected hubs (main thread): one session per hub id. A second hello of a
// connected hub replaces the old session (ARCHITECTURE §7: the laptop reconnected
// before the old connection timed out).
class HubDirectory : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    void connected(Worker *worker, const HubHello &hello, qint64 now);
    void stateReported(quint64 sessionId, const QString &hubId, const protocol::StateReport &state);
    void disconnected(quint64 sessionId, const QString &hubId);

    const HubEntry *find(const QString &hubId) const;
    QList<HubEntry> all() const { return m_hubs.values(); }
    QStringList hubIds() const { return m_hubs.keys(); }
    int count() const { return int(m_hubs.size()); }
    // Closes the sessions of these certificate serials (revoked); returns how many.
    int kickSerials(const QSet<QByteArray> &serials);
    // Closes one hub's session; false when it is not connected.
    bool kick(const QString &hubId, const QString &reason);
    void kickAll(const QString &reason);

signals:
    void hubsChanged();                         // a hub came or went
    void hubStateChanged(const QString &hubId); // path, queue depth or dropped changed
    void hubArrived(const QString &hubId);

private:
    QHash<QString, HubEntry> m_hubs;
};

} // namespace occ::connector
