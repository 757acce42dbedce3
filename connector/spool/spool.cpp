#include "spool.h"

#include "hubserver/worker.h"
#include "protocol/measurementrules.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QThread>

Q_LOGGING_CATEGORY(lcSpool, "occ.connector.spool")

namespace occ::connector {

Spool::Spool(QString path, queue::QueueOptions options, ConnectorStats &stats)
    : m_path(std::move(path))
    , m_options(options)
    , m_stats(stats)
{}

Spool::~Spool()
{
    Q_ASSERT_X(thread() == QThread::currentThread(), "Spool", "deleted outside its thread");
}

Result<void> Spool::open()
{
    Q_ASSERT_X(thread() == QThread::currentThread(), "Spool::open", "called outside the spool thread");
    if (m_closed)
        return {};
    Result<std::unique_ptr<queue::DurableQueue>> queue = queue::DurableQueue::open(m_path, m_options);
    if (!queue) {
        if (queue.error().category != ErrorCategory::Io)
            return queue.error();
        // A full disk is no reason not to run (a service would only restart in a
        // loop): hubs are not acknowledged and keep their data until it opens.
        m_problem = QStringLiteral("cannot open the spool: %1").arg(queue.error().message);
        qCCritical(lcSpool).noquote() << m_problem << "(trying again every 5 s; hubs keep their data)";
        if (!m_reopen) {
            m_reopen = new QTimer(this);
            m_reopen->setInterval(5000);
            connect(m_reopen, &QTimer::timeout, this, [this] { (void)open(); });
        }
        m_reopen->start();
        return {};
    }
    m_queue = std::move(queue).value();
    if (Result<QHash<QString, qint64>> marks = m_queue->highWaterMarks(); marks) {
        QMutexLocker lock(&m_seenMutex);
        m_seen = *marks;
    }
    if (m_reopen)
        m_reopen->stop();
    if (!m_problem.isEmpty())
        qCInfo(lcSpool) << "the spool is open again";
    m_problem.clear();
    qCInfo(lcSpool) << "spool" << m_path << "holds" << m_queue->count() << "batches," << m_queue->bytes()
                    << "bytes";
    emit dataAvailable();
    return {};
}

void Spool::close()
{
    Q_ASSERT_X(thread() == QThread::currentThread(), "Spool::close", "called outside the spool thread");
    if (m_closed)
        return;
    flush();
    m_closed = true;
    if (m_reopen)
        m_reopen->stop();
    m_queue.reset();
    qCInfo(lcSpool) << "spool closed";
}

void Spool::append(AppendRequest request)
{
    QMetaObject::invokeMethod(this, [this, request = std::move(request)]() mutable {
        if (m_closed)
            return; // not acknowledged: the hub keeps it and sends it again
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
    if (m_closed)
        return;
    const QList<AppendRequest> requests = std::exchange(m_pending, {});
    if (!m_queue) {
        for (const AppendRequest &request : requests) {
            Worker *worker = request.worker;
            const quint64 session = request.sessionId;
            const qint64 upTo = request.items.isEmpty() ? 0 : request.items.last().seq;
            const int batches = request.batches;
            const qint64 first = request.items.isEmpty() ? 0 : request.items.first().seq;
            auto it = m_refusedFrom.find(request.hubId);
            if (it == m_refusedFrom.end())
                m_refusedFrom.insert(request.hubId, first);
            else
                it.value() = qMin(it.value(), first);
            QMetaObject::invokeMethod(worker, [worker, session, upTo, batches] {
                worker->appended(session, upTo, batches, false);
            });
        }
        return;
    }
    QList<queue::QueueItem> rows;
    QList<queue::QuarantinedItem> quarantined;
    QHash<QString, qint64> highWater;
    QList<bool> refusedEarlier; // per request: behind a refused batch of its hub
    qint64 duplicates = 0;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const AppendRequest &request : requests) {
        const qint64 first = request.items.isEmpty() ? 0 : request.items.first().seq;
        const auto refused = m_refusedFrom.constFind(request.hubId);
        const bool behind = refused != m_refusedFrom.cend() && first > refused.value();
        refusedEarlier.append(behind);
        if (behind)
            continue;
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
        // acknowledged but not stored twice. What the cloud would refuse is set
        // aside (and acknowledged): it must not stall the uplink.
        protocol::Batch fresh;
        for (const protocol::Measurement &m : request.items) {
            if (m.seq <= it.value()) {
                ++duplicates;
                continue;
            }
            it.value() = m.seq;
            if (Result<void> valid = protocol::validateMeasurement(m); !valid) {
                protocol::Batch single{{m}};
                quarantined.append({request.hubId, m.seq, m.seq, 1, valid.error().message,
                                    protocol::toCbor(single).toCborValue().toCbor(), now});
                continue;
            }
            fresh.items.append(m);
        }
        if (!fresh.items.isEmpty())
            rows.append(
                {request.hubId, fresh.items.last().seq, protocol::toCbor(fresh).toCborValue().toCbor()});
    }
    bool stored = true;
    if (!rows.isEmpty() || !quarantined.isEmpty()) {
        Result<queue::AppendOutcome> outcome = m_queue->appendWithSeqs(rows, quarantined);
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
        QMutexLocker lock(&m_seenMutex);
        for (auto it = highWater.cbegin(); it != highWater.cend(); ++it) {
            m_highWater.insert(it.key(), it.value());
            qint64 &seen = m_seen[it.key()];
            seen = qMax(seen, it.value());
        }
    }
    if (stored) {
        m_stats.duplicatesIgnored += duplicates;
        for (const queue::QuarantinedItem &item : std::as_const(quarantined))
            qCWarning(lcSpool).noquote() << "quarantined measurement" << item.firstSeq << "of hub"
                                         << item.stream << ":" << item.reason;
    }
    for (qsizetype i = 0; i < requests.size(); ++i) {
        const AppendRequest &request = requests.at(i);
        const qint64 first = request.items.isEmpty() ? 0 : request.items.first().seq;
        const qint64 upTo = request.items.isEmpty() ? 0 : request.items.last().seq;
        const bool ok = stored && !refusedEarlier.at(i);
        if (ok) {
            m_stats.measurementsAcknowledged += request.items.size();
            m_refusedFrom.remove(request.hubId); // the refused batch came again and is stored
        } else if (!request.items.isEmpty()) {
            auto it = m_refusedFrom.find(request.hubId);
            if (it == m_refusedFrom.end())
                m_refusedFrom.insert(request.hubId, first);
            else
                it.value() = qMin(it.value(), first);
        }
        Worker *worker = request.worker;
        const quint64 session = request.sessionId;
        const int batches = request.batches;
        QMetaObject::invokeMethod(
            worker, [worker, session, upTo, batches, ok] { worker->appended(session, upTo, batches, ok); });
    }
    if (stored && !rows.isEmpty())
        emit dataAvailable();
}

void Spool::takeForUpload(int maxMeasurements, qint64 maxBytes, QObject *context,
                          std::function<void(QList<SpoolRow>)> done)
{
    QMetaObject::invokeMethod(this, [this, maxMeasurements, maxBytes, context, done = std::move(done)] {
        if (m_closed)
            return; // shutting down: the caller may be gone
        QList<SpoolRow> rows;
        int measurements = 0;
        qint64 bytes = 0;
        if (!m_queue) {
            QMetaObject::invokeMethod(context, [done] { done({}); });
            return;
        }
        // Rows hold whole batches; take rows until the budget is used.
        Result<QList<queue::QueueItem>> items = m_queue->peekAll(qMax(1, maxMeasurements / 10));
        if (!items) {
            qCWarning(lcSpool) << "cannot read the spool:" << items.error().message;
        } else {
            for (const queue::QueueItem &item : std::as_const(*items)) {
                QCborParserError error;
                const QCborValue value = QCborValue::fromCbor(item.data, &error);
                Result<protocol::Message> message =
                    value.isMap() ? protocol::decode(value.toMap())
                                  : Result<protocol::Message>(fail(ErrorCategory::Input, QString()));
                if (!message || !std::holds_alternative<protocol::Batch>(*message)) {
                    qCCritical(lcSpool) << "damaged spool row of" << item.stream << item.seq << "skipped";
                    continue;
                }
                SpoolRow row{item.stream, item.seq, std::get<protocol::Batch>(*message).items};
                if (!rows.isEmpty() && (measurements + row.measurements.size() > maxMeasurements ||
                                        bytes + item.data.size() > maxBytes))
                    break;
                measurements += int(row.measurements.size());
                bytes += item.data.size();
                rows.append(std::move(row));
            }
        }
        QMetaObject::invokeMethod(context, [done, rows = std::move(rows)] { done(rows); });
    });
}

void Spool::uploaded(const QHash<QString, qint64> &sentUpToByHub, QObject *context,
                     std::function<void()> done)
{
    QMetaObject::invokeMethod(this, [this, sentUpToByHub, context, done = std::move(done)] {
        if (m_closed || !m_queue)
            return; // shutting down (rows stay, and are sent again after the restart)
        for (auto it = sentUpToByHub.cbegin(); it != sentUpToByHub.cend(); ++it) {
            if (Result<qint64> removed = m_queue->ackUpTo(it.key(), it.value()); !removed)
                qCWarning(lcSpool) << "cannot delete uploaded rows of" << it.key() << removed.error().message;
        }
        QMetaObject::invokeMethod(context, done);
    });
}

void Spool::quarantine(const QList<SpoolRow> &rows, const QString &reason, QObject *context,
                       std::function<void()> done)
{
    QMetaObject::invokeMethod(this, [this, rows, reason, context, done = std::move(done)] {
        if (m_closed || !m_queue)
            return; // shutting down (rows stay, and are sent again after the restart)
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QHash<QString, QList<queue::QuarantinedItem>> byHub;
        QHash<QString, qint64> upTo;
        for (const SpoolRow &row : rows) {
            if (row.measurements.isEmpty())
                continue;
            const protocol::Batch batch{row.measurements};
            byHub[row.hubId].append({row.hubId, row.measurements.first().seq, row.upTo,
                                     qint64(row.measurements.size()), reason,
                                     protocol::toCbor(batch).toCborValue().toCbor(), now});
            upTo[row.hubId] = qMax(upTo.value(row.hubId), row.upTo);
        }
        for (auto it = byHub.cbegin(); it != byHub.cend(); ++it) {
            if (Result<void> r = m_queue->quarantine(it.value(), it.key(), upTo.value(it.key())); !r)
                qCCritical(lcSpool) << "cannot quarantined rows of" << it.key() << r.error().message;
            else
                qCWarning(lcSpool).noquote() << "the cloud refused" << it.value().size() << "rows of hub"
                                             << it.key() << "for good; quarantined:" << reason;
        }
        QMetaObject::invokeMethod(context, done);
    });
}

QList<queue::QuarantinedItem> Spool::quarantinedEntries(int limit)
{
    Q_ASSERT(QThread::currentThread() != thread());
    QList<queue::QuarantinedItem> entries;
    QMetaObject::invokeMethod(
        this,
        [&] {
            if (m_queue)
                entries = m_queue->quarantinedItems(limit).valueOr({});
        },
        Qt::BlockingQueuedConnection);
    return entries;
}

qint64 Spool::seen(const QString &hubId) const
{
    QMutexLocker lock(&m_seenMutex);
    return m_seen.value(hubId);
}

void Spool::cloudSeqs(const QList<cloudapi::HubSeq> &seqs)
{
    QMetaObject::invokeMethod(this, [this, seqs] {
        if (!m_queue)
            return;
        for (const cloudapi::HubSeq &seq : seqs) {
            if (seq.highestSeq <= seen(seq.hubId))
                continue;
            // A hub's seqs at or below this are at the cloud or in a spool already:
            // a replay of them is acknowledged without being stored again.
            if (Result<void> r = m_queue->raiseHighWaterMark(seq.hubId, seq.highestSeq); !r)
                continue;
            m_highWater.insert(seq.hubId, qMax(m_highWater.value(seq.hubId), seq.highestSeq));
            QMutexLocker lock(&m_seenMutex);
            m_seen.insert(seq.hubId, seq.highestSeq);
        }
    });
}

SpoolFigures Spool::figuresNow() const
{
    return {m_queue ? m_queue->count() : 0, m_queue ? m_queue->bytes() : 0, m_queue ? m_queue->maxBytes() : 0,
            m_queue ? m_queue->quarantinedCount() : 0, m_problem};
}

void Spool::figures(QObject *context, std::function<void(SpoolFigures)> done)
{
    QMetaObject::invokeMethod(this, [this, context, done = std::move(done)] {
        if (m_closed)
            return; // shutting down: the caller may be gone
        const SpoolFigures figures = figuresNow();
        QMetaObject::invokeMethod(context, [done, figures] { done(figures); });
    });
}

} // namespace occ::connector
