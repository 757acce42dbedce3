#include "longpoll.h"

#include <QLoggingCategory>
#include <QThread>

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
    Q_ASSERT_X(thread() == QThread::currentThread(), "LongPolls::wait", "called outside its thread");
    m_waiters.append({hubIds, deadline, std::move(alive), std::move(answer)});
    if (!m_timer.isActive())
        m_timer.start();
}

void LongPolls::check()
{
    Q_ASSERT_X(thread() == QThread::currentThread(), "LongPolls::check", "called outside its thread");
    const qint64 now = m_clock.epochMs();
    // An answer may bring the caller's next poll in at once (wait() from inside
    // answer()): the list is taken out first, so that a new waiter lands in an
    // empty m_waiters and is neither lost nor iterated over here.
    const QList<Waiter> checked = std::exchange(m_waiters, {});
    QList<Waiter> still;
    for (const Waiter &waiter : checked) {
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
            still.append(waiter);
    }
    m_waiters = still + m_waiters; // the older ones first
    if (m_waiters.isEmpty())
        m_timer.stop();
    else if (!m_timer.isActive())
        m_timer.start();
}

} // namespace occ::cloud
