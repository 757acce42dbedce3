// The cloud's storage, run twice: against SQLite and against a real PostgreSQL
// started by the test (initdb + pg_ctl on a loopback port).
#include "postgres.h"
#include "storage/commandqueue.h"
#include "storage/database.h"
#include "storage/measurementstore.h"
#include "storage/registry.h"

#include <QCoreApplication>
#include <QSqlDatabase>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

using namespace occ;
using namespace occ::cloud;

namespace {

protocol::Measurement m(qint64 seq, const QString &sensor = QStringLiteral("cpu"), double value = 1.0)
{
    protocol::Measurement out;
    out.seq = seq;
    out.sensor = sensor;
    out.ts = 1'790'000'000'000 + seq;
    out.status = protocol::Status::Ok;
    out.values = {{QStringLiteral("v"), value}};
    out.text = QStringLiteral("t%1").arg(seq);
    return out;
}

cloudapi::HubBatch batch(const QString &hub, qint64 from, qint64 to)
{
    cloudapi::HubBatch b;
    b.hubId = hub;
    for (qint64 s = from; s <= to; ++s)
        b.measurements.append(m(s));
    return b;
}

} // namespace

class TestCloudStorage : public QObject
{
    Q_OBJECT
public:
    explicit TestCloudStorage(QString url)
        : m_url(std::move(url))
    {}

private:
    QString m_url;
    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db;
    int m_hubs = 0;

    // A customer with one enrolled hub; returns the hub id.
    QString enrolHub(Registry &registry, const QString &customer = QStringLiteral("cust-a"))
    {
        if (!*registry.customer(customer))
            registry.addCustomer({customer, customer, "salt", "hash", "ca-pem", "key-pem", 1}).ok();
        const QString id = QStringLiteral("hub-%1").arg(++m_hubs);
        const Result<void> added =
            registry.addNode({id, customer, QStringLiteral("hub"), QStringLiteral("host-") + id, 2},
                             "serial-" + id.toLatin1(), "fp", 9'999'999'999'999, 3);
        if (!added)
            qFatal("%s", qPrintable(added.error().toString()));
        return id;
    }

private slots:
    void initTestCase()
    {
        qInfo() << "backend:" << m_url;
        Result<DatabaseConfig> config = DatabaseConfig::fromUrl(m_url, m_dir.path());
        QVERIFY(config.ok());
        m_db = std::make_unique<Database>(*config);
        Result<void> migrated = m_db->migrate();
        QVERIFY2(migrated.ok(), migrated.ok() ? "" : qPrintable(migrated.error().toString()));
    }

    void migrationIsIdempotent()
    {
        QVERIFY(m_db->migrate().ok());
        Result<QSqlQuery> q =
            m_db->query(QStringLiteral("SELECT COUNT(*), MAX(version) FROM schema_version"));
        QVERIFY(q.ok() && q->next());
        QCOMPARE(q->value(0).toInt(), 1);
        QCOMPARE(q->value(1).toInt(), 1);
    }

    void registryAndRevocation()
    {
        Registry registry(*m_db);
        const QString hub = enrolHub(registry);
        Result<std::optional<NodeRecord>> node = registry.node(hub);
        QVERIFY(node.ok() && node->has_value());
        QCOMPARE((*node)->role, QStringLiteral("hub"));
        QVERIFY(!*registry.node(QStringLiteral("nope")));
        QCOMPARE(*registry.isRevoked("serial-" + hub.toLatin1()), false);
        QCOMPARE(*registry.isRevoked("unknown-serial"), true); // no record: never trusted
        QVERIFY(
            registry.addCertificate(hub, QStringLiteral("cust-a"), "renewed-" + hub.toLatin1(), "fp2", 1, 4)
                .ok());
        QCOMPARE(*registry.revoke(hub, 5), 2);
        QCOMPARE(*registry.revoke(hub, 6), 0);
        QVERIFY(*registry.isRevoked("serial-" + hub.toLatin1()));
        QVERIFY(registry.revokedSerials(QStringLiteral("cust-a"))->contains(QStringLiteral("serial-") + hub));
        QVERIFY(registry.revokedSerials(QStringLiteral("cust-b"))->isEmpty());
    }

    void connectors()
    {
        Registry registry(*m_db);
        enrolHub(registry);
        QVERIFY(registry
                    .addNode({QStringLiteral("conn-1"), QStringLiteral("cust-a"), QStringLiteral("connector"),
                              QStringLiteral("gw"), 1},
                             "conn-serial", "fp", 1, 1)
                    .ok());
        cloudapi::ConnectorInfo info{QStringLiteral("conn-1"),
                                     QStringLiteral("gw.example"),
                                     {QStringLiteral("10.0.0.2"), QStringLiteral("10.8.0.1")},
                                     11002,
                                     QStringLiteral("ab"),
                                     QStringLiteral("0.1")};
        QVERIFY(registry.upsertConnector(QStringLiteral("cust-a"), info, 10).ok());
        info.port = 11005;
        QVERIFY(registry.upsertConnector(QStringLiteral("cust-a"), info, 11).ok());
        const QList<cloudapi::ConnectorInfo> list = *registry.connectors(QStringLiteral("cust-a"));
        QCOMPARE(list.size(), 1);
        QCOMPARE(list.first(), info);
        QVERIFY(registry.connectors(QStringLiteral("cust-b"))->isEmpty());
    }

