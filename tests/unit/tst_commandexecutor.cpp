// Commands on the hub (ARCHITECTURE §10): each kind, expiry, unknown kinds, and
// a command delivered twice runs once and answers twice.
#include "commands/commandexecutor.h"
#include "core/clock.h"

#include <QSignalSpy>
#include <QTest>

using namespace occ;
using namespace occ::hub;

namespace {

// What the hub core would do, recorded.
struct Target final : CommandTarget
{
    int reconnects = 0;
    QStringList sensorsRun;
    int reloads = 0;
    std::function<void(bool, QString)> pendingDiagnostics;
    void reconnectSoon() override { ++reconnects; }
    void runSensor(const QString &id, std::function<void(bool, QString)> done) override
    {
        sensorsRun << id;
        done(id == QLatin1StringView("cpu"),
             id == QLatin1StringView("cpu") ? QStringLiteral("cpu: ok") : QStringLiteral("no sensor"));
    }
    void reloadConfig(std::function<void(bool, QString)> done) override
    {
        ++reloads;
        done(true, QStringLiteral("reloaded"));
    }
    void collectDiagnostics(std::function<void(bool, QString)> done) override
    {
        pendingDiagnostics = std::move(done);
    }
};

protocol::Command cmd(const QString &id, const QString &kind, const QStringList &args = {},
                      qint64 expires = 0)
{
    return protocol::Command{id, kind, args, expires};
}

} // namespace

class TestCommandExecutor : public QObject
{
    Q_OBJECT

    ManualClock m_clock;

private slots:
    void everyKind()
    {
        Target target;
        CommandExecutor executor(m_clock, target);
        QSignalSpy results(&executor, &CommandExecutor::finished);
        executor.execute(cmd(QStringLiteral("1"), QStringLiteral("runSensor"), {QStringLiteral("cpu")}));
        executor.execute(cmd(QStringLiteral("2"), QStringLiteral("reloadConfig")));
        executor.execute(cmd(QStringLiteral("3"), QStringLiteral("reconnect")));
        QCOMPARE(results.size(), 3);
        QCOMPARE(results.at(0).at(0).value<protocol::CommandResult>(),
                 (protocol::CommandResult{QStringLiteral("1"), true, QStringLiteral("cpu: ok")}));
        QCOMPARE(results.at(1).at(0).value<protocol::CommandResult>().detail, QStringLiteral("reloaded"));
        QCOMPARE(target.reconnects, 1);
        QVERIFY(results.at(2).at(0).value<protocol::CommandResult>().ok);
        // An asynchronous one answers when it is done.
        executor.execute(cmd(QStringLiteral("4"), QStringLiteral("collectDiagnostics")));
        QCOMPARE(results.size(), 3);
        executor.execute(
            cmd(QStringLiteral("4"), QStringLiteral("collectDiagnostics"))); // delivered again meanwhile
        QVERIFY(target.pendingDiagnostics);
        target.pendingDiagnostics(true, QStringLiteral("archive /x.tar.gz"));
        QCOMPARE(results.size(), 4);
        QCOMPARE(results.at(3).at(0).value<protocol::CommandResult>().detail,
                 QStringLiteral("archive /x.tar.gz"));
    }

    void repeatedCommandRunsOnceAnswersAgain()
    {
        Target target;
        CommandExecutor executor(m_clock, target);
        QSignalSpy results(&executor, &CommandExecutor::finished);
        executor.execute(cmd(QStringLiteral("a"), QStringLiteral("reconnect")));
        executor.execute(cmd(QStringLiteral("a"), QStringLiteral("reconnect")));
        QCOMPARE(target.reconnects, 1);
        QCOMPARE(results.size(), 2);
        QCOMPARE(results.at(0).at(0).value<protocol::CommandResult>(),
                 results.at(1).at(0).value<protocol::CommandResult>());
    }

    void refusals()
    {
        Target target;
        CommandExecutor executor(m_clock, target);
        QSignalSpy results(&executor, &CommandExecutor::finished);
        executor.execute(cmd(QStringLiteral("e"), QStringLiteral("reconnect"), {}, m_clock.epochMs() - 1));
        QCOMPARE(target.reconnects, 0);
        QVERIFY(!results.at(0).at(0).value<protocol::CommandResult>().ok);
        QVERIFY(results.at(0).at(0).value<protocol::CommandResult>().detail.startsWith(
            QStringLiteral("expired")));
        executor.execute(cmd(QStringLiteral("u"), QStringLiteral("formatDisk")));
        QVERIFY(results.at(1).at(0).value<protocol::CommandResult>().detail.contains(
            QStringLiteral("unknown command 'formatDisk'")));
        executor.execute(cmd(QStringLiteral("r"), QStringLiteral("runSensor")));
        QVERIFY(!results.at(2).at(0).value<protocol::CommandResult>().ok);
        QVERIFY(target.sensorsRun.isEmpty());
        executor.execute(cmd(QString(), QStringLiteral("reconnect")));
        QCOMPARE(results.size(), 3); // no id, no command
    }
};

QTEST_GUILESS_MAIN(TestCommandExecutor)
#include "tst_commandexecutor.moc"
