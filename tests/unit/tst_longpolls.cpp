// The cloud's waiting PollCommands calls (cloud/soap/longpoll) over a real SQLite
// command queue. The case that matters: an answer leaves, and the caller's next
// poll arrives while the answer is still being written (the front door may read it
// in the same turn of the event loop). That poll must be kept, not dropped.
#include "await.h"
#include "core/clock.h"
#include "soap/longpoll.h"
#include "storage/commandqueue.h"
#include "storage/database.h"
#include "storage/registry.h"

#include <QTemporaryDir>
#include <QTest>

using namespace occ;
using namespace occ::cloud;

// In a helper that returns a value: a failed step fails the test and returns {}.
#define QVERIFY_RESULT(expression)                                                                           \
    do {                                                                                                     \
        if (const auto r = (expression); !r) {                                                               \
            QTest::qFail(qPrintable(r.error().message), __FILE__, __LINE__);                                 \
            return {};                                                                                       \
        }                                                                                                    \
    } while (false)

class TestLongPolls : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<Database> m_db;
    std::unique_ptr<CommandQueue> m_commands;
    ManualClock m_clock;

    // Commands belong to enrolled hubs (a foreign key): enrol the hub first.
    QString enqueue(const QString &hubId, const QString &kind)
    {
        Registry registry(*m_db);
        if (!*registry.customer(QStringLiteral("cust-a")))
            QVERIFY_RESULT(registry.addCustomer({QStringLiteral("cust-a"), QStringLiteral("Cust A"), "salt",
                                                 "hash", "ca-pem", "key-pem", 1}));
        if (!*registry.node(hubId))
            QVERIFY_RESULT(registry.addNode(
                {hubId, QStringLiteral("cust-a"), QStringLiteral("hub"), QStringLiteral("host-") + hubId, 2},
                "serial-" + hubId.toLatin1(), "fp", 9'999'999'999'999, 3));
        Result<CommandRecord> r =
            m_commands->enqueue(hubId, kind, {}, 600'000, QStringLiteral("test"), m_clock.epochMs());
        if (!r)
            qWarning("cannot queue a command: %s", qPrintable(r.error().message));
        return r ? r->id : QString();
    }

private slots:
    void init()
    {
        DatabaseConfig config;
        config.sqlitePath = m_dir.filePath(QStringLiteral("cloud-%1.db").arg(QTest::currentTestFunction()));
        m_db = std::make_unique<Database>(config);
        QVERIFY(m_db->migrate());
        m_commands = std::make_unique<CommandQueue>(*m_db);
    }

    void cleanup()
    {
        m_commands.reset();
        m_db.reset();
    }

    void aWaiterGetsItsCommand()
    {
        LongPolls polls(*m_commands, m_clock, 10);
        QStringList got;
        polls.wait(
            {QStringLiteral("hub-a")}, m_clock.epochMs() + 25'000, [] { return true; },
            [&](const QList<cloudapi::Command> &commands) {
                for (const cloudapi::Command &c : commands)
                    got << c.id;
            });
        const QString id = enqueue(QStringLiteral("hub-a"), QStringLiteral("reconnect"));
        QVERIFY(test::waitFor([&] { return !got.isEmpty(); }, 5000));
        QCOMPARE(got, QStringList{id});
        QCOMPARE(polls.waiting(), 0);
    }

    // The next poll comes in from inside the answer to the previous one.
    void aPollMadeWhileAnsweringIsKept()
    {
        LongPolls polls(*m_commands, m_clock, 10);
        QStringList first;
        QStringList second;
        const auto answerSecond = [&](const QList<cloudapi::Command> &commands) {
            for (const cloudapi::Command &c : commands)
                second << c.id;
        };
        polls.wait(
            {QStringLiteral("hub-a")}, m_clock.epochMs() + 25'000, [] { return true; },
            [&](const QList<cloudapi::Command> &commands) {
                for (const cloudapi::Command &c : commands)
                    first << c.id;
                // Re-entrant, as the front door does it for a pipelined poll.
                polls.wait(
                    {QStringLiteral("hub-a")}, m_clock.epochMs() + 25'000, [] { return true; }, answerSecond);
            });
        const QString a = enqueue(QStringLiteral("hub-a"), QStringLiteral("reloadConfig"));
        QVERIFY(test::waitFor([&] { return !first.isEmpty(); }, 5000));
        QCOMPARE(first, QStringList{a});
        QCOMPARE(polls.waiting(), 1); // the second poll waits
        const QString b = enqueue(QStringLiteral("hub-a"), QStringLiteral("collectDiagnostics"));
        QVERIFY2(test::waitFor([&] { return !second.isEmpty(); }, 5000),
                 "the poll made while the first was answered was lost");
        QCOMPARE(second, QStringList{b});
    }

    // Many waiters, each answer adding a new one: none is lost, none answered twice.
    void manyReentrantWaitersAreAllKept()
    {
        LongPolls polls(*m_commands, m_clock, 10);
        QHash<QString, int> answers;
        std::function<void(const QString &)> waitFor = [&](const QString &hub) {
            polls.wait(
                {hub}, m_clock.epochMs() + 25'000, [] { return true; },
                [&, hub](const QList<cloudapi::Command> &commands) {
                    answers[hub] += int(commands.size());
                    if (answers[hub] < 3)
                        waitFor(hub);
                });
        };
        QStringList hubs;
        for (int i = 0; i < 20; ++i) {
            hubs << QStringLiteral("hub-%1").arg(i);
            waitFor(hubs.last());
        }
        for (int round = 0; round < 3; ++round) {
            for (const QString &hub : std::as_const(hubs))
                enqueue(hub, QStringLiteral("reconnect"));
            QVERIFY2(test::waitFor(
                         [&] {
                             for (const QString &hub : std::as_const(hubs)) {
                                 if (answers.value(hub) < round + 1)
                                     return false;
                             }
                             return true;
                         },
                         5000),
                     qPrintable(QStringLiteral("round %1").arg(round)));
        }
        for (const QString &hub : std::as_const(hubs))
            QCOMPARE(answers.value(hub), 3);
        QCOMPARE(polls.waiting(), 0);
    }

    void aWaiterIsAnsweredEmptyAtItsDeadline()
    {
        LongPolls polls(*m_commands, m_clock, 10);
        bool answered = false;
        polls.wait(
            {QStringLiteral("hub-a")}, m_clock.epochMs() + 1000, [] { return true; },
            [&](const QList<cloudapi::Command> &commands) {
                QVERIFY(commands.isEmpty());
                answered = true;
            });
        QTest::qWait(50); // some checks before the deadline: nothing to say yet
        QVERIFY(!answered);
        m_clock.advance(1000);
        QVERIFY(test::waitFor([&] { return answered; }, 5000));
    }

    void aGoneCallerIsDroppedAndItsCommandStays()
    {
        LongPolls polls(*m_commands, m_clock, 10);
        bool alive = true;
        bool answered = false;
        polls.wait(
            {QStringLiteral("hub-a")}, m_clock.epochMs() + 25'000, [&] { return alive; },
            [&](const QList<cloudapi::Command> &) { answered = true; });
        alive = false;
        QVERIFY(test::waitFor([&] { return polls.waiting() == 0; }, 5000));
        const QString id = enqueue(QStringLiteral("hub-a"), QStringLiteral("reconnect"));
        Result<QList<cloudapi::Command>> left =
            m_commands->takeDeliverable({QStringLiteral("hub-a")}, m_clock.epochMs());
        QVERIFY(left);
        QCOMPARE(left->size(), 1);
        QCOMPARE(left->first().id, id);
        QVERIFY(!answered);
    }
};

QTEST_GUILESS_MAIN(TestLongPolls)
#include "tst_longpolls.moc"
