#include "outbox.h"

#include "protocol/measurementrules.h"

#include <QCborValue>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcOutbox, "occ.hub.outbox")

namespace occ::hub {

namespace {
const QString kStream = QStringLiteral("outbox");
constexpr int kMaxPending = 10000;

QByteArray encodeMeasurement(protocol::Measurement m)
{
    m.seq = 0; // the row's seq is the measurement's
    QCborMap map;
    protocol::encodeFields(m, map);
    return map.toCborValue().toCbor();
}

} // namespace

Result<std::unique_ptr<Outbox>> Outbox::open(const QString &path, const queue::QueueOptions &options,
                                             const Clock &clock)
{
    Result<std::unique_ptr<queue::DurableQueue>> queue = queue::DurableQueue::open(path, options);
    if (!queue)
        return queue.error();
    return std::unique_ptr<Outbox>(new Outbox(std::move(queue).value(), clock));
}

Outbox::Outbox(std::unique_ptr<queue::DurableQueue> queue, const Clock &clock)
    : m_queue(std::move(queue))
    , m_clock(clock)
{
    m_retry.setInterval(5000);
    connect(&m_retry, &QTimer::timeout, this, [this] {
        const qsizetype before = m_pending.size();
        if (flushPending()) {
            m_retry.stop();
            qCInfo(lcOutbox) << "the disk takes results again;" << before << "waiting results written";
        }
        if (m_pending.size() < before)
            emit added();
    });
}

bool Outbox::flushPending()
{
    while (!m_pending.isEmpty()) {
        Result<qint64> seq = m_queue->append(kStream, encodeMeasurement(m_pending.first()));
        if (!seq)
            return false;
        m_pending.removeFirst();
    }
    return true;
}

qint64 Outbox::add(protocol::Measurement measurement)
{
    measurement = protocol::fitMeasurement(std::move(measurement)); // what the cloud stores
    // Keep the order: while anything waits in memory, new results wait behind it.
    if (!m_pending.isEmpty() && !flushPending()) {
        if (m_pending.size() >= kMaxPending) {
            qCCritical(lcOutbox) << "the disk stays full and" << kMaxPending << "results wait in memory:"
                                 << "dropping the oldest";
            m_pending.removeFirst();
        }
        m_pending.append(measurement);
        return 0;
    }
    Result<qint64> seq = m_queue->append(kStream, encodeMeasurement(measurement));
    if (!seq) {
        qCCritical(lcOutbox).noquote()
            << "cannot write the outbox; keeping the result in memory until it can:" << seq.error().message;
        m_pending.append(measurement);
        m_retry.start();
        return 0;
    }
    emit added();
    return *seq;
}

Result<QList<protocol::Measurement>> Outbox::after(qint64 seq, int maxItems, qint64 maxBytes) const
{
    Result<QList<queue::QueueItem>> items = m_queue->peek(kStream, maxItems, maxBytes, seq);
    if (!items)
        return items.error();
    QList<protocol::Measurement> measurements;
    measurements.reserve(items->size());
    for (const queue::QueueItem &item : std::as_const(*items)) {
        protocol::Measurement m;
        QString problem;
        const QCborValue value = QCborValue::fromCbor(item.data);
        if (!value.isMap() || !protocol::decodeFields(value.toMap(), m, &problem)) {
            qCCritical(lcOutbox) << "damaged outbox entry" << item.seq << "skipped:" << problem;
            continue;
        }
        m.seq = item.seq;
        measurements.append(m);
    }
    return measurements;
}

void Outbox::delivered(qint64 upTo)
{
    Result<qint64> removed = m_queue->ackUpTo(kStream, upTo);
    if (!removed) {
        qCWarning(lcOutbox) << "cannot delete delivered results (they will be sent again):"
                            << removed.error().message;
        return;
    }
    m_lastDelivery = m_clock.epochMs();
}

qint64 Outbox::depth() const
{
    return m_queue->count() + m_pending.size();
}

qint64 Outbox::dropped() const
{
    return m_queue->dropped(kStream).valueOr(0);
}

qint64 Outbox::highestSeq() const
{
    return m_queue->highWaterMark(kStream).valueOr(0);
}

} // namespace occ::hub
