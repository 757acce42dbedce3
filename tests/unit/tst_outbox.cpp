// The hub's outbox (ARCHITECTURE §9) on the real SQLite queue: seq assignment that
// survives restarts, replay after a seq, deletion only on delivery, drops counted
// beyond the bound, and a full disk that loses nothing while the hub runs.
#include "core/clock.h"
#include "outbox/outbox.h"
#include "protocol/measurementrules.h"
#include "testutil.h"
#include "timing.h"

#include <QFile>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <sys/mount.h>

using namespace occ;
using namespace occ::hub;

namespace {

protocol::Measurement measurement(int i, int textBytes = 10)
{
    protocol::Measurement m;
    m.sensor = QStringLiteral("s%1").arg(i % 3);
    m.ts = 1'700'000'000'000 + i;
    m.status = protocol::Status::Ok;
    m.values.insert(QStringLiteral("v"), i);
    m.text = QString(textBytes, QLatin1Char('x'));
    return m;
}

} // namespace

class TestOutbox : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    ManualClock m_clock;

    std::unique_ptr<Outbox> open(const QString &path, qint64 maxBytes = 100 * 1024 * 1024)
    {
        queue::QueueOptions options;
        options.maxBytes = maxBytes;
        options.overflow = queue::Overflow::DropOldest;
        Result<std::unique_ptr<Outbox>> outbox = Outbox::open(path, options, m_clock);
        if (!outbox)
            qFatal("outbox: %s", qPrintable(outbox.error().message));
        return std::move(outbox).value();
    }

    // A small tmpfs as the data folder (needs root), removed at the end of the scope.
    struct SmallDisk
    {
        QTemporaryDir dir;
        bool mounted = false;
        explicit SmallDisk(const char *size)
        {
            mounted = ::mount("tmpfs", dir.path().toLocal8Bit().constData(), "tmpfs", 0,
                              (QByteArray("size=") + size).constData()) == 0;
        }
        ~SmallDisk()
        {
            if (mounted)
                ::umount2(dir.path().toLocal8Bit().constData(), MNT_DETACH);
        }
        QString path(const QString &name) const { return dir.filePath(name); }
        // Fills what is left with a ballast file.
        void fill() const
        {
            QFile ballast(path(QStringLiteral("ballast")));
            ballast.open(QIODevice::Append);
            const QByteArray block(4096, 'b');
            while (ballast.write(block) == block.size() && ballast.flush()) {
            }
        }
        void empty() const { QFile::remove(path(QStringLiteral("ballast"))); }
    };

    std::unique_ptr<Outbox> openSmall(const QString &path, int maxInMemory = 10000)
    {
        OutboxOptions options;
        options.queue.overflow = queue::Overflow::DropOldest;
        options.queue.fullSync = false;
        options.maxInMemory = maxInMemory;
        options.reserveBytes = 256 * 1024;
        Result<std::unique_ptr<Outbox>> outbox = Outbox::open(path, options, m_clock);
        if (!outbox)
            qWarning("outbox: %s", qPrintable(outbox.error().message));
        return outbox ? std::move(outbox).value() : nullptr;
    }

