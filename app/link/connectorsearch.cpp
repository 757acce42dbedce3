#include "connectorsearch.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcConnectorSearch, "occ.hub.search")

namespace occ::hub {

ConnectorSearch::ConnectorSearch(const identity::Identity &identity, HubInfo hub, ConnectorCache &cache,
                                 SearchConfig config, const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_identity(identity)
    , m_hub(std::move(hub))
    , m_cache(cache)
    , m_config(std::move(config))
    , m_clock(clock)
{
    m_stagger.setSingleShot(true);
    connect(&m_stagger, &QTimer::timeout, this, &ConnectorSearch::next);
}

ConnectorSearch::~ConnectorSearch()
{
    cancel();
}

void ConnectorSearch::rememberTicket(const QString &connectorId, const QByteArray &ticket)
{
    if (!ticket.isEmpty())
        m_tickets.insert(connectorId, ticket);
}

void ConnectorSearch::start(bool useSsdp)
{
    cancel();
    m_running = true;
    m_useSsdp = useSsdp && m_config.ssdpEnabled;
    m_inSsdpPhase = false;
    m_attempts = 0;
    m_usedSsdp = false;
    const QList<CachedConnector> cached = m_cache.ordered();
    for (const CachedConnector &connector : cached) {
        if (!connector.hostname.isEmpty())
            enqueue({connector.connectorId, connector.hostname, connector.port, connector.hostname});
        for (const QString &address : connector.addresses)
            enqueue({connector.connectorId, address, connector.port, connector.hostname});
    }
    qCInfo(lcConnectorSearch) << "looking for a connector:" << m_queue.size() << "cached addresses"
                              << (m_useSsdp ? "then UPnP" : "(no UPnP)");
    // Always asynchronous, so that callers see finished() after start() returned.
    QTimer::singleShot(0, this, [this] {
        if (m_running)
            next();
    });
}

void ConnectorSearch::cancel()
{
    m_running = false;
    m_stagger.stop();
    m_queue.clear();
    const QList<ConnectorSession *> running = std::exchange(m_attemptsRunning, {});
    for (ConnectorSession *session : running) {
        session->disconnect(this);
        session->deleteLater();
    }
    if (m_ssdp) {
        m_ssdp->cancel();
        m_ssdp->deleteLater();
        m_ssdp = nullptr;
    }
}

void ConnectorSearch::enqueue(const ConnectorTarget &target)
{
    if (target.host.isEmpty() || target.port == 0)
        return;
    for (const ConnectorTarget &queued : std::as_const(m_queue)) {
        if (queued.connectorId == target.connectorId && queued.host == target.host &&
            queued.port == target.port)
            return;
    }
    m_queue.append(target);
}

void ConnectorSearch::next()
{
    if (!m_running)
        return;
    if (m_queue.isEmpty()) {
        if (m_attemptsRunning.isEmpty())
            cacheDone();
        return;
    }
    if (m_attemptsRunning.size() >= m_config.maxParallel)
        return; // the next attempt starts when one ends
    const ConnectorTarget target = m_queue.takeFirst();
    auto *session = new ConnectorSession(m_identity, m_hub, m_config.connectTimeoutMs, m_clock, this);
    m_attemptsRunning.append(session);
    ++m_attempts;
    connect(session, &ConnectorSession::established, this, [this, session] { attemptEnded(session, true); });
    connect(session, &ConnectorSession::failed, this, [this, session] { attemptEnded(session, false); });
    qCDebug(lcConnectorSearch).noquote()
        << "trying" << target.connectorId << "at" << target.host << target.port;
    session->open(target, m_tickets.value(target.connectorId));
    if (!m_queue.isEmpty())
        m_stagger.start(m_config.staggerMs);
}

void ConnectorSearch::attemptEnded(ConnectorSession *session, bool established)
{
    if (!m_running || !m_attemptsRunning.contains(session))
        return;
    m_attemptsRunning.removeOne(session);
    session->disconnect(this);
    if (established) {
        session->setParent(nullptr);
        finish(session);
        return;
    }
    session->deleteLater();
    // A failure frees a place: the next candidate need not wait for the stagger.
    m_stagger.stop();
    next();
}

void ConnectorSearch::cacheDone()
{
    if (!m_useSsdp || m_inSsdpPhase) {
        finish(nullptr);
        return;
    }
    m_inSsdpPhase = true;
    m_usedSsdp = true;
    m_ssdp = new SsdpSearch(m_config.ssdp, m_config.mx, m_identity.customerId, this);
    connect(m_ssdp, &SsdpSearch::finished, this, &ConnectorSearch::discovered);
    m_ssdp->start();
}

void ConnectorSearch::discovered(const QList<DiscoveredConnector> &connectors)
{
    if (m_ssdp) {
        m_ssdp->deleteLater();
        m_ssdp = nullptr;
    }
    if (!m_running)
        return;
    for (const DiscoveredConnector &found : connectors) {
        const ssdp::ConnectorDescription &d = found.description;
        // Candidates, not knowledge: an SSDP answer proves nothing, so the cache
        // learns about a connector only after TLS proved it (HubCore records the
        // success, with the host name the description gave). The address that
        // answered first is on a network we can reach.
        enqueue({d.connectorId, found.address.toString(), d.tlsPort, d.hostname});
        if (!d.hostname.isEmpty())
            enqueue({d.connectorId, d.hostname, d.tlsPort, d.hostname});
    }
    next();
}

void ConnectorSearch::finish(ConnectorSession *winner)
{
    cancel(); // the other attempts and the SSDP search; the winner is no longer among them
    if (winner)
        qCInfo(lcConnectorSearch).noquote()
            << "connector" << winner->target().connectorId << "at" << winner->target().host
            << "answered after" << m_attempts << "attempts"
            << (m_usedSsdp ? "(found by UPnP)" : "(from the cache)");
    else
        qCInfo(lcConnectorSearch) << "no connector answered (" << m_attempts << "attempts"
                                  << (m_usedSsdp ? ", UPnP included)" : ")");
    emit finished(winner);
}

} // namespace occ::hub
