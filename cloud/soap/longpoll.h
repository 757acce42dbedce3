#pragma once

#include "cloudapi/cloudtypes.h"
#include "core/clock.h"
#include "storage/commandqueue.h"

#include <functional>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

namespace occ::cloud {

// The PollCommands calls waiting in one worker thread. A single timer checks the
// database for new commands of all waiting hubs (commands may be queued by another
// process, e.g. `occ-cloud command`, or another cloud instance), answers the
// waiters that have some, and answers the others empty at their deadline. No
// thread is blocked while a poll waits.
class LongPolls : public QObject
{
    Q_OBJECT
public:
    using Answer = std::function<void(const QList<cloudapi::Command> &)>;

    LongPolls(CommandQueue &commands, const Clock &clock, int wakeupMs, QObject *parent = nullptr);

    // alive: whether the caller's connection is still there; a waiter whose
    // connection is gone is dropped without taking its commands.
    void wait(const QStringList &hubIds, qint64 deadline, std::function<bool()> alive, Answer answer);
    int waiting() const { return int(m_waiters.size()); }

private:
    void check();

    struct Waiter
    {
        QStringList hubIds;
        qint64 deadline;
        std::function<bool()> alive;
        Answer answer;
    };
    CommandQueue &m_commands;
    const Clock &m_clock;
    QTimer m_timer;
    QList<Waiter> m_waiters;
};

} // namespace occ::cloud
