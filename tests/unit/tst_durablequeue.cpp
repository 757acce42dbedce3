#include "queue/durablequeue.h"
#include "testutil.h"

#include <csignal>
#include <cstdio>
#include <QCoreApplication>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <sys/mount.h>

using namespace occ;
using namespace occ::queue;

namespace {

QByteArray payload(qint64 seq, int size = 64)
{
    QByteArray data = "item-" + QByteArray::number(seq) + '-';
    data.append(QByteArray(qMax<qsizetype>(0, size - data.size()), 'x'));
    return data;
}

std::unique_ptr<DurableQueue> openQueue(const QString &path, const QueueOptions &options = {})
{
    Result<std::unique_ptr<DurableQueue>> queue = DurableQueue::open(path, options);
    if (!queue)
        qFatal("open: %s", qPrintable(queue.error().toString()));
    return std::move(queue).value();
}

} // namespace

class TestDurableQueue : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_counter = 0;

    QString freshPath() { return m_dir.filePath(QStringLiteral("q%1.db").arg(++m_counter)); }

private slots:
    void appendPeekAck()
    {
        auto queue = openQueue(freshPath());
        QCOMPARE(*queue->append(QStringLiteral("s"), payload(1)), 1);
        QCOMPARE(*queue->append(QStringLiteral("s"), QList<QByteArray>{payload(2), payload(3)}),
                 (QList<qint64>{2, 3}));
        QCOMPARE(queue->count(), 3);
        Result<QList<QueueItem>> items = queue->peek(QStringLiteral("s"), 10);
        QVERIFY(items.ok());
        QCOMPARE(items->size(), 3);
        for (int i = 0; i < 3; ++i) {
            QCOMPARE(items->at(i).seq, i + 1);
            QCOMPARE(items->at(i).data, payload(i + 1));
        }
        QCOMPARE(*queue->ackUpTo(QStringLiteral("s"), 2), 2);
        QCOMPARE(queue->count(), 1);
        QCOMPARE(queue->peek(QStringLiteral("s"), 10)->first().seq, 3);
        QCOMPARE(*queue->ackUpTo(QStringLiteral("s"), 2), 0); // again: nothing left to delete
    }

    void sequenceSurvivesRestartEvenWhenEmpty()
    {
        const QString path = freshPath();
        {
            auto queue = openQueue(path);
            QVERIFY(
                queue->append(QStringLiteral("hub"), QList<QByteArray>{payload(1), payload(2), payload(3)})
                    .ok());
            QCOMPARE(*queue->ackUpTo(QStringLiteral("hub"), 3), 3);
            QCOMPARE(queue->count(), 0);
        }
        auto queue = openQueue(path);
        QCOMPARE(*queue->append(QStringLiteral("hub"), payload(4)), 4);
        QCOMPARE(*queue->highWaterMark(QStringLiteral("hub")), 4);
    }

    void peekRespectsByteLimit()
    {
        auto queue = openQueue(freshPath());
        QVERIFY(queue
                    ->append(QStringLiteral("s"),
                             QList<QByteArray>{payload(1, 100), payload(2, 100), payload(3, 100)})
                    .ok());
        QCOMPARE(queue->peek(QStringLiteral("s"), 10, 250)->size(), 2);
        // The first item is returned even when it alone exceeds the limit.
        QCOMPARE(queue->peek(QStringLiteral("s"), 10, 10)->size(), 1);
    }

    void dropOldestCountsAndPersists()
    {
        const QString path = freshPath();
        QueueOptions options;
        options.maxBytes = 1000;
        {
            auto queue = openQueue(path, options);
            for (int i = 1; i <= 25; ++i)
                QVERIFY(queue->append(QStringLiteral("hub"), payload(i, 100)).ok());
            QVERIFY(queue->bytes() <= 1000);
            QCOMPARE(queue->count(), 10);
            QCOMPARE(*queue->dropped(QStringLiteral("hub")), 15);
            // The newest survive, in order.
            const QList<QueueItem> items = *queue->peek(QStringLiteral("hub"), 100);
            QCOMPARE(items.first().seq, 16);
            QCOMPARE(items.last().seq, 25);
        }
        auto queue = openQueue(path, options);
        QCOMPARE(*queue->dropped(QStringLiteral("hub")), 15);
        QCOMPARE(queue->bytes(), 1000);
        QVERIFY(!queue->append(QStringLiteral("hub"), QByteArray(1001, 'x')).ok()); // can never fit
    }

    void rejectWhenFull()
    {
        QueueOptions options;
        options.maxBytes = 300;
        options.overflow = Overflow::Reject;
        auto queue = openQueue(freshPath(), options);
        QVERIFY(queue->append(QStringLiteral("a"), QList<QByteArray>{payload(1, 100), payload(2, 100)}).ok());
        QVERIFY(
            !queue->append(QStringLiteral("a"), QList<QByteArray>{payload(3, 100), payload(4, 100)}).ok());
        QCOMPARE(queue->count(), 2);

        Result<AppendOutcome> outcome = queue->appendWithSeqs(
            {{QStringLiteral("b"), 1, payload(1, 100)}, {QStringLiteral("b"), 2, payload(2, 100)}});
        QVERIFY(outcome.ok());
        QVERIFY(outcome->full);
        QCOMPARE(outcome->accepted, 0);
        QCOMPARE(*queue->highWaterMark(QStringLiteral("b")), 0); // nothing of the refused call remains
        QCOMPARE(*queue->dropped(QStringLiteral("a")), 0);
        QVERIFY(queue->ackUpTo(QStringLiteral("a"), 2).ok());
        outcome = queue->appendWithSeqs(
            {{QStringLiteral("b"), 1, payload(1, 100)}, {QStringLiteral("b"), 2, payload(2, 100)}});
        QCOMPARE(outcome->accepted, 2);
    }

    void producerSequencesAndReplays()
    {
        const QString path = freshPath();
        {
            auto queue = openQueue(path);
            Result<AppendOutcome> outcome =
                queue->appendWithSeqs({{QStringLiteral("hub-a"), 10, payload(10)},
                                       {QStringLiteral("hub-b"), 5, payload(5)},
                                       {QStringLiteral("hub-a"), 11, payload(11)}});
            QVERIFY(outcome.ok());
            QCOMPARE(outcome->accepted, 3);
            QCOMPARE(outcome->duplicates, 0);
            // Replay of the same batch plus one new item: only the new one is stored.
            outcome = queue->appendWithSeqs({{QStringLiteral("hub-a"), 10, payload(10)},
                                             {QStringLiteral("hub-a"), 11, payload(11)},
                                             {QStringLiteral("hub-a"), 12, payload(12)}});
            QCOMPARE(outcome->accepted, 1);
            QCOMPARE(outcome->duplicates, 2);
            // Repeated within one call.
            outcome = queue->appendWithSeqs(
                {{QStringLiteral("hub-b"), 6, payload(6)}, {QStringLiteral("hub-b"), 6, payload(6)}});
            QCOMPARE(outcome->accepted, 1);
            QCOMPARE(outcome->duplicates, 1);
            // Forwarded and deleted: a later replay is still recognised.
            QVERIFY(queue->ackUpTo(QStringLiteral("hub-a"), 12).ok());
        }
        auto queue = openQueue(path);
        Result<AppendOutcome> outcome = queue->appendWithSeqs({{QStringLiteral("hub-a"), 11, payload(11)}});
        QCOMPARE(outcome->accepted, 0);
        QCOMPARE(outcome->duplicates, 1);
        QCOMPARE(*queue->pendingStreams(), QStringList{QStringLiteral("hub-b")});
        const QList<QueueItem> all = *queue->peekAll(10);
        QCOMPARE(all.size(), 2);
        QCOMPARE(all.at(0).seq, 5);
        QCOMPARE(all.at(1).seq, 6);
        QVERIFY(queue->raiseHighWaterMark(QStringLiteral("hub-c"), 100).ok());
        QCOMPARE(*queue->highWaterMark(QStringLiteral("hub-c")), 100);
        QCOMPARE(*queue->append(QStringLiteral("hub-c"), payload(101)), 101);
    }

    void crashLosesNothingCommitted()
    {
        // A child appends in a loop and reports every committed seq; it is killed
        // with SIGKILL in the middle. Everything reported must be there, once, in order.
        const QString path = freshPath();
        QProcess child;
        child.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--child-append"), path});
        QVERIFY(child.waitForStarted());
        QList<qint64> reported;
        QByteArray pending;
        while (reported.size() < 400 && child.state() == QProcess::Running) {
            child.waitForReadyRead(5000);
            pending += child.readAllStandardOutput();
            qsizetype newline;
            while ((newline = pending.indexOf('\n')) >= 0) {
                reported.append(pending.left(newline).toLongLong());
                pending.remove(0, newline + 1);
            }
        }
        ::kill(pid_t(child.processId()), SIGKILL);
        child.waitForFinished();
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        QVERIFY(reported.size() >= 400);

        auto queue = openQueue(path);
        const QList<QueueItem> items = *queue->peek(QStringLiteral("crash"), 1'000'000);
        QVERIFY(items.size() >= reported.size());
        // Exactly once and in order: seqs are 1..n without gaps or repeats.
        for (int i = 0; i < items.size(); ++i) {
            QCOMPARE(items.at(i).seq, i + 1);
            QCOMPARE(items.at(i).data, payload(i + 1));
        }
        // Batches report only their last seq; that seq and all before it are present.
        QVERIFY(items.size() >= reported.last());
        // The next append continues after everything that was committed.
        QCOMPARE(*queue->append(QStringLiteral("crash"), payload(0)), items.last().seq + 1);
    }

    void fullDiskIsAClearErrorAndLosesNothing()
    {
        // A 1 MiB tmpfs is a disk that really fills up (tests run as root).
        QTemporaryDir mountPoint;
        QVERIFY2(::mount("tmpfs", mountPoint.path().toLocal8Bit().constData(), "tmpfs", 0, "size=1m") == 0,
                 "mounting a small tmpfs needs root");
        auto cleanup =
            qScopeGuard([&] { ::umount2(mountPoint.path().toLocal8Bit().constData(), MNT_DETACH); });
        // Something else on the disk that the administrator will delete later.
        const QString ballast = mountPoint.filePath(QStringLiteral("ballast"));
        QVERIFY(occ::test::writeFile(ballast, QByteArray(256 * 1024, 'b')));

        QueueOptions options;
        options.maxBytes = 64 * 1024 * 1024; // the disk, not the bound, must be the limit
        const QString path = mountPoint.filePath(QStringLiteral("outbox.db"));
        auto queue = openQueue(path, options);
        qint64 lastGood = 0;
        Error failure;
        for (int i = 1; i < 10000; ++i) {
            Result<qint64> seq = queue->append(QStringLiteral("hub"), payload(i, 4096));
            if (!seq) {
                failure = seq.error();
                break;
            }
            lastGood = *seq;
        }
        QVERIFY2(lastGood > 10, "the disk filled before anything was stored");
        QCOMPARE(failure.category, ErrorCategory::Io);
        QVERIFY2(failure.message.contains(QStringLiteral("full"), Qt::CaseInsensitive),
                 qPrintable(failure.message));
        // Everything committed before the failure is intact.
        QCOMPARE(queue->count(), lastGood);
        QList<QueueItem> items = *queue->peek(QStringLiteral("hub"), 100000);
        QCOMPARE(items.size(), int(lastGood));
        QCOMPARE(items.last().seq, lastGood);

        // The administrator frees space: the queue carries on where it stopped.
        QVERIFY(QFile::remove(ballast));
        QVERIFY(queue->ackUpTo(QStringLiteral("hub"), 5).ok());
        Result<qint64> next = queue->append(QStringLiteral("hub"), payload(lastGood + 1, 4096));
        QVERIFY2(next.ok(), next.ok() ? "" : qPrintable(next.error().toString()));
        QCOMPARE(*next, lastGood + 1);
        queue.reset();
        queue = openQueue(path, options);
        items = *queue->peek(QStringLiteral("hub"), 100000);
        QCOMPARE(items.size(), int(lastGood - 5 + 1));
        for (int i = 0; i < items.size(); ++i) {
            QCOMPARE(items.at(i).seq, i + 6);
            QCOMPARE(items.at(i).data, payload(i + 6, 4096));
        }
    }
};

static int childAppend(const QString &path)
{
    auto queue = openQueue(path);
    for (qint64 i = 1;; ++i) {
        // Alternate single appends and small batches; report after each commit.
        if (i % 3 == 0) {
            Result<QList<qint64>> seqs =
                queue->append(QStringLiteral("crash"), QList<QByteArray>{payload(i), payload(i + 1)});
            if (!seqs)
                return 2;
            ++i;
        } else if (!queue->append(QStringLiteral("crash"), payload(i))) {
            return 2;
        }
        std::printf("%lld\n", static_cast<long long>(i));
        std::fflush(stdout);
    }
}

int main(int argc, char **argv)
{
    if (argc > 2 && qstrcmp(argv[1], "--child-append") == 0)
        return childAppend(QString::fromLocal8Bit(argv[2]));
    QCoreApplication app(argc, argv);
    TestDurableQueue test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_durablequeue.moc"
