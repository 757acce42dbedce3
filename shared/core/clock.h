#pragma once

#include <QtGlobal>

namespace occ {

// Time as the programs see it. Production code gets a SystemClock through its
// constructor; tests pass a ManualClock and move time by hand (KeePassXC style),
// so a five-minute fallback is tested without sleeping five minutes.
class Clock
{
public:
    virtual ~Clock() = default;
    // Milliseconds on a monotonic clock (only differences are meaningful).
    virtual qint64 monotonicMs() const = 0;
    // Milliseconds since the Unix epoch, UTC.
    virtual qint64 epochMs() const = 0;
};

class SystemClock final : public Clock
{
public:
    qint64 monotonicMs() const override;
    qint64 epochMs() const override;
};

class ManualClock final : public Clock
{
public:
    explicit ManualClock(qint64 epochStartMs = 1'700'000'000'000)
        : m_epochStart(epochStartMs)
    {}
    qint64 monotonicMs() const override { return m_now; }
    qint64 epochMs() const override { return m_epochStart + m_now; }
    void advance(qint64 ms) { m_now += ms; }
    void set(qint64 monotonicMs) { m_now = monotonicMs; }

private:
    qint64 m_epochStart;
    qint64 m_now = 0;
};

} // namespace occ
