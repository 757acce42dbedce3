// Chaos soak (issue 9): one cloud, one connector and 20 hubs, each on a host of its
// own (network namespaces), with short intervals. First scripted schedules that
// random chaos rarely hits (a backlog at a dead connector while hubs go direct; the
// cloud dying while the connector is down, so hubs pass through Offline), then for
// OCC_CHAOS_SECONDS (default 90) random faults: SIGKILL of the connector (shorter
// and longer than fallbackAfter), of the cloud (also while the connector is down)
// and of hubs; SIGSTOP of a peer; a hub's link cut and restored; loss and delay
// with tc netem where the kernel has it; a hub's data folder filled. A program that
// dies by itself is a failure. After a drain every hub must be back on its
// connector and every seq at the cloud exactly once and contiguous, with the
// hubs' `dropped` equal to what is missing.
#include "await.h"
#include "cloudprocess.h"
#include "connectorprocess.h"
#include "hubprocess.h"
#include "lab.h"
#include "testutil.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <set>
#include <signal.h>
#include <sys/mount.h>

using namespace occ;
using namespace occ::test;

namespace {

constexpr int kHubs = 20;
constexpr int kFallbackAfter = 10;

struct Peer
{
    bool down = false;   // killed by the soak, to be restarted at `until`
    bool frozen = false; // SIGSTOP, SIGCONT at `until`
    qint64 until = 0;    // ms on the soak clock
};

} // namespace

