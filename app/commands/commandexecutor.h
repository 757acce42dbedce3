#pragma once

#include "core/clock.h"
#include "protocol/messages.h"

#include <functional>
#include <QHash>
#include <QObject>
#include <QStringList>

namespace occ::hub {

// What the commands act on; the hub core provides it.
class CommandTarget
{
public:
    virtual ~CommandTarget() = default;
    virtual void reconnectSoon() = 0;
    // runSensor: answers ok/detail when the measurement is in the outbox.
    virtual void runSensor(const QString &id, std::function<void(bool ok, QString detail)> done) = 0;
    virtual void reloadConfig(std::function<void(bool ok, QString detail)> done) = 0;
    virtual void collectDiagnostics(std::function<void(bool ok, QString detail)> done) = 0;
};

// Commands from the cloud, whichever way they came (ARCHITECTURE §10): reconnect,
// runSensor ID, reloadConfig, collectDiagnostics. Expired commands are refused; a
// command delivered again (after a reconnect, or redelivered by the cloud because
// the result was lost) is not executed twice — its result is sent again.
class CommandExecutor : public QObject
{
    Q_OBJECT
public:
    CommandExecutor(const Clock &clock, CommandTarget &target, QObject *parent = nullptr);

    void execute(const protocol::Command &command);
    static QStringList kinds();

signals:
    void finished(const occ::protocol::CommandResult &result);

private:
    void done(const QString &id, bool ok, const QString &detail);

    const Clock &m_clock;
    CommandTarget &m_target;
    QHash<QString, protocol::CommandResult> m_results; // by command id, the newest kMaxRemembered
    QStringList m_order;
    QStringList m_running;
};

} // namespace occ::hub
