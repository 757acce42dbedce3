// Slow readers at the cloud's front door (issue 23 item 5): a refusal reaches a
// client that reads its answers slowly, and a client that stops reading is closed
// server/refusalTimeout after its last progress. The test runs in a network
// namespace of its own (unshare before anything else) with 4 KiB TCP buffers, so
// answers a client has not read wait in the cloud, not in the kernel; a real
// occ-cloud listens there on loopback and raw TLS clients pipeline to it.
#include "await.h"
#include "cloudprocess.h"
#include "ownnetwork.h"
#include "testutil.h"
#include "timing.h"

#include <cmath>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace occ;
using occ::test::CloudProcess;

namespace {

// 15 WSDL answers (15 KB each) are far more than the kernel holds here, and less
// than the cloud keeps unsent before it stops reading (HttpConnection::
// kMaxUnsentAnswerBytes): all 15 are answered, then the head that never ends.
constexpr int kAnswers = 15;

QByteArray pipelineEndingInAHeadThatNeverEnds()
{
    QByteArray requests;
    for (int i = 0; i < kAnswers; ++i)
        requests += "GET /soap?wsdl HTTP/1.1\r\nHost: a\r\n\r\n";
    return requests + "GET /soap?wsdl HTTP/1.1\r\nHo"; // headerTimeout refuses it with 408
}

// The status codes of the answers in a stream of HTTP answers with Content-Length.
QList<int> statuses(const QByteArray &stream)
{
    QList<int> result;
    qsizetype at = 0;
    while (true) {
        const qsizetype headEnd = stream.indexOf("\r\n\r\n", at);
        if (headEnd < 0 || !stream.sliced(at).startsWith("HTTP/1.1 "))
            break;
        const QByteArray head = stream.sliced(at, headEnd - at).toLower();
        const qsizetype lengthAt = head.indexOf("content-length: ");
        if (lengthAt < 0)
            break;
        const qint64 length =
            head.sliced(lengthAt + 16, head.indexOf('\r', lengthAt) - lengthAt - 16).toLongLong();
        if (stream.size() < headEnd + 4 + length)
            break;
        result.append(stream.sliced(at + 9, 3).toInt());
        at = headEnd + 4 + length;
    }
    return result;
}

} // namespace

class TestSlowReaders : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<CloudProcess> m_cloud;
    int m_refusalSeconds = 2;

    std::unique_ptr<QSslSocket> connectToCloud()
    {
        auto socket = std::make_unique<QSslSocket>();
        QSslConfiguration ssl = socket->sslConfiguration();
        ssl.setCaCertificates(QSslCertificate::fromPath(m_cloud->caFile()));
        socket->setSslConfiguration(ssl);
        socket->connectToHostEncrypted(QStringLiteral("127.0.0.1"), quint16(m_cloud->url().port()));
        if (!socket->waitForEncrypted(test::scaled(10000)))
            qWarning("no TLS: %s", qPrintable(socket->errorString()));
        socket->setReadBufferSize(2048); // Qt reads no further ahead than the test
        return socket;
    }

