#pragma once

#include "core/clock.h"
#include "core/result.h"
#include "protocol/messages.h"
#include "queue/durablequeue.h"

#include <memory>
#include <QObject>
#include <QTimer>

namespace occ::hub {

struct OutboxOptions
{
    queue::QueueOptions queue;
    int maxInMemory = 10000;          // results kept in memory while the disk refuses them
    qint64 reserveBytes = 512 * 1024; // disk space held back for the moment the disk is full
};

// The hub's outbox (ARCHITECTURE §9): every result is written here before it is
// sent and deleted only when a connector acknowledged it or the cloud answered.
// Its sequence numbers are the measurements' seq (per hub, surviving restarts),
// never below what the cloud or the connector has seen of this hub.
// Bounded: beyond outbox/maxBytes the oldest results are dropped and counted.
//
// A full disk (issue 9 item 14): results the disk refuses wait in memory (up to
// maxInMemory, beyond that the oldest are dropped and counted) and are written when
// there is room again; the outbox opens even when the disk is full (it then works
// from memory and keeps trying); and a small reserve file is given up at close so
// that what waits in memory is written, or at least counted, before the hub stops.
// storageProblem() says what is wrong, for status and tray.
class Outbox : public QObject
{
    Q_OBJECT
public:
    static Result<std::unique_ptr<Outbox>> open(const QString &path, const OutboxOptions &options,
                                                const Clock &clock);
    static Result<std::unique_ptr<Outbox>> open(const QString &path, const queue::QueueOptions &options,
                                                const Clock &clock)
    {
        return open(path, OutboxOptions{options}, clock);
    }
    ~Outbox() override;

    // Stores a measurement (its seq is assigned here) and returns that seq, or 0
    // when it waits in memory.
    qint64 add(protocol::Measurement measurement);
    // Results after seq, oldest first: at most maxItems, and no more than maxBytes of
    // stored CBOR (the first result always).
    Result<QList<protocol::Measurement>> after(qint64 seq, int maxItems,
                                               qint64 maxBytes = kMaxBatchBytes) const;
    // Delivered: everything up to and including upTo.
    void delivered(qint64 upTo);
    // The cloud or the connector has seen this hub's seqs up to seen (ARCHITECTURE
    // §9 "seq continuity"): when that is above what this outbox ever assigned, the
    // outbox was deleted or restored, and its results move above seen.
    void raiseFloor(qint64 seen, const QString &source);
    // Writes what waits in memory (giving up the reserve if it must) and counts
    // what still cannot be written as dropped. Before the hub stops.
    void close();

    qint64 depth() const;
    qint64 dropped() const;
    qint64 lastDelivery() const { return m_lastDelivery; } // ms since the epoch
    qint64 highestSeq() const;
    qint64 waitingInMemory() const { return m_pending.size(); }
    QString storageProblem() const { return m_problem; } // empty when all is well

    // What one batch may hold, in stored bytes: an OCCP/1 frame is at most 1 MiB,
    // and a SubmitBatch body about three times the CBOR must stay well below the
    // cloud's server/maxBodyBytes.
    static constexpr qint64 kMaxBatchBytes = 512 * 1024;

signals:
    void added();

private:
    Outbox(QString path, OutboxOptions options, const Clock &clock);
    bool tryOpen();
    bool flushPending();
    void retry();
    void setProblem(const QString &problem);
    void persistMemoryDrops();
    void makeReserve();

    QString m_path;
    OutboxOptions m_options;
    std::unique_ptr<queue::DurableQueue> m_queue; // null while it cannot be opened
    const Clock &m_clock;
    QList<protocol::Measurement> m_pending; // not yet on disk (disk full)
    qint64 m_memoryDropped = 0;             // dropped in memory, not yet counted on disk
    qint64 m_floor = 0;                     // highest seq seen elsewhere, applied once open
    qint64 m_lastDelivery = 0;
    QString m_problem;
    Error m_openError;
    QTimer m_retry;
};

} // namespace occ::hub
