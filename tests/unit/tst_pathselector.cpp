// Path selection (ARCHITECTURE §6) as a state machine over a ManualClock: the
// driver records what the selector asks for and the test answers, so that the
// five-minute fallback and the one-minute failback probe take no real time.
#include "core/clock.h"
#include "path/pathselector.h"

#include <QRandomGenerator>
#include <QTest>

using namespace occ;
using namespace occ::hub;

namespace {

struct RecordingDriver final : PathDriver
{
    QStringList calls;
    void searchConnectors(bool useSsdp) override
    {
        calls << (useSsdp ? QStringLiteral("search+ssdp") : QStringLiteral("search"));
    }
    void checkConnectorAlive() override { calls << QStringLiteral("alive?"); }
    void dropConnector() override { calls << QStringLiteral("drop"); }
    void startCloud() override { calls << QStringLiteral("cloud"); }
    void stopCloud() override { calls << QStringLiteral("stopcloud"); }
    QString take() { return calls.isEmpty() ? QString() : calls.takeFirst(); }
};

// A driver that keeps the state of the paths it was asked for, so that a random
// run can check what the hub would really be doing (issue 9 items 2 and 6).
struct ModelDriver final : PathDriver
{
    bool searching = false;
    bool checkingAlive = false;
    bool connectorAttached = false;
    bool cloudStarting = false;
    bool cloudRunning = false;
    void searchConnectors(bool) override { searching = true; }
    void checkConnectorAlive() override { checkingAlive = true; }
    void dropConnector() override
    {
        searching = false;
        connectorAttached = false;
    }
    void startCloud() override { cloudStarting = true; }
    void stopCloud() override
    {
        cloudStarting = false;
        cloudRunning = false;
    }
};

const ConnectorFound kLan{QStringLiteral("conn-1"), false};
const ConnectorFound kVpn{QStringLiteral("conn-1"), true};

} // namespace

class TestPathSelector : public QObject
{
    Q_OBJECT

    ManualClock m_clock;
    RecordingDriver m_driver;
    std::unique_ptr<PathSelector> m_selector;
    QList<QPair<ConnectionState, ConnectionState>> m_changes;
    PathTimings m_timings; // the defaults of ARCHITECTURE §6

    void advance(qint64 ms)
    {
        // Tick at every deadline on the way, as the QTimer would.
        const qint64 end = m_clock.monotonicMs() + ms;
        while (true) {
            const qint64 next = m_selector->nextDeadline();
            if (next < 0 || next > end)
                break;
            m_clock.set(qMax(next, m_clock.monotonicMs()));
            m_selector->tick();
        }
        m_clock.set(end);
        m_selector->tick();
    }

    // Brings the selector to ConnectorLan through rule 1.
    void connectLan()
    {
        m_selector->start(true);
        QCOMPARE(m_driver.take(), QStringLiteral("search+ssdp"));
        m_selector->connectorSearchDone(kLan);
        QCOMPARE(m_selector->state(), ConnectionState::ConnectorLan);
    }

private slots:
    void init()
    {
        m_timings = PathTimings();
        m_clock = ManualClock();
        m_driver = RecordingDriver();
        m_changes.clear();
        m_selector = std::make_unique<PathSelector>(m_clock, m_driver, m_timings);
        connect(m_selector.get(), &PathSelector::stateChanged, this,
                [this](ConnectionState a, ConnectionState b) {
                    m_changes.append({a, b});
                });
    }

