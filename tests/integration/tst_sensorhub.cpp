// occ-sensorhub as a real process against a real occ-cloud and occ-connector, all
// inside a network namespace of this test (so that SSDP multicast on its loopback
// reaches nobody else), the key passphrase in a real gnome-keyring. The proxy test
// puts a hub into a second namespace whose only way to the cloud is tinyproxy; the
// rogue tests answer M-SEARCH with a TLS server of the wrong identity.
#include "await.h"
#include "cloudenrol.h"
#include "cloudprocess.h"
#include "connectorprocess.h"
#include "hubprocess.h"
#include "keyringsession.h"
#include "netns.h"
#include "rogueconnector.h"
#include "testpki.h"
#include "testutil.h"
#include "tinyproxy.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QNetworkDatagram>
#include <QNetworkInterface>
#include <QRegularExpression>
#include <QSslSocket>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QUdpSocket>
#include <QUuid>
#include <set>

using namespace occ;
using namespace occ::test;

namespace {

constexpr quint16 kSsdpPort = 19000; // the configured SSDP port of this test (ssdp/port)
const QHostAddress kGroup(QStringLiteral("239.255.255.250"));

// Counts M-SEARCH requests on the configured group and port.
class MSearchCounter : public QObject
{
public:
    bool start()
    {
        if (!m_socket.bind(QHostAddress::AnyIPv4, kSsdpPort,
                           QUdpSocket::ShareAddress | QUdpSocket::ReuseAddressHint))
            return false;
        if (!m_socket.joinMulticastGroup(kGroup, QNetworkInterface::interfaceFromName(QStringLiteral("lo"))))
            return false;
        connect(&m_socket, &QUdpSocket::readyRead, this, [this] {
            while (m_socket.hasPendingDatagrams()) {
                if (m_socket.receiveDatagram().data().startsWith("M-SEARCH"))
                    ++m_count;
            }
        });
        return true;
    }
    int count() const { return m_count; }
    void reset() { m_count = 0; }

private:
    QUdpSocket m_socket;
    int m_count = 0;
};

} // namespace

