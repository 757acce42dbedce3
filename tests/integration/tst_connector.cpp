// occ-connector as a real process between simulated hubs (built from the shared
// protocol code) and a real occ-cloud, on 127.0.0.1; SSDP inside a network
// namespace; the uplink through a real tinyproxy.
#include "await.h"
#include "cloudapi/cloudtypes.h"
#include "cloudenrol.h"
#include "cloudprocess.h"
#include "connectorprocess.h"
#include "netns.h"
#include "simhub.h"
#include "testpki.h"
#include "testutil.h"
#include "tinyproxy.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSettings>
#include <QSslSocket>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QtEndian>
#include <QTest>

using namespace occ;
using namespace occ::test;
using namespace occ::protocol;

class TestConnector : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<CloudProcess> m_cloud;
    CloudProcess::Customer m_acme;
    CloudProcess::Customer m_other;
    std::unique_ptr<ConnectorProcess> m_connector;

    static QStringList fastSettings()
    {
        return {
            QStringLiteral("connector/listen=127.0.0.1:0"), QStringLiteral("connector/descriptionPort=0"),
            QStringLiteral("ssdp/enabled=false"),           QStringLiteral("connection/heartbeat=1"),
            QStringLiteral("connector/handshakeTimeout=2"), QStringLiteral("connector/revocationInterval=2"),
            QStringLiteral("connection/reportInterval=2"),  QStringLiteral("connector/window=4"),
            QStringLiteral("spool/fullSync=false")};
    }

    EnrolledNode hub(const CloudProcess::Customer &customer, const QString &name)
    {
        Result<EnrolledNode> node =
            enrolNode(m_cloud->url(), m_cloud->caFile(), customer, QStringLiteral("hub"), name);
        if (!node)
            qFatal("enrol: %s", qPrintable(node.error().toString()));
        return *node;
    }

    std::unique_ptr<SimHub> connectedHub(const QString &name)
    {
        auto sim = std::make_unique<SimHub>(hub(m_acme, name));
        if (!sim->connectAndHello(m_connector->port(), m_connector->id()))
            return nullptr;
        return sim;
    }

    int cloudCount(const QString &hubId) const
    {
        return int(m_cloud->cliJson({QStringLiteral("measurements"), hubId}).array().size());
    }

    QJsonObject cloudHub(const QString &hubId) const
    {
        for (const QJsonValue &hub : m_cloud->cliJson({QStringLiteral("hubs")}).array()) {
            if (hub[QStringLiteral("hubId")].toString() == hubId)
                return hub.toObject();
        }
        return {};
    }

    // A hub that keeps sending batches and counts acknowledgements, to show that
    // a misbehaving peer ends only its own session.
    struct Bystander
    {
        std::unique_ptr<SimHub> hub;
        qint64 next = 1;
        qint64 acked = 0;
        void pump()
        {
            const qint64 upTo = hub->sendBatch(next, next + 9, 5000);
            if (upTo > 0) {
                acked = upTo;
                next += 10;
            }
        }
    };

