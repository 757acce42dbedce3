#include "pathselector.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcPath, "occ.hub.path")

namespace occ::hub {

PathSelector::PathSelector(const Clock &clock, PathDriver &driver, PathTimings timings, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
    , m_driver(driver)
    , m_timings(timings)
    , m_backoff(timings.backoffMinMs, timings.backoffMaxMs)
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &PathSelector::tick);
}

void PathSelector::enter(ConnectionState state, const QString &connectorId)
{
    const bool first = m_sinceEpoch == 0;
    if (state == m_state && connectorId == m_connectorId && !first)
        return;
    const ConnectionState previous = m_state;
    m_state = state;
    m_connectorId = connectorId;
    m_sinceEpoch = m_clock.epochMs();
    if (previous == state && first)
        return; // the initial state: nothing changed
    qCInfo(lcPath).noquote() << stateName(previous) << "->" << stateName(state)
                             << (connectorId.isEmpty() ? QString()
                                                       : QStringLiteral("(connector %1)").arg(connectorId));
    emit stateChanged(previous, state);
}

void PathSelector::start(bool enrolled)
{
    if (!enrolled) {
        enter(ConnectionState::NotEnrolled);
        return;
    }
    enter(ConnectionState::Searching);
    rule1();
}

// Rule 1: cached connectors, then UPnP; none -> the cloud at once.
void PathSelector::rule1()
{
    m_lostAt = -1;
    m_retryAt = -1;
    m_probeAt = -1;
    search(Search::Rule1, true);
}

void PathSelector::search(Search why, bool useSsdp)
{
    m_search = why;
    m_driver.searchConnectors(useSsdp);
    schedule();
}

void PathSelector::goCloud()
{
    if (m_cloudRunning && m_state == ConnectionState::DirectCloud) {
        m_probeAt = m_clock.monotonicMs() + m_timings.failbackProbeMs;
        schedule();
        return;
    }
    m_startingCloud = true;
    m_driver.startCloud();
}

void PathSelector::connected(const ConnectorFound &found)
{
    // One path at a time: a direct link that runs, or whose start is still
    // pending, ends here (its late answer is ignored).
    if (m_cloudRunning || m_startingCloud) {
        m_driver.stopCloud();
        m_cloudRunning = false;
    }
    m_startingCloud = false;
    m_backoff.reset();
    m_lostAt = -1;
    m_retryAt = -1;
    m_probeAt = -1;
    enter(found.vpn ? ConnectionState::ConnectorVpn : ConnectionState::ConnectorLan, found.connectorId);
    schedule();
}

void PathSelector::connectorSearchDone(const std::optional<ConnectorFound> &found)
{
    const Search why = std::exchange(m_search, Search::None);
    if (why == Search::None)
        return; // an answer to a superseded request
    if (found) {
        connected(*found);
        return;
    }
    const qint64 now = m_clock.monotonicMs();
    switch (why) {
    case Search::Rule1:
    case Search::Offline:
        goCloud();
        break;
    case Search::Retry:
        if (now - m_lostAt >= m_timings.fallbackAfterMs)
            goCloud();
        else
            m_retryAt = now + m_backoff.next();
        break;
    case Search::Probe:
        m_probeAt = now + m_timings.failbackProbeMs;
        break;
    case Search::None:
        break;
    }
    schedule();
}

void PathSelector::cloudStarted(bool ok)
{
    if (!std::exchange(m_startingCloud, false))
        return;
    const qint64 now = m_clock.monotonicMs();
    if (ok) {
        m_cloudRunning = true;
        m_backoff.reset();
        m_lostAt = -1;
        m_retryAt = -1;
        m_probeAt = now + m_timings.failbackProbeMs;
        enter(ConnectionState::DirectCloud);
    } else {
        // Rule 7: neither connector nor cloud; results wait in the outbox.
        m_cloudRunning = false;
        m_lostAt = -1;
        m_retryAt = now + m_backoff.next();
        enter(ConnectionState::Offline);
    }
    schedule();
}

void PathSelector::connectorLost()
{
    if (!isConnectorState(m_state))
        return;
    // Rule 2: the connector failed, the machine did not move.
    const qint64 now = m_clock.monotonicMs();
    m_checkingAlive = false;
    m_lostAt = now;
    m_retryAt = now + m_backoff.next();
    enter(ConnectionState::Searching);
    schedule();
}

