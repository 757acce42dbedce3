// Who may see the OCC page (issue 25). The page names every customer, hub and host,
// and there is no sign-in yet: the cloud serves it only on the operator address
// (page/listen, loopback by default), never on the port hubs call from anywhere.
// A real occ-cloud; raw HTTPS from QSslSocket, anonymous and with the client
// certificates of a hub, a connector and a hub of another customer; every byte of
// every answer on the public port is searched for the tenants' names and ids.
// When sign-in lands it replaces the loopback rule; these tests stay.
#include "cloudenrol.h"
#include "cloudprocess.h"
#include "settings/defaults.h"
#include "testutil.h"
#include "timing.h"

#include <QDeadlineTimer>
#include <QHostAddress>
#include <QSslKey>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace occ;
using namespace occ::test;

namespace {

struct Answer
{
    QByteArray bytes; // everything received: status line, headers, body
    int status = 0;
};

} // namespace

class TestPageAccess : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<CloudProcess> m_cloud;
    CloudProcess::Customer m_acme;
    CloudProcess::Customer m_other;
    EnrolledNode m_acmeHub;
    EnrolledNode m_acmeConnector;
    EnrolledNode m_otherHub;
    QStringList m_secrets; // what no one may learn from the public port

    EnrolledNode mustEnrol(const CloudProcess::Customer &customer, const QString &role,
                           const QString &hostname)
    {
        Result<EnrolledNode> node = enrolNode(m_cloud->url(), m_cloud->caFile(), customer, role, hostname);
        if (!node)
            qFatal("enrol: %s", qPrintable(node.error().toString()));
        return *node;
    }

    // One request on its own TLS connection (closed by the request), as a browser,
    // a scanner or a misconfigured client would send it.
    Answer exchange(const QUrl &base, const QByteArray &request, const EnrolledNode *as = nullptr,
                    const CloudProcess *cloud = nullptr) const
    {
        QSslSocket socket;
        QSslConfiguration ssl = socket.sslConfiguration();
        ssl.setCaCertificates(QSslCertificate::fromPath((cloud ? cloud : m_cloud.get())->caFile()));
        if (as) {
            ssl.setLocalCertificate(as->certificate);
            ssl.setPrivateKey(as->key.toQSslKey());
        }
        socket.setSslConfiguration(ssl);
        socket.connectToHostEncrypted(base.host(), quint16(base.port()));
        Answer answer;
        if (!socket.waitForEncrypted(scaled(10000))) {
            answer.bytes = "no TLS: " + socket.errorString().toUtf8();
            return answer;
        }
        socket.write(request);
        QDeadlineTimer deadline(scaled(15000));
        while (!deadline.hasExpired() && socket.state() == QAbstractSocket::ConnectedState) {
            socket.waitForReadyRead(200);
            answer.bytes += socket.readAll();
        }
        answer.bytes += socket.readAll();
        if (answer.bytes.startsWith("HTTP/1.1 "))
            answer.status = answer.bytes.mid(9, 3).toInt();
        return answer;
    }

    static QByteArray get(const QByteArray &target, const QByteArray &method = "GET")
    {
        return method + " " + target + " HTTP/1.1\r\nHost: cloud.example.net\r\nConnection: close\r\n\r\n";
    }

    QStringList leaked(const QByteArray &bytes) const
    {
        QStringList found;
        for (const QString &secret : m_secrets) {
            if (bytes.contains(secret.toUtf8()))
                found << secret;
        }
        return found;
    }