private slots:
    void initTestCase()
    {
        m_cloud = std::make_unique<CloudProcess>(
            m_dir.filePath(QStringLiteral("cloud")), QString(),
            QStringList{QStringLiteral("--set"), QStringLiteral("server/pollWakeup=200")});
        m_acme = m_cloud->addCustomer(QStringLiteral("Acme"));
        m_other = m_cloud->addCustomer(QStringLiteral("Other"));
        QVERIFY(m_cloud->start());
        m_connector =
            std::make_unique<ConnectorProcess>(m_dir.filePath(QStringLiteral("connector")), fastSettings());
        QVERIFY(m_connector->enrol(*m_cloud, m_acme, QStringLiteral("gw.acme.example")));
        QVERIFY(QFile::exists(m_dir.filePath(QStringLiteral("connector/identity/private-key.pem"))));
        QVERIFY(m_connector->start());
        QVERIFY(!m_connector->id().isEmpty());
    }

    void statusOverTheAdminSocket()
    {
        const QJsonObject status = m_connector->query(QStringLiteral("status"));
        QCOMPARE(status[QStringLiteral("connectorId")].toString(), m_connector->id());
        QCOMPARE(status[QStringLiteral("customerId")].toString(), m_acme.id);
        QVERIFY(waitFor(
            [&] {
                return m_connector
                    ->query(QStringLiteral("status"))[QStringLiteral("cloud")][QStringLiteral("reachable")]
                    .toBool();
            },
            10000));
        // The admin socket is for the owner only.
        QFileInfo socket(m_dir.filePath(QStringLiteral("connector/occ-connector.sock")));
        QVERIFY(socket.exists());
        QCOMPARE(socket.permissions() &
                     (QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ReadGroup),
                 QFileDevice::Permissions());
        // Not running: a clear message.
        QByteArray output;
        QVERIFY(run(ConnectorProcess::binary(),
                    {QStringLiteral("status"), QStringLiteral("--data-dir"),
                     m_dir.filePath(QStringLiteral("nothing"))},
                    &output) != 0);
        QVERIFY2(output.contains("not running"), output.constData());
    }

    void helloWelcomeAckAndForward()
    {
        auto sim = connectedHub(QStringLiteral("pc1"));
        QVERIFY(sim);
        QCOMPARE(sim->welcome().connectorId, m_connector->id());
        QCOMPARE(sim->welcome().window, 4);
        QCOMPARE(sim->welcome().heartbeat, 1);
        QCOMPARE(sim->sendBatch(1, 100), 100);
        QCOMPARE(sim->sendBatch(101, 150), 150);
        QVERIFY(waitFor([&] { return cloudCount(sim->id()) == 150; }, 15000));
        const QJsonArray rows = m_cloud->cliJson({QStringLiteral("measurements"), sim->id()}).array();
        QCOMPARE(rows.first()[QStringLiteral("via")].toString(), m_connector->id());
        QVERIFY(waitFor(
            [&] {
                return cloudHub(sim->id())[QStringLiteral("connectorId")].toString() == m_connector->id();
            },
            10000));
        QCOMPARE(cloudHub(sim->id())[QStringLiteral("path")].toString(), QStringLiteral("ConnectorLan"));
        // The hub reports VPN: the cloud sees it through the connector.
        sim->send(StateReport{QStringLiteral("ConnectorVpn"), 3, 1, 0});
        QVERIFY(waitFor(
            [&] {
                return cloudHub(sim->id())[QStringLiteral("path")].toString() ==
                       QLatin1StringView("ConnectorVpn");
            },
            10000));
        QCOMPARE(cloudHub(sim->id())[QStringLiteral("queueDepth")].toInt(), 3);
        const QJsonArray hubs = m_connector->query(QStringLiteral("hubs"))[QStringLiteral("hubs")].toArray();
        QVERIFY(std::any_of(hubs.begin(), hubs.end(), [&](const QJsonValue &h) {
            return h[QStringLiteral("hubId")].toString() == sim->id();
        }));
    }

    void replayIsAcknowledgedNotStoredTwice()
    {
        EnrolledNode node = hub(m_acme, QStringLiteral("pc2"));
        {
            SimHub first(node);
            QVERIFY(first.connectAndHello(m_connector->port(), m_connector->id()));
            QCOMPARE(first.sendBatch(1, 60), 60);
        }
        // Reconnected (the ack was lost, say): the outbox sends 41..80 again.
        SimHub again(node);
        QVERIFY(again.connectAndHello(m_connector->port(), m_connector->id()));
        QCOMPARE(again.sendBatch(41, 80), 80);
        QVERIFY(waitFor([&] { return cloudCount(node.id) == 80; }, 15000));
        // The spool is empty: nothing more goes up, so 80 is the final count.
        QVERIFY(waitFor(
            [&] {
                return m_connector
                           ->query(
                               QStringLiteral("status"))[QStringLiteral("spool")][QStringLiteral("batches")]
                           .toInt(-1) == 0;
            },
            10000));
        QCOMPARE(cloudCount(node.id), 80);
        QVERIFY(m_connector->query(QStringLiteral("status"))[QStringLiteral("duplicatesIgnored")].toInt() >=
                20);
    }

    void secondHelloReplacesTheOldSession()
    {
        EnrolledNode node = hub(m_acme, QStringLiteral("laptop"));
        SimHub old(node);
        QVERIFY(old.connectAndHello(m_connector->port(), m_connector->id()));
        SimHub fresh(node);
        QVERIFY(fresh.connectAndHello(m_connector->port(), m_connector->id()));
        QVERIFY(old.waitDisconnected(5000));
        QVERIFY(old.lastError());
        QCOMPARE(old.lastError()->code, QStringLiteral("replaced"));
        QCOMPARE(fresh.sendBatch(1, 5), 5);
    }

    void commandsTravelBackOverTheHubsConnection()
    {
        auto sim = connectedHub(QStringLiteral("pc3"));
        QVERIFY(sim);
        // Queued at once: a command for a hub that just arrived must find it too.
        QByteArray output;
        QCOMPARE(m_cloud->cli({QStringLiteral("command"), sim->id(), QStringLiteral("runSensor"),
                               QStringLiteral("disk")},
                              &output),
                 0);
        const QString commandId = QString::fromUtf8(output).trimmed();
        std::optional<Command> command = sim->waitFor<Command>(10000);
        QVERIFY(command);
        QCOMPARE(command->id, commandId);
        QCOMPARE(command->kind, QStringLiteral("runSensor"));
        QCOMPARE(command->args, QStringList{QStringLiteral("disk")});
        sim->send(CommandResult{commandId, true, QStringLiteral("disk: 10% used")});
        QVERIFY(waitFor(
            [&] {
                const QJsonArray log = m_cloud->cliJson({QStringLiteral("commands"), sim->id()}).array();
                return !log.isEmpty() &&
                       log.first()[QStringLiteral("state")].toString() == QLatin1StringView("done");
            },
            10000));
        QCOMPARE(m_cloud->cliJson({QStringLiteral("commands"), sim->id()})
                     .array()
                     .first()[QStringLiteral("detail")]
                     .toString(),
                 QStringLiteral("disk: 10% used"));
    }

    // A hub that arrives while the connector's poll for its other hubs is held gets
    // an extra poll of its own. After that poll has brought a command, the hub must
    // stay covered: its next command may not wait for the first poll to end.
    // A fresh connector, so that the first poll's start is known: it begins when
    // the first hub says hello and is held for at most kMaxPollSeconds.
    void commandsKeepReachingAHubThatArrivedDuringAPoll()
    {
        ConnectorProcess connector(m_dir.filePath(QStringLiteral("connector-arrivals")), fastSettings());
        QVERIFY(connector.enrol(*m_cloud, m_acme, QStringLiteral("gw2.acme.example")));
        QVERIFY(connector.start());
        SimHub first(hub(m_acme, QStringLiteral("first")));
        QVERIFY(first.connectAndHello(connector.port(), connector.id()));
        QElapsedTimer firstPoll;
        firstPoll.start();
        SimHub late(hub(m_acme, QStringLiteral("late")));
        QVERIFY(late.connectAndHello(connector.port(), connector.id()));
        for (int round = 1; round <= 3; ++round) {
            QByteArray output;
            QCOMPARE(m_cloud->cli({QStringLiteral("command"), late.id(), QStringLiteral("runSensor"),
                                   QStringLiteral("round%1").arg(round)},
                                  &output),
                     0);
            const QString commandId = QString::fromUtf8(output).trimmed();
            std::optional<Command> command = late.waitFor<Command>(30000);
            QVERIFY2(command, qPrintable(QStringLiteral("round %1: no command").arg(round)));
            QCOMPARE(command->id, commandId);
            QVERIFY2(firstPoll.elapsed() < cloudapi::kMaxPollSeconds * 1000LL,
                     qPrintable(QStringLiteral("round %1: the command came %2 ms after the first hub's poll "
                                               "began, so only when that poll ended: the late hub was not "
                                               "polled for")
                                    .arg(round)
                                    .arg(firstPoll.elapsed())));
            late.send(CommandResult{commandId, true, QStringLiteral("round %1 ok").arg(round)});
            QVERIFY(waitFor(
                [&] {
                    const QJsonArray log = m_cloud->cliJson({QStringLiteral("commands"), late.id()}).array();
                    return !log.isEmpty() &&
                           log.first()[QStringLiteral("commandId")].toString() == commandId &&
                           log.first()[QStringLiteral("state")].toString() == QLatin1StringView("done");
                },
                10000));
        }
        connector.stop();
        QVERIFY2(connector.sanitizerReport().isEmpty(), connector.sanitizerReport().constData());
    }

    void badPeersEndOnlyTheirOwnSession_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::newRow("garbage before TLS") << QStringLiteral("garbage");
        QTest::newRow("self-signed client certificate") << QStringLiteral("selfsigned");
        QTest::newRow("valid certificate of another customer") << QStringLiteral("othercustomer");
        QTest::newRow("hello claiming another hub") << QStringLiteral("impostor");
        QTest::newRow("frame of 1 MiB + 1") << QStringLiteral("toolarge");
        QTest::newRow("invalid CBOR") << QStringLiteral("badcbor");
        QTest::newRow("slow handshake") << QStringLiteral("slow");
        QTest::newRow("window exceeded") << QStringLiteral("window");
        QTest::newRow("silent after hello") << QStringLiteral("silent");
    }

    void badPeersEndOnlyTheirOwnSession()
    {
        QFETCH(QString, kind);
        Bystander bystander{connectedHub(QStringLiteral("bystander-") + kind)};
        QVERIFY(bystander.hub);
        bystander.pump();
        const qint64 before = bystander.acked;
        QVERIFY(before > 0);
        const QByteArray logBefore = m_connector->program().errors();

        QString expectedLog;
        if (kind == QLatin1StringView("garbage") || kind == QLatin1StringView("slow")) {
            QTcpSocket raw;
            raw.connectToHost(QHostAddress::LocalHost, m_connector->port());
            QVERIFY(raw.waitForConnected(5000));
            if (kind == QLatin1StringView("garbage"))
                raw.write("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            QElapsedTimer timer;
            timer.start();
            QVERIFY(waitFor([&] { return raw.state() == QAbstractSocket::UnconnectedState; }, 8000));
            if (kind == QLatin1StringView("slow"))
                QVERIFY2(timer.elapsed() >= 1500, "closed before the handshake timeout");
            expectedLog = kind == QLatin1StringView("slow") ? QStringLiteral("TLS handshake timeout")
                                                            : QStringLiteral("handshake");
        } else if (kind == QLatin1StringView("selfsigned") || kind == QLatin1StringView("othercustomer")) {
            EnrolledNode node;
            if (kind == QLatin1StringView("selfsigned")) {
                const Credentials rogue =
                    TestPki::selfSigned(QStringLiteral("rogue"), m_acme.id, pki::Role::Hub);
                node = EnrolledNode{QStringLiteral("rogue"), rogue.certificate, rogue.key,
                                    hub(m_acme, QStringLiteral("ca-source")).ca};
            } else {
                node = hub(m_other, QStringLiteral("foreign"));
                node.ca = hub(m_acme, QStringLiteral("ca-source")).ca; // it trusts the right connector...
            }
            SimHub intruder(node);
            // ...but the connector refuses its certificate during the handshake.
            const bool encrypted = intruder.connectTls(m_connector->port(), m_connector->id(), 5000);
            if (encrypted)
                QVERIFY(intruder.waitDisconnected(5000));
            QVERIFY(!intruder.hello(1000));
            expectedLog = QStringLiteral("certificate");
        } else {
            auto sim = std::make_unique<SimHub>(hub(m_acme, QStringLiteral("bad-") + kind));
            QVERIFY(sim->connectTls(m_connector->port(), m_connector->id()));
            if (kind == QLatin1StringView("impostor")) {
                sim->send(Hello{kProtocolVersion, bystander.hub->id(), QStringLiteral("x"), {}, {}});
                expectedLog = QStringLiteral("claims hub");
            } else {
                QVERIFY(sim->hello());
                if (kind == QLatin1StringView("toolarge")) {
                    QByteArray header(4, Qt::Uninitialized);
                    qToBigEndian<quint32>(quint32(kMaxFramePayload + 1), header.data());
                    sim->sendRaw(header + QByteArray(64 * 1024, 'x'));
                    expectedLog = QStringLiteral("frame-too-large");
                } else if (kind == QLatin1StringView("badcbor")) {
                    sim->sendRaw(QByteArray("\x00\x00\x00\x02\xff\xff", 6));
                    expectedLog = QStringLiteral("bad-cbor");
                } else if (kind == QLatin1StringView("window")) {
                    for (int i = 0; i < 20; ++i)
                        sim->send(SimHub::makeBatch(1000 + i * 10, 1009 + i * 10));
                    expectedLog = QStringLiteral("unacknowledged");
                } else if (kind == QLatin1StringView("silent")) {
                    sim->autoPong = false; // and says nothing at all
                    expectedLog = QStringLiteral("heartbeat timeout");
                }
            }
            QVERIFY2(sim->waitDisconnected(kind == QLatin1StringView("silent") ? 8000 : 5000),
                     qPrintable(kind));
            if (kind != QLatin1StringView("silent") && kind != QLatin1StringView("window"))
                QVERIFY2(sim->lastError().has_value(), "the session ended without an error frame");
        }
        // Logged with a reason, and the bystander never noticed.
        QVERIFY(waitFor(
            [&] {
                return m_connector->program().errors().mid(logBefore.size()).contains(expectedLog.toUtf8());
            },
            5000));
        bystander.pump();
        QVERIFY(bystander.hub->connected());
        QVERIFY(bystander.acked > before);
    }

    void cloudOutageFillsTheSpoolThenDrains()
    {
        auto sim = connectedHub(QStringLiteral("pc4"));
        QVERIFY(sim);
        m_cloud->stop();
        for (qint64 seq = 1; seq <= 300; seq += 50)
            QCOMPARE(sim->sendBatch(seq, seq + 49), seq + 49); // acknowledged: in the spool
        QVERIFY(
            m_connector->query(QStringLiteral("status"))[QStringLiteral("spool")][QStringLiteral("batches")]
                    .toInt() >= 1 ||
            waitFor(
                [&] {
                    return m_connector
                               ->query(QStringLiteral(
                                   "status"))[QStringLiteral("spool")][QStringLiteral("batches")]
                               .toInt() >= 1;
                },
                3000));
        QVERIFY(waitFor(
            [&] {
                return !m_connector
                            ->query(QStringLiteral(
                                "status"))[QStringLiteral("cloud")][QStringLiteral("reachable")]
                            .toBool();
            },
            10000));
        QVERIFY(m_cloud->start());
        // The cloud has a new port now: the connector's configured URL is stale,
        // so restart the connector with the new one (what an administrator does).
        m_connector->stop();
        QVERIFY2(m_connector->sanitizerReport().isEmpty(), m_connector->sanitizerReport().constData());
        QSettings ini(m_dir.filePath(QStringLiteral("connector/occ-connector.ini")), QSettings::IniFormat);
        ini.setValue(QStringLiteral("cloud/url"), m_cloud->url().toString());
        ini.sync();
        QVERIFY(m_connector->start());
        QVERIFY(waitFor([&] { return cloudCount(sim->id()) == 300; }, 20000));
        QVERIFY(waitFor(
            [&] {
                return m_connector
                           ->query(
                               QStringLiteral("status"))[QStringLiteral("spool")][QStringLiteral("batches")]
                           .toInt() == 0;
            },
            10000));
    }

    void revokedHubIsClosedAndRefused()
    {
        EnrolledNode node = hub(m_acme, QStringLiteral("stolen"));
        SimHub sim(node);
        QVERIFY(sim.connectAndHello(m_connector->port(), m_connector->id()));
        QCOMPARE(m_cloud->cli({QStringLiteral("revoke"), node.id}), 0);
        QVERIFY(sim.waitDisconnected(10000)); // revocationInterval is 2 s
        QCOMPARE(sim.lastError()->code, QStringLiteral("unauthorized"));
        // A new attempt is refused in the TLS handshake itself.
        const qsizetype logBefore = m_connector->program().errors().size();
        SimHub again(node);
        if (again.connectTls(m_connector->port(), m_connector->id(), 5000))
            QVERIFY(again.waitDisconnected(5000));
        QVERIFY(!again.hello(1000));
        QVERIFY(waitFor([&] { return m_connector->program().errors().mid(logBefore).contains("is revoked"); },
                        5000));
    }

    void consoleDrivenThroughAPipe()
    {
        auto sim = connectedHub(QStringLiteral("console-target"));
        QVERIFY(sim);
        QByteArray output;
        const QByteArray input = "help\nhubs\nstats\nhub " + sim->id().toUtf8() + "\nkick " +
                                 sim->id().toUtf8() + "\nkick no-such-hub\nbogus\nquit\n";
        QCOMPARE(m_connector->cli({QStringLiteral("console")}, &output, input), 0);
        QVERIFY2(output.contains("reconnect-all"), output.constData()); // help
        QVERIFY(output.contains(sim->id().toUtf8()));                   // hubs table
        QVERIFY(output.contains("throughput"));                         // stats
        QVERIFY(output.contains("\"hostname\""));                       // hub ID
        QVERIFY(output.contains("error: hub no-such-hub is not connected"));
        QVERIFY(output.contains("error: unknown command 'bogus'"));
        QVERIFY(sim->waitDisconnected(5000));
        QCOMPARE(sim->lastError()->code, QStringLiteral("kicked"));
        // reconnect-all sends each hub a reconnect command down its session.
        auto other = connectedHub(QStringLiteral("console-other"));
        QCOMPARE(m_connector->cli({QStringLiteral("console")}, &output, "reconnect-all\nquit\n"), 0);
        QVERIFY2(output.contains("asked"), output.constData());
        std::optional<Command> reconnect = other->waitFor<Command>(5000);
        QVERIFY(reconnect);
        QCOMPARE(reconnect->kind, QStringLiteral("reconnect"));
        // hubs --json and status --json from the command line.
        QVERIFY(m_connector->query(QStringLiteral("hubs"))[QStringLiteral("ok")].toBool());
    }

    void uplinkThroughAProxyWithCredentials()
    {
        TinyProxy proxy(QStringLiteral("occ"), QStringLiteral("proxy-secret"));
        QString error;
        QVERIFY2(proxy.start(&error), qPrintable(error));
        ConnectorProcess proxied(m_dir.filePath(QStringLiteral("proxied")),
                                 fastSettings() + QStringList{QStringLiteral("proxy/url=") + proxy.url(),
                                                              QStringLiteral("proxy/user=occ")});
        // The password goes to the secret store (first: enrolment already goes
        // through the proxy), never into the settings.
        QByteArray output;
        QCOMPARE(proxied.cli({QStringLiteral("set-proxy-password"), QStringLiteral("--set"),
                              QStringLiteral("identity/keychain=file")},
                             &output, "proxy-secret\n"),
                 0);
        QVERIFY(proxied.enrol(*m_cloud, m_acme, QStringLiteral("gw-proxied")));
        QVERIFY(!test::readFile(m_dir.filePath(QStringLiteral("proxied/occ-connector.ini")))
                     .contains("proxy-secret"));
        QVERIFY(proxied.start());
        EnrolledNode node = hub(m_acme, QStringLiteral("behind-proxy"));
        SimHub sim(node);
        QVERIFY(sim.connectAndHello(proxied.port(), proxied.id()));
        QCOMPARE(sim.sendBatch(1, 20), 20);
        QVERIFY(waitFor([&] { return cloudCount(node.id) == 20; }, 15000));
        const QString cloudHostPort = QStringLiteral("127.0.0.1:%1").arg(m_cloud->url().port());
        QVERIFY2(proxy.connectsTo(cloudHostPort) > 0, proxy.log().constData());
        const QJsonObject status = proxied.query(QStringLiteral("status"));
        QVERIFY(status[QStringLiteral("cloud")][QStringLiteral("proxy")].toString().contains(
            QString::number(proxy.port())));
        proxied.stop();
        QVERIFY2(proxied.sanitizerReport().isEmpty(), proxied.sanitizerReport().constData());
    }

    void fullSpoolStopsAcknowledging()
    {
        // A tiny spool and no cloud: acknowledgements stop, nothing is dropped.
        ConnectorProcess small(m_dir.filePath(QStringLiteral("small")),
                               fastSettings() + QStringList{QStringLiteral("spool/maxBytes=20000")});
        QVERIFY(small.enrol(*m_cloud, m_acme, QStringLiteral("gw-small")));
        QSettings ini(m_dir.filePath(QStringLiteral("small/occ-connector.ini")), QSettings::IniFormat);
        const QString realCloud = ini.value(QStringLiteral("cloud/url")).toString();
        ini.setValue(QStringLiteral("cloud/url"),
                     QStringLiteral("https://127.0.0.1:9/soap")); // nothing listens
        ini.sync();
        QVERIFY(small.start());
        EnrolledNode node = hub(m_acme, QStringLiteral("pc-full"));
        SimHub sim(node);
        QVERIFY(sim.connectAndHello(small.port(), small.id()));
        qint64 seq = 1;
        qint64 lastAck = 0;
        while (seq < 2000) {
            const qint64 upTo = sim.sendBatch(seq, seq + 49, 3000);
            if (upTo < 0)
                break;
            lastAck = upTo;
            seq += 50;
        }
        QVERIFY2(seq < 2000, "the spool never filled");
        QVERIFY(lastAck > 0);
        QVERIFY(small.query(QStringLiteral("status"))[QStringLiteral("spool")][QStringLiteral("refusedFull")]
                    .toInt() >= 1);
        // The cloud comes back: the spool drains and acknowledgements resume.
        small.stop();
        ini.setValue(QStringLiteral("cloud/url"),
                     realCloud.isEmpty() ? m_cloud->url().toString() : m_cloud->url().toString());
        ini.sync();
        QVERIFY(small.start());
        SimHub again(node);
        QVERIFY(again.connectAndHello(small.port(), small.id()));
        QVERIFY(waitFor([&] { return cloudCount(node.id) == int(lastAck); }, 20000));
        QCOMPARE(again.sendBatch(seq, seq + 49), seq + 49);
        small.stop();
    }

    void upnpInsideANetworkNamespace()
    {
        // The real group 239.255.255.250:1900, on the loopback of a namespace of
        // our own: a standard control point (gssdp-discover) must find the device.
        NetNamespace ns(QStringLiteral("ssdp"));
        QVERIFY2(ns.ok(), qPrintable(ns.error()));
        const QString dataDir = m_dir.filePath(QStringLiteral("upnp"));
        // Enrolled from the host (the cloud is on the host's loopback) ...
        ConnectorProcess enroller(dataDir, fastSettings());
        QVERIFY(enroller.enrol(*m_cloud, m_acme, QStringLiteral("gw-upnp")));
        // ... run inside the namespace, with discovery on lo.
        ConnectorProcess device(dataDir,
                                {QStringLiteral("connector/listen=127.0.0.1:0"),
                                 QStringLiteral("connector/descriptionPort=0"),
                                 QStringLiteral("ssdp/interfaces=lo"), QStringLiteral("ssdp/maxAge=4")},
                                &ns);
        QVERIFY(device.start());
        QByteArray found;
        ns.run(QStringLiteral("gssdp-discover"),
               {QStringLiteral("-i"), QStringLiteral("lo"), QStringLiteral("-n"), QStringLiteral("4"),
                QStringLiteral("--target"), QStringLiteral("urn:occ-project-org:device:Connector:1")},
               &found, 20000);
        QVERIFY2(found.contains(device.id().toUtf8()), found.constData());
        QVERIFY2(found.contains("description.xml"), found.constData());
        ns.run(QStringLiteral("gssdp-discover"),
               {QStringLiteral("-i"), QStringLiteral("lo"), QStringLiteral("-n"), QStringLiteral("4"),
                QStringLiteral("--target"), QStringLiteral("upnp:rootdevice")},
               &found, 20000);
        QVERIFY2(found.contains(device.id().toUtf8()), found.constData());
        // The description, fetched over HTTP inside the namespace.
        const QRegularExpressionMatch location =
            QRegularExpression(QStringLiteral("(http://[^\\s]+description.xml)"))
                .match(QString::fromUtf8(found));
        QVERIFY(location.hasMatch());
        QByteArray description;
        QCOMPARE(ns.run(QStringLiteral("curl"), {QStringLiteral("-sS"), location.captured(1)}, &description),
                 0);
        QVERIFY2(description.contains("<deviceType>urn:occ-project-org:device:Connector:1</deviceType>"),
                 description.constData());
        QVERIFY(description.contains("<occ:customerId>" + m_acme.id.toUtf8() + "</occ:customerId>"));
        QVERIFY(description.contains("<occ:tlsPort>" + QByteArray::number(device.port()) + "</occ:tlsPort>"));
        // A clean shutdown says byebye: a control point listening sees it.
        const int answeredBefore =
            device.query(QStringLiteral("status"))[QStringLiteral("ssdp")][QStringLiteral("searchesAnswered")]
                .toInt();
        ProgramProcess listener(QStringLiteral("ip"), ProgramProcess::Kind::Tool);
        QVERIFY(listener.start(
            ns.wrap(QStringLiteral("gssdp-discover"),
                    {QStringLiteral("-i"), QStringLiteral("lo"), QStringLiteral("-n"), QStringLiteral("15"),
                     QStringLiteral("-m"), QStringLiteral("unavailable"), QStringLiteral("--target"),
                     QStringLiteral("urn:occ-project-org:device:Connector:1")}),
            QRegularExpression(QStringLiteral("")), nullptr, 5000));
        // It learns the device first: the connector answered its M-SEARCH.
        QVERIFY(waitFor(
            [&] {
                return device
                           .query(QStringLiteral(
                               "status"))[QStringLiteral("ssdp")][QStringLiteral("searchesAnswered")]
                           .toInt() > answeredBefore;
            },
            10000));
        device.stop();
        QVERIFY2(listener.waitForOutput(device.id().toUtf8(), 8000), listener.output().constData());
        QVERIFY2(device.sanitizerReport().isEmpty(), device.sanitizerReport().constData());
    }

    // After a failed test function: what the connector said, for the diagnosis.
    void cleanup()
    {
        if ((QTest::currentTestFailed() || qEnvironmentVariableIsSet("OCC_TEST_SHOW_LOG")) && m_connector)
            qWarning("connector log (last 4000 bytes):\n%s",
                     m_connector->program().errors().right(4000).constData());
    }

    void cleanupTestCase()
    {
        m_connector->stop();
        QVERIFY2(m_connector->sanitizerReport().isEmpty(), m_connector->sanitizerReport().constData());
        m_cloud->stop();
        QVERIFY2(m_cloud->sanitizerReport().isEmpty(), m_cloud->sanitizerReport().constData());
    }
};

QTEST_GUILESS_MAIN(TestConnector)
#include "tst_connector.moc"
