#include "spool.h"

#include "hubserver/worker.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcSpool, "occ.connector.spool")

namespace occ::connector {

Spool::Spool(QString path, queue::QueueOptions options, ConnectorStats &stats)
    : m_path(std::move(path)), m_options(options), m_stats(stats)
{
}

Spool::~Spool() = default;

Result<void> Spool::open()
{
    Result<std::unique_ptr<queue::DurableQueue>> queue = queue::DurableQueue::open(m_path, m_options);
    if (!queue)
        return queue.error();
    m_queue = std::move(queue).value();
    qCInfo(lcSpool) << "spool" << m_path << "holds" << m_queue->count() << "batches," << m_queue->bytes() << "bytes";
    return {};
}

void Spool::append(AppendRequest request)
{
    QMetaObject::invokeMethod(this, [this, request = std::move(request)]() mutable {
        m_pending.append(std::move(request));
        if (!m_flushScheduled) {
            // Everything that arrives before the loop comes round again shares one
            // commit (group commit).
            m_flushScheduled = true;
            QMetaObject::invokeMethod(this, &Spool::flush, Qt::QueuedConnection);
        }
    });
}

void Spool::flush()
{
    m_flushScheduled = false;
    const QList<AppendRequest> requests = std::exchange(m_pending, {});
    QList<queue::QueueItem> rows;
    QHash<QString, qint64> highWater;
    qint64 duplicates = 0;
    for (const AppendRequest &request : requests) {
        auto it = highWater.find(request.hubId);
        if (it == highWater.end()) {
            auto cached = m_highWater.constFind(request.hubId);
            qint64 mark = 0;
            if (cached != m_highWater.cend()) {
                mark = cached.value();
            } else if (Result<qint64> r = m_queue->highWaterMark(request.hubId); r) {
                mark = *r;
            }
            it = highWater.insert(request.hubId, mark);
        }
        // Keep only what is new for this hub; a replay after a reconnect is
        // acknowledged but not stored twice.
        protocol::Batch fresh;
        for (const protocol::Measurement &m : request.items) {
            if (m.seq > it.value())
                fresh.items.append(m);
            else
                ++duplicates;
        }
        if (fresh.items.isEmpty())
            continue;
        it.value() = fresh.items.last().seq;
        rows.append({request.hubId, fresh.items.last().seq, protocol::toCbor(fresh).toCborValue().toCbor()});
    }
    bool stored = true;
    if (!rows.isEmpty()) {
        Result<queue::AppendOutcome> outcome = m_queue->appendWithSeqs(rows);
        if (!outcome) {
            qCCritical(lcSpool) << "cannot store in the spool:" << outcome.error().message;
            stored = false;
        } else if (outcome->full) {
            qCWarning(lcSpool) << "spool full (" << m_queue->bytes() << "of" << m_queue->maxBytes()
                               << "bytes): not acknowledging" << rows.size() << "batches";
            stored = false;
        }
    }
    if (stored) {
        for (auto it = highWater.cbegin(); it != highWater.cend(); ++it)
            m_highWater.insert(it.key(), it.value());
        m_stats.duplicatesIgnored += duplicates;
    }
    for (const AppendRequest &request : requests) {
        const qint64 upTo = request.items.isEmpty() ? 0 : request.items.last().seq;
        if (stored)
            m_stats.measurementsAcknowledged += request.items.size();
        Worker *worker = request.worker;
        const quint64 session = request.sessionId;
        const int batches = request.batches;
        QMetaObject::invokeMethod(worker, [worker, session, upTo, batches, stored] {
            worker->appended(session, upTo, batches, stored);
        });
    }
    if (stored && !rows.isEmpty())
        emit dataAvailable();
}

void Spool::takeForUpload(int maxMeasurements, QObject *context, std::function<void(QList<SpoolRow>)> done)
{
    QMetaObject::invokeMethod(this, [this, maxMeasurements, context, done = std::move(done)] {
        QList<SpoolRow> rows;
        int measurements = 0;
        // Rows hold whole batches; take rows until the budget is used.
        Result<QList<queue::QueueItem>> items = m_queue->peekAll(qMax(1, maxMeasurements / 10));
        if (!items) {
            qCWarning(lcSpool) << "cannot read the spool:" << items.error().message;
        } else {
            for (const queue::QueueItem &item : std::as_const(*items)) {
                QCborParserError error;
                const QCborValue value = QCborValue::fromCbor(item.data, &error);
                Result<protocol::Message> message = value.isMap() ? protocol::decode(value.toMap())
                                                                  : Result<protocol::Message>(fail(ErrorCategory::Input, QString()));
                if (!message || !std::holds_alternative<protocol::Batch>(*message)) {
                    qCCritical(lcSpool) << "damaged spool row of" << item.stream << item.seq << "skipped";
                    continue;
                }
                SpoolRow row{item.stream, item.seq, std::get<protocol::Batch>(*message).items};
                if (!rows.isEmpty() && measurements + row.measurements.size() > maxMeasurements)
                    break;
                measurements += int(row.measurements.size());
                rows.append(std::move(row));
            }
        }
        QMetaObject::invokeMethod(context, [done, rows = std::move(rows)] { done(rows); });
    });
}

void Spool::uploaded(const QHash<QString, qint64> &upToByHub, QObject *context, std::function<void()> done)
{
    QMetaObject::invokeMethod(this, [this, upToByHub, context, done = std::move(done)] {
        for (auto it = upToByHub.cbegin(); it != upToByHub.cend(); ++it) {
            if (Result<qint64> removed = m_queue->ackUpTo(it.key(), it.value()); !removed)
                qCWarning(lcSpool) << "cannot delete uploaded rows of" << it.key() << removed.error().message;
        }
        QMetaObject::invokeMethod(context, done);
    });
}

void Spool::figures(QObject *context, std::function<void(SpoolFigures)> done)
{
    QMetaObject::invokeMethod(this, [this, context, done = std::move(done)] {
        const SpoolFigures figures{m_queue ? m_queue->count() : 0, m_queue ? m_queue->bytes() : 0,
                                   m_queue ? m_queue->maxBytes() : 0};
        QMetaObject::invokeMethod(context, [done, figures] { done(figures); });
    });
}

} // namespace occ::connector