private slots:
    void initTestCase()
    {
        m_cloud = std::make_unique<CloudProcess>(m_dir.filePath(QStringLiteral("cloud")));
        m_acme = m_cloud->addCustomer(QStringLiteral("Acme Pagetest GmbH"));
        m_other = m_cloud->addCustomer(QStringLiteral("Other Pagetest AG"));
        QVERIFY(m_cloud->start());
        QVERIFY2(m_cloud->pageUrl().isValid() && m_cloud->pageUrl().port() > 0,
                 qPrintable(QString::fromUtf8(m_cloud->program().output())));
        QVERIFY(m_cloud->pageUrl().port() != m_cloud->url().port());
        m_acmeHub = mustEnrol(m_acme, QStringLiteral("hub"), QStringLiteral("acme-laptop-7"));
        m_acmeConnector = mustEnrol(m_acme, QStringLiteral("connector"), QStringLiteral("gw.acme-pagetest"));
        m_otherHub = mustEnrol(m_other, QStringLiteral("hub"), QStringLiteral("other-desk-9"));
        m_secrets = {QStringLiteral("Acme Pagetest"),
                     QStringLiteral("Other Pagetest"),
                     m_acme.id,
                     m_other.id,
                     m_acmeHub.id,
                     m_otherHub.id,
                     m_acmeConnector.id,
                     QStringLiteral("acme-laptop-7"),
                     QStringLiteral("other-desk-9"),
                     QStringLiteral("gw.acme-pagetest")};
    }

    // The default keeps the page on loopback.
    void theDefaultIsLoopback()
    {
        const auto found = std::find_if(std::begin(settings::kSettings), std::end(settings::kSettings),
                                        [](const settings::SettingInfo &s) {
                                            return QByteArray(s.key) == QByteArrayLiteral("page/listen");
                                        });
        QVERIFY(found != std::end(settings::kSettings));
        const QString value = QString::fromLatin1(found->defaultValue);
        QVERIFY2(QHostAddress(value.section(QLatin1Char(':'), 0, 0)).isLoopback(), qPrintable(value));
    }

    // The operator address serves the page, with what the public port must hide:
    // without this, finding no names below would prove nothing.
    void operatorAddressServesThePage()
    {
        const Answer page = exchange(m_cloud->pageUrl(), get("/"));
        QCOMPARE(page.status, 200);
        const QStringList shown = leaked(page.bytes);
        for (const QString &expected : m_secrets.mid(0, 6) + QStringList{QStringLiteral("acme-laptop-7"),
                                                                         QStringLiteral("other-desk-9")})
            QVERIFY2(shown.contains(expected), qPrintable(expected));
        QCOMPARE(exchange(m_cloud->pageUrl(), get("/index.html", "HEAD")).status, 200);
        // Only the page there: the API stays on the public port.
        QCOMPARE(exchange(m_cloud->pageUrl(), get("/soap?wsdl")).status, 404);
    }

    void publicPortGivesNoTenantData_data()
    {
        QTest::addColumn<QString>("caller");
        QTest::newRow("anonymous") << QString();
        QTest::newRow("hub of the customer") << QStringLiteral("acme-hub");
        QTest::newRow("connector of the customer") << QStringLiteral("acme-connector");
        QTest::newRow("hub of another customer") << QStringLiteral("other-hub");
    }

    void publicPortGivesNoTenantData()
    {
        QFETCH(QString, caller);
        const EnrolledNode *as = caller == QLatin1StringView("acme-hub")         ? &m_acmeHub
                                 : caller == QLatin1StringView("acme-connector") ? &m_acmeConnector
                                 : caller == QLatin1StringView("other-hub")      ? &m_otherHub
                                                                                 : nullptr;
        const QUrl base = m_cloud->url();
        // The page, its other spellings, and what else a scanner asks for.
        struct Probe
        {
            QByteArray request;
            int expected; // 0: any refusal (4xx)
        };
        const QList<Probe> probes = {
            {get("/"), 404},
            {get("/index.html"), 404},
            {get("/", "HEAD"), 404},
            {get("/?lang=de"), 404},
            {get("/index.html?x=1"), 404},
            {get("/", "POST"), 0},
            {get("//"), 404},
            {get("/./"), 0},
            {get("/%2F"), 0},
            {get("https://cloud.example.net/"), 0},
            {get("/favicon.ico"), 404},
            {get("/hubs"), 404},
            {get("/soap"), 405},
            {get("/soap?wsdl"), 200},
            {"GET / HTTP/1.0\r\n\r\n", 0},
            {"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n", 0},
            {"BREW / HTCPCP/1.0\r\n\r\n", 0},
            {"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + QByteArray(20000, 'a') + "\r\n\r\n", 0},
            {"POST /soap HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 5\r\nConnection: "
             "close\r\n\r\n<oops",
             0},
        };
        for (const Probe &probe : probes) {
            const Answer answer = exchange(base, probe.request, as);
            const QByteArray line = probe.request.left(probe.request.indexOf('\r'));
            QVERIFY2(answer.status != 0, qPrintable(QStringLiteral("%1: no HTTP answer: %2")
                                                        .arg(QString::fromLatin1(line.left(80)),
                                                             QString::fromUtf8(answer.bytes.left(200)))));
            const QStringList found = leaked(answer.bytes);
            QVERIFY2(found.isEmpty(),
                     qPrintable(QStringLiteral("%1 answered with %2: %3")
                                    .arg(QString::fromLatin1(line.left(80)), found.join(QStringLiteral(", ")),
                                         QString::fromUtf8(answer.bytes.left(300)))));
            if (probe.expected != 0)
                QVERIFY2(answer.status == probe.expected,
                         qPrintable(QStringLiteral("%1: %2, expected %3")
                                        .arg(QString::fromLatin1(line.left(80)))
                                        .arg(answer.status)
                                        .arg(probe.expected)));
            else if (probe.request.startsWith("POST /soap"))
                QVERIFY2(answer.status >= 400, qPrintable(QString::fromLatin1(line)));
            else
                QVERIFY2(
                    answer.status >= 400,
                    qPrintable(
                        QStringLiteral("%1: %2").arg(QString::fromLatin1(line.left(80))).arg(answer.status)));
        }
    }

    // page/listen may not be the hubs' port; off serves no page.
    void pageSettingsAreChecked()
    {
        const QString listen = QStringLiteral("127.0.0.1:%1").arg(freePort());
        CloudProcess same(m_dir.filePath(QStringLiteral("cloud-same")), QString(),
                          {QStringLiteral("--listen"), listen, QStringLiteral("--page-listen"), listen});
        QVERIFY(!same.start(10000));
        QVERIFY2(same.log().contains("page/listen may not be server/listen"), same.log().constData());
        CloudProcess none(m_dir.filePath(QStringLiteral("cloud-nopage")), QString(),
                          {QStringLiteral("--page-listen"), QStringLiteral("off")});
        QVERIFY(none.start());
        QVERIFY(none.pageUrl().isEmpty());
        QVERIFY2(none.program().output().contains("OCC page:  off"), none.program().output().constData());
        QCOMPARE(exchange(none.url(), get("/"), nullptr, &none).status, 404);
        none.stop();
        QVERIFY2(none.sanitizerReport().isEmpty(), none.sanitizerReport().constData());
    }

    void cleanupTestCase()
    {
        m_cloud->stop();
        QVERIFY2(m_cloud->sanitizerReport().isEmpty(), m_cloud->sanitizerReport().constData());
    }
};

QTEST_GUILESS_MAIN(TestPageAccess)
#include "tst_pageaccess.moc"
