#include "commandexecutor.h"

#include <QDateTime>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcCommands, "occ.hub.commands")

namespace occ::hub {

namespace {
constexpr int kMaxRemembered = 256;
}

CommandExecutor::CommandExecutor(const Clock &clock, CommandTarget &target, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
    , m_target(target)
{}

QStringList CommandExecutor::kinds()
{
    return {QStringLiteral("reconnect"), QStringLiteral("runSensor"), QStringLiteral("reloadConfig"),
            QStringLiteral("collectDiagnostics")};
}

void CommandExecutor::execute(const protocol::Command &command)
{
    if (command.id.isEmpty())
        return;
    if (auto known = m_results.constFind(command.id); known != m_results.cend()) {
        qCInfo(lcCommands).noquote() << "command" << command.id << "seen before; sending its result again";
        emit finished(*known);
        return;
    }
    if (m_running.contains(command.id))
        return; // its result comes when it is done
    qCInfo(lcCommands).noquote() << "command" << command.id << command.kind
                                 << command.args.join(QLatin1Char(' '));
    if (command.expires > 0 && command.expires < m_clock.epochMs()) {
        done(command.id, false,
             QStringLiteral("expired at %1")
                 .arg(QDateTime::fromMSecsSinceEpoch(command.expires, Qt::UTC).toString(Qt::ISODate)));
        return;
    }
    m_running.append(command.id);
    auto answer = [this, id = command.id](bool ok, QString detail) { done(id, ok, detail); };
    if (command.kind == QLatin1StringView("reconnect")) {
        // The result goes out first, over the path it came by; then the hub reconnects.
        answer(true, QStringLiteral("reconnecting"));
        m_target.reconnectSoon();
    } else if (command.kind == QLatin1StringView("runSensor")) {
        if (command.args.size() != 1)
            answer(false, QStringLiteral("runSensor takes one argument, the sensor id"));
        else
            m_target.runSensor(command.args.first(), answer);
    } else if (command.kind == QLatin1StringView("reloadConfig")) {
        m_target.reloadConfig(answer);
    } else if (command.kind == QLatin1StringView("collectDiagnostics")) {
        m_target.collectDiagnostics(answer);
    } else {
        answer(false, QStringLiteral("unknown command '%1' (this hub knows: %2)")
                          .arg(command.kind.left(64), kinds().join(QStringLiteral(", "))));
    }
}

void CommandExecutor::done(const QString &id, bool ok, const QString &detail)
{
    m_running.removeAll(id);
    protocol::CommandResult result{id, ok, detail.left(2000)};
    m_results.insert(id, result);
    m_order.append(id);
    while (m_order.size() > kMaxRemembered)
        m_results.remove(m_order.takeFirst());
    qCInfo(lcCommands).noquote() << "command" << id << (ok ? "done:" : "failed:") << result.detail;
    emit finished(result);
}

} // namespace occ::hub