void PathSelector::cloudLost()
{
    if (m_state != ConnectionState::DirectCloud)
        return;
    m_driver.stopCloud();
    m_cloudRunning = false;
    m_probeAt = -1;
    m_retryAt = m_clock.monotonicMs() + m_backoff.next();
    enter(ConnectionState::Offline);
    schedule();
}

void PathSelector::networkChanged()
{
    switch (m_state) {
    case ConnectionState::NotEnrolled:
        return;
    case ConnectionState::ConnectorLan:
    case ConnectionState::ConnectorVpn:
        // Still the same way to the same connector? (A laptop that moved has a
        // session that is dead but not yet timed out.)
        m_checkingAlive = true;
        m_driver.checkConnectorAlive();
        return;
    default:
        m_backoff.reset();
        rule1();
        return;
    }
}

void PathSelector::connectorAliveChecked(const std::optional<ConnectorFound> &alive)
{
    if (!std::exchange(m_checkingAlive, false) || !isConnectorState(m_state))
        return;
    if (alive) {
        enter(alive->vpn ? ConnectionState::ConnectorVpn : ConnectionState::ConnectorLan, alive->connectorId);
        return;
    }
    m_driver.dropConnector();
    m_backoff.reset();
    enter(ConnectionState::Searching);
    rule1();
}

void PathSelector::manualReconnect()
{
    if (m_state == ConnectionState::NotEnrolled)
        return;
    // Rule 4: drop the session and run rule 1 now; no connector -> cloud now. A
    // running direct link keeps delivering while the search runs.
    m_checkingAlive = false;
    if (isConnectorState(m_state))
        m_driver.dropConnector();
    if (m_state != ConnectionState::DirectCloud)
        enter(ConnectionState::Searching);
    m_backoff.reset();
    rule1();
}

qint64 PathSelector::nextDeadline() const
{
    if (m_startingCloud || m_checkingAlive)
        return -1; // waiting for the driver's answer
    // Only deadlines that tick() acts on now: one it would pass over (a search is
    // under way) would make the timer fire at once, again and again.
    qint64 next = -1;
    auto consider = [&next](qint64 at) {
        if (at >= 0 && (next < 0 || at < next))
            next = at;
    };
    const bool idle = m_search == Search::None;
    if (m_state == ConnectionState::Searching) {
        if (idle)
            consider(m_retryAt);
        if (m_lostAt >= 0 && (idle || m_search == Search::Retry))
            consider(m_lostAt + m_timings.fallbackAfterMs);
    } else if (m_state == ConnectionState::Offline) {
        if (idle)
            consider(m_retryAt);
    } else if (m_state == ConnectionState::DirectCloud) {
        if (idle)
            consider(m_probeAt);
    }
    return next;
}

void PathSelector::tick()
{
    const qint64 now = m_clock.monotonicMs();
    if (m_startingCloud || m_checkingAlive) {
        schedule();
        return;
    }
    if (m_state == ConnectionState::Searching && m_lostAt >= 0 &&
        now - m_lostAt >= m_timings.fallbackAfterMs) {
        // fallbackAfter has passed: to the cloud now, even if a retry is under way.
        if (m_search == Search::Retry) {
            m_search = Search::None;
            m_driver.dropConnector();
        }
        if (m_search == Search::None) {
            qCInfo(lcPath) << "no connector for" << (now - m_lostAt) / 1000
                           << "s: going directly to the cloud";
            m_retryAt = -1;
            m_lostAt = -1;
            goCloud();
        }
    } else if (m_search == Search::None) {
        if ((m_state == ConnectionState::Searching || m_state == ConnectionState::Offline) &&
            m_retryAt >= 0 && now >= m_retryAt) {
            m_retryAt = -1;
            search(m_state == ConnectionState::Offline ? Search::Offline : Search::Retry, true);
        } else if (m_state == ConnectionState::DirectCloud && m_probeAt >= 0 && now >= m_probeAt) {
            // Rule 3: try the cached connectors; a completed hello switches back.
            m_probeAt = -1;
            search(Search::Probe, false);
        }
    }
    schedule();
}

void PathSelector::schedule()
{
    const qint64 next = nextDeadline();
    if (next < 0) {
        m_timer.stop();
        return;
    }
    m_timer.start(int(qBound(qint64(0), next - m_clock.monotonicMs(), qint64(24 * 3600 * 1000))));
}

} // namespace occ::hub