class Chaos : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<Lab> m_lab;
    std::unique_ptr<CloudProcess> m_cloud;
    CloudProcess::Customer m_customer;
    std::unique_ptr<ConnectorProcess> m_connector;
    std::vector<std::unique_ptr<HubProcess>> m_hubs;
    QStringList m_hostNames;

    Peer m_cloudPeer;
    Peer m_connectorPeer;
    std::vector<Peer> m_hubPeers;
    std::vector<qint64> m_linkUpAt; // 0: link up
    std::vector<qint64> m_netemUntil;
    qint64 m_fullUntil = 0;
    QString m_fillFile;

    QElapsedTimer m_clock;
    QMap<QString, int> m_counts;      // what was done, by kind
    QStringList m_failures;           // programs that died by themselves
    std::vector<qint64> m_wrongSince; // per hub: since when it is neither on a connector nor direct
    qint64 m_longestWrong = 0;
    QString m_longestWrongHub;
    bool m_netem = true;

    qint64 now() const { return m_clock.elapsed(); }

    bool buildWorld()
    {
        m_lab = std::make_unique<Lab>();
        Lab &lab = *m_lab;
        if (!lab.addLan(QStringLiteral("office")) || !lab.addLan(QStringLiteral("inet")) ||
            !lab.addHost(QStringLiteral("router")) || !lab.addHost(QStringLiteral("cloud")) ||
            !lab.addHost(QStringLiteral("connector")))
            return false;
        lab.addName(QStringLiteral("cloud.occ.test"), QStringLiteral("10.99.0.10"));
        lab.addName(QStringLiteral("connector.office.test"), QStringLiteral("10.10.0.3"));
        if (!lab.plug(QStringLiteral("router"), QStringLiteral("eth-office"), QStringLiteral("office"),
                      QStringLiteral("10.10.0.1/24")) ||
            !lab.plug(QStringLiteral("router"), QStringLiteral("eth-inet"), QStringLiteral("inet"),
                      QStringLiteral("10.99.0.1/24")) ||
            !lab.enableForwarding(QStringLiteral("router")) ||
            !lab.plug(QStringLiteral("cloud"), QStringLiteral("eth0"), QStringLiteral("inet"),
                      QStringLiteral("10.99.0.10/24"), QStringLiteral("10.99.0.1")) ||
            !lab.plug(QStringLiteral("connector"), QStringLiteral("eth0"), QStringLiteral("office"),
                      QStringLiteral("10.10.0.3/24"), QStringLiteral("10.10.0.1")))
            return false;
        for (int i = 0; i < kHubs; ++i) {
            const QString name = QStringLiteral("pc-%1").arg(i + 1, 2, 10, QLatin1Char('0'));
            if (!lab.addHost(name) ||
                !lab.plug(name, QStringLiteral("eth0"), QStringLiteral("office"),
                          QStringLiteral("10.10.0.%1/24").arg(100 + i), QStringLiteral("10.10.0.1")))
                return false;
            m_hostNames << name;
        }
        if (!lab.writeHostsFiles())
            return false;
        m_cloud = std::make_unique<CloudProcess>(
            m_dir.filePath(QStringLiteral("cloud")), QString(),
            QStringList{QStringLiteral("--listen"), QStringLiteral("0.0.0.0:8443"), QStringLiteral("--set"),
                        QStringLiteral("server/hostnames=cloud.occ.test"), QStringLiteral("--set"),
                        QStringLiteral("server/pollWakeup=200")},
            lab.host(QStringLiteral("cloud")));
        m_customer = m_cloud->addCustomer(QStringLiteral("Chaos GmbH"));
        if (m_customer.id.isEmpty() || !m_cloud->start())
            return false;
        m_cloud->setUrl(QUrl(QStringLiteral("https://cloud.occ.test:8443/soap")));
        m_connector = std::make_unique<ConnectorProcess>(
            m_dir.filePath(QStringLiteral("connector")),
            QStringList{QStringLiteral("connector/advertiseHost=connector.office.test"),
                        QStringLiteral("connection/heartbeat=1"),
                        QStringLiteral("connector/handshakeTimeout=3"),
                        QStringLiteral("connection/reportInterval=1")},
            lab.host(QStringLiteral("connector")));
        if (!m_connector->enrol(*m_cloud, m_customer, QStringLiteral("connector.office.test")) ||
            !m_connector->start())
            return false;
        for (int i = 0; i < kHubs; ++i) {
            const QString name = m_hostNames.at(i);
            const QString data = m_dir.filePath(name);
            if (i == 0) {
                // The first hub's data folder is a small file system of its own, to fill.
                QDir().mkpath(data);
                if (::mount("tmpfs", QFile::encodeName(data).constData(), "tmpfs", 0, "size=8m") != 0)
                    return false;
                m_fillFile = data + QStringLiteral("/filler");
            }
            auto hub = std::make_unique<HubProcess>(
                data,
                QStringList{
                    QStringLiteral("hub/hostname=") + name, QStringLiteral("connection/interfaceCheck=1"),
                    QStringLiteral("connection/connectTimeout=2"), QStringLiteral("connection/backoffMin=1"),
                    QStringLiteral("connection/backoffMax=2"), QStringLiteral("connection/reportInterval=2"),
                    QStringLiteral("connection/pollWait=5"), QStringLiteral("sensors/interval=3"),
                    QStringLiteral("sensors/heartbeatInterval=1"),
                    QStringLiteral("connection/fallbackAfter=%1").arg(kFallbackAfter),
                    QStringLiteral("connection/failbackProbe=3")},
                lab.host(name));
            if (!hub->enrol(*m_cloud, m_customer, name) || !hub->start())
                return false;
            m_hubs.push_back(std::move(hub));
        }
        m_hubPeers.resize(kHubs);
        m_linkUpAt.assign(kHubs, 0);
        m_netemUntil.assign(kHubs, 0);
        m_wrongSince.assign(kHubs, 0);
        return true;
    }

    void signal(qint64 pid, int sig) const
    {
        if (pid > 0)
            ::kill(pid_t(pid), sig);
    }

    // Restarts, thaws and reconnects whatever is due; reports programs that died.
    void tend(bool everything)
    {
        const qint64 t = now();
        auto due = [&](const Peer &p) { return everything || t >= p.until; };
        if (m_cloudPeer.frozen && due(m_cloudPeer)) {
            signal(m_cloud->pid(), SIGCONT);
            m_cloudPeer.frozen = false;
        }
        if (m_cloudPeer.down && due(m_cloudPeer)) {
            if (m_cloud->start())
                m_cloudPeer.down = false;
        }
        if (m_connectorPeer.frozen && due(m_connectorPeer)) {
            signal(m_connector->program().pid(), SIGCONT);
            m_connectorPeer.frozen = false;
        }
        if (m_connectorPeer.down && due(m_connectorPeer)) {
            if (m_connector->start())
                m_connectorPeer.down = false;
        }
        for (int i = 0; i < kHubs; ++i) {
            Peer &p = m_hubPeers[size_t(i)];
            if (p.frozen && due(p)) {
                signal(m_hubs[size_t(i)]->program().pid(), SIGCONT);
                p.frozen = false;
            }
            if (p.down && due(p)) {
                if (m_hubs[size_t(i)]->start())
                    p.down = false;
            }
            if (m_linkUpAt[size_t(i)] && (everything || t >= m_linkUpAt[size_t(i)])) {
                m_lab->ip(m_hostNames.at(i), {QStringLiteral("link"), QStringLiteral("set"),
                                              QStringLiteral("eth0"), QStringLiteral("up")});
                m_linkUpAt[size_t(i)] = 0;
            }
            if (m_netemUntil[size_t(i)] && (everything || t >= m_netemUntil[size_t(i)])) {
                test::run(QStringLiteral("ip"),
                          {QStringLiteral("netns"), QStringLiteral("exec"),
                           m_lab->host(m_hostNames.at(i))->name(), QStringLiteral("tc"),
                           QStringLiteral("qdisc"), QStringLiteral("del"), QStringLiteral("dev"),
                           QStringLiteral("eth0"), QStringLiteral("root")});
                m_netemUntil[size_t(i)] = 0;
            }
        }
        if (m_fullUntil && (everything || t >= m_fullUntil)) {
            QFile::remove(m_fillFile);
            m_fullUntil = 0;
        }
        // Whoever should run and does not died by itself.
        auto check = [&](bool running, bool down, const QString &who, const std::function<void()> &restart) {
            if (down || running)
                return;
            m_failures << QStringLiteral("%1 died by itself at %2 s").arg(who).arg(t / 1000.0, 0, 'f', 1);
            restart();
        };
        check(m_cloud->running(), m_cloudPeer.down, QStringLiteral("the cloud"), [&] { m_cloud->start(); });
        check(m_connector->running(), m_connectorPeer.down, QStringLiteral("the connector"),
              [&] { m_connector->start(); });
        for (int i = 0; i < kHubs; ++i)
            check(m_hubs[size_t(i)]->running(), m_hubPeers[size_t(i)].down, m_hostNames.at(i),
                  [&] { m_hubs[size_t(i)]->start(); });
    }

    // Longest time a running, linked hub with somewhere to go spent neither on a
    // connector nor direct at the cloud (beyond fallbackAfter, which is by design).
    void sampleStates()
    {
        const qint64 t = now();
        const bool somewhere = !m_cloudPeer.down || !m_connectorPeer.down;
        for (int i = 0; i < kHubs; ++i) {
            const Peer &p = m_hubPeers[size_t(i)];
            const bool free = !p.down && !p.frozen && !m_linkUpAt[size_t(i)] && somewhere;
            const QString state = free ? m_hubs[size_t(i)]->state() : QString();
            const bool good = !free || state == QLatin1StringView("ConnectorLan") ||
                              state == QLatin1StringView("DirectCloud");
            qint64 &since = m_wrongSince[size_t(i)];
            if (good) {
                since = 0;
                continue;
            }
            if (!since)
                since = t;
            if (t - since > m_longestWrong) {
                m_longestWrong = t - since;
                m_longestWrongHub = m_hostNames.at(i);
            }
        }
    }

    void pause(int ms)
    {
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < ms) {
            QTest::qWait(qMin(500, int(ms - timer.elapsed()) + 1));
            tend(false);
        }
    }

    void killCloud(int forMs)
    {
        if (m_cloudPeer.down)
            return;
        if (m_cloudPeer.frozen)
            signal(m_cloud->pid(), SIGCONT);
        m_cloud->kill();
        m_cloudPeer = {true, false, now() + forMs};
        ++m_counts[m_connectorPeer.down ? QStringLiteral("cloud killed while the connector was down")
                                        : QStringLiteral("cloud killed")];
    }

    void killConnector(int forMs)
    {
        if (m_connectorPeer.down)
            return;
        if (m_connectorPeer.frozen)
            signal(m_connector->program().pid(), SIGCONT);
        m_connector->kill();
        m_connectorPeer = {true, false, now() + forMs};
        ++m_counts[forMs > kFallbackAfter * 1000
                       ? QStringLiteral("connector killed (longer than fallbackAfter)")
                       : QStringLiteral("connector killed (shorter than fallbackAfter)")];
    }

    void randomFault(QRandomGenerator &random)
    {
        const int hub = int(random.bounded(kHubs));
        Peer &p = m_hubPeers[size_t(hub)];
        switch (random.bounded(9)) {
        case 0:
            killConnector(int(3000 + random.bounded(17000)));
            break;
        case 1:
            killCloud(int(3000 + random.bounded(12000)));
            break;
        case 2:
        case 3:
            if (!p.down && !p.frozen) {
                m_hubs[size_t(hub)]->kill();
                p = {true, false, now() + 1000 + random.bounded(4000)};
                ++m_counts[QStringLiteral("hub killed")];
            }
            break;
        case 4:
            if (!p.down && !p.frozen) {
                signal(m_hubs[size_t(hub)]->program().pid(), SIGSTOP);
                p = {false, true, now() + 2000 + random.bounded(6000)};
                ++m_counts[QStringLiteral("hub frozen")];
            }
            break;
        case 5:
            if (random.bounded(2) == 0 && !m_connectorPeer.down && !m_connectorPeer.frozen) {
                signal(m_connector->program().pid(), SIGSTOP);
                m_connectorPeer = {false, true, now() + 2000 + random.bounded(6000)};
                ++m_counts[QStringLiteral("connector frozen")];
            } else if (!m_cloudPeer.down && !m_cloudPeer.frozen) {
                signal(m_cloud->pid(), SIGSTOP);
                m_cloudPeer = {false, true, now() + 2000 + random.bounded(5000)};
                ++m_counts[QStringLiteral("cloud frozen")];
            }
            break;
        case 6:
            if (!m_linkUpAt[size_t(hub)]) {
                m_lab->ip(m_hostNames.at(hub), {QStringLiteral("link"), QStringLiteral("set"),
                                                QStringLiteral("eth0"), QStringLiteral("down")});
                m_linkUpAt[size_t(hub)] = now() + 3000 + random.bounded(9000);
                ++m_counts[QStringLiteral("link cut")];
            }
            break;
        case 7:
            if (m_netem && !m_netemUntil[size_t(hub)]) {
                QByteArray out;
                const int rc =
                    test::run(QStringLiteral("ip"),
                              {QStringLiteral("netns"), QStringLiteral("exec"),
                               m_lab->host(m_hostNames.at(hub))->name(), QStringLiteral("tc"),
                               QStringLiteral("qdisc"), QStringLiteral("add"), QStringLiteral("dev"),
                               QStringLiteral("eth0"), QStringLiteral("root"), QStringLiteral("netem"),
                               QStringLiteral("delay"), QStringLiteral("150ms"), QStringLiteral("50ms"),
                               QStringLiteral("loss"), QStringLiteral("15%")},
                              &out);
                if (rc == 0) {
                    m_netemUntil[size_t(hub)] = now() + 5000 + random.bounded(10000);
                    ++m_counts[QStringLiteral("loss and delay (netem)")];
                } else {
                    m_netem = false; // the kernel has no netem: say so once, in the figures
                    qInfo("tc netem is not available here: %s", out.trimmed().constData());
                }
            }
            break;
        case 8:
            if (!m_fullUntil) {
                // Fill the first hub's data folder up to the last byte.
                QFile filler(m_fillFile);
                if (filler.open(QIODevice::WriteOnly)) {
                    const QByteArray block(64 * 1024, 'x');
                    while (filler.write(block) == block.size()) {
                    }
                    filler.close();
                }
                m_fullUntil = now() + 5000 + random.bounded(10000);
                ++m_counts[QStringLiteral("data folder filled")];
            }
            break;
        }
    }

    // Every seq of one hub at the cloud: how many are missing and stored twice.
    void audit(const HubProcess &hub, qint64 upTo, qint64 *missing, qint64 *twice) const
    {
        std::multiset<qint64> seqs;
        const QJsonArray all = m_cloud
                                   ->cliJson({QStringLiteral("measurements"), hub.id(),
                                              QStringLiteral("--limit"), QStringLiteral("1000000")})
                                   .array();
        for (const QJsonValue &m : all)
            seqs.insert(m[QStringLiteral("seq")].toInteger());
        *missing = 0;
        *twice = 0;
        for (qint64 seq = 1; seq <= upTo; ++seq) {
            const auto n = qint64(seqs.count(seq));
            if (n == 0)
                ++*missing;
            if (n > 1)
                *twice += n - 1;
        }
    }

