// occ-cloud as a real process on 127.0.0.1, spoken to with the KDSoap client
// generated from the WSDL (through CloudClient), with curl, and with raw HTTPS.
#include "await.h"
#include "cloudapi/cloudclient.h"
#include "cloudenrol.h"
#include "cloudprocess.h"
#include "pki/csr.h"
#include "pki/identity.h"
#include "pki/privatekey.h"
#include "pki/verify.h"
#include "postgres.h"
#include "testutil.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace occ;
using namespace occ::cloudapi;
using occ::test::CloudProcess;

namespace {

using Node = occ::test::EnrolledNode;

protocol::Measurement measurement(qint64 seq, const QString &sensor = QStringLiteral("cpu"))
{
    protocol::Measurement m;
    m.seq = seq;
    m.sensor = sensor;
    m.ts = QDateTime::currentMSecsSinceEpoch();
    m.status = seq % 10 == 0 ? protocol::Status::Warn : protocol::Status::Ok;
    m.values = {{QStringLiteral("load"), seq / 100.0}};
    m.text = QStringLiteral("sample %1").arg(seq);
    return m;
}

HubBatch batch(const QString &hubId, qint64 from, qint64 to, const QString &sensor = QStringLiteral("cpu"))
{
    HubBatch b{hubId, {}};
    for (qint64 s = from; s <= to; ++s)
        b.measurements.append(measurement(s, sensor));
    return b;
}

} // namespace

class TestCloudServer : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<CloudProcess> m_cloud;
    CloudProcess::Customer m_acme;
    CloudProcess::Customer m_other;

    QList<QSslCertificate> serverCa() const { return QSslCertificate::fromPath(m_cloud->caFile()); }

    std::unique_ptr<CloudClient> anonymousClient(const QUrl &url = {}) const
    {
        CloudEndpoint endpoint;
        endpoint.url = url.isEmpty() ? m_cloud->url() : url;
        endpoint.trustedCas = serverCa();
        endpoint.proxy.mode = ProxySettings::Mode::None;
        return std::make_unique<CloudClient>(endpoint);
    }

    std::unique_ptr<CloudClient> clientFor(const Node &node, const QUrl &url = {},
                                           const QString &caFile = {}) const
    {
        CloudEndpoint endpoint;
        endpoint.url = url.isEmpty() ? m_cloud->url() : url;
        endpoint.trustedCas = caFile.isEmpty() ? serverCa() : QSslCertificate::fromPath(caFile);
        endpoint.clientCertificate = node.certificate;
        endpoint.clientKey = node.key.toQSslKey();
        endpoint.proxy.mode = ProxySettings::Mode::None;
        return std::make_unique<CloudClient>(endpoint);
    }

    Result<Node> enrol(const CloudProcess::Customer &customer, const QString &role, const QString &hostname)
    {
        return test::enrolNode(m_cloud->url(), m_cloud->caFile(), customer, role, hostname);
    }

    Node mustEnrol(const CloudProcess::Customer &customer, const QString &role, const QString &hostname)
    {
        Result<Node> node = enrol(customer, role, hostname);
        if (!node)
            qFatal("enrol: %s", qPrintable(node.error().toString()));
        return *node;
    }

    Result<QList<HubSeq>> submit(CloudClient &client, const QList<HubBatch> &batches)
    {
        return test::await<QList<HubSeq>>([&](auto done) { client.submitBatch(batches, done); });
    }

    int storedCount(const QString &hubId) const
    {
        return int(m_cloud->cliJson({QStringLiteral("measurements"), hubId}).array().size());
    }

    QJsonObject hubJson(const QString &hubId) const
    {
        const QJsonArray hubs = m_cloud->cliJson({QStringLiteral("hubs")}).array();
        for (const QJsonValue &hub : hubs) {
            if (hub[QStringLiteral("hubId")].toString() == hubId)
                return hub.toObject();
        }
        return {};
    }

    // When the hub last reached the cloud (ms); a PollCommands of the hub itself
    // sets it when the cloud takes the poll.
    static qint64 lastSeenMs(const test::CloudProcess &cloud, const QString &hubId)
    {
        for (const QJsonValue &hub : cloud.cliJson({QStringLiteral("hubs")}).array()) {
            if (hub[QStringLiteral("hubId")].toString() == hubId)
                return hub[QStringLiteral("lastSeenMs")].toInteger();
        }
        return -1;
    }

    // Starts a poll of a hub's own and waits until the cloud holds it.
    bool pollHeld(CloudClient &client, const QString &hubId, int waitSeconds,
                  std::function<void(Result<QList<Command>>)> answer,
                  const test::CloudProcess *cloud = nullptr)
    {
        const test::CloudProcess &at = cloud ? *cloud : *m_cloud;
        const qint64 before = lastSeenMs(at, hubId);
        client.pollCommands({hubId}, waitSeconds, std::move(answer));
        return test::waitFor([&] { return lastSeenMs(at, hubId) > before; }, 10000);
    }

    // One HTTPS request with a hand-written body, as a non-KDSoap client would send.
    QByteArray rawPost(const QByteArray &body, const QByteArray &extraHeaders = {})
    {
        QSslSocket socket;
        QSslConfiguration ssl = socket.sslConfiguration();
        ssl.setCaCertificates(serverCa());
        socket.setSslConfiguration(ssl);
        socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), quint16(m_cloud->url().port()));
        if (!socket.waitForEncrypted(10000))
            return "no TLS: " + socket.errorString().toUtf8();
        socket.write("POST /soap HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\n" + extraHeaders +
                     "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
        QByteArray answer;
        QElapsedTimer timer;
        timer.start();
        while (timer.elapsed() < 15000) {
            if (!socket.waitForReadyRead(500) && socket.state() != QAbstractSocket::ConnectedState)
                break;
            answer += socket.readAll();
            const qsizetype headerEnd = answer.indexOf("\r\n\r\n");
            if (headerEnd > 0) {
                const QRegularExpressionMatch length =
                    QRegularExpression(QStringLiteral("Content-Length: (\\d+)"))
                        .match(QString::fromLatin1(answer.left(headerEnd)));
                if (length.hasMatch() && answer.size() >= headerEnd + 4 + length.captured(1).toLongLong())
                    break;
            }
        }
        return answer;
    }

    static QByteArray envelope(const QByteArray &inner)
    {
        return "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>" + inner +
               "</soap:Body></soap:Envelope>";
    }