    void idempotentIngest()
    {
        Registry registry(*m_db);
        MeasurementStore store(*m_db);
        const QString hub = enrolHub(registry);
        Result<cloudapi::HubSeq> first =
            store.ingest(QStringLiteral("cust-a"), batch(hub, 1, 250), QString(), 100);
        QVERIFY2(first.ok(), first.ok() ? "" : qPrintable(first.error().toString()));
        QCOMPARE(first->stored, 250);
        QCOMPARE(first->highestSeq, 250);
        // The same batch again (a replay after failover): nothing new, same answer.
        Result<cloudapi::HubSeq> again =
            store.ingest(QStringLiteral("cust-a"), batch(hub, 1, 250), QStringLiteral("conn-1"), 101);
        QCOMPARE(again->stored, 0);
        QCOMPARE(again->highestSeq, 250);
        // Overlapping batch: only the new part.
        Result<cloudapi::HubSeq> overlap =
            store.ingest(QStringLiteral("cust-a"), batch(hub, 200, 300), QString(), 102);
        QCOMPARE(overlap->stored, 50);
        QCOMPARE(overlap->highestSeq, 300);
        const QList<StoredMeasurement> rows = *store.measurements(hub, 0, 1000);
        QCOMPARE(rows.size(), 300);
        for (int i = 0; i < rows.size(); ++i)
            QCOMPARE(rows.at(i).measurement, m(i + 1));
        const HubRecord record = **store.hub(hub);
        QCOMPARE(record.count, 300);
        QCOMPARE(record.lastSeq, 300);
        QCOMPARE(record.lastSeen, 102);
        QCOMPARE(record.path, QStringLiteral("DirectCloud")); // first delivery fills the path in
    }

    void latestKeepsTheNewest()
    {
        Registry registry(*m_db);
        MeasurementStore store(*m_db);
        const QString hub = enrolHub(registry);
        cloudapi::HubBatch b{hub,
                             {m(5, QStringLiteral("disk"), 50), m(7, QStringLiteral("disk"), 70),
                              m(6, QStringLiteral("cpu"), 6)}};
        QVERIFY(store.ingest(QStringLiteral("cust-a"), b, QString(), 1).ok());
        cloudapi::HubBatch older{hub, {m(3, QStringLiteral("disk"), 30)}}; // arrives late (replay)
        QVERIFY(store.ingest(QStringLiteral("cust-a"), older, QString(), 2).ok());
        const QList<protocol::Measurement> latest = *store.latest(hub);
        QCOMPARE(latest.size(), 2);
        QCOMPARE(latest.at(0).sensor, QStringLiteral("cpu"));
        QCOMPARE(latest.at(1).sensor, QStringLiteral("disk"));
        QCOMPARE(latest.at(1).values.value(QStringLiteral("v")), 70.0);
    }

    void concurrentReplaysStoreOnce()
    {
        // Two threads (two cloud workers, or two instances on PostgreSQL) get the
        // same batch at once: every seq is stored exactly once.
        Registry registry(*m_db);
        const QString hub = enrolHub(registry);
        std::atomic<int> stored{0};
        std::atomic<int> failures{0};
        auto worker = [&] {
            MeasurementStore store(*m_db);
            for (int round = 0; round < 5; ++round) {
                Result<cloudapi::HubSeq> r = store.ingest(
                    QStringLiteral("cust-a"), batch(hub, 1 + round * 100, 100 + round * 100), QString(), 1);
                if (r)
                    stored += r->stored;
                else
                    ++failures;
            }
        };
        QThread *a = QThread::create(worker);
        QThread *b = QThread::create(worker);
        a->start();
        b->start();
        QVERIFY(a->wait(60000) && b->wait(60000));
        delete a;
        delete b;
        QCOMPARE(failures.load(), 0);
        QCOMPARE(stored.load(), 500);
        MeasurementStore store(*m_db);
        QCOMPARE(store.measurements(hub, 0, 10000)->size(), 500);
    }

