#pragma once

#include "core/result.h"
#include "timing.h"

#include <functional>
#include <optional>
#include <QDeadlineTimer>
#include <QEventLoop>
#include <QTimer>

namespace occ::test {

// Runs an asynchronous call that reports through a callback and waits for it with
// a local event loop. A call that never answers becomes an error, not a hang.
// (Deadlines here are multiplied by the time factor, see timing.h.)
template <typename T, typename Start> Result<T> await(Start start, int timeoutMs = 60000)
{
    timeoutMs = scaled(timeoutMs);
    QEventLoop loop;
    std::optional<Result<T>> answer;
    start([&](Result<T> result) {
        answer = std::move(result);
        loop.quit();
    });
    if (!answer) {
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        loop.exec();
    }
    if (!answer)
        return fail(ErrorCategory::Internal, QStringLiteral("no answer within %1 ms").arg(timeoutMs));
    return std::move(*answer);
}

// Processes events until the predicate holds or the timeout (scaled) passes.
inline bool waitFor(const std::function<bool()> &predicate, int timeoutMs)
{
    QDeadlineTimer deadline(scaled(timeoutMs));
    while (!predicate()) {
        if (deadline.hasExpired())
            return false;
        QEventLoop loop;
        QTimer::singleShot(20, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

// An absence check only: processes events for ms (scaled), so that what must NOT
// happen has had its chance. Never a wait for something to happen (use waitFor).
inline void observe(int ms)
{
    waitFor([] { return false; }, ms);
}

} // namespace occ::test
