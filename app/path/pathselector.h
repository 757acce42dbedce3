#pragma once

#include "core/backoff.h"
#include "core/clock.h"
#include "path/connectionstate.h"

#include <optional>
#include <QObject>
#include <QString>
#include <QTimer>

namespace occ::hub {

struct PathTimings
{
    qint64 fallbackAfterMs = 300'000; // connection/fallbackAfter
    qint64 failbackProbeMs = 60'000;  // connection/failbackProbe
    qint64 backoffMinMs = 1'000;      // connection/backoffMin
    qint64 backoffMaxMs = 30'000;     // connection/backoffMax
};

// A connector session that completed hello/welcome.
struct ConnectorFound
{
    QString connectorId;
    bool vpn = false; // the socket's local interface is a VPN interface
};

// What the path selector asks the hub to do. Each request is answered through the
// matching PathSelector event; a new request supersedes an unanswered one.
class PathDriver
{
public:
    virtual ~PathDriver() = default;
    // Cached connectors first (host name, then addresses), then UPnP when useSsdp.
    // Answer: connectorSearchDone().
    virtual void searchConnectors(bool useSsdp) = 0;
    // Is the current connector session still alive (after a network change)?
    // Answer: connectorAliveChecked().
    virtual void checkConnectorAlive() = 0;
    virtual void dropConnector() = 0;
    // Direct cloud mode. Answer: cloudStarted().
    virtual void startCloud() = 0;
    virtual void stopCloud() = 0;
};

// Path selection, exactly as ARCHITECTURE §6. Pure logic over an injectable clock:
// it decides, the driver acts and reports back. Its timers are deadlines on the
// clock; a QTimer calls tick() at the next one (tests call tick() after moving a
// ManualClock, so five minutes take no time).
class PathSelector : public QObject
{
    Q_OBJECT
public:
    PathSelector(const Clock &clock, PathDriver &driver, PathTimings timings, QObject *parent = nullptr);

    // Events.
    void start(bool enrolled);
    void networkChanged();
    void manualReconnect();
    void connectorSearchDone(const std::optional<ConnectorFound> &found);
    void connectorAliveChecked(const std::optional<ConnectorFound> &alive);
    void connectorLost();
    void cloudStarted(bool ok);
    void cloudLost();
    void tick();

    void setTimings(const PathTimings &timings)
    {
        m_timings = timings;
        m_backoff = Backoff(timings.backoffMinMs, timings.backoffMaxMs);
    }

    ConnectionState state() const { return m_state; }
    QString connectorId() const { return m_connectorId; }
    qint64 since() const { return m_sinceEpoch; } // ms since the epoch
    // When tick() must run next (monotonic ms), or -1.
    qint64 nextDeadline() const;

signals:
    void stateChanged(occ::hub::ConnectionState previous, occ::hub::ConnectionState current);

private:
    // Why a connector search runs: it decides what "none found" means.
    enum class Search
    {
        None,
        Rule1,   // start, network change, manual reconnect: none -> cloud now
        Retry,   // connector lost: none -> retry with backoff, cloud after fallbackAfter
        Probe,   // while direct: none -> stay direct
        Offline, // neither reachable: none -> try the cloud
    };
    void rule1();
    void search(Search why, bool useSsdp);
    void goCloud();
    void enter(ConnectionState state, const QString &connectorId = {});
    void connected(const ConnectorFound &found);
    void schedule();

    const Clock &m_clock;
    PathDriver &m_driver;
    PathTimings m_timings;
    ConnectionState m_state = ConnectionState::Searching;
    QString m_connectorId;
    qint64 m_sinceEpoch = 0;
    Search m_search = Search::None;
    bool m_startingCloud = false;
    bool m_checkingAlive = false;
    bool m_cloudRunning = false;
    qint64 m_lostAt = -1;  // monotonic ms of the connector loss (rule 2)
    qint64 m_retryAt = -1; // next connector retry (Searching) or offline retry
    qint64 m_probeAt = -1; // next failback probe (DirectCloud)
    Backoff m_backoff;
    QTimer m_timer;
};

} // namespace occ::hub
