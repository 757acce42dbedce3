// Every OCC program stops cleanly at any moment (ARCHITECTURE §16, issue 22 item
// 1). Each case starts one program again and again and sends SIGTERM at a random
// moment: during start-up - counted from the moment the program catches SIGTERM
// (before that the signal's default action ends a program that has not done
// anything yet) - or in steady state, while its peers are up, down (nothing
// listens) or half-open (a port that takes the connection and never answers).
// ProgramProcess holds every stop to exit code 0 within the grace time, no sanitizer
// report and no Qt lifecycle warning. Afterwards nothing may be lost: what the hub
// measured, what the connector acknowledged and what the cloud answered as stored
// is at the cloud, each exactly once.
//
// OCC_STOP_ROUNDS (default 50 per program) and OCC_STOP_SEED (default random, and
// printed) repeat a run.
#include "await.h"
#include "cloudapi/cloudclient.h"
#include "cloudenrol.h"
#include "cloudprocess.h"
#include "connectorprocess.h"
#include "hubprocess.h"
#include "keyringsession.h"
#include "netns.h"
#include "simhub.h"
#include "testutil.h"
#include "timing.h"

#include <csignal>
#include <map>
#include <QCoreApplication>
#include <QFile>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace occ;
using namespace occ::test;

namespace {

constexpr quint16 kSsdpPort = 19200;

// A peer that takes connections and never says a word (no TLS, no HTTP).
class SilentPeer
{
public:
    bool listen(quint16 port = 0)
    {
        if (!m_server.listen(QHostAddress::LocalHost, port))
            return false;
        QObject::connect(&m_server, &QTcpServer::newConnection, &m_server, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection())
                m_held.append(socket); // kept open, never read
        });
        return true;
    }
    void close()
    {
        m_server.close();
        qDeleteAll(m_held);
        m_held.clear();
    }
    quint16 port() const { return m_server.serverPort(); }
    bool listening() const { return m_server.isListening(); }

private:
    QTcpServer m_server;
    QList<QTcpSocket *> m_held;
};

// Whether the process has its SIGTERM handler in place (SigCgt in /proc).
bool catchesSigterm(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return false;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("SigCgt:")) {
            bool ok = false;
            const quint64 mask = line.mid(7).trimmed().toULongLong(&ok, 16);
            return ok && (mask & (quint64(1) << (SIGTERM - 1)));
        }
    }
    return false;
}

} // namespace

class TestStops : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<CloudProcess> m_cloud;
    CloudProcess::Customer m_customer;
    QRandomGenerator m_random;
    int m_rounds = 50;

    enum class Moment
    {
        StartUp,
        SteadyState
    };
    enum class Peer
    {
        Up,
        Down,
        HalfOpen
    };
    static const char *name(Peer peer)
    {
        return peer == Peer::Up ? "up" : peer == Peer::Down ? "down" : "half-open";
    }

    // Where a round stops the program: start-up rounds from the moment it catches
    // SIGTERM, steady-state rounds from its ready line. A program must catch SIGTERM
    // before it does anything: one that prints a line first would, stopped at that
    // moment, die by the signal with its work half done.
    bool waitForMoment(ProgramProcess &program, Moment moment, const std::function<bool()> &ready)
    {
        const auto printed = [&] { return !program.output().isEmpty() || !program.errors().isEmpty(); };
        if (!waitFor([&] { return !program.running() || catchesSigterm(program.pid()) || printed(); },
                     20000) ||
            !program.running())
            return false;
        if (!catchesSigterm(program.pid())) {
            QTest::qFail(
                qPrintable(QStringLiteral("the program printed before it catches SIGTERM: a stop at that "
                                          "moment would kill it\n%1")
                               .arg(QString::fromUtf8(program.errors().left(2000)))),
                __FILE__, __LINE__);
            return false;
        }
        if (moment == Moment::SteadyState && !ready())
            return false;
        // The random moment itself; in steady state more often soon after it was
        // reached (a path just taken, its first calls under way) than later.
        const double u = m_random.generateDouble();
        const int ms = moment == Moment::StartUp ? int(700 * u) : int(800 * u * u);
        QTest::qWait(scaled(ms));
        return true;
    }

    // Every seq from 1 to upTo at the cloud exactly once (and none twice above it).
    QString cloudHoldsOnce(const QString &hubId, qint64 upTo) const
    {
        std::map<qint64, int> seen;
        for (const QJsonValue &m : m_cloud
                                       ->cliJson({QStringLiteral("measurements"), hubId,
                                                  QStringLiteral("--limit"), QStringLiteral("1000000")})
                                       .array())
            ++seen[m[QStringLiteral("seq")].toInteger()];
        for (qint64 seq = 1; seq <= upTo; ++seq) {
            if (seen[seq] != 1)
                return QStringLiteral("seq %1 is stored %2 times (expected every seq up to %3 once)")
                    .arg(seq)
                    .arg(seen[seq])
                    .arg(upTo);
        }
        for (const auto &[seq, count] : seen) {
            if (count > 1)
                return QStringLiteral("seq %1 is stored %2 times").arg(seq).arg(count);
        }
        return {};
    }

    static QString unreachableUrl(quint16 port)
    {
        return QStringLiteral("cloud/url=https://127.0.0.1:%1/soap").arg(port);
    }

