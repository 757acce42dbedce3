// The cloud front door's request parser (cloud/http/httpparser): what it accepts,
// and every request-smuggling shape it must refuse (issue 23 item 3), byte by byte.
#include "http/httpparser.h"

#include <QTest>

using occ::cloud::http::HttpLimits;
using occ::cloud::http::HttpParser;
using occ::cloud::http::HttpRequest;

class TestHttpParser : public QObject
{
    Q_OBJECT

    static HttpParser::State parseAll(HttpParser &parser, QByteArray bytes) { return parser.parse(bytes); }

private slots:
    void acceptsWhatClientsSend_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QByteArray>("method");
        QTest::addColumn<QByteArray>("body");
        QTest::newRow("GET") << QByteArray("GET /soap?wsdl HTTP/1.1\r\nHost: a\r\n\r\n") << QByteArray("GET")
                             << QByteArray();
        QTest::newRow("HTTP/1.0 without Host")
            << QByteArray("GET / HTTP/1.0\r\n\r\n") << QByteArray("GET") << QByteArray();
        QTest::newRow("POST") << QByteArray(
                                     "POST /soap HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello")
                              << QByteArray("POST") << QByteArray("hello");
        QTest::newRow("the same Content-Length twice")
            << QByteArray(
                   "POST /soap HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nhi")
            << QByteArray("POST") << QByteArray("hi");
    }

    void acceptsWhatClientsSend()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QByteArray, method);
        QFETCH(QByteArray, body);
        // Whole, and one byte at a time.
        for (const bool byteByByte : {false, true}) {
            HttpParser parser(HttpLimits{});
            parser.setAuthenticated(true);
            QByteArray buffer;
            HttpParser::State state = HttpParser::State::Head;
            if (byteByByte) {
                for (const char c : std::as_const(bytes)) {
                    buffer.append(c);
                    state = parser.parse(buffer);
                    QVERIFY(state != HttpParser::State::Error);
                }
            } else {
                buffer = bytes;
                state = parser.parse(buffer);
            }
            QCOMPARE(state, HttpParser::State::Complete);
            const HttpRequest request = parser.takeRequest();
            QCOMPARE(request.method, method);
            QCOMPARE(request.body, body);
            QVERIFY(buffer.isEmpty());
        }
    }

    void refusesAmbiguousAndMalformedHeads_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("message");
        QTest::newRow("two Host fields") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") << 400
                                         << QStringLiteral("more than one Host header");
        QTest::newRow("two equal Host fields") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n")
                                               << 400 << QStringLiteral("more than one Host header");
        QTest::newRow("Transfer-Encoding")
            << QByteArray("POST /soap HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
                          "chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n")
            << 411 << QStringLiteral("Transfer-Encoding is not accepted");
        QTest::newRow("Transfer-Encoding and Content-Length")
            << QByteArray("POST /soap HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: "
                          "chunked\r\n\r\n0\r\n\r\n")
            << 411 << QStringLiteral("Transfer-Encoding is not accepted");
        QTest::newRow("empty Transfer-Encoding")
            << QByteArray(
                   "POST /soap HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\nContent-Length: 1\r\n\r\nx")
            << 411 << QStringLiteral("Transfer-Encoding is not accepted");
        QTest::newRow("differing Content-Length")
            << QByteArray(
                   "POST /soap HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc")
            << 400 << QStringLiteral("conflicting Content-Length headers");
        QTest::newRow("Content-Length list")
            << QByteArray("POST /soap HTTP/1.1\r\nHost: a\r\nContent-Length: "
                          "2, 2\r\n\r\nab")
            << 400 << QStringLiteral("Content-Length must be a number");
        QTest::newRow("signed Content-Length")
            << QByteArray("POST /soap HTTP/1.1\r\nHost: a\r\nContent-Length: +2\r\n\r\nab") << 400
            << QStringLiteral("Content-Length must be a number");
        QTest::newRow("obs-fold") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n  folded\r\n\r\n")
                                  << 400 << QStringLiteral("folded header lines are not accepted");
        QTest::newRow("no Host in HTTP/1.1") << QByteArray("GET / HTTP/1.1\r\nX-A: 1\r\n\r\n") << 400
                                             << QStringLiteral("HTTP/1.1 requests need a Host header");
        QTest::newRow("bare LF") << QByteArray("GET / HTTP/1.1\r\nHost: a\nX-A: 1\r\n\r\n") << 400
                                 << QStringLiteral("must end with CRLF");
        QTest::newRow("space before the colon") << QByteArray("GET / HTTP/1.1\r\nHost : a\r\n\r\n") << 400
                                                << QStringLiteral("malformed header field");
        QTest::newRow("absolute target") << QByteArray("GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n") << 400
                                         << QStringLiteral("must be a path");
        QTest::newRow("HTTP/2 preface") << QByteArray("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") << 505
                                        << QStringLiteral("only HTTP/1.0 and HTTP/1.1");
        QTest::newRow("POST without length") << QByteArray("POST /soap HTTP/1.1\r\nHost: a\r\n\r\n") << 411
                                             << QStringLiteral("needs a Content-Length");
        QByteArray many = "GET / HTTP/1.1\r\nHost: a\r\n";
        for (int i = 0; i < 64; ++i)
            many += "X-" + QByteArray::number(i) + ": 1\r\n";
        QTest::newRow("65 header fields") << many + "\r\n"
                                          << 431 << QStringLiteral("more than 64 header fields");
        QTest::newRow("head over the limit")
            << "GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + QByteArray(16 * 1024, 'a') + "\r\n\r\n"
            << 431 << QStringLiteral("larger than 16384 bytes");
    }

    void refusesAmbiguousAndMalformedHeads()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, status);
        QFETCH(QString, message);
        HttpParser parser(HttpLimits{});
        parser.setAuthenticated(true);
        QCOMPARE(parseAll(parser, bytes), HttpParser::State::Error);
        QCOMPARE(parser.status(), status);
        QVERIFY2(parser.message().contains(message), qPrintable(parser.message()));
    }

    // Two requests in one buffer (pipelining): each is taken whole, nothing of the
    // second is taken for the body of the first.
    void pipelinedRequestsStayApart()
    {
        HttpParser parser(HttpLimits{});
        QByteArray buffer = "POST /soap HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc"
                            "GET /second HTTP/1.1\r\nHost: a\r\n\r\n";
        QCOMPARE(parser.parse(buffer), HttpParser::State::Complete);
        QCOMPARE(parser.takeRequest().body, QByteArray("abc"));
        QCOMPARE(parser.parse(buffer), HttpParser::State::Complete);
        QCOMPARE(parser.takeRequest().path, QByteArray("/second"));
        QVERIFY(buffer.isEmpty());
    }

    void bodyOverTheLimitIsRefusedBeforeItIsRead()
    {
        HttpParser parser(HttpLimits{});
        QByteArray buffer = "POST /soap HTTP/1.1\r\nHost: a\r\nContent-Length: 70000\r\n\r\n";
        QCOMPARE(parser.parse(buffer), HttpParser::State::Error); // anonymous: 64 KiB
        QCOMPARE(parser.status(), 413);
        QCOMPARE(parser.refusedBodyBytes(), 70000);
    }
};

QTEST_GUILESS_MAIN(TestHttpParser)
#include "tst_httpparser.moc"
