#include "outbox.h"

#include "protocol/measurementrules.h"

#include <QCborValue>
#include <QFile>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcOutbox, "occ.hub.outbox")

namespace occ::hub {

namespace {
const QString kStream = QStringLiteral("outbox");

QByteArray encodeMeasurement(protocol::Measurement m)
{
    m.seq = 0; // the row's seq is the measurement's
    QCborMap map;
    protocol::encodeFields(m, map);
    return map.toCborValue().toCbor();
}

} // namespace

Result<std::unique_ptr<Outbox>> Outbox::open(const QString &path, const OutboxOptions &options,
                                             const Clock &clock)
{
    std::unique_ptr<Outbox> outbox(new Outbox(path, options, clock));
    // A disk that is full (or a file system that refuses writes for now) is no
    // reason not to start: the hub measures into memory and keeps trying.
    if (!outbox->tryOpen() && outbox->m_openError.category != ErrorCategory::Io)
        return outbox->m_openError;
    return outbox;
}

Outbox::Outbox(QString path, OutboxOptions options, const Clock &clock)
    : m_path(std::move(path))
    , m_options(options)
    , m_clock(clock)
{
    m_retry.setInterval(5000);
    connect(&m_retry, &QTimer::timeout, this, &Outbox::retry);
}

Outbox::~Outbox()
{
    close();
}

bool Outbox::tryOpen()
{
    if (m_queue)
        return true;
    Result<std::unique_ptr<queue::DurableQueue>> queue = queue::DurableQueue::open(m_path, m_options.queue);
    if (!queue) {
        m_openError = queue.error();
        setProblem(QStringLiteral("cannot open the outbox (%1); %2 results wait in memory")
                       .arg(queue.error().message)
                       .arg(m_pending.size()));
        if (!m_retry.isActive())
            m_retry.start();
        return false;
    }
    m_queue = std::move(queue).value();
    if (m_floor > 0)
        raiseFloor(m_floor, QStringLiteral("earlier"));
    makeReserve();
    return true;
}

void Outbox::makeReserve()
{
    QFile reserve(m_path + QStringLiteral(".reserve"));
    if (reserve.exists() && reserve.size() >= m_options.reserveBytes)
        return;
    if (reserve.open(QIODevice::WriteOnly) && reserve.resize(m_options.reserveBytes)) {
        // resize() may leave a sparse file: write it out so that the space is real.
        const QByteArray block(64 * 1024, '\0');
        bool written = true;
        for (qint64 at = 0; at < m_options.reserveBytes && written; at += block.size())
            written =
                reserve.write(block.left(int(qMin<qint64>(block.size(), m_options.reserveBytes - at)))) > 0;
        if (written && reserve.flush())
            return;
    }
    reserve.close();
    QFile::remove(reserve.fileName()); // no room for it now; made again later
}

void Outbox::setProblem(const QString &problem)
{
    if (problem == m_problem)
        return;
    if (!problem.isEmpty())
        qCCritical(lcOutbox).noquote() << problem;
    else if (!m_problem.isEmpty())
        qCInfo(lcOutbox) << "the outbox is on disk again";
    m_problem = problem;
}

void Outbox::retry()
{
    const qsizetype before = m_pending.size();
    if (tryOpen() && flushPending()) {
        persistMemoryDrops();
        if (m_memoryDropped == 0) {
            m_retry.stop();
            setProblem({});
            makeReserve();
            qCInfo(lcOutbox) << "the disk takes results again;" << before << "waiting results written";
        }
    }
    if (m_pending.size() < before)
        emit added();
}

void Outbox::persistMemoryDrops()
{
    if (m_memoryDropped == 0 || !m_queue)
        return;
    if (m_queue->addDropped(kStream, m_memoryDropped))
        m_memoryDropped = 0;
}

bool Outbox::flushPending()
{
    if (!m_queue)
        return m_pending.isEmpty();
    // In chunks, one transaction each: a few pages of room take many results.
    while (!m_pending.isEmpty()) {
        QList<QByteArray> chunk;
        for (qsizetype i = 0; i < qMin<qsizetype>(m_pending.size(), 256); ++i)
            chunk.append(encodeMeasurement(m_pending.at(i)));
        Result<QList<qint64>> seqs = m_queue->append(kStream, chunk);
        if (!seqs && chunk.size() > 1) {
            // Perhaps one fits where 256 do not.
            chunk = chunk.mid(0, 1);
            seqs = m_queue->append(kStream, chunk);
        }
        if (!seqs) {
            setProblem(QStringLiteral("the disk refuses results (%1); %2 wait in memory")
                           .arg(seqs.error().message)
                           .arg(m_pending.size()));
            return false;
        }
        m_pending.remove(0, chunk.size());
    }
    return true;
}

qint64 Outbox::add(protocol::Measurement measurement)
{
    measurement = protocol::fitMeasurement(std::move(measurement)); // what the cloud stores
    // Keep the order: while anything waits in memory, new results wait behind it.
    if (!m_pending.isEmpty() || !m_queue) {
        if (!flushPending() || !m_queue) {
            if (m_pending.size() >= m_options.maxInMemory) {
                m_pending.removeFirst();
                if (m_memoryDropped++ % 1000 == 0)
                    qCCritical(lcOutbox) << "the disk stays full and" << m_options.maxInMemory
                                         << "results wait in memory: dropping the oldest (" << m_memoryDropped
                                         << "so far, counted)";
            }
            m_pending.append(measurement);
            if (!m_retry.isActive())
                if (!m_retry.isActive())
                    m_retry.start();
            return 0;
        }
    }
    Result<qint64> seq = m_queue->append(kStream, encodeMeasurement(measurement));
    if (!seq) {
        m_pending.append(measurement);
        setProblem(QStringLiteral("the disk refuses results (%1); %2 wait in memory")
                       .arg(seq.error().message)
                       .arg(m_pending.size()));
        if (!m_retry.isActive())
            m_retry.start();
        return 0;
    }
    emit added();
    return *seq;
}

Result<QList<protocol::Measurement>> Outbox::after(qint64 seq, int maxItems, qint64 maxBytes) const
{
    if (!m_queue)
        return QList<protocol::Measurement>(); // nothing is sent before it is written
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
    if (!m_queue)
        return;
    Result<qint64> removed = m_queue->ackUpTo(kStream, upTo);
    if (!removed) {
        qCWarning(lcOutbox) << "cannot delete delivered results (they will be sent again):"
                            << removed.error().message;
        return;
    }
    m_lastDelivery = m_clock.epochMs();
}

void Outbox::raiseFloor(qint64 seen, const QString &source)
{
    m_floor = qMax(m_floor, seen);
    if (!m_queue)
        return; // applied once the outbox is open
    const qint64 mark = m_queue->highWaterMark(kStream).valueOr(0);
    if (seen <= mark)
        return; // the normal case: we assigned everything the others have seen
    Result<qint64> renumbered = m_queue->renumberAbove(kStream, seen);
    if (!renumbered) {
        qCCritical(lcOutbox) << "cannot move the outbox above seq" << seen << ":"
                             << renumbered.error().message;
        return;
    }
    qCWarning(lcOutbox).noquote() << source << "has seen seq" << seen << "of this hub, the outbox only"
                                  << mark << "(it was deleted or restored): continuing above it;"
                                  << *renumbered << "waiting results renumbered";
}

void Outbox::close()
{
    m_retry.stop();
    if (m_pending.isEmpty() && m_memoryDropped == 0)
        return;
    bool written = flushPending();
    if (written)
        persistMemoryDrops();
    if (!written || m_memoryDropped > 0) {
        // The disk is full: give up the reserve and try once more.
        QFile::remove(m_path + QStringLiteral(".reserve"));
        if (tryOpen() && flushPending())
            persistMemoryDrops();
    }
    const qint64 lost = m_pending.size();
    m_memoryDropped += lost;
    m_pending.clear();
    persistMemoryDrops();
    if (lost > 0)
        qCCritical(lcOutbox) << lost << "results could not be written (disk full) and are lost;"
                             << (m_memoryDropped == 0 ? "counted as dropped"
                                                      : "the count could not be written either");
}

qint64 Outbox::depth() const
{
    return (m_queue ? m_queue->count() : 0) + m_pending.size();
}

qint64 Outbox::dropped() const
{
    return (m_queue ? m_queue->dropped(kStream).valueOr(0) : 0) + m_memoryDropped;
}

qint64 Outbox::highestSeq() const
{
    return m_queue ? m_queue->highWaterMark(kStream).valueOr(0) : 0;
}

} // namespace occ::hub