class TestSensorhub : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<CloudProcess> m_cloud;
    CloudProcess::Customer m_acme;
    CloudProcess::Customer m_other;
    std::unique_ptr<ConnectorProcess> m_connector;
    quint16 m_connectorPort = 0;
    std::unique_ptr<HubProcess> m_hub; // the hub of most tests, its key in the keyring
    MSearchCounter m_msearch;

    static QStringList hubSettings(const QStringList &extra = {})
    {
        return QStringList{QStringLiteral("ssdp/interfaces=lo"),
                           QStringLiteral("ssdp/port=%1").arg(kSsdpPort),
                           QStringLiteral("connection/interfaceCheck=1"),
                           QStringLiteral("connection/backoffMin=1"),
                           QStringLiteral("connection/backoffMax=2"),
                           QStringLiteral("connection/connectTimeout=2"),
                           QStringLiteral("connection/reportInterval=1"),
                           QStringLiteral("connection/pollWait=5"),
                           QStringLiteral("sensors/interval=1"),
                           QStringLiteral("sensors/heartbeatInterval=1")} +
               extra;
    }

    QJsonObject cloudHub(const QString &hubId) const
    {
        for (const QJsonValue &hub : m_cloud->cliJson({QStringLiteral("hubs")}).array()) {
            if (hub[QStringLiteral("hubId")].toString() == hubId)
                return hub.toObject();
        }
        return {};
    }

    QJsonArray cloudMeasurements(const QString &hubId) const
    {
        return m_cloud
            ->cliJson(
                {QStringLiteral("measurements"), hubId, QStringLiteral("--limit"), QStringLiteral("1000000")})
            .array();
    }

    // Every seq from 1 to at least upTo at the cloud, each exactly once.
    bool cloudHoldsEverySeqOnce(const QString &hubId, qint64 upTo, QString *why) const
    {
        const QJsonArray all = cloudMeasurements(hubId);
        std::multiset<qint64> seqs;
        for (const QJsonValue &m : all)
            seqs.insert(m[QStringLiteral("seq")].toInteger());
        if (seqs.empty()) {
            *why = QStringLiteral("nothing stored");
            return false;
        }
        const qint64 highest = *seqs.rbegin();
        if (highest < upTo) {
            *why = QStringLiteral("highest seq %1 < %2").arg(highest).arg(upTo);
            return false;
        }
        for (qint64 seq = 1; seq <= highest; ++seq) {
            if (seqs.count(seq) != 1) {
                *why = QStringLiteral("seq %1 stored %2 times").arg(seq).arg(seqs.count(seq));
                return false;
            }
        }
        return qint64(seqs.size()) == highest;
    }

    // Queues a command in the cloud and waits for its result there.
    QJsonObject command(const QString &hubId, const QStringList &kindAndArgs, int timeoutMs = 20000) const
    {
        const QString id = m_cloud->cliJson(QStringList{QStringLiteral("command"), hubId} + kindAndArgs)
                               .object()[QStringLiteral("commandId")]
                               .toString();
        if (id.isEmpty())
            return {};
        QJsonObject found;
        waitFor(
            [&] {
                for (const QJsonValue &c : m_cloud->cliJson({QStringLiteral("commands"), hubId}).array()) {
                    if (c[QStringLiteral("commandId")].toString() == id)
                        found = c.toObject();
                }
                const QString state = found[QStringLiteral("state")].toString();
                return state == QLatin1StringView("done") || state == QLatin1StringView("failed") ||
                       state == QLatin1StringView("expired");
            },
            timeoutMs);
        return found;
    }

    static QStringList connectorSettings(quint16 port)
    {
        return {QStringLiteral("connector/listen=127.0.0.1:%1").arg(port),
                QStringLiteral("connector/descriptionPort=0"),
                QStringLiteral("ssdp/interfaces=lo"),
                QStringLiteral("ssdp/port=%1").arg(kSsdpPort),
                QStringLiteral("connection/heartbeat=1"),
                QStringLiteral("connector/handshakeTimeout=3"),
                QStringLiteral("connection/reportInterval=1"),
                QStringLiteral("spool/fullSync=false")};
    }

    void timeline(HubProcess &hub, const char *title)
    {
        QString text = QStringLiteral("timeline (%1):\n").arg(QLatin1StringView(title));
        for (const HubProcess::Change &c : hub.changes())
            text += QStringLiteral("  %1  %2 -> %3 %4\n")
                        .arg(c.at.toString(QStringLiteral("HH:mm:ss.zzz")), c.from, c.to, c.connectorId);
        qInfo("%s", qPrintable(text));
    }

    bool restartHub(const QStringList &extra)
    {
        m_hub->stop();
        m_hub->setSettings(hubSettings(extra));
        return m_hub->start();
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_msearch.start());
        m_cloud = std::make_unique<CloudProcess>(
            m_dir.filePath(QStringLiteral("cloud")), QString(),
            QStringList{QStringLiteral("--set"), QStringLiteral("server/pollWakeup=200")});
        m_acme = m_cloud->addCustomer(QStringLiteral("Acme"));
        m_other = m_cloud->addCustomer(QStringLiteral("Other"));
        QVERIFY(!m_acme.id.isEmpty());
        QVERIFY(m_cloud->start());
        m_connectorPort = freePort();
        m_connector = std::make_unique<ConnectorProcess>(m_dir.filePath(QStringLiteral("connector")),
                                                         connectorSettings(m_connectorPort));
        QVERIFY(m_connector->enrol(*m_cloud, m_acme, QStringLiteral("gw.acme.example")));
        QVERIFY(m_connector->start());
        m_hub = std::make_unique<HubProcess>(m_dir.filePath(QStringLiteral("hub")), hubSettings());
        // The key's passphrase goes to the real (test session's) keyring.
        QVERIFY(
            m_hub->enrol(*m_cloud, m_acme, QStringLiteral("pc-1.acme.example"), QStringLiteral("system")));
    }

    void enrolmentKeepsTheKeyEncryptedAndThePassphraseInTheKeyring()
    {
        const QByteArray key = readFile(m_hub->dataDir() + QStringLiteral("/identity/private-key.pem"));
        QVERIFY2(key.startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"), key.left(40).constData());
        QCOMPARE(QFileInfo(m_hub->dataDir() + QStringLiteral("/identity/private-key.pem")).permissions() &
                     (QFileDevice::ReadGroup | QFileDevice::ReadOther),
                 QFileDevice::Permissions());
        for (const char *name : {"certificate.pem", "customer-ca.pem", "cloud-ca.pem"})
            QVERIFY2(QFile::exists(m_hub->dataDir() + QStringLiteral("/identity/") + QLatin1StringView(name)),
                     name);
        QVERIFY(!QFile::exists(m_hub->dataDir() + QStringLiteral("/identity/secrets.json")));
    }

    // Test 1: discovery by SSDP, delivery, and the cloud sees path connector.
    void freshHubFindsTheConnectorByUpnp()
    {
        m_msearch.reset();
        QVERIFY(m_hub->start());
        QVERIFY2(m_hub->waitForState(QStringLiteral("ConnectorLan"), 20000), qPrintable(m_hub->state()));
        const QJsonObject status = m_hub->status();
        QCOMPARE(status[QStringLiteral("connectorId")].toString(), m_connector->id());
        QVERIFY(status[QStringLiteral("lastSearch")][QStringLiteral("upnp")].toBool());
        QVERIFY(m_msearch.count() >= 1); // the counter of test 2 does see M-SEARCHes
        QVERIFY(waitFor(
            [&] {
                const QJsonObject hub = cloudHub(m_hub->id());
                return hub[QStringLiteral("path")].toString() == QLatin1StringView("ConnectorLan") &&
                       hub[QStringLiteral("connectorId")].toString() == m_connector->id() &&
                       hub[QStringLiteral("count")].toInt() >= 4;
            },
            20000));
        const QJsonArray stored = cloudMeasurements(m_hub->id());
        QSet<QString> sensors;
        for (const QJsonValue &m : stored) {
            sensors.insert(m[QStringLiteral("sensor")].toString());
            QCOMPARE(m[QStringLiteral("via")].toString(), m_connector->id());
        }
        QCOMPARE(sensors, (QSet<QString>{QStringLiteral("heartbeat"), QStringLiteral("uptime"),
                                         QStringLiteral("cpu"), QStringLiteral("memory")}));
        // status and reconnect answer a second process, and a second instance refuses.
        QByteArray output;
        QCOMPARE(m_hub->cli({QStringLiteral("status")}, &output), 0);
        QVERIFY2(output.contains("ConnectorLan") && output.contains(m_connector->id().toUtf8()),
                 output.constData());
        HubProcess second(m_hub->dataDir(), hubSettings());
        QVERIFY(!second.start(5000));
        QVERIFY2(second.program().errors().contains("already runs"), second.program().errors().constData());
    }

    // Test 2: after a restart, the cache - and not one M-SEARCH.
    void restartReconnectsThroughTheCacheWithoutMSearch()
    {
        m_hub->stop();
        QVERIFY(QFile::exists(m_hub->dataDir() + QStringLiteral("/connectors.ini")));
        m_msearch.reset();
        QElapsedTimer clock;
        clock.start();
        QVERIFY(m_hub->start());
        QVERIFY(m_hub->waitForState(QStringLiteral("ConnectorLan"), 10000));
        qInfo("start -> ConnectorLan through the cache: %lld ms", clock.elapsed());
        const QJsonObject status = m_hub->status();
        QVERIFY(!status[QStringLiteral("lastSearch")][QStringLiteral("upnp")].toBool());
        observe(4000); // longer than MX + 1 s: any search would have been sent
        QCOMPARE(m_msearch.count(), 0);
    }

    // Test 3: connector SIGKILLed -> Searching -> DirectCloud at fallbackAfter ->
    // back within failbackProbe; every seq at the cloud exactly once.
    void connectorKilledFallsBackToTheCloudAndFailsBack()
    {
        constexpr int fallbackAfter = 8;
        constexpr int failbackProbe = 4;
        QVERIFY(restartHub({QStringLiteral("connection/fallbackAfter=%1").arg(fallbackAfter),
                            QStringLiteral("connection/failbackProbe=%1").arg(failbackProbe)}));
        QVERIFY(m_hub->waitForState(QStringLiteral("ConnectorLan"), 10000));
        QVERIFY(m_hub->waitForDeliveries(1));
        const QDateTime killed = QDateTime::currentDateTimeUtc();
        m_connector->kill();
        QVERIFY(m_hub->waitForState(QStringLiteral("Searching"), 5000));
        QVERIFY(m_hub->waitForState(QStringLiteral("DirectCloud"), (fallbackAfter + 5) * 1000));
        // The stdout lines may trail the control socket's answer a little.
        QVERIFY(waitFor([&] { return m_hub->changeTo(QStringLiteral("DirectCloud"), killed).has_value(); },
                        3000));
        const std::optional<HubProcess::Change> searching =
            m_hub->changeTo(QStringLiteral("Searching"), killed);
        const std::optional<HubProcess::Change> direct =
            m_hub->changeTo(QStringLiteral("DirectCloud"), killed);
        QVERIFY(searching && direct);
        const qint64 fallback = searching->at.msecsTo(direct->at);
        qInfo("connector lost -> DirectCloud after %lld ms (fallbackAfter %d s)", fallback, fallbackAfter);
        // Not before fallbackAfter (rule 2); the upper bound is a deadline.
        QVERIFY2(fallback >= fallbackAfter * 1000 - 500 && fallback <= fallbackAfter * 1000 + scaled(3000),
                 qPrintable(QString::number(fallback)));
        // Direct delivery works and the cloud knows the path.
        QVERIFY(waitFor(
            [&] {
                return cloudHub(m_hub->id())[QStringLiteral("reportedPath")].toString() ==
                       QLatin1StringView("DirectCloud");
            },
            10000));
        QVERIFY(waitFor(
            [&] {
                const QJsonArray all = cloudMeasurements(m_hub->id());
                return !all.isEmpty() &&
                       all.last()[QStringLiteral("via")].toString() == QLatin1StringView("direct");
            },
            10000));

        const QDateTime back =
            QDateTime::currentDateTimeUtc(); // counted from the restart, its start-up included
        QVERIFY(m_connector->start());
        QVERIFY(m_hub->waitForState(QStringLiteral("ConnectorLan"), (failbackProbe + 4) * 1000));
        QVERIFY(
            waitFor([&] { return m_hub->changeTo(QStringLiteral("ConnectorLan"), back).has_value(); }, 3000));
        const std::optional<HubProcess::Change> failback =
            m_hub->changeTo(QStringLiteral("ConnectorLan"), back);
        timeline(*m_hub, "connector failure");
        QVERIFY2(failback, qPrintable(back.toString(Qt::ISODateWithMs)));
        const qint64 failbackMs = back.msecsTo(failback->at);
        qInfo("connector back -> ConnectorLan after %lld ms (failbackProbe %d s)", failbackMs, failbackProbe);
        QVERIFY2(failbackMs <= failbackProbe * 1000 + scaled(3000), qPrintable(QString::number(failbackMs)));

        // Nothing lost, nothing twice: everything the hub made up to now reaches the cloud once.
        QVERIFY(waitFor([&] { return m_hub->status()[QStringLiteral("queueDepth")].toInt() == 0; }, 10000));
        const qint64 upTo = m_hub->status()[QStringLiteral("highestSeq")].toInteger();
        QVERIFY(upTo > 20);
        QString why;
        QVERIFY2(waitFor([&] { return cloudHoldsEverySeqOnce(m_hub->id(), upTo, &why); }, 15000),
                 qPrintable(why));
    }

    // Test 4: manual reconnect with no connector reachable goes to the cloud at once.
    void manualReconnectWithoutConnectorGoesDirectAtOnce()
    {
        QVERIFY(restartHub({QStringLiteral("connection/failbackProbe=4")})); // fallbackAfter stays 300 s
        QVERIFY(m_hub->waitForState(QStringLiteral("ConnectorLan"), 10000));
        m_connector->stop();
        QVERIFY(m_hub->waitForState(QStringLiteral("Searching"), 5000));
        observe(1500);
        QCOMPARE(m_hub->state(), QStringLiteral("Searching")); // rule 2 would wait 300 s
        QElapsedTimer clock;
        clock.start();
        QByteArray output;
        QCOMPARE(m_hub->cli({QStringLiteral("reconnect")}, &output), 0);
        QVERIFY2(m_hub->waitForState(QStringLiteral("DirectCloud"), 10000), qPrintable(m_hub->state()));
        qInfo("reconnect -> DirectCloud after %lld ms", clock.elapsed());
        timeline(*m_hub, "manual reconnect");
        QVERIFY(m_connector->start());
        QVERIFY(m_hub->waitForState(QStringLiteral("ConnectorLan"), 10000));
    }

    // Test 5: the cloud reachable only through tinyproxy.
    void directModeThroughTinyproxy()
    {
        NetNamespace home(QStringLiteral("home"));
        QVERIFY2(home.ok(), qPrintable(home.error()));
        QString error;
        QVERIFY2(linkNamespace(home, QStringLiteral("occpx0"), QStringLiteral("10.99.0.1"),
                               QStringLiteral("occpx1"), QStringLiteral("10.99.0.2"), &error),
                 qPrintable(error));
        TinyProxy proxy;
        proxy.setListen(QStringLiteral("10.99.0.1"), QStringLiteral("10.99.0.0/24"));
        QVERIFY2(proxy.start(&error), qPrintable(error));
        const QString cloudHostPort = QStringLiteral("127.0.0.1:%1").arg(m_cloud->url().port());
        // Without the proxy there is no way from home to the cloud.
        QByteArray curl;
        QVERIFY(home.run(QStringLiteral("curl"),
                         {QStringLiteral("-sk"), QStringLiteral("--max-time"), QStringLiteral("3"),
                          QStringLiteral("https://%1/").arg(cloudHostPort)},
                         &curl) != 0);

        HubProcess hub(
            m_dir.filePath(QStringLiteral("hub-home")),
            {QStringLiteral("proxy/url=") + proxy.url(), QStringLiteral("connection/interfaceCheck=1"),
             QStringLiteral("connection/connectTimeout=2"), QStringLiteral("connection/reportInterval=1"),
             QStringLiteral("ssdp/port=%1").arg(kSsdpPort), QStringLiteral("sensors/interval=1")},
            &home);
        QVERIFY(hub.enrol(*m_cloud, m_acme, QStringLiteral("laptop.home")));
        QVERIFY(hub.start());
        QVERIFY2(hub.waitForState(QStringLiteral("DirectCloud"), 20000), qPrintable(hub.state()));
        QVERIFY(waitFor([&] { return cloudHub(hub.id())[QStringLiteral("count")].toInt() >= 4; }, 15000));
        QCOMPARE(cloudHub(hub.id())[QStringLiteral("reportedPath")].toString(),
                 QStringLiteral("DirectCloud"));
        QVERIFY2(proxy.connectsTo(cloudHostPort) >= 1, proxy.log().constData());
        // A direct hub long-polls its commands itself (through the proxy as well).
        const QJsonObject result = command(hub.id(), {QStringLiteral("runSensor"), QStringLiteral("memory")});
        QCOMPARE(result[QStringLiteral("state")].toString(), QStringLiteral("done"));
        QVERIFY(result[QStringLiteral("detail")].toString().startsWith(QStringLiteral("memory: ")));
        QCOMPARE(hub.status()[QStringLiteral("cloud")][QStringLiteral("proxy")].toString().contains(
                     QStringLiteral("10.99.0.1")),
                 true);
        timeline(hub, "proxy-only network");
        hub.stop();
        QVERIFY2(hub.sanitizerReport().isEmpty(), hub.sanitizerReport().constData());
    }

    // Test 6: a rogue answer to M-SEARCH never receives a frame.
    void rogueConnectorNeverReceivesAFrame_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("self-signed") << QStringLiteral("self-signed");
        QTest::newRow("other customer") << QStringLiteral("other-customer");
        QTest::newRow("hub certificate of our customer") << QStringLiteral("our-hub");
    }

    void rogueConnectorNeverReceivesAFrame()
    {
        QFETCH(QString, kind);
        QString rogueId = QUuid::createUuid().toString(QUuid::WithoutBraces);
        QSslCertificate certificate;
        QSslKey key;
        if (kind == QLatin1StringView("self-signed")) {
            const Credentials c = TestPki::selfSigned(rogueId, m_acme.id, pki::Role::Connector);
            certificate = c.certificate;
            key = c.sslKey;
        } else {
            Result<EnrolledNode> node =
                enrolNode(m_cloud->url(), m_cloud->caFile(),
                          kind == QLatin1StringView("other-customer") ? m_other : m_acme,
                          kind == QLatin1StringView("other-customer") ? QStringLiteral("connector")
                                                                      : QStringLiteral("hub"),
                          QStringLiteral("rogue"));
            QVERIFY2(node, qPrintable(node ? QString() : node.error().message));
            rogueId = node->id;
            certificate = node->certificate;
            key = node->key.toQSslKey();
        }
        RogueConnector rogue(
            {rogueId, m_acme.id, QHostAddress::LocalHost, kSsdpPort, kGroup, QStringLiteral("lo")},
            certificate, key);
        QString error;
        QVERIFY2(rogue.start(&error), qPrintable(error));
        // First the rogue alone answers, so that the hub surely tries it (with the
        // real connector answering too, the hub may be done before it gets there).
        m_connector->stop();
        HubProcess hub(m_dir.filePath(QStringLiteral("hub-rogue-") + kind), hubSettings());
        QVERIFY(hub.enrol(*m_cloud, m_acme, QStringLiteral("pc-rogue")));
        QVERIFY(hub.start());
        QVERIFY2(waitFor([&] { return rogue.attempts() >= 1; }, 20000),
                 "the hub never tried the rogue: the test would prove nothing");
        QVERIFY(rogue.answers() >= 1);
        QVERIFY2(hub.waitForState(QStringLiteral("DirectCloud"), 20000), qPrintable(hub.state()));
        // Then the real connector is back, and a reconnect finds both again.
        QVERIFY(m_connector->start());
        QCOMPARE(hub.cli({QStringLiteral("reconnect")}), 0);
        QVERIFY2(
            waitFor(
                [&] { return hub.status()[QStringLiteral("connectorId")].toString() == m_connector->id(); },
                20000),
            qPrintable(hub.state()));
        QCOMPARE(hub.state(), QStringLiteral("ConnectorLan"));
        QCOMPARE(rogue.bytes(), 0);
        if (kind != QLatin1StringView("our-hub"))
            QCOMPARE(rogue.encrypted(), 0); // refused inside the handshake
        hub.stop();
    }

    // Commands come back over the hub's own connection to the connector; results
    // are stored in the cloud.
    void commandsBehindTheConnector()
    {
        if (!m_hub->running())
            QVERIFY(m_hub->start());
        QVERIFY(m_hub->waitForState(QStringLiteral("ConnectorLan"), 10000));
        // reloadConfig reads the INI again. The CPU limits are set so that the status
        // does not depend on how busy this machine is: never (ok), then always (warn).
        const QString ini = m_hub->dataDir() + QStringLiteral("/occ-sensorhub.ini");
        const QByteArray enrolled = readFile(ini); // cloud/url and friends, written by enrol
        QVERIFY(enrolled.contains("url="));
        const auto runCpuWith = [&](const QByteArray &limits) {
            if (!writeFile(ini, enrolled + "\n[sensors]\n" + limits))
                return QStringLiteral("could not write the INI");
            const QJsonObject reloaded = command(m_hub->id(), {QStringLiteral("reloadConfig")});
            if (reloaded[QStringLiteral("state")].toString() != QLatin1StringView("done") ||
                !reloaded[QStringLiteral("detail")].toString().contains(QStringLiteral("sensors/cpuWarn")))
                return QStringLiteral("reloadConfig: ") + reloaded[QStringLiteral("detail")].toString();
            const QJsonObject run =
                command(m_hub->id(), {QStringLiteral("runSensor"), QStringLiteral("cpu")});
            if (run[QStringLiteral("state")].toString() != QLatin1StringView("done"))
                return QStringLiteral("runSensor: ") + run[QStringLiteral("detail")].toString();
            return run[QStringLiteral("detail")].toString();
        };
        QString detail = runCpuWith("cpuWarn=101\ncpuError=102\n");
        QVERIFY2(detail.startsWith(QStringLiteral("cpu: ok")), qPrintable(detail));
        detail = runCpuWith("cpuWarn=0\ncpuError=101\n");
        QVERIFY2(detail.startsWith(QStringLiteral("cpu: warn")), qPrintable(detail));

        QJsonObject result =
            command(m_hub->id(), {QStringLiteral("runSensor"), QStringLiteral("no-such-sensor")});
        QCOMPARE(result[QStringLiteral("state")].toString(), QStringLiteral("failed"));
        QVERIFY(result[QStringLiteral("detail")].toString().contains(
            QStringLiteral("no sensor 'no-such-sensor'")));
        QVERIFY(writeFile(ini, enrolled));
        QCOMPARE(command(m_hub->id(), {QStringLiteral("reloadConfig")})[QStringLiteral("state")].toString(),
                 QStringLiteral("done"));

        // collectDiagnostics: logs and settings, never the key or the secrets.
        result = command(m_hub->id(), {QStringLiteral("collectDiagnostics")});
        QCOMPARE(result[QStringLiteral("state")].toString(), QStringLiteral("done"));
        const QString archive = QRegularExpression(QStringLiteral("archive (\\S+)"))
                                    .match(result[QStringLiteral("detail")].toString())
                                    .captured(1);
        QVERIFY2(archive.startsWith(m_hub->dataDir() + QStringLiteral("/diagnostics/")), qPrintable(archive));
        QByteArray listing;
        QCOMPARE(run(QStringLiteral("tar"), {QStringLiteral("-tzf"), archive}, &listing), 0);
        for (const char *expected :
             {"occ-diagnostics/status.json", "occ-diagnostics/settings.ini", "occ-diagnostics/interfaces.txt",
              "occ-diagnostics/logs/occ-sensorhub.log", "occ-diagnostics/identity/certificate.pem",
              "occ-diagnostics/connectors.ini"})
            QVERIFY2(listing.contains(expected), listing.constData());
        QVERIFY2(!listing.contains("private-key") && !listing.contains("secrets") &&
                     !listing.contains("outbox.db"),
                 listing.constData());

        // reconnect: the result first, then the hub drops its session and finds the connector again.
        const QDateTime asked = QDateTime::currentDateTimeUtc();
        result = command(m_hub->id(), {QStringLiteral("reconnect")});
        QCOMPARE(result[QStringLiteral("state")].toString(), QStringLiteral("done"));
        QVERIFY(
            waitFor([&] { return m_hub->changeTo(QStringLiteral("Searching"), asked).has_value(); }, 5000));
        QVERIFY(m_hub->waitForState(QStringLiteral("ConnectorLan"), 10000));
    }

    // Test 7: SIGKILL while results are queued loses nothing.
    void hubKilledWhileResultsQueuedLosesNothing()
    {
        if (!m_hub->running())
            QVERIFY(m_hub->start());
        QVERIFY(m_hub->waitForState(QStringLiteral("ConnectorLan"), 10000));
        m_connector->stop();
        QVERIFY(m_hub->waitForState(QStringLiteral("Searching"), 5000));
        QVERIFY(waitFor([&] { return m_hub->status()[QStringLiteral("queueDepth")].toInt() >= 12; }, 15000));
        const qint64 made = m_hub->status()[QStringLiteral("highestSeq")].toInteger();
        m_hub->kill();
        QVERIFY(m_connector->start());
        QVERIFY(m_hub->start());
        QVERIFY(m_hub->waitForState(QStringLiteral("ConnectorLan"), 10000));
        QVERIFY(m_hub->status()[QStringLiteral("highestSeq")].toInteger() >=
                made); // seq survives the restart
        QVERIFY(waitFor([&] { return m_hub->status()[QStringLiteral("queueDepth")].toInt() == 0; }, 15000));
        QString why;
        QVERIFY2(waitFor([&] { return cloudHoldsEverySeqOnce(m_hub->id(), made, &why); }, 15000),
                 qPrintable(why));
    }

    void cleanup()
    {
        if (!QTest::currentTestFailed() && !qEnvironmentVariableIsSet("OCC_TEST_SHOW_LOG"))
            return;
        if (m_hub)
            qWarning("hub log (last 6000 bytes):\n%s", m_hub->program().errors().right(6000).constData());
        if (m_connector)
            qWarning("connector log (last 6000 bytes):\n%s",
                     m_connector->program().errors().right(6000).constData());
        if (m_cloud)
            qWarning("cloud log (last 4000 bytes):\n%s", m_cloud->log().right(4000).constData());
    }

    void cleanupTestCase()
    {
        m_hub->stop();
        QVERIFY2(m_hub->sanitizerReport().isEmpty(), m_hub->sanitizerReport().constData());
        m_connector->stop();
        QVERIFY2(m_connector->sanitizerReport().isEmpty(), m_connector->sanitizerReport().constData());
        m_cloud->stop();
        QVERIFY2(m_cloud->sanitizerReport().isEmpty(), m_cloud->sanitizerReport().constData());
    }
};

int main(int argc, char **argv)
{
    // Our own network namespace first (SSDP stays inside), then a keyring session
    // inside it (its D-Bus socket must live in the same namespace).
    if (const int code = reexecInNetNamespace(argc, argv, QStringLiteral("hub")); code >= 0)
        return code;
    if (const int code = reexecInKeyringSession(argc, argv); code >= 0)
        return code;
    QCoreApplication app(argc, argv);
    TestSensorhub test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_sensorhub.moc"
