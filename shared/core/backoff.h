#pragma once

#include <QRandomGenerator>
#include <QtGlobal>

namespace occ {

// Jittered exponential backoff: next() doubles the delay from min up to max and
// returns it with +-25 % jitter, so that many clients that failed together do not
// retry together. reset() after a success.
class Backoff
{
public:
    Backoff(qint64 minMs, qint64 maxMs, quint32 seed = QRandomGenerator::global()->generate())
        : m_min(qMax<qint64>(1, minMs))
        , m_max(qMax(minMs, maxMs))
        , m_random(seed)
    {}

    qint64 next()
    {
        const qint64 base = m_current == 0 ? m_min : qMin(m_max, m_current * 2);
        m_current = base;
        const qint64 jitter = base / 4;
        return qMax<qint64>(1, base - jitter + qint64(m_random.bounded(quint32(2 * jitter + 1))));
    }
    void reset() { m_current = 0; }
    qint64 current() const { return m_current; }

private:
    qint64 m_min;
    qint64 m_max;
    qint64 m_current = 0;
    QRandomGenerator m_random;
};

} // namespace occ