private slots:
    void initTestCase()
    {
        m_cloud = std::make_unique<CloudProcess>(
            m_dir.filePath(QStringLiteral("cloud")), QString(),
            QStringList{QStringLiteral("--set"), QStringLiteral("server/threads=2"), QStringLiteral("--set"),
                        QStringLiteral("server/pollWakeup=200")});
        m_acme = m_cloud->addCustomer(QStringLiteral("Acme GmbH"));
        m_other = m_cloud->addCustomer(QStringLiteral("Other AG"));
        QVERIFY(!m_acme.id.isEmpty() && m_acme.enrolmentKey.size() >= 32);
        QVERIFY(m_cloud->start());
        QCOMPARE(m_cloud->url().scheme(), QStringLiteral("https"));
        QVERIFY(QFile::exists(m_cloud->caFile()));
    }

    void enrolHubAndConnector()
    {
        const Node hub = mustEnrol(m_acme, QStringLiteral("hub"), QStringLiteral("pc1.acme.example"));
        const Node connector =
            mustEnrol(m_acme, QStringLiteral("connector"), QStringLiteral("gw.acme.example"));
        for (const auto &[node, role] :
             {std::pair{hub, pki::Role::Hub}, std::pair{connector, pki::Role::Connector}}) {
            Result<pki::Identity> identity =
                pki::verifyPeer(node.certificate, node.ca, {role, m_acme.id, node.id, {}});
            QVERIFY2(identity.ok(), identity.ok() ? "" : qPrintable(identity.error().message));
        }
        QCOMPARE(hub.ca, connector.ca); // one CA per customer
        const Node otherHub = mustEnrol(m_other, QStringLiteral("hub"), QStringLiteral("pc1.other.example"));
        QVERIFY(otherHub.ca != hub.ca);
        QVERIFY(!hubJson(hub.id).isEmpty());
        QCOMPARE(hubJson(hub.id)[QStringLiteral("hostname")].toString(), QStringLiteral("pc1.acme.example"));
    }

    void enrolmentRefusals()
    {
        const int hubsBefore = int(m_cloud->cliJson({QStringLiteral("hubs")}).array().size());
        CloudProcess::Customer wrongKey{m_acme.id, QStringLiteral("not-the-key")};
        Result<Node> refused = enrol(wrongKey, QStringLiteral("hub"), QStringLiteral("intruder"));
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().category, ErrorCategory::Auth);
        QVERIFY(refused.error().message.contains(QStringLiteral("wrong enrolment key")));

        auto client = anonymousClient();
        // A 1024-bit CSR made by the openssl command line.
        QTemporaryDir tmp;
        const QString weak = tmp.filePath(QStringLiteral("weak.csr"));
        QCOMPARE(test::run(QStringLiteral("openssl"),
                           {QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-newkey"),
                            QStringLiteral("rsa:1024"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                            QStringLiteral("/dev/null"), QStringLiteral("-subj"), QStringLiteral("/CN=weak"),
                            QStringLiteral("-out"), weak}),
                 0);
        Result<Certificates> r = test::await<Certificates>([&](auto done) {
            client->enrol({m_acme.id, m_acme.enrolmentKey, QStringLiteral("hub"), QStringLiteral("weak"),
                           test::readFile(weak)},
                          done);
        });
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message.contains(QStringLiteral("1024")), qPrintable(r.error().message));
        // A CSR whose signature is broken.
        Result<pki::PrivateKey> key = pki::PrivateKey::generate();
        QByteArray csr = *pki::createCsr(*key, QStringLiteral("broken"));
        csr.replace(csr.size() - 40, 4, csr.mid(csr.size() - 40, 4) == "AAAA" ? "BBBB" : "AAAA");
        r = test::await<Certificates>([&](auto done) {
            client->enrol(
                {m_acme.id, m_acme.enrolmentKey, QStringLiteral("hub"), QStringLiteral("broken"), csr}, done);
        });
        QVERIFY(!r.ok());
        QCOMPARE(int(m_cloud->cliJson({QStringLiteral("hubs")}).array().size()), hubsBefore);
    }

    void submitAndReplay()
    {
        const Node hub = mustEnrol(m_acme, QStringLiteral("hub"), QStringLiteral("pc2"));
        auto client = clientFor(hub);
        Result<QList<HubSeq>> first = submit(*client, {batch(hub.id, 1, 100)});
        QVERIFY2(first.ok(), first.ok() ? "" : qPrintable(first.error().toString()));
        QCOMPARE(first->size(), 1);
        QCOMPARE(first->first(), (HubSeq{hub.id, 100, 100}));
        // The same batch again: stored once, same highest seq.
        Result<QList<HubSeq>> again = submit(*client, {batch(hub.id, 1, 100)});
        QCOMPARE(again->first(), (HubSeq{hub.id, 100, 0}));
        QCOMPARE(storedCount(hub.id), 100);
        const QJsonArray rows = m_cloud->cliJson({QStringLiteral("measurements"), hub.id}).array();
        QCOMPARE(rows.first()[QStringLiteral("via")].toString(), QStringLiteral("direct"));
        QCOMPARE(rows.at(9)[QStringLiteral("status")].toString(), QStringLiteral("warn"));
        QCOMPARE(rows.at(9)[QStringLiteral("values")][QStringLiteral("load")].toDouble(), 0.10);
        QCOMPARE(hubJson(hub.id)[QStringLiteral("path")].toString(), QStringLiteral("DirectCloud"));
        QCOMPARE(hubJson(hub.id)[QStringLiteral("lastSeq")].toInt(), 100);
    }

    void connectorSubmitsForItsHubsOnly()
    {
        const Node hubA = mustEnrol(m_acme, QStringLiteral("hub"), QStringLiteral("pc3"));
        const Node hubB = mustEnrol(m_acme, QStringLiteral("hub"), QStringLiteral("pc4"));
        const Node connector = mustEnrol(m_acme, QStringLiteral("connector"), QStringLiteral("gw2"));
        const Node foreignConnector =
            mustEnrol(m_other, QStringLiteral("connector"), QStringLiteral("gw-other"));
        auto client = clientFor(connector);
        Result<QList<HubSeq>> r = submit(*client, {batch(hubA.id, 1, 10), batch(hubB.id, 1, 5)});
        QVERIFY(r.ok());
        QCOMPARE(r->size(), 2);
        QCOMPARE(r->at(1), (HubSeq{hubB.id, 5, 5}));
        QCOMPARE(m_cloud->cliJson({QStringLiteral("measurements"), hubA.id})
                     .array()
                     .first()[QStringLiteral("via")]
                     .toString(),
                 connector.id);

        // Another customer's connector: refused, and nothing of the call stored.
        auto foreign = clientFor(foreignConnector);
        r = submit(*foreign, {batch(hubB.id, 6, 10)});
        QVERIFY(!r.ok());
        QCOMPARE(r.error().category, ErrorCategory::Auth);
        QVERIFY(r.error().message.contains(QStringLiteral("another customer")));
        QCOMPARE(storedCount(hubB.id), 5);

        // A hub may submit only for itself: a mixed call stores nothing.
        auto hubClient = clientFor(hubA);
        r = submit(*hubClient, {batch(hubA.id, 11, 20), batch(hubB.id, 6, 10)});
        QVERIFY(!r.ok());
        QCOMPARE(storedCount(hubA.id), 10);
        QCOMPARE(storedCount(hubB.id), 5);
    }

    void invalidMeasurementsStoreNothing()
    {
        const Node hub = mustEnrol(m_acme, QStringLiteral("hub"), QStringLiteral("pc5"));
        auto client = clientFor(hub);
        HubBatch bad = batch(hub.id, 1, 3);
        bad.measurements[2].seq = 0;
        Result<QList<HubSeq>> r = submit(*client, {bad});
        QVERIFY(!r.ok());
        QCOMPARE(r.error().category, ErrorCategory::Input);
        QCOMPARE(storedCount(hub.id), 0);
    }

    void clientCertificateRequired()
    {
        const Node hub = mustEnrol(m_acme, QStringLiteral("hub"), QStringLiteral("pc6"));
        auto client = anonymousClient();
        Result<QList<HubSeq>> r = submit(*client, {batch(hub.id, 1, 1)});
        QVERIFY(!r.ok());
        QCOMPARE(r.error().category, ErrorCategory::Auth);
        QVERIFY(r.error().message.contains(QStringLiteral("client certificate")));
        QCOMPARE(storedCount(hub.id), 0);
    }

    void revokedCertificateIsRefused()
    {
        const Node hub = mustEnrol(m_acme, QStringLiteral("hub"), QStringLiteral("stolen-laptop"));
        const Node connector = mustEnrol(m_acme, QStringLiteral("connector"), QStringLiteral("gw3"));
        auto client = clientFor(hub);
        QVERIFY(submit(*client, {batch(hub.id, 1, 1)}).ok());
        QByteArray output;
        QCOMPARE(m_cloud->cli({QStringLiteral("revoke"), hub.id}, &output), 0);
        // Authentication results are cached for a few seconds at most.
        Result<QList<HubSeq>> r = submit(*client, {batch(hub.id, 2, 2)});
        QVERIFY(test::waitFor(
            [&] {
                if (r.ok())
                    r = submit(*client, {batch(hub.id, 3, 3)});
                return !r.ok();
            },
            10000));
        QVERIFY(r.error().message.contains(QStringLiteral("revoked")));
        QVERIFY(storedCount(hub.id) <= 3);
        // Connectors learn the serial from GetRevocations.
        auto connectorClient = clientFor(connector);
        Result<QStringList> serials =
            test::await<QStringList>([&](auto done) { connectorClient->getRevocations(done); });
        QVERIFY(serials.ok());
        QVERIFY(serials->contains(QString::fromLatin1((*pki::identityOf(hub.certificate)).serial)));
    }

    void commandQueuedAfterPollStartedReachesThatPoll()
    {
        const Node hub = mustEnrol(m_acme, QStringLiteral("hub"), QStringLiteral("pc7"));
        auto client = clientFor(hub);
        std::optional<Result<QList<Command>>> polled;
        QVERIFY(pollHeld(*client, hub.id, 20, [&](Result<QList<Command>> r) { polled = std::move(r); }));
        QVERIFY(!polled); // still waiting
        QByteArray output;
        QCOMPARE(m_cloud->cli(
                     {QStringLiteral("command"), hub.id, QStringLiteral("runSensor"), QStringLiteral("disk")},
                     &output),
                 0);
        const QString commandId = QString::fromUtf8(output).trimmed();
        // The waiting poll takes it (a poll left waiting would end empty after 20 s).
        QVERIFY(test::waitFor([&] { return polled.has_value(); }, 25000));
        QVERIFY(polled->ok());
        QCOMPARE((*polled)->size(), 1);
        QCOMPARE((*polled)->first().id, commandId);
        QCOMPARE((*polled)->first().kind, QStringLiteral("runSensor"));
        QCOMPARE((*polled)->first().args, QStringList{QStringLiteral("disk")});

        Result<bool> stored = test::await<bool>([&](auto done) {
            client->completeCommand(commandId, hub.id, true, QStringLiteral("disk: 42% used"), done);
        });
        QVERIFY(stored.ok() && *stored);
        const QJsonArray log = m_cloud->cliJson({QStringLiteral("commands"), hub.id}).array();
        QCOMPARE(log.size(), 1);
        QCOMPARE(log.first()[QStringLiteral("state")].toString(), QStringLiteral("done"));
        QCOMPARE(log.first()[QStringLiteral("detail")].toString(), QStringLiteral("disk: 42% used"));
        // An empty poll ends at its deadline with nothing.
        QElapsedTimer timer;
        timer.start();
        Result<QList<Command>> empty =
            test::await<QList<Command>>([&](auto done) { client->pollCommands({hub.id}, 2, done); });
        QVERIFY(empty.ok() && empty->isEmpty());
        QVERIFY(timer.elapsed() >= 1800);
    }

    // A poll whose caller went away (its program stopped or was killed while the
    // poll waited) must not take the commands that a live poll waits for: the
    // cloud notices the hang-up even while it does not read from the connection.
    void aPollWhoseCallerLeftTakesNoCommand()
    {
        const Node hub = mustEnrol(m_acme, QStringLiteral("hub"), QStringLiteral("pc-gone"));
        {
            auto gone = clientFor(hub);
            QVERIFY(pollHeld(*gone, hub.id, 25, [](Result<QList<Command>>) {}));
        } // the client goes, and its connection with it: the older poll is a dead one
        auto live = clientFor(hub);
        std::optional<Result<QList<Command>>> polled;
        QVERIFY(pollHeld(*live, hub.id, 25, [&](Result<QList<Command>> r) { polled = std::move(r); }));
        QByteArray output;
        QCOMPARE(m_cloud->cli({QStringLiteral("command"), hub.id, QStringLiteral("reconnect")}, &output), 0);
        const QString commandId = QString::fromUtf8(output).trimmed();
        QVERIFY2(test::waitFor([&] { return polled.has_value(); }, 15000),
                 "the command went to the poll of the caller that left");
        QVERIFY(polled->ok());
        QCOMPARE((*polled)->size(), 1);
        QCOMPARE((*polled)->first().id, commandId);
    }

    void longPollsDoNotBlockOtherCallers()
    {
        // The server runs 2 worker threads (initTestCase); 6 waiting polls must not
        // hold them.
        std::vector<std::unique_ptr<CloudClient>> pollers;
        QList<Node> hubs;
        int answered = 0;
        for (int i = 0; i < 6; ++i) {
            hubs.append(mustEnrol(m_acme, QStringLiteral("hub"), QStringLiteral("poller%1").arg(i)));
            pollers.push_back(clientFor(hubs.last()));
            QVERIFY(
                pollHeld(*pollers.back(), hubs.last().id, 15, [&](Result<QList<Command>>) { ++answered; }));
        }
        // Answered while all six still wait: they hold no thread.
        const Node worker = mustEnrol(m_acme, QStringLiteral("hub"), QStringLiteral("busy"));
        auto client = clientFor(worker);
        QVERIFY(submit(*client, {batch(worker.id, 1, 50)}).ok());
        QCOMPARE(answered, 0);
    }

    void stateConnectorsAndPage()
    {
        const Node connector = mustEnrol(m_acme, QStringLiteral("connector"), QStringLiteral("gw4"));
        const Node hub = mustEnrol(m_acme, QStringLiteral("hub"), QStringLiteral("laptop-vpn"));
        auto client = clientFor(connector);
        ConnectorInfo info{connector.id, QStringLiteral("gw4.acme.example"), {QStringLiteral("192.0.2.4")},
                           11002,        QStringLiteral("forged"),           QStringLiteral(OCC_VERSION)};
        HubState state{hub.id,
                       QStringLiteral("ConnectorVpn"),
                       QString(),
                       QStringLiteral("laptop-vpn"),
                       QStringLiteral("Debian 12"),
                       QStringLiteral("0.1.0"),
                       7,
                       2};
        Result<StateAnswer> accepted =
            test::await<StateAnswer>([&](auto done) { client->reportState(info, {state}, done); });
        QVERIFY2(accepted.ok(), accepted.ok() ? "" : qPrintable(accepted.error().toString()));
        QCOMPARE(accepted->accepted, 1);
        QCOMPARE(accepted->highestSeqs.size(), 1); // what the cloud holds of the hub (nothing yet)
        QCOMPARE(accepted->highestSeqs.first().highestSeq, 0);
        QVERIFY(submit(*client, {batch(hub.id, 1, 3, QStringLiteral("disk"))}).ok());
        const QJsonObject json = hubJson(hub.id);
        QCOMPARE(json[QStringLiteral("path")].toString(), QStringLiteral("ConnectorVpn"));
        QCOMPARE(json[QStringLiteral("connectorId")].toString(), connector.id);
        QCOMPARE(json[QStringLiteral("queueDepth")].toInt(), 7);
        QCOMPARE(json[QStringLiteral("dropped")].toInt(), 2);

        // Hubs learn their customer's connectors, with the fingerprint the TLS
        // handshake proved (not the one the connector claimed).
        auto hubClient = clientFor(hub);
        Result<ConnectorList> list =
            test::await<ConnectorList>([&](auto done) { hubClient->listConnectors(done); });
        QVERIFY(list.ok());
        QCOMPARE(list->highestSeq, 3); // the hub learns what the cloud holds of it
        const QList<ConnectorInfo> *connectors = &list->connectors;
        const auto found =
            std::find_if(connectors->cbegin(), connectors->cend(),
                         [&](const ConnectorInfo &c) { return c.connectorId == connector.id; });
        QVERIFY(found != connectors->cend());
        QCOMPARE(found->fingerprint, QString::fromLatin1(pki::fingerprintOf(connector.certificate)));
        QCOMPARE(found->port, 11002);

        // A hub may not report for others or claim to be a connector.
        Result<StateAnswer> refused =
            test::await<StateAnswer>([&](auto done) { hubClient->reportState(info, {}, done); });
        QVERIFY(!refused.ok());

        // The OCC page, in English and German, on the operator address.
        QNetworkAccessManager manager;
        auto get = [&](const QByteArray &language) {
            QNetworkRequest request(m_cloud->pageUrl()); // the operator address (page/listen)
            QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
            ssl.setCaCertificates(serverCa());
            request.setSslConfiguration(ssl);
            request.setRawHeader("Accept-Language", language);
            QNetworkReply *reply = manager.get(request);
            test::waitFor([&] { return reply->isFinished(); }, 15000);
            const QByteArray body = reply->readAll();
            reply->deleteLater();
            return QString::fromUtf8(body);
        };
        const QString english = get("en-GB,en;q=0.9");
        QVERIFY(english.contains(QStringLiteral("laptop-vpn")));
        QVERIFY(english.contains(QStringLiteral("Connector over VPN")));
        QVERIFY(english.contains(connector.id));
        QVERIFY(english.contains(QStringLiteral("<b>disk</b>")));
        QVERIFY(english.contains(QStringLiteral("http-equiv=\"refresh\"")));
        QVERIFY(!english.contains(QStringLiteral("src=\"http"))); // no external assets
        const QString german = get("de-DE,de;q=0.9,en;q=0.5");
        QVERIFY(german.contains(QStringLiteral("lang=\"de\"")));
        QVERIFY2(german.contains(QStringLiteral("Connector über VPN")), qPrintable(german.left(3000)));
        QVERIFY(german.contains(QStringLiteral("Letzter Kontakt")));
    }

    void renewCertificate()
    {
        const Node hub = mustEnrol(m_acme, QStringLiteral("hub"), QStringLiteral("renewer"));
        auto client = clientFor(hub);
        Result<pki::PrivateKey> key = pki::PrivateKey::generate();
        Result<Certificates> renewed = test::await<Certificates>([&](auto done) {
            client->renewCertificate(*pki::createCsr(*key, QStringLiteral("renewer")), done);
        });
        QVERIFY(renewed.ok());
        const QSslCertificate fresh(renewed->certificatePem);
        Result<pki::Identity> identity =
            pki::verifyPeer(fresh, hub.ca, {pki::Role::Hub, m_acme.id, hub.id, {}});
        QVERIFY(identity.ok());
        QVERIFY(identity->serial != (*pki::identityOf(hub.certificate)).serial);
        Node renewedNode{hub.id, fresh, *key, hub.ca};
        QVERIFY(submit(*clientFor(renewedNode), {batch(hub.id, 1, 1)}).ok());
    }

    void badInputGetsClearFaults_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<QString>("expected");
        QTest::newRow("garbage") << QByteArray("<<<this is not xml") << QStringLiteral("malformed XML");
        QTest::newRow("truncated")
            << envelope("<Enrol xmlns=\"urn:occ-project-org:cloud:1\"><customerId>x").left(120)
            << QStringLiteral("ends early");
        QTest::newRow("wrong namespace")
            << envelope("<Enrol xmlns=\"urn:example:wrong\"><customerId>x</customerId></Enrol>")
            << QStringLiteral("expected 'urn:occ-project-org:cloud:1'");
        QTest::newRow("unknown operation") << envelope("<Launch xmlns=\"urn:occ-project-org:cloud:1\"/>")
                                           << QStringLiteral("unknown operation 'Launch'");
        QTest::newRow("not soap") << QByteArray("<html><body/></html>")
                                  << QStringLiteral("SOAP 1.1 Envelope");
        QTest::newRow("external entity")
            << QByteArray("<?xml version=\"1.0\"?><!DOCTYPE e [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>") +
                   envelope(
                       "<Enrol xmlns=\"urn:occ-project-org:cloud:1\"><customerId>&x;</customerId></Enrol>")
            << QStringLiteral("DTDs are not accepted");
        QTest::newRow("bad enum")
            << envelope("<Enrol xmlns=\"urn:occ-project-org:cloud:1\"><customerId>c</customerId>"
                        "<enrolmentKey>k</enrolmentKey><role>root</role><hostname>h</hostname>"
                        "<csr>x</csr></Enrol>")
            << QStringLiteral("element 'role' must be one of hub, connector");
    }

    void badInputGetsClearFaults()
    {
        QFETCH(QByteArray, body);
        QFETCH(QString, expected);
        const QByteArray answer = rawPost(body);
        QVERIFY2(answer.startsWith("HTTP/1.1 500"), answer.left(200).constData());
        QVERIFY2(answer.contains("<soap:Fault>"), answer.constData());
        QVERIFY2(QString::fromUtf8(answer).contains(expected), answer.constData());
        QVERIFY2(!answer.contains("root:"), "an external entity was resolved");
    }

    void oversizedBodyIsRefusedWhileOthersFlow()
    {
        const Node hub = mustEnrol(m_acme, QStringLiteral("hub"), QStringLiteral("steady"));
        auto client = clientFor(hub);
        // A well-behaved client keeps submitting while a 9 MB body arrives.
        int ok = 0;
        bool busy = true;
        qint64 next = 1;
        std::function<void()> loop = [&] {
            client->submitBatch({batch(hub.id, next, next + 9)}, [&](Result<QList<HubSeq>> r) {
                if (r)
                    ++ok;
                next += 10;
                if (busy)
                    loop();
            });
        };
        loop();
        const QByteArray big(9 * 1024 * 1024, 'a');
        const QByteArray answer = rawPost(big);
        busy = false;
        QVERIFY(test::waitFor([&] { return ok > 0; }, 10000));
        QVERIFY2(answer.contains("Client.TooLarge"), answer.left(300).constData());
        // Without a client certificate the limit is the anonymous one (Enrol is small).
        QVERIFY2(
            answer.contains("exceeds the limit of 65536 bytes for a caller without a client certificate"),
            answer.left(400).constData());
        QVERIFY(ok >= 1);
        // The cloud still serves after it.
        QVERIFY(submit(*client, {batch(hub.id, 100000, 100000)}).ok());
    }

    void curlSpeaksRawSoap()
    {
        // A client that is not KDSoap: curl with a key and CSR from openssl.
        QTemporaryDir tmp;
        const QString key = tmp.filePath(QStringLiteral("key.pem"));
        const QString csr = tmp.filePath(QStringLiteral("req.pem"));
        QCOMPARE(test::run(QStringLiteral("openssl"),
                           {QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-newkey"),
                            QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                            key, QStringLiteral("-subj"), QStringLiteral("/CN=curl-host"),
                            QStringLiteral("-out"), csr}),
                 0);
        const QByteArray enrolBody =
            envelope("<Enrol xmlns=\"urn:occ-project-org:cloud:1\"><customerId>" + m_acme.id.toUtf8() +
                     "</customerId><enrolmentKey>" + m_acme.enrolmentKey.toUtf8() +
                     "</enrolmentKey><role>hub</role><hostname>curl-host</hostname><csr>" +
                     test::readFile(csr) + "</csr></Enrol>");
        QVERIFY(test::writeFile(tmp.filePath(QStringLiteral("enrol.xml")), enrolBody));
        QByteArray output;
        const QStringList common{QStringLiteral("-sS"),
                                 QStringLiteral("--cacert"),
                                 m_cloud->caFile(),
                                 QStringLiteral("-H"),
                                 QStringLiteral("Content-Type: text/xml; charset=utf-8"),
                                 QStringLiteral("-H"),
                                 QStringLiteral("SOAPAction: \"urn:occ-project-org:cloud:1#Enrol\"")};
        QCOMPARE(
            test::run(QStringLiteral("curl"),
                      common + QStringList{QStringLiteral("--data-binary"),
                                           QStringLiteral("@") + tmp.filePath(QStringLiteral("enrol.xml")),
                                           m_cloud->url().toString()},
                      &output),
            0);
        const QRegularExpressionMatch id =
            QRegularExpression(QStringLiteral("<[^>]*id>([^<]+)</")).match(QString::fromUtf8(output));
        const QRegularExpressionMatch cert = QRegularExpression(QStringLiteral("<[^>]*certificate>([^<]+)</"))
                                                 .match(QString::fromUtf8(output));
        QVERIFY2(id.hasMatch() && cert.hasMatch(), output.constData());
        QVERIFY(test::writeFile(tmp.filePath(QStringLiteral("cert.pem")), cert.captured(1).toUtf8()));

        const QByteArray submitBody = envelope(
            "<SubmitBatch xmlns=\"urn:occ-project-org:cloud:1\"><batch><hubId>" + id.captured(1).toUtf8() +
            "</hubId><measurement><seq>1</seq><sensor>curl</sensor><ts>1790000000000</ts><status>ok</status>"
            "<value><name>x</name><number>1.5</number></value></measurement></batch></SubmitBatch>");
        QVERIFY(test::writeFile(tmp.filePath(QStringLiteral("submit.xml")), submitBody));
        QCOMPARE(
            test::run(QStringLiteral("curl"),
                      common + QStringList{QStringLiteral("--cert"), tmp.filePath(QStringLiteral("cert.pem")),
                                           QStringLiteral("--key"), key, QStringLiteral("--data-binary"),
                                           QStringLiteral("@") + tmp.filePath(QStringLiteral("submit.xml")),
                                           m_cloud->url().toString()},
                      &output),
            0);
        QVERIFY2(output.contains("highestSeq>1</"), output.constData());
        QCOMPARE(storedCount(id.captured(1)), 1);
        // And the WSDL is served where the design says.
        QCOMPARE(test::run(QStringLiteral("curl"),
                           {QStringLiteral("-sS"), QStringLiteral("--cacert"), m_cloud->caFile(),
                            m_cloud->url().toString() + QStringLiteral("?wsdl")},
                           &output),
                 0);
        QVERIFY(output.contains("<wsdl:operation name=\"SubmitBatch\">"));
    }

    void dataSurvivesRestart()
    {
        const Node hub = mustEnrol(m_acme, QStringLiteral("hub"), QStringLiteral("survivor"));
        QVERIFY(submit(*clientFor(hub), {batch(hub.id, 1, 40)}).ok());
        m_cloud->stop();
        QVERIFY(m_cloud->start());
        QCOMPARE(storedCount(hub.id), 40);
        auto client = clientFor(hub); // new port
        Result<QList<HubSeq>> r = submit(*client, {batch(hub.id, 31, 50)});
        QVERIFY(r.ok());
        QCOMPARE(r->first(), (HubSeq{hub.id, 50, 10}));
    }

    void postgresBackendAndTwoInstances()
    {
        // Two stateless occ-cloud instances on one real PostgreSQL.
        test::PostgresServer postgres;
        QString error;
        QVERIFY2(postgres.start(&error), qPrintable(error));
        QTemporaryDir dirs;
        // Both instances share the CA passphrase (and so the customer CAs).
        const QString passphrase = dirs.filePath(QStringLiteral("ca-passphrase"));
        const QStringList shared{QStringLiteral("--set"),
                                 QStringLiteral("server/caPassphraseFile=") + passphrase,
                                 QStringLiteral("--set"), QStringLiteral("server/pollWakeup=200")};
        CloudProcess a(dirs.filePath(QStringLiteral("a")), postgres.url(), shared);
        CloudProcess b(dirs.filePath(QStringLiteral("b")), postgres.url(), shared);
        const CloudProcess::Customer customer = a.addCustomer(
            QStringLiteral("Postgres Ltd, a customer whose name is longer than any X.509 subject field"));
        QVERIFY(!customer.id.isEmpty());
        QVERIFY(a.start());
        QVERIFY(b.start());
        Result<Node> node =
            test::enrolNode(a.url(), a.caFile(), customer, QStringLiteral("hub"), QStringLiteral("pg-hub"));
        QVERIFY2(node.ok(), node.ok() ? "" : qPrintable(node.error().toString()));
        auto clientAt = [&](CloudProcess &cloud) { return clientFor(*node, cloud.url(), cloud.caFile()); };
        auto atA = clientAt(a);
        auto atB = clientAt(b);
        const QString hubId = node->id;
        Result<QList<HubSeq>> r = submit(*atA, {batch(hubId, 1, 30)});
        QVERIFY2(r.ok(), r.ok() ? "" : qPrintable(r.error().toString()));
        // The failover replay goes to the other instance: nothing stored twice.
        r = submit(*atB, {batch(hubId, 1, 40)});
        QVERIFY(r.ok());
        QCOMPARE(r->first(), (HubSeq{hubId, 40, 10}));
        QCOMPARE(a.cliJson({QStringLiteral("measurements"), hubId}).array().size(), 40);
        // A command queued through one instance reaches a poll waiting on the other.
        std::optional<Result<QList<Command>>> polled;
        QVERIFY(pollHeld(
            *atB, hubId, 15, [&](Result<QList<Command>> x) { polled = std::move(x); }, &a));
        QCOMPARE(a.cli({QStringLiteral("command"), hubId, QStringLiteral("reloadConfig")}), 0);
        QVERIFY(test::waitFor([&] { return polled.has_value(); }, 8000));
        QVERIFY(polled->ok() && (*polled)->size() == 1);
        // Restart survives on PostgreSQL too.
        b.stop();
        QVERIFY(b.start());
        QCOMPARE(b.cliJson({QStringLiteral("measurements"), hubId}).array().size(), 40);
        a.stop();
        b.stop();
        QVERIFY2(a.sanitizerReport().isEmpty(), a.sanitizerReport().constData());
        QVERIFY2(b.sanitizerReport().isEmpty(), b.sanitizerReport().constData());
    }

    void cleanupTestCase()
    {
        if (!m_cloud)
            return;
        m_cloud->stop();
        QVERIFY2(m_cloud->sanitizerReport().isEmpty(), m_cloud->sanitizerReport().constData());
    }
};

QTEST_GUILESS_MAIN(TestCloudServer)
#include "tst_cloudserver.moc"
