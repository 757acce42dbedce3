#include "protocol/frame.h"

#include <QCborArray>
#include <QRandomGenerator>
#include <QtEndian>
#include <QTest>

using namespace occ::protocol;

class TestFrame : public QObject
{
    Q_OBJECT

    static QCborMap sample(int i)
    {
        QCborMap map;
        map.insert(QStringLiteral("t"), QStringLiteral("ping"));
        map.insert(QStringLiteral("n"), i);
        map.insert(QStringLiteral("pad"), QString(i % 300, QLatin1Char('x')));
        return map;
    }

    static QByteArray header(quint32 length)
    {
        QByteArray bytes(4, Qt::Uninitialized);
        qToBigEndian<quint32>(length, bytes.data());
        return bytes;
    }

    static QList<QCborMap> drain(FrameDecoder &decoder)
    {
        QList<QCborMap> frames;
        while (auto frame = decoder.next())
            frames.append(*frame);
        return frames;
    }

private slots:
    void roundTrip()
    {
        const QByteArray frame = encodeFrame(sample(7));
        QCOMPARE(qFromBigEndian<quint32>(frame.constData()), quint32(frame.size() - 4));
        FrameDecoder decoder;
        decoder.feed(frame);
        const QList<QCborMap> frames = drain(decoder);
        QCOMPARE(frames.size(), 1);
        QCOMPARE(frames.first(), sample(7));
        QVERIFY(!decoder.failure());
        QCOMPARE(decoder.buffered(), 0);
    }

    void byteByByte()
    {
        QByteArray stream;
        for (int i = 0; i < 50; ++i)
            stream += encodeFrame(sample(i));
        FrameDecoder decoder;
        QList<QCborMap> frames;
        for (char byte : std::as_const(stream)) {
            decoder.feed(QByteArrayView(&byte, 1));
            frames += drain(decoder);
        }
        QCOMPARE(frames.size(), 50);
        for (int i = 0; i < 50; ++i)
            QCOMPARE(frames.at(i), sample(i));
        QVERIFY(!decoder.failure());
    }

    void randomChunks()
    {
        QByteArray stream;
        for (int i = 0; i < 200; ++i)
            stream += encodeFrame(sample(i));
        QRandomGenerator random(20261121);
        for (int round = 0; round < 100; ++round) {
            FrameDecoder decoder;
            QList<QCborMap> frames;
            qsizetype position = 0;
            while (position < stream.size()) {
                const qsizetype chunk = qMin<qsizetype>(random.bounded(1, 700), stream.size() - position);
                decoder.feed(QByteArrayView(stream.constData() + position, chunk));
                position += chunk;
                frames += drain(decoder);
            }
            QCOMPARE(frames.size(), 200);
            for (int i = 0; i < 200; ++i)
                QCOMPARE(frames.at(i), sample(i));
        }
    }

    void maximumSizeIsAccepted()
    {
        // A byte string payload sized so that the whole CBOR map is exactly 1 MiB.
        QCborMap map;
        map.insert(QStringLiteral("t"), QStringLiteral("x"));
        map.insert(QStringLiteral("b"), QByteArray(10, 'a'));
        const qsizetype overhead = map.toCborValue().toCbor().size() - 10;
        // Length prefix of the byte string grows from 1 to 5 bytes for large sizes.
        map.insert(QStringLiteral("b"), QByteArray(kMaxFramePayload - overhead - 4, 'a'));
        const QByteArray frame = encodeFrame(map);
        QCOMPARE(frame.size(), kMaxFramePayload + 4);
        FrameDecoder decoder;
        decoder.feed(frame);
        QCOMPARE(drain(decoder).size(), 1);
        QVERIFY(!decoder.failure());
    }

    void tooLargeFailsAtTheHeader()
    {
        FrameDecoder decoder;
        decoder.feed(header(quint32(kMaxFramePayload + 1)));
        QVERIFY(!decoder.next());
        QVERIFY(decoder.failure());
        QCOMPARE(decoder.failure()->code, FrameError::TooLarge);
        QCOMPARE(frameErrorCode(decoder.failure()->code), QStringLiteral("frame-too-large"));
        // Whatever follows is ignored and not buffered.
        decoder.feed(QByteArray(4096, 'z'));
        QCOMPARE(decoder.buffered(), 0);
        QVERIFY(!decoder.next());
    }

    void encoderRefusesOversizedMaps()
    {
        QCborMap map;
        map.insert(QStringLiteral("b"), QByteArray(kMaxFramePayload + 1, 'a'));
        QVERIFY(encodeFrame(map).isEmpty());
    }

    void emptyFrame()
    {
        FrameDecoder decoder;
        decoder.feed(header(0));
        QVERIFY(!decoder.next());
        QCOMPARE(decoder.failure()->code, FrameError::Empty);
    }

    void badCbor_data()
    {
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<int>("expected");
        QTest::newRow("reserved additional info") << QByteArray("\x1c", 1) << int(FrameError::BadCbor);
        QTest::newRow("truncated map") << QByteArray("\xa2\x61t", 3) << int(FrameError::BadCbor);
        QTest::newRow("break without indefinite") << QByteArray("\xff", 1) << int(FrameError::BadCbor);
        QTest::newRow("bad utf8 text") << QByteArray("\xa1\x61t\x62\xc3\x28", 6) << int(FrameError::BadCbor);
        QTest::newRow("trailing bytes") << QByteArray("\xa0\x00", 2) << int(FrameError::BadCbor);
        QTest::newRow("array not map") << QByteArray("\x82\x01\x02", 3) << int(FrameError::NotAMap);
        QTest::newRow("integer not map") << QByteArray("\x05", 1) << int(FrameError::NotAMap);
    }

    void badCbor()
    {
        QFETCH(QByteArray, payload);
        QFETCH(int, expected);
        FrameDecoder decoder;
        decoder.feed(header(quint32(payload.size())) + payload);
        QVERIFY(!decoder.next());
        QVERIFY(decoder.failure());
        QCOMPARE(int(decoder.failure()->code), expected);
        QVERIFY(!decoder.failure()->message.isEmpty());
    }

    void errorIsSticky()
    {
        FrameDecoder decoder;
        decoder.feed(header(1) + QByteArray("\xff", 1));
        QVERIFY(!decoder.next());
        decoder.feed(encodeFrame(sample(1)));
        QVERIFY(!decoder.next());
        QCOMPARE(decoder.failure()->code, FrameError::BadCbor);
    }

    void framesAfterPartialHeader()
    {
        // A frame split inside its 4-byte header.
        const QByteArray frame = encodeFrame(sample(3));
        FrameDecoder decoder;
        decoder.feed(frame.left(2));
        QVERIFY(!decoder.next());
        decoder.feed(frame.mid(2, 3));
        QVERIFY(!decoder.next());
        decoder.feed(frame.mid(5));
        QCOMPARE(drain(decoder), QList<QCborMap>{sample(3)});
    }
};

QTEST_GUILESS_MAIN(TestFrame)
#include "tst_frame.moc"
