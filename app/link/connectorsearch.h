#pragma once

#include "discovery/ssdpsearch.h"
#include "link/connectorcache.h"
#include "link/connectorsession.h"

#include <memory>
#include <QHash>
#include <QObject>
#include <QTimer>

namespace occ::hub {

struct SearchConfig
{
    int connectTimeoutMs = 3000;
    int staggerMs = 250; // a next candidate starts if the previous has not answered by then
    int maxParallel = 4; // attempts at the same time
    bool ssdpEnabled = true;
    ssdp::SsdpEndpoint ssdp;
    int mx = 2;
};

// Finds a connector (ARCHITECTURE §5, §4): the cached connectors first, in order
// of last success, each by host name and then by its last addresses; then, when
// asked, UPnP. Candidates are tried in that order with a short stagger (a slow or
// dead one does not hold up the next), and the first that completes hello/welcome
// wins. A candidate that fails TLS (a rogue, another customer) never gets a frame.
// Session tickets are remembered per connector so that the next session resumes.
class ConnectorSearch : public QObject
{
    Q_OBJECT
public:
    ConnectorSearch(const identity::Identity &identity, HubInfo hub, ConnectorCache &cache,
                    SearchConfig config, const Clock &clock, QObject *parent = nullptr);
    ~ConnectorSearch() override;

    void start(bool useSsdp);
    void cancel();
    bool running() const { return m_running; }
    void setConfig(const SearchConfig &config) { m_config = config; }
    // The identity changed (renewal): later sessions present the new certificate.
    void setIdentity(const identity::Identity &identity) { m_identity = identity; }
    void rememberTicket(const QString &connectorId, const QByteArray &ticket);
    // What the last search did (for logs, status and tests).
    int lastAttempts() const { return m_attempts; }
    bool lastUsedSsdp() const { return m_usedSsdp; }

signals:
    // The established session (the receiver takes it), or nullptr when none answered.
    void finished(occ::hub::ConnectorSession *session);

private:
    void enqueue(const ConnectorTarget &target);
    void next();
    void attemptEnded(ConnectorSession *session, bool established);
    void cacheDone();
    void discovered(const QList<occ::hub::DiscoveredConnector> &connectors);
    void finish(ConnectorSession *winner);

    identity::Identity m_identity;
    HubInfo m_hub;
    ConnectorCache &m_cache;
    SearchConfig m_config;
    const Clock &m_clock;
    SsdpSearch *m_ssdp = nullptr;
    QHash<QString, QByteArray> m_tickets;
    QList<ConnectorTarget> m_queue;
    QList<ConnectorSession *> m_attemptsRunning;
    QTimer m_stagger;
    bool m_running = false;
    bool m_useSsdp = false;
    bool m_inSsdpPhase = false;
    int m_attempts = 0;
    bool m_usedSsdp = false;
};

} // namespace occ::hub
