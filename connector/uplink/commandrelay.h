#pragma once

#include "cloudapi/cloudtypes.h"
#include "core/backoff.h"
#include "protocol/messages.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

namespace occ::connector {

class CloudLink;
class HubDirectory;

// Commands without inbound connections (ARCHITECTURE §10): long-polls the cloud
// for the connected hubs, pushes each command down its hub's own TLS session as a
// cmd frame, and returns the hub's result with CompleteCommand.
class CommandRelay : public QObject
{
    Q_OBJECT
public:
    CommandRelay(CloudLink &link, HubDirectory &directory, QObject *parent = nullptr);
    void start();
    void hubArrived(const QString &hubId);
    void resultReceived(const QString &hubId, const protocol::CommandResult &result);

private:
    void poll(const QStringList &hubIds, bool main);
    // After an extra poll: its hubs that are still here and not in the main poll
    // are polled for again, so that no connected hub goes without a poll.
    void keepCovered(const QStringList &hubIds);
    void deliver(const QList<cloudapi::Command> &commands);
    void complete(const QString &hubId, const protocol::CommandResult &result, int attempt);

    CloudLink &m_link;
    HubDirectory &m_directory;
    QHash<QString, int> m_polling; // hubs covered by polls in flight, and by how many
    QSet<QString> m_mainHubs;      // the hubs of the main poll in flight
    QSet<QString> m_arrivals;      // hubs that came after the main poll started
    QTimer m_arrivalPoll;
    bool m_mainPolling = false;
    Backoff m_backoff{1000, 30000};
    QTimer m_retry;
};

} // namespace occ::connector
