#include "hubdirectory.h"

#include "hubserver/worker.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcDirectory, "occ.connector.hubs")

namespace occ::connector {

void HubDirectory::connected(Worker *worker, const HubHello &hello, qint64 now)
{
    auto it = m_hubs.find(hello.hubId);
    if (it != m_hubs.end() && it->hello.sessionId != hello.sessionId) {
        qCInfo(lcDirectory).noquote() << "hub" << hello.hubId << "reconnected from" << hello.peerAddress
                                      << "; closing its old session from" << it->hello.peerAddress;
        it->worker->closeSession(it->hello.sessionId, QStringLiteral("replaced"),
                                 QStringLiteral("a newer session of this hub took over"));
    }
    HubEntry entry;
    entry.hello = hello;
    entry.worker = worker;
    entry.connectedAt = now;
    m_hubs.insert(hello.hubId, entry);
    qCInfo(lcDirectory).noquote() << "hub" << hello.hubId << hello.hostname << "connected from"
                                  << hello.peerAddress << (hello.resumed ? "(TLS session resumed)" : "");
    emit hubArrived(hello.hubId);
    emit hubsChanged();
}

void HubDirectory::stateReported(quint64 sessionId, const QString &hubId, const protocol::StateReport &state)
{
    auto it = m_hubs.find(hubId);
    if (it == m_hubs.end() || it->hello.sessionId != sessionId)
        return;
    if (state.path == QLatin1StringView("ConnectorLan") || state.path == QLatin1StringView("ConnectorVpn"))
        it->path = state.path;
    it->queueDepth = state.queueDepth;
    it->dropped = state.dropped;
    emit hubStateChanged(hubId);
}

void HubDirectory::disconnected(quint64 sessionId, const QString &hubId)
{
    auto it = m_hubs.find(hubId);
    if (it == m_hubs.end() || it->hello.sessionId != sessionId)
        return; // an old, replaced session
    m_hubs.erase(it);
    emit hubsChanged();
}

const HubEntry *HubDirectory::find(const QString &hubId) const
{
    auto it = m_hubs.constFind(hubId);
    return it == m_hubs.cend() ? nullptr : &it.value();
}

int HubDirectory::kickSerials(const QSet<QByteArray> &serials)
{
    int kicked = 0;
    for (const HubEntry &entry : std::as_const(m_hubs)) {
        if (serials.contains(entry.hello.serial)) {
            entry.worker->closeSession(entry.hello.sessionId, QStringLiteral("unauthorized"),
                                       QStringLiteral("the certificate of this hub was revoked"));
            ++kicked;
        }
    }
    return kicked;
}

bool HubDirectory::kick(const QString &hubId, const QString &reason)
{
    const HubEntry *entry = find(hubId);
    if (!entry)
        return false;
    entry->worker->closeSession(entry->hello.sessionId, QStringLiteral("kicked"), reason);
    return true;
}

void HubDirectory::kickAll(const QString &reason)
{
    for (const HubEntry &entry : std::as_const(m_hubs))
        entry.worker->closeSession(entry.hello.sessionId, QStringLiteral("kicked"), reason);
}

} // namespace occ::connector
