#include "longpoll.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcPoll, "occ.cloud.poll")

namespace occ::cloud {

LongPolls::LongPolls(CommandQueue &commands, const Clock &clock, int wakeupMs, QObject *parent)
    : QObject(parent)
    , m_commands(commands)
    , m_clock(clock)
{
    m_timer.setInterval(wakeupMs);
    connect(&m_timer, &QTimer::timeout, this, &LongPolls::check);
}

void LongPolls::wait(const QStringList &hubIds, qint64 deadline, std::function<bool()> alive, Answer answer)
{
    m_waiters.append({hubIds, deadline, std::move(alive), std::move(answer)});
    if (!m_timer.isActive())
        m_timer.start();
}

void LongPolls::check()
{
    const qint64 now = m_clock.epochMs();
    QList<Waiter> still;
    for (Waiter &waiter : m_waiters) {
        if (!waiter.alive())
            continue; // the caller went away; its commands stay queued
        Result<QList<cloudapi::Command>> commands = m_commands.takeDeliverable(waiter.hubIds, now);
        if (!commands) {
            qCWarning(lcPoll) << "cannot check commands:" << commands.error().message;
            waiter.answer({});
            continue;
        }
        if (!commands->isEmpty() || now >= waiter.deadline)
            waiter.answer(*commands);
        else
            still.append(std::move(waiter));
    }
    m_waiters = std::move(still);
    if (m_waiters.isEmpty())
        m_timer.stop();
}

} // namespace occ::cloud