    void stateReports()
    {
        Registry registry(*m_db);
        MeasurementStore store(*m_db);
        const QString hub = enrolHub(registry);
        QVERIFY(store
                    .reportState(QStringLiteral("cust-a"),
                                 {hub, QStringLiteral("ConnectorVpn"), QStringLiteral("conn-1"),
                                  QStringLiteral("laptop"), QStringLiteral("Debian"), QStringLiteral("0.1"),
                                  12, 3},
                                 50)
                    .ok());
        HubRecord r = **store.hub(hub);
        QCOMPARE(r.path, QStringLiteral("ConnectorVpn"));
        QCOMPARE(r.connectorId, QStringLiteral("conn-1"));
        QCOMPARE(r.queueDepth, 12);
        QCOMPARE(r.dropped, 3);
        QCOMPARE(r.lastSeen, 50);
        // A later report without host name keeps the known one; a direct one clears the connector.
        QVERIFY(store
                    .reportState(QStringLiteral("cust-a"),
                                 {hub, QStringLiteral("DirectCloud"), {}, {}, {}, {}, 0, 3}, 60)
                    .ok());
        r = **store.hub(hub);
        QCOMPARE(r.hostname, QStringLiteral("laptop"));
        QCOMPARE(r.path, QStringLiteral("DirectCloud"));
        QVERIFY(r.connectorId.isEmpty());
        QVERIFY(store.touch({hub}, 70).ok());
        QCOMPARE((*store.hub(hub))->lastSeen, 70);
        QVERIFY(store.hubs(QStringLiteral("cust-a"))->size() >= 1);
    }

    void commandQueue()
    {
        Registry registry(*m_db);
        CommandQueue queue(*m_db);
        const QString hub = enrolHub(registry);
        const QString other = enrolHub(registry);
        QVERIFY(!queue.enqueue(hub, QStringLiteral("format-disk"), {}, 1000, QStringLiteral("t"), 0).ok());
        QVERIFY(!queue.enqueue(hub, QStringLiteral("runSensor"), {}, 1000, QStringLiteral("t"), 0).ok());
        Result<CommandRecord> reconnect =
            queue.enqueue(hub, QStringLiteral("reconnect"), {}, 1'000'000, QStringLiteral("t"), 1000);
        Result<CommandRecord> run = queue.enqueue(hub, QStringLiteral("runSensor"), {QStringLiteral("cpu")},
                                                  1'000'000, QStringLiteral("t"), 1001);
        Result<CommandRecord> stale =
            queue.enqueue(hub, QStringLiteral("reloadConfig"), {}, 5, QStringLiteral("t"), 1002);
        QVERIFY2(reconnect.ok(), reconnect.ok() ? "" : qPrintable(reconnect.error().toString()));
        QVERIFY(run.ok() && stale.ok());

        QVERIFY(queue.takeDeliverable({other}, 2000)->isEmpty());
        QList<cloudapi::Command> taken = *queue.takeDeliverable({hub, other}, 2000, 60'000);
        QCOMPARE(taken.size(), 2); // the expired one is not delivered
        QCOMPARE(taken.at(0).id, reconnect->id);
        QCOMPARE(taken.at(1).args, QStringList{QStringLiteral("cpu")});
        QVERIFY(queue.takeDeliverable({hub}, 3000, 60'000)->isEmpty()); // delivered, result not due yet
        // No result within the redelivery time: delivered again (at least once).
        taken = *queue.takeDeliverable({hub}, 2000 + 60'001, 60'000);
        QCOMPARE(taken.size(), 2);

        QCOMPARE(*queue.complete(run->id, hub, true, QStringLiteral("ran"), 70'000), true);
        QCOMPARE(*queue.complete(run->id, hub, true, QStringLiteral("again"), 70'001), false);
        QCOMPARE(*queue.complete(reconnect->id, other, true, QString(), 70'002), false); // wrong hub
        QVERIFY(queue.takeDeliverable({hub}, 2000 + 200'000, 60'000)->isEmpty() ==
                false); // reconnect still open
        const QList<CommandRecord> log = *queue.list(80'000, hub);
        QCOMPARE(log.size(), 3);
        QHash<QString, CommandRecord> byId;
        for (const CommandRecord &c : log)
            byId.insert(c.id, c);
        QCOMPARE(byId.value(run->id).state, QStringLiteral("done"));
        QCOMPARE(byId.value(run->id).detail, QStringLiteral("ran"));
        QCOMPARE(byId.value(stale->id).state, QStringLiteral("expired"));
    }

    void cleanupTestCase() { m_db.reset(); }
};

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int failures = 0;
    {
        TestCloudStorage sqlite(QString{});
        failures += QTest::qExec(&sqlite, argc, argv);
    }
    occ::test::PostgresServer postgres;
    QString error;
    if (!postgres.start(&error)) {
        qCritical("FAIL: cannot start PostgreSQL for the storage tests: %s", qPrintable(error));
        return 1;
    }
    {
        TestCloudStorage pg(postgres.url());
        failures += QTest::qExec(&pg, argc, argv);
    }
    return failures;
}

#include "tst_cloudstorage.moc"