private slots:
    void initTestCase()
    {
        const quint32 seed = qEnvironmentVariableIsSet("OCC_STOP_SEED")
                                 ? quint32(qEnvironmentVariableIntValue("OCC_STOP_SEED"))
                                 : QRandomGenerator::global()->generate();
        m_random.seed(seed);
        if (qEnvironmentVariableIsSet("OCC_STOP_ROUNDS"))
            m_rounds = qMax(6, qEnvironmentVariableIntValue("OCC_STOP_ROUNDS"));
        qInfo("%d stops per program, OCC_STOP_SEED=%u", m_rounds, seed);
        m_cloud = std::make_unique<CloudProcess>(
            m_dir.filePath(QStringLiteral("cloud")), QString(),
            QStringList{QStringLiteral("--set"), QStringLiteral("server/pollWakeup=200")});
        m_customer = m_cloud->addCustomer(QStringLiteral("Stops"));
        QVERIFY(m_cloud->start());
    }

    // occ-sensorhub, its passphrase in the keyring (a nested event loop at start-up),
    // against a connector that is up, then stopped, then half-open, and a cloud
    // that is up, down or half-open.
    void hubStopsCleanlyAtAnyMoment() { hubRounds(HubProcess::binary(), QStringLiteral("hub")); }

    // occ-sensorhub-tray: the same hub, plus the tray's wait for a tray area (no
    // tray host here: it waits, then runs without an icon).
    void trayStopsCleanlyAtAnyMoment()
    {
        hubRounds(buildPath(QStringLiteral("app/occ-sensorhub-tray")), QStringLiteral("tray"));
    }

    // occ-connector with a hub streaming batches (a spool commit may be under way),
    // half-open hub connections, and a cloud that is up, down or half-open.
    void connectorStopsCleanlyAtAnyMoment()
    {
        const quint16 port = freePort();
        const QStringList base{QStringLiteral("connector/listen=127.0.0.1:%1").arg(port),
                               QStringLiteral("connector/descriptionPort=0"),
                               QStringLiteral("ssdp/enabled=false"),
                               QStringLiteral("connection/heartbeat=1"),
                               QStringLiteral("connector/handshakeTimeout=3"),
                               QStringLiteral("connection/reportInterval=1")};
        ConnectorProcess connector(m_dir.filePath(QStringLiteral("connector")), base);
        QVERIFY(connector.enrol(*m_cloud, m_customer, QStringLiteral("gw-stops")));
        QVERIFY(connector.start()); // learns its id: the name the simulated hub checks
        connector.stop();
        Result<EnrolledNode> node = enrolNode(m_cloud->url(), m_cloud->caFile(), m_customer,
                                              QStringLiteral("hub"), QStringLiteral("sim-stops"));
        QVERIFY(node);
        SilentPeer silentCloud;
        QVERIFY(silentCloud.listen());
        qint64 acked = 0; // the highest seq the connector acknowledged
        std::map<QString, int> tally;
        for (int round = 0; round < m_rounds; ++round) {
            const Moment moment = round % 2 ? Moment::SteadyState : Moment::StartUp;
            const Peer cloud = Peer(round / 2 % 3);
            QStringList settings = base;
            if (cloud == Peer::Down)
                settings << unreachableUrl(freePort());
            else if (cloud == Peer::HalfOpen)
                settings << unreachableUrl(silentCloud.port());
            connector.setSettings(settings);
            QVERIFY(connector.launch());
            // Half-open hub connections: TCP only, never a ClientHello.
            std::vector<std::unique_ptr<QTcpSocket>> halfOpen;
            for (int i = 0; i < 3; ++i) {
                halfOpen.push_back(std::make_unique<QTcpSocket>());
                halfOpen.back()->connectToHost(QHostAddress::LocalHost, port);
            }
            QVERIFY2(waitForMoment(connector.program(), moment, [&] { return connector.waitUntilReady(); }),
                     qPrintable(QStringLiteral("round %1: the connector did not come up").arg(round)));
            // A hub streams batches until the stop; acknowledged seqs must survive.
            SimHub hub(*node);
            QElapsedTimer streaming;
            streaming.start();
            const qint64 budget = scaled(int(m_random.bounded(400)));
            while (streaming.elapsed() < budget && connector.running()) {
                if (!hub.connected() && !hub.connectAndHello(port, connector.id()))
                    break;
                const qint64 upTo = hub.sendBatch(acked + 1, acked + 5, 500);
                if (upTo > acked)
                    acked = upTo;
            }
            connector.stop(); // exit 0, no report, no warning (ProgramProcess)
            if (QTest::currentTestFailed()) {
                qWarning("round %d (%s, cloud %s) failed", round,
                         moment == Moment::StartUp ? "start-up" : "steady state", name(cloud));
                return;
            }
            ++tally[QStringLiteral("%1, cloud %2")
                        .arg(moment == Moment::StartUp ? QStringLiteral("start-up")
                                                       : QStringLiteral("steady state"),
                             QLatin1StringView(name(cloud)))];
        }
        for (const auto &[what, count] : tally)
            qInfo("%d stops at %s", count, qPrintable(what));
        // Everything acknowledged reaches the cloud, once.
        connector.setSettings(base);
        QVERIFY(connector.start());
        QVERIFY(waitFor(
            [&] {
                return connector
                           .query(
                               QStringLiteral("status"))[QStringLiteral("spool")][QStringLiteral("batches")]
                           .toInt(-1) == 0;
            },
            30000));
        connector.stop();
        qInfo("the connector acknowledged seqs 1 to %lld over %d stops", acked, m_rounds);
        QVERIFY(acked > 0);
        const QString why = cloudHoldsOnce(node->id, acked);
        QVERIFY2(why.isEmpty(), qPrintable(why));
    }

    // occ-cloud with a client storing batches and a long poll waiting, half-open
    // connections (TCP only, or TLS that never sends a request), or nobody.
    void cloudStopsCleanlyAtAnyMoment()
    {
        Result<EnrolledNode> node = enrolNode(m_cloud->url(), m_cloud->caFile(), m_customer,
                                              QStringLiteral("hub"), QStringLiteral("direct-stops"));
        QVERIFY(node);
        m_cloud->stop();
        const quint16 port = freePort();
        CloudProcess cloud(m_cloud->dataDir(), QString(),
                           {QStringLiteral("--listen"), QStringLiteral("127.0.0.1:%1").arg(port),
                            QStringLiteral("--set"), QStringLiteral("server/pollWakeup=200")});
        cloudapi::CloudEndpoint endpoint;
        endpoint.url = QUrl(QStringLiteral("https://127.0.0.1:%1/soap").arg(port));
        endpoint.trustedCas = QSslCertificate::fromPath(m_cloud->caFile());
        endpoint.clientCertificate = node->certificate;
        endpoint.clientKey = node->key.toQSslKey();
        endpoint.proxy.mode = cloudapi::ProxySettings::Mode::None;
        endpoint.timeoutMs = scaled(5000);
        qint64 stored = 0; // the highest seq the cloud answered as stored
        std::map<QString, int> tally;
        for (int round = 0; round < m_rounds; ++round) {
            const Moment moment = round % 2 ? Moment::SteadyState : Moment::StartUp;
            const int load = round / 2 % 3; // 0: a client, 1: half-open, 2: nobody
            QVERIFY(cloud.launch());
            std::vector<std::unique_ptr<QAbstractSocket>> halfOpen;
            if (load == 1) {
                for (int i = 0; i < 3; ++i) {
                    auto tcp = std::make_unique<QTcpSocket>();
                    tcp->connectToHost(QHostAddress::LocalHost, port);
                    halfOpen.push_back(std::move(tcp));
                    auto tls = std::make_unique<QSslSocket>();
                    tls->setPeerVerifyMode(QSslSocket::VerifyNone);
                    tls->connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
                    halfOpen.push_back(std::move(tls));
                }
            }
            QVERIFY2(waitForMoment(cloud.program(), moment, [&] { return cloud.waitUntilReady(); }),
                     qPrintable(QStringLiteral("round %1: the cloud did not come up").arg(round)));
            std::unique_ptr<cloudapi::CloudClient> client;
            if (load == 0) {
                client = std::make_unique<cloudapi::CloudClient>(endpoint);
                client->pollCommands({node->id}, 25, [](Result<QList<cloudapi::Command>>) {});
                QElapsedTimer storing;
                storing.start();
                const qint64 budget = scaled(int(m_random.bounded(400)));
                while (storing.elapsed() < budget && cloud.running()) {
                    Result<QList<cloudapi::HubSeq>> answer = await<QList<cloudapi::HubSeq>>(
                        [&](auto done) {
                            client->submitBatch(
                                {{node->id, SimHub::makeBatch(stored + 1, stored + 20).items}}, done);
                        },
                        5000);
                    if (!answer)
                        break; // the cloud is not there yet
                    if (!answer->isEmpty())
                        stored = qMax(stored, answer->first().highestSeq);
                }
            }
            cloud.stop(); // exit 0, no report, no warning (ProgramProcess)
            if (QTest::currentTestFailed()) {
                qWarning("round %d (%s, load %d) failed", round,
                         moment == Moment::StartUp ? "start-up" : "steady state", load);
                return;
            }
            ++tally[QStringLiteral("%1, %2").arg(moment == Moment::StartUp ? QStringLiteral("start-up")
                                                                           : QStringLiteral("steady state"),
                                                 load == 0   ? QStringLiteral("a client storing and polling")
                                                 : load == 1 ? QStringLiteral("half-open connections")
                                                             : QStringLiteral("no client"))];
        }
        for (const auto &[what, count] : tally)
            qInfo("%d stops at %s", count, qPrintable(what));
        qInfo("the cloud answered seqs 1 to %lld as stored over %d stops", stored, m_rounds);
        QVERIFY(stored > 0);
        const QString why = cloudHoldsOnce(node->id, stored);
        QVERIFY2(why.isEmpty(), qPrintable(why));
        QVERIFY(m_cloud->start());
    }

    void cleanupTestCase() { m_cloud->stop(); }