private slots:
    void initTestCase()
    {
        // An Ethernet-sized MTU: on loopback's 64 KiB one segment alone would be more
        // than the buffers below.
        QCOMPARE(test::run(QStringLiteral("ip"),
                           {QStringLiteral("link"), QStringLiteral("set"), QStringLiteral("lo"),
                            QStringLiteral("mtu"), QStringLiteral("1500"), QStringLiteral("up")}),
                 0);
        // This namespace's TCP buffers: 4 KiB, fixed (no autotuning beyond it).
        for (const char *name : {"/proc/sys/net/ipv4/tcp_rmem", "/proc/sys/net/ipv4/tcp_wmem"})
            QVERIFY2(test::writeFile(QString::fromLatin1(name), "4096 4096 4096\n"), name);
        QCOMPARE(test::readFile(QStringLiteral("/proc/sys/net/ipv4/tcp_wmem")).simplified(),
                 QByteArray("4096 4096 4096"));
        m_refusalSeconds = qMax(2, int(std::ceil(2 * test::timeFactor())));
        m_cloud = std::make_unique<CloudProcess>(
            m_dir.filePath(QStringLiteral("cloud")), QString(),
            QStringList{QStringLiteral("--set"), QStringLiteral("server/threads=1"), QStringLiteral("--set"),
                        QStringLiteral("server/headerTimeout=1"), QStringLiteral("--set"),
                        QStringLiteral("server/refusalTimeout=%1").arg(m_refusalSeconds)});
        QVERIFY(m_cloud->start());
    }

    // A client reading at about 30 KB/s gets every answer it asked for and then the
    // 408 for the head it never finished - most of those answers are still in the
    // cloud when the 408 is written, after the head's deadline has passed.
    void aSlowReaderGetsItsRefusal()
    {
        auto socket = connectToCloud();
        QVERIFY(socket->isEncrypted());
        const qsizetype logBefore = m_cloud->log().size();
        socket->write(pipelineEndingInAHeadThatNeverEnds());
        QByteArray in;
        QElapsedTimer reading;
        reading.start();
        QTimer trickle;
        connect(&trickle, &QTimer::timeout, this, [&] {
            const qint64 allowed = reading.elapsed() * 30 - in.size(); // 30 bytes per ms
            if (allowed > 0)
                in += socket->read(allowed);
        });
        trickle.start(20);
        const bool ended = test::waitFor(
            [&] {
                return socket->state() == QAbstractSocket::UnconnectedState && socket->bytesAvailable() == 0;
            },
            60000);
        trickle.stop();
        const QByteArray log = m_cloud->log().sliced(logBefore);
        const QList<int> got = statuses(in);
        qInfo("read %lld bytes in %lld ms: %lld answers", qint64(in.size()), reading.elapsed(),
              qint64(got.size()));
        QVERIFY2(ended, "the cloud did not close the connection after its refusal");
        QVERIFY2(log.contains("refused with 408"), log.constData());
        QList<int> expected(kAnswers, 200);
        expected.append(408);
        QVERIFY2(got == expected, qPrintable(QStringLiteral("answers %1 of %2 (the last %3); cloud: %4")
                                                 .arg(got.size())
                                                 .arg(expected.size())
                                                 .arg(got.isEmpty() ? 0 : got.last())
                                                 .arg(QString::fromUtf8(log.right(1500)))));
        QVERIFY(!log.contains("did not read its refusal"));
    }

    // A client that stops reading is closed refusalTimeout after its refusal was
    // written, not at once and not never; the cloud serves others meanwhile.
    void aClientThatStopsReadingIsClosedAfterTheRefusalTimeout()
    {
        auto socket = connectToCloud();
        QVERIFY(socket->isEncrypted());
        const qsizetype logBefore = m_cloud->log().size();
        socket->write(pipelineEndingInAHeadThatNeverEnds());
        QVERIFY2(test::waitFor([&] { return m_cloud->log().sliced(logBefore).contains("refused with 408"); },
                               20000),
                 m_cloud->log().sliced(logBefore).constData());
        QElapsedTimer sinceRefusal;
        sinceRefusal.start();
        QVERIFY(test::waitFor(
            [&] { return m_cloud->log().sliced(logBefore).contains("did not read its refusal"); },
            20000 + m_refusalSeconds * 1000));
        const qint64 closedAfter = sinceRefusal.elapsed();
        const QByteArray log = m_cloud->log().sliced(logBefore);
        qInfo("closed %lld ms after the refusal (refusalTimeout %d s)", closedAfter, m_refusalSeconds);
        QVERIFY2(log.contains(QStringLiteral("did not read its refusal (408) for %1 ms")
                                  .arg(m_refusalSeconds * 1000)
                                  .toUtf8()),
                 log.constData());
        // The rule's lower bound (less the log's polling and the sweep's 250 ms).
        QVERIFY2(closedAfter >= m_refusalSeconds * 1000 - 600, qPrintable(QString::number(closedAfter)));
        // Another client is served on the same (single) worker.
        auto other = connectToCloud();
        QVERIFY(other->isEncrypted());
        other->setReadBufferSize(0);
        other->write("GET /soap?wsdl HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
        QByteArray answer;
        QVERIFY(test::waitFor(
            [&] {
                answer += other->readAll();
                return statuses(answer).size() == 1;
            },
            10000));
        QCOMPARE(statuses(answer).first(), 200);
    }

    void cleanupTestCase()
    {
        m_cloud->stop();
        QVERIFY2(m_cloud->sanitizerReport().isEmpty(), m_cloud->sanitizerReport().constData());
    }
};

int main(int argc, char **argv)
{
    return occ::test::execInOwnNetwork<TestSlowReaders>(argc, argv);
}

#include "tst_slowreaders.moc"