    void defaultsAreTheDesign()
    {
        QCOMPARE(m_timings.fallbackAfterMs, 300'000);
        QCOMPARE(m_timings.failbackProbeMs, 60'000);
        QCOMPARE(m_timings.backoffMinMs, 1'000);
        QCOMPARE(m_timings.backoffMaxMs, 30'000);
    }

    void notEnrolledDoesNothing()
    {
        m_selector->start(false);
        QCOMPARE(m_selector->state(), ConnectionState::NotEnrolled);
        QVERIFY(m_driver.calls.isEmpty());
        m_selector->networkChanged();
        m_selector->manualReconnect();
        QVERIFY(m_driver.calls.isEmpty());
    }

    void startFindsAConnector()
    {
        connectLan();
        QCOMPARE(m_selector->connectorId(), QStringLiteral("conn-1"));
        QCOMPARE(m_changes.last(), qMakePair(ConnectionState::Searching, ConnectionState::ConnectorLan));
        QCOMPARE(m_selector->since(), m_clock.epochMs());
    }

    void vpnInterfaceMeansConnectorVpn()
    {
        m_selector->start(true);
        m_driver.take();
        m_selector->connectorSearchDone(kVpn);
        QCOMPARE(m_selector->state(), ConnectionState::ConnectorVpn);
    }

    void noConnectorAtStartGoesToTheCloudAtOnce()
    {
        m_selector->start(true);
        QCOMPARE(m_driver.take(), QStringLiteral("search+ssdp"));
        m_selector->connectorSearchDone(std::nullopt);
        QCOMPARE(m_driver.take(), QStringLiteral("cloud"));
        m_selector->cloudStarted(true);
        QCOMPARE(m_selector->state(), ConnectionState::DirectCloud);
    }

    void nothingReachableIsOfflineThenRetries()
    {
        m_selector->start(true);
        m_driver.take();
        m_selector->connectorSearchDone(std::nullopt);
        m_driver.take();
        m_selector->cloudStarted(false);
        QCOMPARE(m_selector->state(), ConnectionState::Offline);
        // Retries with backoff: connectors first (with UPnP), then the cloud.
        advance(1300);
        QCOMPARE(m_driver.take(), QStringLiteral("search+ssdp"));
        m_selector->connectorSearchDone(std::nullopt);
        QCOMPARE(m_driver.take(), QStringLiteral("cloud"));
        m_selector->cloudStarted(true);
        QCOMPARE(m_selector->state(), ConnectionState::DirectCloud);
    }

    void connectorLossFallsBackAfterFiveMinutes()
    {
        connectLan();
        m_selector->connectorLost();
        QCOMPARE(m_selector->state(), ConnectionState::Searching);
        const qint64 lostAt = m_clock.monotonicMs();
        // Retries (cached connectors and UPnP) with growing, jittered delays; none
        // finds anything.
        QList<qint64> retryTimes;
        bool cloudAsked = false;
        while (!cloudAsked && m_clock.monotonicMs() - lostAt <= m_timings.fallbackAfterMs + 5000) {
            const qint64 next = m_selector->nextDeadline();
            QVERIFY(next > m_clock.monotonicMs());
            m_clock.set(next);
            m_selector->tick();
            while (!m_driver.calls.isEmpty()) {
                const QString call = m_driver.take();
                if (call == QLatin1StringView("cloud")) {
                    cloudAsked = true;
                } else {
                    QCOMPARE(call, QStringLiteral("search+ssdp"));
                    retryTimes << m_clock.monotonicMs() - lostAt;
                    m_selector->connectorSearchDone(std::nullopt);
                }
            }
        }
        // Backoff: first about 1 s, growing, never more than 30 s (+25 % jitter).
        QVERIFY2(retryTimes.first() >= 750 && retryTimes.first() <= 1250,
                 qPrintable(QString::number(retryTimes.first())));
        for (int i = 1; i < retryTimes.size(); ++i)
            QVERIFY(retryTimes[i] - retryTimes[i - 1] <= 37'500);
        QVERIFY(retryTimes.size() >= 10);
        QCOMPARE(m_selector->state(), ConnectionState::Searching);
        // The cloud is asked for at the fallback time.
        QVERIFY(cloudAsked);
        const qint64 fellBackAfter = m_clock.monotonicMs() - lostAt;
        QVERIFY2(qAbs(fellBackAfter - m_timings.fallbackAfterMs) <= 2000,
                 qPrintable(QString::number(fellBackAfter)));
        m_selector->cloudStarted(true);
        QCOMPARE(m_selector->state(), ConnectionState::DirectCloud);
    }

    void fallbackAbandonsARetryStillUnderWay()
    {
        // Retries every second or so, so that one is under way at the deadline.
        m_timings = {10'000, 5'000, 1'000, 1'000};
        m_selector->setTimings(m_timings);
        connectLan();
        m_selector->connectorLost();
        const qint64 lostAt = m_clock.monotonicMs();
        // Retries fail quickly until shortly before the deadline ...
        while (m_clock.monotonicMs() - lostAt < m_timings.fallbackAfterMs - 1500) {
            advance(100);
            if (m_driver.calls.removeAll(QStringLiteral("search+ssdp")) > 0)
                m_selector->connectorSearchDone(std::nullopt);
        }
        QVERIFY(m_driver.calls.isEmpty());
        // ... then one hangs past it (a slow network).
        while (m_driver.calls.isEmpty())
            advance(100);
        QCOMPARE(m_driver.take(), QStringLiteral("search+ssdp"));
        advance(m_timings.fallbackAfterMs - (m_clock.monotonicMs() - lostAt));
        QCOMPARE(m_driver.take(), QStringLiteral("drop"));
        QCOMPARE(m_driver.take(), QStringLiteral("cloud"));
        QVERIFY(qAbs(m_clock.monotonicMs() - lostAt - m_timings.fallbackAfterMs) <= 100);
        m_selector->connectorSearchDone(kLan); // the late answer is ignored
        QCOMPARE(m_selector->state(), ConnectionState::Searching);
        m_selector->cloudStarted(true);
        QCOMPARE(m_selector->state(), ConnectionState::DirectCloud);
    }

    void directProbesCachedConnectorsAndFailsBack()
    {
        noConnectorAtStartGoesToTheCloudAtOnce();
        m_driver.calls.clear();
        advance(m_timings.failbackProbeMs - 1);
        QVERIFY(m_driver.calls.isEmpty());
        advance(1);
        QCOMPARE(m_driver.take(), QStringLiteral("search")); // cached only, no UPnP
        m_selector->connectorSearchDone(std::nullopt);
        QCOMPARE(m_selector->state(), ConnectionState::DirectCloud);
        advance(m_timings.failbackProbeMs);
        QCOMPARE(m_driver.take(), QStringLiteral("search"));
        m_selector->connectorSearchDone(kLan);
        QCOMPARE(m_driver.take(), QStringLiteral("stopcloud"));
        QCOMPARE(m_selector->state(), ConnectionState::ConnectorLan);
    }

    void manualReconnectWithoutConnectorGoesToTheCloudNow()
    {
        connectLan();
        m_selector->manualReconnect();
        QCOMPARE(m_driver.take(), QStringLiteral("drop"));
        QCOMPARE(m_driver.take(), QStringLiteral("search+ssdp"));
        QCOMPARE(m_selector->state(), ConnectionState::Searching);
        m_selector->connectorSearchDone(std::nullopt);
        QCOMPARE(m_driver.take(), QStringLiteral("cloud")); // now, not after fallbackAfter
        m_selector->cloudStarted(true);
        QCOMPARE(m_selector->state(), ConnectionState::DirectCloud);
    }

    void networkChangeWithDeadSessionRunsRuleOne()
    {
        connectLan();
        m_selector->networkChanged();
        QCOMPARE(m_driver.take(), QStringLiteral("alive?"));
        m_selector->connectorAliveChecked(std::nullopt);
        QCOMPARE(m_driver.take(), QStringLiteral("drop"));
        QCOMPARE(m_driver.take(), QStringLiteral("search+ssdp"));
        m_selector->connectorSearchDone(std::nullopt);
        QCOMPARE(m_driver.take(), QStringLiteral("cloud")); // the laptop moved: no five-minute wait
    }

    void networkChangeWithLiveSessionReclassifies()
    {
        connectLan();
        m_selector->networkChanged();
        QCOMPARE(m_driver.take(), QStringLiteral("alive?"));
        m_selector->connectorAliveChecked(kVpn);
        QCOMPARE(m_selector->state(), ConnectionState::ConnectorVpn);
        QVERIFY(m_driver.calls.isEmpty());
    }

    void networkChangeWhileSearchingAppliesRuleOne()
    {
        connectLan();
        m_selector->connectorLost();
        advance(20'000);
        m_driver.calls.clear();
        m_selector->connectorSearchDone(std::nullopt); // a retry that was under way
        m_selector->networkChanged();
        QCOMPARE(m_driver.take(), QStringLiteral("search+ssdp"));
        m_selector->connectorSearchDone(std::nullopt);
        QCOMPARE(m_driver.take(), QStringLiteral("cloud"));
    }

    void networkChangeWhileDirectLooksForConnectors()
    {
        noConnectorAtStartGoesToTheCloudAtOnce();
        m_driver.calls.clear();
        m_selector->networkChanged();
        QCOMPARE(m_driver.take(), QStringLiteral("search+ssdp"));
        m_selector->connectorSearchDone(kVpn); // back in reach through the VPN
        QCOMPARE(m_driver.take(), QStringLiteral("stopcloud"));
        QCOMPARE(m_selector->state(), ConnectionState::ConnectorVpn);
    }

    void cloudLossGoesOffline()
    {
        noConnectorAtStartGoesToTheCloudAtOnce();
        m_driver.calls.clear();
        m_selector->cloudLost();
        QCOMPARE(m_driver.take(), QStringLiteral("stopcloud"));
        QCOMPARE(m_selector->state(), ConnectionState::Offline);
    }

    void staleAnswersAreIgnored()
    {
        m_selector->start(true);
        m_driver.take();
        m_selector->connectorSearchDone(std::nullopt);
        m_selector->connectorSearchDone(kLan); // no search was asked for now
        QCOMPARE(m_selector->state(), ConnectionState::Searching);
        m_selector->cloudStarted(true);
        m_selector->cloudStarted(false);
        QCOMPARE(m_selector->state(), ConnectionState::DirectCloud);
        m_selector->connectorAliveChecked(kLan);
        QCOMPARE(m_selector->state(), ConnectionState::DirectCloud);
    }

    void shortIntervalsFromSettings()
    {
        // Tests shorten everything through settings; the logic stays the same.
        m_selector->setTimings({10'000, 5'000, 200, 1'000});
        connectLan();
        m_selector->connectorLost();
        int searches = 0;
        while (!m_driver.calls.contains(QStringLiteral("cloud")) && m_clock.monotonicMs() < 20'000) {
            advance(100);
            if (m_driver.calls.removeAll(QStringLiteral("search+ssdp")) > 0) {
                ++searches;
                m_selector->connectorSearchDone(std::nullopt);
            }
        }
        QVERIFY(m_driver.calls.contains(QStringLiteral("cloud")));
        QVERIFY(qAbs(m_clock.monotonicMs() - 10'000) <= 1100);
        QVERIFY(searches >= 5);
    }

    // Random events and answers for many seeds. After every step: a deadline in the
    // past would make the QTimer fire at once forever (a busy hub that ignores
    // SIGTERM); a connector state while a cloud start is pending or the direct link
    // runs would deliver on two paths; Searching or Offline with nothing pending and
    // no deadline would never leave.
    void randomRunsKeepTheInvariants()
    {
        for (quint32 seed = 1; seed <= 300; ++seed) {
            QRandomGenerator random(seed);
            ManualClock clock;
            ModelDriver driver;
            PathSelector selector(clock, driver, {4'000, 3'000, 500, 2'000});
            selector.start(true);
            for (int step = 0; step < 400; ++step) {
                const QString where = QStringLiteral("seed %1 step %2 state %3")
                                          .arg(seed)
                                          .arg(step)
                                          .arg(stateName(selector.state()));
                switch (random.bounded(12)) {
                case 0:
                case 1:
                    if (driver.searching) {
                        driver.searching = false;
                        const bool found = random.bounded(3) == 0;
                        driver.connectorAttached = found;
                        selector.connectorSearchDone(found ? std::optional(random.bounded(2) ? kLan : kVpn)
                                                           : std::nullopt);
                    }
                    break;
                case 2:
                case 3:
                    if (driver.cloudStarting) {
                        driver.cloudStarting = false;
                        const bool ok = random.bounded(2) == 0;
                        driver.cloudRunning = ok;
                        selector.cloudStarted(ok);
                    }
                    break;
                case 4:
                    if (driver.connectorAttached) {
                        driver.connectorAttached = false;
                        selector.connectorLost();
                    }
                    break;
                case 5:
                    if (driver.cloudRunning) {
                        driver.cloudRunning = false;
                        selector.cloudLost();
                    }
                    break;
                case 6:
                    selector.networkChanged();
                    break;
                case 7:
                    selector.manualReconnect();
                    break;
                case 8:
                    if (driver.checkingAlive) {
                        driver.checkingAlive = false;
                        const bool alive = driver.connectorAttached && random.bounded(2) == 0;
                        if (!alive)
                            driver.connectorAttached = false;
                        selector.connectorAliveChecked(alive ? std::optional(kLan) : std::nullopt);
                    }
                    break;
                default: {
                    clock.advance(random.bounded(3000));
                    const qint64 next = selector.nextDeadline();
                    if (next >= 0 && next <= clock.monotonicMs())
                        selector.tick();
                    break;
                }
                }
                const qint64 next = selector.nextDeadline();
                if (next >= 0 && next <= clock.monotonicMs()) {
                    selector.tick();
                    const qint64 after = selector.nextDeadline();
                    QVERIFY2(after < 0 || after > clock.monotonicMs(),
                             qPrintable(where + QStringLiteral(": tick() leaves a deadline in the past")));
                }
                const ConnectionState state = selector.state();
                if (isConnectorState(state)) {
                    QVERIFY2(
                        !driver.cloudStarting && !driver.cloudRunning,
                        qPrintable(where +
                                   QStringLiteral(": on a connector while the direct link runs or starts")));
                }
                if (state == ConnectionState::DirectCloud && !driver.searching)
                    QVERIFY2(!driver.connectorAttached,
                             qPrintable(where + QStringLiteral(": direct with a connector attached")));
                if (state == ConnectionState::Searching || state == ConnectionState::Offline) {
                    const bool pending = driver.searching || driver.cloudStarting || driver.checkingAlive;
                    QVERIFY2(pending || selector.nextDeadline() >= 0,
                             qPrintable(where + QStringLiteral(": waiting for nothing")));
                }
            }
        }
    }
};

QTEST_GUILESS_MAIN(TestPathSelector)
#include "tst_pathselector.moc"
