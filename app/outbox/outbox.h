#pragma once

#include "core/clock.h"
#include "core/result.h"
#include "protocol/messages.h"
#include "queue/durablequeue.h"

#include <memory>
#include <QObject>
#include <QTimer>

namespace occ::hub {

// The hub's outbox (ARCHITECTURE §9): every result is written here before it is
// sent and deleted only when a connector acknowledged it or the cloud answered.
// Its sequence numbers are the measurements' seq (per hub, surviving restarts).
// Bounded: beyond outbox/maxBytes the oldest results are dropped and counted.
// When the disk refuses a write the result waits in memory and is written later:
// a full disk loses nothing while the hub runs.
class Outbox : public QObject
{
    Q_OBJECT
public:
    static Result<std::unique_ptr<Outbox>> open(const QString &path, const queue::QueueOptions &options,
                                                const Clock &clock);

    // Stores a measurement (its seq is assigned here) and returns that seq.
    qint64 add(protocol::Measurement measurement);
    // Results after seq, oldest first: at most maxItems, and no more than maxBytes of
    // stored CBOR (the first result always).
    Result<QList<protocol::Measurement>> after(qint64 seq, int maxItems,
                                               qint64 maxBytes = kMaxBatchBytes) const;
    // What one batch may hold, in stored bytes: an OCCP/1 frame is at most 1 MiB,
    // and a SubmitBatch body about three times the CBOR must stay well below the
    // cloud's server/maxBodyBytes.
    static constexpr qint64 kMaxBatchBytes = 512 * 1024;
    // Delivered: everything up to and including upTo.
    void delivered(qint64 upTo);

    qint64 depth() const;
    qint64 dropped() const;
    qint64 lastDelivery() const { return m_lastDelivery; } // ms since the epoch
    qint64 highestSeq() const;

signals:
    void added();

private:
    Outbox(std::unique_ptr<queue::DurableQueue> queue, const Clock &clock);
    bool flushPending();

    std::unique_ptr<queue::DurableQueue> m_queue;
    const Clock &m_clock;
    QList<protocol::Measurement> m_pending; // not yet on disk (disk full)
    qint64 m_lastDelivery = 0;
    QTimer m_retry;
};

} // namespace occ::hub
