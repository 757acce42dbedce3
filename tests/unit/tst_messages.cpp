#include "protocol/messages.h"

#include <QTest>

using namespace occ::protocol;

namespace {

Measurement measurement(qint64 seq)
{
    Measurement m;
    m.seq = seq;
    m.sensor = QStringLiteral("cpu");
    m.ts = 1'790'000'000'000 + seq;
    m.status = Status::Warn;
    m.values = {{QStringLiteral("load1"), 0.75}, {QStringLiteral("cores"), 2}};
    m.text = QStringLiteral("load is high: ÄÖÜ ✓");
    return m;
}

// One filled-in example of every message type.
QList<Message> everyMessage()
{
    Hello hello;
    hello.hubId = QStringLiteral("hub-1");
    hello.hostname = QStringLiteral("pc1.example.net");
    hello.os = QStringLiteral("Debian GNU/Linux 12");
    hello.agentVersion = QStringLiteral("0.1.0");
    Batch batch;
    batch.items = {measurement(1), measurement(2), measurement(9'007'199'254'740'993)};
    CommandResult result{QStringLiteral("cmd-7"), true, QStringLiteral("done")};
    StateReport state{QStringLiteral("ConnectorVpn"), 12, 3, 1'790'000'000'123};
    Welcome welcome;
    welcome.connectorId = QStringLiteral("conn-1");
    Command command{
        QStringLiteral("cmd-8"), QStringLiteral("runSensor"), {QStringLiteral("disk")}, 1'790'000'009'000};
    ErrorReport error{QStringLiteral("frame-too-large"), QStringLiteral("frame of 1048577 bytes")};
    return {hello, batch, result, state, Ping{41}, Pong{41}, welcome, Ack{77}, command, error};
}

} // namespace

class TestMessages : public QObject
{
    Q_OBJECT

private slots:
    void everyTypeHasAnExample()
    {
        QSet<MessageType> covered;
        for (const Message &message : everyMessage())
            covered.insert(typeOf(message));
        QCOMPARE(covered.size(), int(std::size(kMessages)));
        QCOMPARE(int(std::variant_size_v<Message>), int(std::size(kMessages)));
    }

    void roundTrip_data()
    {
        QTest::addColumn<int>("index");
        const QList<Message> messages = everyMessage();
        for (int i = 0; i < messages.size(); ++i)
            QTest::newRow(messageInfo(typeOf(messages.at(i))).name) << i;
    }

    void roundTrip()
    {
        QFETCH(int, index);
        const Message original = everyMessage().at(index);
        const QByteArray frame = encode(original);
        QVERIFY(!frame.isEmpty());
        FrameDecoder decoder;
        decoder.feed(frame);
        const std::optional<QCborMap> map = decoder.next();
        QVERIFY(map);
        QCOMPARE(map->value(QStringLiteral("t")).toString(),
                 QLatin1StringView(messageInfo(typeOf(original)).name));
        occ::Result<Message> decoded = decode(*map);
        QVERIFY2(decoded.ok(), decoded.ok() ? "" : qPrintable(decoded.error().message));
        QVERIFY(*decoded == original);
    }

    void unknownKeysAreIgnored()
    {
        QCborMap map = toCbor(Ack{5});
        map.insert(QStringLiteral("future"), QStringLiteral("feature"));
        occ::Result<Message> decoded = decode(map);
        QVERIFY(decoded.ok());
        QCOMPARE(std::get<Ack>(*decoded).upTo, 5);
    }

    void optionalFieldsMayBeAbsent()
    {
        QCborMap map;
        map.insert(QStringLiteral("t"), QStringLiteral("hello"));
        map.insert(QStringLiteral("v"), 1);
        map.insert(QStringLiteral("hubId"), QStringLiteral("h"));
        occ::Result<Message> decoded = decode(map);
        QVERIFY(decoded.ok());
        QCOMPARE(std::get<Hello>(*decoded).hostname, QString());
    }

    void errors_data()
    {
        QTest::addColumn<QCborMap>("map");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("mentions");

        QCborMap noType = toCbor(Ack{1});
        noType.remove(QStringLiteral("t"));
        QTest::newRow("missing t") << noType << int(FrameError::MissingType) << QStringLiteral("'t'");

        QCborMap numericType = toCbor(Ack{1});
        numericType.insert(QStringLiteral("t"), 3);
        QTest::newRow("t not text") << numericType << int(FrameError::MissingType) << QStringLiteral("'t'");

        QCborMap unknown = toCbor(Ack{1});
        unknown.insert(QStringLiteral("t"), QStringLiteral("launch"));
        QTest::newRow("unknown type") << unknown << int(FrameError::UnknownType) << QStringLiteral("launch");

        QCborMap missing = toCbor(Ack{1});
        missing.remove(QStringLiteral("upTo"));
        QTest::newRow("missing field") << missing << int(FrameError::BadField) << QStringLiteral("upTo");

        QCborMap wrongType = toCbor(Ack{1});
        wrongType.insert(QStringLiteral("upTo"), QStringLiteral("seven"));
        QTest::newRow("wrong type") << wrongType << int(FrameError::BadField) << QStringLiteral("upTo");

        QCborMap floatSeq = toCbor(Ack{1});
        floatSeq.insert(QStringLiteral("upTo"), 1.5);
        QTest::newRow("float for integer") << floatSeq << int(FrameError::BadField) << QStringLiteral("upTo");

        Batch batch;
        batch.items = {measurement(1)};
        QCborMap badStatus = toCbor(batch);
        QCborArray items = badStatus.value(QStringLiteral("items")).toArray();
        QCborMap item = items.at(0).toMap();
        item.insert(QStringLiteral("status"), QStringLiteral("fine"));
        items[0] = item;
        badStatus.insert(QStringLiteral("items"), items);
        QTest::newRow("bad status") << badStatus << int(FrameError::BadField) << QStringLiteral("items");

        QCborMap badValues = toCbor(batch);
        items = badValues.value(QStringLiteral("items")).toArray();
        item = items.at(0).toMap();
        QCborMap values;
        values.insert(QStringLiteral("x"), QStringLiteral("not a number"));
        item.insert(QStringLiteral("values"), values);
        items[0] = item;
        badValues.insert(QStringLiteral("items"), items);
        QTest::newRow("bad value") << badValues << int(FrameError::BadField) << QStringLiteral("items");

        QCborMap nanValue = toCbor(batch);
        items = nanValue.value(QStringLiteral("items")).toArray();
        item = items.at(0).toMap();
        values = QCborMap();
        values.insert(QStringLiteral("x"), std::numeric_limits<double>::quiet_NaN());
        item.insert(QStringLiteral("values"), values);
        items[0] = item;
        nanValue.insert(QStringLiteral("items"), items);
        QTest::newRow("NaN value") << nanValue << int(FrameError::BadField) << QStringLiteral("items");

        QCborMap itemsNotArray = toCbor(batch);
        itemsNotArray.insert(QStringLiteral("items"), 5);
        QTest::newRow("items not array")
            << itemsNotArray << int(FrameError::BadField) << QStringLiteral("items");
    }

    void errors()
    {
        QFETCH(QCborMap, map);
        QFETCH(int, code);
        QFETCH(QString, mentions);
        FrameError actual = FrameError::BadCbor;
        occ::Result<Message> decoded = decode(map, &actual);
        QVERIFY(!decoded.ok());
        QCOMPARE(int(actual), code);
        QVERIFY2(decoded.error().message.contains(mentions), qPrintable(decoded.error().message));
    }

    void directionTable()
    {
        QCOMPARE(messageInfo(MessageType::Hello).direction, Direction::HubToConnector);
        QCOMPARE(messageInfo(MessageType::Cmd).direction, Direction::ConnectorToHub);
        QCOMPARE(messageInfo(MessageType::Ping).direction, Direction::Both);
    }
};

QTEST_GUILESS_MAIN(TestMessages)
#include "tst_messages.moc"
