#include "commandrelay.h"

#include "core/hubdirectory.h"
#include "hubserver/worker.h"
#include "uplink/cloudlink.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcCommands, "occ.connector.commands")

namespace occ::connector {

CommandRelay::CommandRelay(CloudLink &link, HubDirectory &directory, QObject *parent)
    : QObject(parent)
    , m_link(link)
    , m_directory(directory)
{
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, [this] { poll(m_directory.hubIds(), true); });
    // Hubs arriving together (a reconnect storm) share one extra poll.
    m_arrivalPoll.setSingleShot(true);
    m_arrivalPoll.setInterval(500);
    connect(&m_arrivalPoll, &QTimer::timeout, this, [this] {
        QStringList hubs;
        for (const QString &id : std::as_const(m_arrivals)) {
            if (m_directory.find(id) && !m_polling.contains(id))
                hubs << id;
        }
        m_arrivals.clear();
        poll(hubs, false);
    });
}

void CommandRelay::start()
{
    poll(m_directory.hubIds(), true);
}

void CommandRelay::hubArrived(const QString &hubId)
{
    if (!m_mainPolling && !m_retry.isActive()) {
        poll(m_directory.hubIds(), true);
        return;
    }
    // The main poll does not cover a hub that came after it started: an extra poll
    // for the newcomers, so that their commands need not wait up to 25 s.
    if (!m_polling.contains(hubId)) {
        m_arrivals.insert(hubId);
        if (!m_arrivalPoll.isActive())
            m_arrivalPoll.start();
    }
}

void CommandRelay::poll(const QStringList &hubIds, bool main)
{
    if (main && m_mainPolling)
        return;
    if (hubIds.isEmpty()) {
        if (main)
            m_mainPolling = false; // restarted by the next hubArrived
        return;
    }
    if (main) {
        m_mainPolling = true;
        m_mainHubs = QSet<QString>(hubIds.cbegin(), hubIds.cend());
    }
    for (const QString &id : hubIds)
        ++m_polling[id];
    m_link.client().pollCommands(hubIds, cloudapi::kMaxPollSeconds,
                                 [this, hubIds, main](Result<QList<cloudapi::Command>> r) {
                                     for (const QString &id : hubIds) {
                                         if (--m_polling[id] <= 0)
                                             m_polling.remove(id);
                                     }
                                     if (main) {
                                         m_mainPolling = false;
                                         m_mainHubs.clear();
                                     }
                                     if (!r) {
                                         m_link.failed(r.error());
                                         // The main poll's retry covers every hub.
                                         if (main)
                                             m_retry.start(int(m_backoff.next()));
                                         return;
                                     }
                                     m_link.succeeded();
                                     m_backoff.reset();
                                     deliver(*r);
                                     if (main)
                                         poll(m_directory.hubIds(), true);
                                     else
                                         keepCovered(hubIds);
                                 });
}

void CommandRelay::keepCovered(const QStringList &hubIds)
{
    if (!m_mainPolling && !m_retry.isActive()) {
        poll(m_directory.hubIds(), true);
        return;
    }
    for (const QString &id : hubIds) {
        if (m_directory.find(id) && !m_mainHubs.contains(id) && !m_polling.contains(id))
            m_arrivals.insert(id);
    }
    if (!m_arrivals.isEmpty() && !m_arrivalPoll.isActive())
        m_arrivalPoll.start();
}

void CommandRelay::deliver(const QList<cloudapi::Command> &commands)
{
    for (const cloudapi::Command &command : commands) {
        const HubEntry *hub = m_directory.find(command.hubId);
        if (!hub) {
            qCInfo(lcCommands) << "command" << command.id << "for" << command.hubId
                               << "arrived after the hub left; the cloud will deliver it again";
            continue;
        }
        qCInfo(lcCommands) << "relaying" << command.kind << command.args << "to" << command.hubId;
        hub->worker->sendTo(hub->hello.sessionId,
                            protocol::Command{command.id, command.kind, command.args, command.expires});
    }
}

void CommandRelay::resultReceived(const QString &hubId, const protocol::CommandResult &result)
{
    if (result.cmdId.startsWith(QLatin1StringView("local-"))) {
        qCInfo(lcCommands) << "hub" << hubId << "answered local command" << result.cmdId << result.ok
                           << result.detail;
        return;
    }
    complete(hubId, result, 1);
}

void CommandRelay::complete(const QString &hubId, const protocol::CommandResult &result, int attempt)
{
    m_link.client().completeCommand(result.cmdId, hubId, result.ok, result.detail, [=, this](Result<bool> r) {
        if (r) {
            m_link.succeeded();
            return;
        }
        m_link.failed(r.error());
        if (attempt >= 5 || r.error().category != ErrorCategory::Network) {
            qCWarning(lcCommands) << "giving up on the result of" << result.cmdId << ":" << r.error().message;
            return;
        }
        QTimer::singleShot(2000 * attempt, this, [=, this] { complete(hubId, result, attempt + 1); });
    });
}

} // namespace occ::connector
