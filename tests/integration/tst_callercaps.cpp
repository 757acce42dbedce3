// Who counts as one caller at the cloud's front door (issue 23 item 6): an IPv4
// address, or an IPv6 prefix (server/ipv6PrefixLength, /64 by default) - one host
// with a /64 must not get past the per-address caps by rotating its addresses.
// The test runs in a network namespace of its own (unshare before anything else),
// where it gives its loopback interface addresses in two IPv6 /64s; a real
// occ-cloud listens there on [::] (IPv4 too), and raw TLS clients bind to chosen
// source addresses.
#include "cloudprocess.h"
#include "http/connectiongate.h"
#include "ownnetwork.h"
#include "testutil.h"
#include "timing.h"

#include <QCoreApplication>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

using namespace occ;
using occ::cloud::http::ConnectionGate;
using occ::test::CloudProcess;

class TestCallerCaps : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<CloudProcess> m_cloud;
    std::vector<std::unique_ptr<QSslSocket>> m_held;

    // A TLS connection from the given source address; true when the cloud
    // completed the handshake (admitted), false when it closed at once.
    bool connectFrom(const QString &source)
    {
        auto socket = std::make_unique<QSslSocket>();
        QSslConfiguration ssl = socket->sslConfiguration();
        ssl.setCaCertificates(QSslCertificate::fromPath(m_cloud->caFile()));
        ssl.setPeerVerifyMode(QSslSocket::VerifyNone); // the name is not what counts here
        socket->setSslConfiguration(ssl);
        if (!socket->bind(QHostAddress(source), 0)) {
            qWarning("cannot bind %s: %s", qPrintable(source), qPrintable(socket->errorString()));
            return false;
        }
        const QHostAddress target(source.contains(QLatin1Char(':')) ? QStringLiteral("fd00:0:0:1::1")
                                                                    : QStringLiteral("127.0.0.1"));
        socket->connectToHostEncrypted(target.toString(), quint16(m_cloud->url().port()));
        const bool admitted = socket->waitForEncrypted(test::scaled(10000));
        if (admitted)
            m_held.push_back(std::move(socket)); // stays open (anonymous, pending)
        return admitted;
    }

private slots:
    void callerKeys()
    {
        const auto key = [](const char *address, int prefix = 64) {
            return ConnectionGate::callerKey(QHostAddress(QLatin1StringView(address)), prefix);
        };
        QCOMPARE(key("192.0.2.7"), QByteArray("192.0.2.7"));
        QCOMPARE(key("::ffff:192.0.2.7"), QByteArray("192.0.2.7"));
        QCOMPARE(key("2001:db8:1:2::7"), QByteArray("2001:db8:1:2::/64"));
        QCOMPARE(key("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), key("2001:db8:1:2::1"));
        QVERIFY(key("2001:db8:1:2::1") != key("2001:db8:1:3::1"));
        QCOMPARE(key("2001:db8:1:2:aaaa::1", 56), QByteArray("2001:db8:1::/56"));
        QCOMPARE(key("2001:db8::1", 128), QByteArray("2001:db8::1/128"));
        QCOMPARE(key("::1"), QByteArray("::/64"));
    }

    void initTestCase()
    {
        for (const QStringList &command :
             {QStringList{QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"),
                          QStringLiteral("up")},
              QStringList{QStringLiteral("-6"), QStringLiteral("addr"), QStringLiteral("add"),
                          QStringLiteral("fd00:0:0:1::1/64"), QStringLiteral("dev"), QStringLiteral("lo"),
                          QStringLiteral("nodad")},
              QStringList{QStringLiteral("-6"), QStringLiteral("addr"), QStringLiteral("add"),
                          QStringLiteral("fd00:0:0:1::2/64"), QStringLiteral("dev"), QStringLiteral("lo"),
                          QStringLiteral("nodad")},
              QStringList{QStringLiteral("-6"), QStringLiteral("addr"), QStringLiteral("add"),
                          QStringLiteral("fd00:0:0:1::3/64"), QStringLiteral("dev"), QStringLiteral("lo"),
                          QStringLiteral("nodad")},
              QStringList{QStringLiteral("-6"), QStringLiteral("addr"), QStringLiteral("add"),
                          QStringLiteral("fd00:0:0:2::2/64"), QStringLiteral("dev"), QStringLiteral("lo"),
                          QStringLiteral("nodad")}})
            QCOMPARE(test::run(QStringLiteral("ip"), command), 0);
        m_cloud = std::make_unique<CloudProcess>(
            m_dir.filePath(QStringLiteral("cloud")), QString(),
            QStringList{QStringLiteral("--listen"), QStringLiteral("[::]:0"), QStringLiteral("--set"),
                        QStringLiteral("server/maxConnectionsPerAddress=2"), QStringLiteral("--set"),
                        QStringLiteral("server/maxAnonymousPerAddress=2")});
        QVERIFY(m_cloud->start());
    }

    // Two addresses of one /64 share its caps; another /64 has its own.
    void ipv6CallersArePerPrefix()
    {
        QVERIFY(connectFrom(QStringLiteral("fd00:0:0:1::2")));
        QVERIFY(connectFrom(QStringLiteral("fd00:0:0:1::2")));
        QVERIFY2(!connectFrom(QStringLiteral("fd00:0:0:1::3")),
                 "a second address of the same /64 got past its cap");
        QVERIFY(connectFrom(QStringLiteral("fd00:0:0:2::2")));
    }

    // IPv4 stays per address.
    void ipv4CallersArePerAddress()
    {
        QVERIFY(connectFrom(QStringLiteral("127.0.0.2")));
        QVERIFY(connectFrom(QStringLiteral("127.0.0.2")));
        QVERIFY(!connectFrom(QStringLiteral("127.0.0.2")));
        QVERIFY(connectFrom(QStringLiteral("127.0.0.3")));
    }

    void cleanupTestCase()
    {
        m_held.clear();
        m_cloud->stop();
        QVERIFY2(m_cloud->sanitizerReport().isEmpty(), m_cloud->sanitizerReport().constData());
    }
};

int main(int argc, char **argv)
{
    return occ::test::execInOwnNetwork<TestCallerCaps>(argc, argv);
}

#include "tst_callercaps.moc"