private:
    void hubRounds(const QString &program, const QString &name)
    {
        ConnectorProcess connector(
            m_dir.filePath(name + QStringLiteral("-connector")),
            {QStringLiteral("connector/listen=127.0.0.1:0"), QStringLiteral("connector/descriptionPort=0"),
             QStringLiteral("ssdp/interfaces=lo"), QStringLiteral("ssdp/port=%1").arg(kSsdpPort),
             QStringLiteral("connection/heartbeat=1"), QStringLiteral("connection/reportInterval=1")});
        QVERIFY(connector.enrol(*m_cloud, m_customer, QStringLiteral("gw-") + name));
        QVERIFY(connector.start());
        const QStringList base{QStringLiteral("ssdp/interfaces=lo"),
                               QStringLiteral("ssdp/port=%1").arg(kSsdpPort),
                               QStringLiteral("ssdp/mx=1"),
                               QStringLiteral("connection/connectTimeout=1"),
                               QStringLiteral("connection/backoffMin=1"),
                               QStringLiteral("connection/backoffMax=2"),
                               QStringLiteral("connection/reportInterval=1"),
                               QStringLiteral("connection/pollWait=5"),
                               QStringLiteral("sensors/interval=1"),
                               QStringLiteral("sensors/heartbeatInterval=1")};
        HubProcess hub(m_dir.filePath(name), base, nullptr, program);
        QVERIFY(hub.enrol(*m_cloud, m_customer, QStringLiteral("pc-") + name, QStringLiteral("system")));
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        hub.setEnvironment(environment);
        SilentPeer silentCloud;
        QVERIFY(silentCloud.listen());
        SilentPeer silentConnector;
        std::map<QString, int> tally;
        for (int round = 0; round < m_rounds; ++round) {
            const Moment moment = round / 4 % 2 ? Moment::SteadyState : Moment::StartUp;
            const Peer cloud = round % 4 < 2 ? Peer::Up : Peer(round % 4 - 1); // up twice as often
            // The connector: up for the first third of the rounds, then gone, then
            // its port (in the hub's cache) half-open.
            const Peer connectorPeer = Peer(qMin(2, round * 3 / m_rounds));
            if (connectorPeer != Peer::Up && connector.running())
                connector.stop();
            if (connectorPeer == Peer::HalfOpen && !silentConnector.listening())
                QVERIFY(silentConnector.listen(connector.port())); // the port in the hub's cache
            QStringList settings = base;
            if (cloud == Peer::Down)
                settings << unreachableUrl(freePort());
            else if (cloud == Peer::HalfOpen)
                settings << unreachableUrl(silentCloud.port());
            hub.setSettings(settings);
            QVERIFY(hub.launch());
            // Steady state: the hub has settled on a path (with a half-open cloud it
            // may still be trying when the stop comes).
            const auto settled = [&] {
                if (!hub.waitUntilReady())
                    return false;
                waitFor(
                    [&] {
                        const QString state = hub.state();
                        return !state.isEmpty() && state != QLatin1StringView("Starting") &&
                               state != QLatin1StringView("Searching");
                    },
                    8000);
                return true;
            };
            QVERIFY2(waitForMoment(hub.program(), moment, settled),
                     qPrintable(QStringLiteral("round %1: the hub did not come up").arg(round)));
            hub.stop(); // exit 0, no report, no warning (ProgramProcess)
            if (QTest::currentTestFailed()) {
                qWarning("round %d (%s, connector %s, cloud %s) failed", round,
                         moment == Moment::StartUp ? "start-up" : "steady state", this->name(connectorPeer),
                         this->name(cloud));
                return;
            }
            ++tally[QStringLiteral("%1, connector %2, cloud %3")
                        .arg(moment == Moment::StartUp ? QStringLiteral("start-up")
                                                       : QStringLiteral("steady state"),
                             QLatin1StringView(this->name(connectorPeer)),
                             QLatin1StringView(this->name(cloud)))];
        }
        for (const auto &[what, count] : tally)
            qInfo("%d stops at %s", count, qPrintable(what));
        // What the hub measured over all those starts reaches the cloud, each once.
        silentConnector.close();
        hub.setSettings(base);
        QVERIFY(hub.start());
        qint64 measured = 0; // from the same answer that says nothing waits
        QVERIFY(waitFor(
            [&] {
                const QJsonObject s = hub.status();
                measured = s[QStringLiteral("highestSeq")].toInteger();
                return s[QStringLiteral("state")].toString() == QLatin1StringView("DirectCloud") &&
                       s[QStringLiteral("queueDepth")].toInt(-1) == 0;
            },
            60000));
        hub.stop();
        qInfo("the hub measured seqs 1 to %lld over %d stops", measured, m_rounds);
        QVERIFY(measured > 0);
        const QString why = cloudHoldsOnce(hub.id(), measured);
        QVERIFY2(why.isEmpty(), qPrintable(why));
    }
};

int main(int argc, char **argv)
{
    // SSDP stays inside a network namespace of this test; the hub's passphrase
    // lives in a real keyring of its own session.
    if (const int code = reexecInNetNamespace(argc, argv, QStringLiteral("stops")); code >= 0)
        return code;
    if (const int code = reexecInKeyringSession(argc, argv); code >= 0)
        return code;
    QCoreApplication app(argc, argv);
    TestStops test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_stops.moc"
