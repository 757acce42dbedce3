#pragma once

#include "cloudapi/cloudtypes.h"

#include <functional>
#include <QObject>
#include <QSet>
#include <QTimer>

namespace occ::connector {

class CloudLink;
class HubDirectory;

// ReportState for the connector itself and the hubs connected to it, with the path
// each hub reports (LAN or VPN): all of them periodically, and the hubs that
// changed a second after a change (a reconnect storm becomes a few calls, not one
// full report per hub).
class StateReporter : public QObject
{
    Q_OBJECT
public:
    StateReporter(CloudLink &link, HubDirectory &directory, std::function<cloudapi::ConnectorInfo()> self,
                  qint64 intervalMs, QObject *parent = nullptr);
    void start();
    void changed(const QString &hubId);

signals:
    // What the cloud holds of these hubs (ARCHITECTURE §9 seq continuity).
    void cloudSeqs(const QList<occ::cloudapi::HubSeq> &seqs);

private:
    void report(bool full);

    CloudLink &m_link;
    HubDirectory &m_directory;
    std::function<cloudapi::ConnectorInfo()> m_self;
    QTimer m_periodic;
    QTimer m_debounce;
    QSet<QString> m_dirty;
    bool m_busy = false;
};

} // namespace occ::connector