private slots:
    void soak()
    {
        QVERIFY2(buildWorld(), qPrintable(m_lab ? m_lab->error() : QStringLiteral("no lab")));
        m_clock.start();
        QVERIFY(waitFor(
            [&] {
                return std::all_of(m_hubs.cbegin(), m_hubs.cend(), [](const auto &h) {
                    return h->state() == QLatin1StringView("ConnectorLan");
                });
            },
            60000));

        // Scripted 1 (item 3): the cloud goes, the connector keeps a backlog and
        // dies, hubs go direct once the cloud is back, then the connector returns
        // and uploads its older rows.
        killCloud(15000);
        pause(6000);
        killConnector(30000);
        pause(25000);
        tend(true);
        ++m_counts[QStringLiteral("scripted: backlog at a dead connector")];
        pause(8000);
        // Scripted 2: connector down, then the cloud too: hubs pass through Offline.
        killConnector(25000);
        pause(kFallbackAfter * 1000 + 3000);
        killCloud(8000);
        pause(10000);
        tend(true);
        ++m_counts[QStringLiteral("scripted: both peers down")];
        pause(5000);

        // Random faults.
        const int seconds = qEnvironmentVariableIsSet("OCC_CHAOS_SECONDS")
                                ? qEnvironmentVariableIntValue("OCC_CHAOS_SECONDS")
                                : 90;
        QRandomGenerator random(quint32(qEnvironmentVariableIntValue("OCC_CHAOS_SEED")) ^ 0x5eed);
        const qint64 end = now() + seconds * 1000LL;
        while (now() < end) {
            randomFault(random);
            const qint64 wait = 2000 + random.bounded(4000);
            const qint64 until = now() + wait;
            while (now() < until) {
                pause(1000);
                sampleStates();
            }
        }

        // Drain: everything back, then every hub on its connector with nothing queued.
        tend(true);
        QElapsedTimer drain;
        drain.start();
        const bool back = waitFor(
            [&] {
                tend(true);
                return std::all_of(m_hubs.cbegin(), m_hubs.cend(), [](const auto &h) {
                    const QJsonObject s = h->status();
                    return s[QStringLiteral("state")].toString() == QLatin1StringView("ConnectorLan") &&
                           s[QStringLiteral("queueDepth")].toInt() == 0;
                });
            },
            120000);
        // The connector's spool reaches the cloud.
        waitFor(
            [&] {
                return m_connector
                           ->query(
                               QStringLiteral("status"))[QStringLiteral("spool")][QStringLiteral("batches")]
                           .toInt(-1) == 0;
            },
            60000);
        qint64 produced = 0, missingAll = 0, twiceAll = 0, droppedAll = 0;
        QStringList problems;
        for (int i = 0; i < kHubs; ++i) {
            const QJsonObject s = m_hubs[size_t(i)]->status();
            const qint64 upTo = s[QStringLiteral("highestSeq")].toInteger();
            const qint64 dropped = s[QStringLiteral("dropped")].toInteger();
            qint64 missing = 0, twice = 0;
            waitFor(
                [&] {
                    audit(*m_hubs[size_t(i)], upTo, &missing, &twice);
                    return missing == dropped && twice == 0;
                },
                20000);
            produced += upTo;
            missingAll += missing;
            twiceAll += twice;
            droppedAll += dropped;
            if (missing != dropped || twice != 0)
                problems
                    << QStringLiteral(
                           "%1: up to seq %2, %3 missing, %4 stored twice, %5 reported dropped, state %6")
                           .arg(m_hostNames.at(i))
                           .arg(upTo)
                           .arg(missing)
                           .arg(twice)
                           .arg(dropped)
                           .arg(s[QStringLiteral("state")].toString());
        }
        QStringList counts;
        for (auto it = m_counts.cbegin(); it != m_counts.cend(); ++it)
            counts << QStringLiteral("  %1: %2").arg(it.key()).arg(it.value());
        qInfo("chaos soak: %d s of random faults after the scripted ones, %d hubs\n%s\n"
              "  measurements produced: %lld, lost: %lld, stored twice: %lld, reported dropped: %lld\n"
              "  programs that died by themselves: %lld\n"
              "  longest time a free hub was neither on a connector nor direct: %.1f s (%s)\n"
              "  drain: %s after %.1f s",
              seconds, kHubs, qPrintable(counts.join(QLatin1Char('\n'))), produced, missingAll, twiceAll,
              droppedAll, qint64(m_failures.size()), m_longestWrong / 1000.0, qPrintable(m_longestWrongHub),
              back ? "every hub on its connector, nothing queued" : "NOT every hub back",
              drain.elapsed() / 1000.0);
        QVERIFY2(m_failures.isEmpty(), qPrintable(m_failures.join(QLatin1Char('\n'))));
        QVERIFY2(back, "not every hub came back to its connector with an empty outbox");
        QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1Char('\n'))));
        QVERIFY(produced > kHubs * 10);
    }

    void cleanupTestCase()
    {
        tend(true);
        for (auto &hub : m_hubs)
            hub->stop();
        m_hubs.clear();
        if (m_connector)
            m_connector->stop();
        if (m_cloud)
            m_cloud->stop();
        if (!m_fillFile.isEmpty())
            ::umount2(QFile::encodeName(QFileInfo(m_fillFile).absolutePath()).constData(), MNT_DETACH);
        m_lab.reset();
    }
};

QTEST_GUILESS_MAIN(Chaos)
#include "tst_chaos.moc"