private slots:
    // Issue 9 item 9: batches are bounded by bytes as well as count, and what the
    // sensors produce is made to fit the cloud's rules.
    void batchesAreBoundedByBytesAndResultsFitTheRules()
    {
        auto outbox = open(m_dir.filePath(QStringLiteral("bytes.db")));
        for (int i = 1; i <= 300; ++i)
            QVERIFY(outbox->add(measurement(i, 9000)) > 0);
        Result<QList<protocol::Measurement>> batch = outbox->after(0, 500);
        QVERIFY(batch);
        QVERIFY2(batch->size() > 10 && batch->size() < 300, qPrintable(QString::number(batch->size())));
        qint64 encoded = 0;
        for (const protocol::Measurement &m : std::as_const(*batch)) {
            QCOMPARE(m.text.size(), protocol::MeasurementLimits::maxText);
            QVERIFY(protocol::validateMeasurement(m).ok());
            encoded += m.text.size();
        }
        QVERIFY(encoded <= Outbox::kMaxBatchBytes);
        QCOMPARE(protocol::encode(protocol::Batch{*batch}).isEmpty(), false); // fits one frame
        // A result larger than the budget still leaves, alone.
        Result<QList<protocol::Measurement>> one = outbox->after(0, 500, 10);
        QVERIFY(one);
        QCOMPARE(one->size(), 1);
    }

    void seqOrderReplayAndDelivery()
    {
        const QString path = m_dir.filePath(QStringLiteral("a.db"));
        {
            auto outbox = open(path);
            QSignalSpy added(outbox.get(), &Outbox::added);
            for (int i = 1; i <= 10; ++i)
                QCOMPARE(outbox->add(measurement(i)), i);
            QCOMPARE(added.size(), 10);
            QCOMPARE(outbox->depth(), 10);
            const QList<protocol::Measurement> first = *outbox->after(0, 4);
            QCOMPARE(first.size(), 4);
            QCOMPARE(first.first().seq, 1);
            protocol::Measurement expected = measurement(1);
            expected.seq = 1;
            QCOMPARE(first.first(), expected);
            QCOMPARE(outbox->after(4, 100)->first().seq, 5);
            QCOMPARE(outbox->lastDelivery(), 0);
            outbox->delivered(6);
            QCOMPARE(outbox->depth(), 4);
            QCOMPARE(outbox->lastDelivery(), m_clock.epochMs());
        }
        // A restart: what was not delivered is still there, seq continues.
        auto outbox = open(path);
        QCOMPARE(outbox->depth(), 4);
        QCOMPARE(outbox->after(0, 100)->first().seq, 7);
        QCOMPARE(outbox->add(measurement(11)), 11);
        QCOMPARE(outbox->highestSeq(), 11);
    }

    void overflowDropsTheOldestAndCounts()
    {
        auto outbox = open(m_dir.filePath(QStringLiteral("b.db")), 64 * 1024);
        for (int i = 1; i <= 200; ++i)
            outbox->add(measurement(i, 1000));
        QVERIFY(outbox->dropped() > 0);
        QCOMPARE(outbox->depth() + outbox->dropped(), 200);
        const QList<protocol::Measurement> left = *outbox->after(0, 1000);
        QCOMPARE(left.last().seq, 200); // the newest stay
        QCOMPARE(left.first().seq, outbox->dropped() + 1);
    }

    // Issue 9 item 14: drops at the in-memory cap are counted, and everything that
    // waits in memory when the hub stops is written (the reserve gives room) or
    // counted as dropped - never lost silently.
    void diskFullDropsAndStopsAreCounted()
    {
        SmallDisk disk("2m");
        QVERIFY2(disk.mounted, "mounting a small tmpfs needs root");
        const QString path = disk.path(QStringLiteral("outbox.db"));
        qint64 written = 0;
        {
            auto outbox = openSmall(path, 50);
            QVERIFY(outbox);
            QVERIFY(QFile::exists(path + QStringLiteral(".reserve")));
            for (int i = 1; i <= 30; ++i)
                written += outbox->add(measurement(i, 2000)) > 0;
            disk.fill();
            int inMemory = 0;
            for (int i = 31; i <= 2000 && inMemory < 120; ++i) {
                if (outbox->add(measurement(i, 2000)) > 0)
                    ++written;
                else
                    ++inMemory;
            }
            QCOMPARE(inMemory, 120);
            QCOMPARE(outbox->waitingInMemory(), 50);
            QCOMPARE(outbox->dropped(), 70); // the cap: counted, not only logged
            QVERIFY(!outbox->storageProblem().isEmpty());
            QCOMPARE(outbox->depth() + outbox->dropped(), written + 120);
            outbox->close(); // the hub stops while the disk is full
        }
        auto again = openSmall(path, 50);
        QVERIFY(again);
        qInfo("%lld written before the disk filled; after the stop: %lld in the outbox, %lld dropped",
              written, again->depth(), again->dropped());
        QCOMPARE(again->depth() + again->dropped(), written + 120);
        QVERIFY(again->depth() >= written + 50 ||
                again->dropped() > 70); // the reserve took the 50, or they are counted
    }

    // A hub (or its service restart loop) must start on a full disk: results wait
    // in memory, status says why, and they are written once there is room.
    void opensOnAFullDisk()
    {
        SmallDisk disk("1m");
        QVERIFY2(disk.mounted, "mounting a small tmpfs needs root");
        const QString path = disk.path(QStringLiteral("outbox.db"));
        {
            auto outbox = openSmall(path);
            QVERIFY(outbox);
            QCOMPARE(outbox->add(measurement(1)), 1);
        }
        QFile::remove(path + QStringLiteral(".reserve"));
        disk.fill();
        auto outbox = openSmall(path);
        QVERIFY2(outbox, "the outbox must open on a full disk");
        for (int i = 2; i <= 11; ++i)
            outbox->add(measurement(i));
        QVERIFY(outbox->depth() >= 10);
        QVERIFY(!outbox->storageProblem().isEmpty());
        disk.empty();
        QTRY_COMPARE_WITH_TIMEOUT(outbox->storageProblem(), QString(), test::scaled(15000));
        QCOMPARE(outbox->waitingInMemory(), 0);
        QCOMPARE(outbox->highestSeq(), 11);
        QCOMPARE(outbox->depth(), 11);
        QCOMPARE(outbox->dropped(), 0);
    }

    // A 2 MB data folder holds a hub that delivers: the WAL does not grow until the
    // disk is full.
    void walStaysBoundedInASmallFolder()
    {
        SmallDisk disk("3m");
        QVERIFY2(disk.mounted, "mounting a small tmpfs needs root");
        auto outbox = openSmall(disk.path(QStringLiteral("outbox.db")));
        QVERIFY(outbox);
        for (int i = 1; i <= 3000; ++i) {
            QVERIFY2(outbox->add(measurement(i, 200)) > 0,
                     qPrintable(QStringLiteral("result %1: %2").arg(i).arg(outbox->storageProblem())));
            if (i % 20 == 0)
                outbox->delivered(i);
        }
        QCOMPARE(outbox->dropped(), 0);
    }

    // Issue 9 item 7: an outbox behind what the cloud has seen continues above it,
    // its waiting results renumbered in order.
    void floorRaisedFromTheCloud()
    {
        auto outbox = open(m_dir.filePath(QStringLiteral("floor.db")));
        for (int i = 1; i <= 5; ++i)
            QCOMPARE(outbox->add(measurement(i)), i);
        outbox->raiseFloor(3, QStringLiteral("the cloud")); // normal: nothing changes
        QCOMPARE(outbox->highestSeq(), 5);
        outbox->delivered(2);
        outbox->raiseFloor(100, QStringLiteral("the cloud")); // the outbox was reset
        const QList<protocol::Measurement> rest = *outbox->after(0, 100);
        QCOMPARE(rest.size(), 3);
        QCOMPARE(rest.at(0).seq, 101);
        QCOMPARE(rest.at(2).seq, 103);
        QCOMPARE(rest.at(0).values.value(QStringLiteral("v")), 3.0);
        QCOMPARE(outbox->add(measurement(6)), 104);
    }

    void fullDiskKeepsResultsInMemoryUntilThereIsRoom()
    {
        QTemporaryDir mountPoint;
        QVERIFY2(::mount("tmpfs", mountPoint.path().toLocal8Bit().constData(), "tmpfs", 0, "size=1m") == 0,
                 "mounting a small tmpfs needs root");
        auto cleanup =
            qScopeGuard([&] { ::umount2(mountPoint.path().toLocal8Bit().constData(), MNT_DETACH); });
        const QString ballast = mountPoint.filePath(QStringLiteral("ballast"));
        QVERIFY(test::writeFile(ballast, QByteArray(640 * 1024, 'b')));
        auto outbox = open(mountPoint.filePath(QStringLiteral("outbox.db")));
        int written = 0;
        int inMemory = 0;
        for (int i = 1; i <= 1000 && inMemory < 20; ++i) {
            if (outbox->add(measurement(i, 1000)) > 0)
                ++written;
            else
                ++inMemory;
        }
        QVERIFY2(written > 10 && inMemory == 20,
                 qPrintable(QStringLiteral("%1 %2").arg(written).arg(inMemory)));
        QCOMPARE(outbox->depth(), written + inMemory); // nothing lost while the hub runs
        // Space again: the waiting results go to disk in order, with the next seqs.
        QVERIFY(QFile::remove(ballast));
        outbox->delivered(written); // the connector acknowledged what it had
        QSignalSpy added(outbox.get(), &Outbox::added);
        // The retry timer writes them (in steps, as SQLite finds room).
        QTRY_COMPARE_WITH_TIMEOUT(outbox->after(0, 1000)->size(), inMemory, test::scaled(15000));
        QVERIFY(!added.isEmpty());
        const QList<protocol::Measurement> rest = *outbox->after(0, 1000);
        for (int i = 0; i < rest.size(); ++i) {
            QCOMPARE(rest.at(i).seq, written + 1 + i);
            QCOMPARE(rest.at(i).values.value(QStringLiteral("v")), double(written + 1 + i));
        }
    }
};

QTEST_GUILESS_MAIN(TestOutbox)
#include "tst_outbox.moc"
