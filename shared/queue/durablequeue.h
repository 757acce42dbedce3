#pragma once

#include "core/result.h"

#include <memory>
#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

struct sqlite3;
struct sqlite3_stmt;

namespace occ::queue {

// What to do when an append would take the queue over its byte bound.
enum class Overflow
{
    DropOldest, // hub outbox: make room by dropping the oldest items, counted per stream
    Reject,     // connector spool: refuse the append; the producer keeps its copy
};

struct QueueOptions
{
    qint64 maxBytes = 100 * 1024 * 1024;
    Overflow overflow = Overflow::DropOldest;
    // true: fsync at every commit (survives power loss); false: WAL with
    // synchronous=NORMAL (survives a killed process, may lose the last commits on
    // power loss).
    bool fullSync = true;
};

struct QueueItem
{
    QString stream;
    qint64 seq = 0;
    QByteArray data;
};

// Something taken out of the flow and kept for inspection (ARCHITECTURE §9: a bad
// item never blocks a queue): a measurement the cloud would refuse, or rows the
// cloud refused. Its seqs count as seen (a replay is not stored again).
struct QuarantinedItem
{
    QString stream;
    qint64 firstSeq = 0;
    qint64 lastSeq = 0;
    qint64 count = 1; // measurements in it
    QString reason;
    QByteArray data;
    qint64 at = 0; // ms since the epoch
};

struct AppendOutcome
{
    qint64 accepted = 0;   // newly stored
    qint64 duplicates = 0; // seq at or below the stream's high-water mark: already stored
    bool full = false;     // Overflow::Reject and no room: nothing of this call was stored
};

// A FIFO of blobs in SQLite (WAL), organised in streams (one per hub). Each stream
// has strictly increasing sequence numbers that survive restarts, a high-water mark
// used to recognise replays, and a persisted count of items dropped on overflow.
// One instance per thread; it is not shared between threads.
class DurableQueue
{
public:
    static Result<std::unique_ptr<DurableQueue>> open(const QString &path, const QueueOptions &options = {});
    ~DurableQueue();
    DurableQueue(const DurableQueue &) = delete;
    DurableQueue &operator=(const DurableQueue &) = delete;

    // Appends with the stream's next sequence numbers, in one transaction; returns
    // the numbers given. Committed when this returns.
    Result<QList<qint64>> append(const QString &stream, const QList<QByteArray> &items);
    Result<qint64> append(const QString &stream, const QByteArray &item);

    // Appends items whose sequence numbers the producer chose (the connector storing
    // a hub's measurements). Items at or below a stream's high-water mark are
    // counted as duplicates and not stored again. quarantined (already checked for
    // replays by the caller) goes to the quarantine table in the same transaction
    // and raises the high-water marks too. One transaction for all.
    Result<AppendOutcome> appendWithSeqs(const QList<QueueItem> &items,
                                         const QList<QuarantinedItem> &quarantined = {});

    // Moves a stream's items up to a seq out of the queue into the quarantine table
    // (the consumer refused them for good), in one transaction.
    Result<void> quarantine(const QList<QuarantinedItem> &entries, const QString &stream, qint64 upTo);
    // Measurements quarantined so far (kept: the newest kMaxQuarantined entries).
    qint64 quarantinedCount() const { return m_quarantinedCount; }
    Result<QList<QuarantinedItem>> quarantinedItems(int limit) const;
    static constexpr int kMaxQuarantined = 100000;

    // Oldest items of one stream, or of all streams (in arrival order).
    Result<QList<QueueItem>> peek(const QString &stream, int maxItems, qint64 maxBytes = -1,
                                  qint64 afterSeq = 0) const;
    Result<QList<QueueItem>> peekAll(int maxItems) const;
    // Streams that hold items, oldest first.
    Result<QStringList> pendingStreams() const;

    // Deletes the stream's items with seq <= upTo; returns how many.
    Result<qint64> ackUpTo(const QString &stream, qint64 upTo);

    qint64 count() const { return m_count; }
    qint64 bytes() const { return m_bytes; }
    qint64 maxBytes() const { return m_options.maxBytes; }
    Result<qint64> count(const QString &stream) const;
    Result<qint64> dropped(const QString &stream) const;
    // Highest seq assigned or accepted on the stream (0 when none).
    Result<qint64> highWaterMark(const QString &stream) const;
    // Every stream's high-water mark.
    Result<QHash<QString, qint64>> highWaterMarks() const;
    // Raises the high-water mark (e.g. a hub learning from the cloud what it stored).
    Result<void> raiseHighWaterMark(const QString &stream, qint64 seq);
    // Someone else has seen the stream's seqs up to floor (an outbox that was reset
    // or restored: the cloud holds seqs it never assigned in this life). Its items
    // at or below floor are new data under old numbers: the whole stream moves up
    // so that its first item is floor + 1 (order kept), and the high-water mark with
    // it. Returns how many items were renumbered.
    Result<qint64> renumberAbove(const QString &stream, qint64 floor);
    // Counts items dropped outside the queue (e.g. held in memory and never stored).
    Result<void> addDropped(const QString &stream, qint64 count);

    QString path() const { return m_path; }

private:
    DurableQueue(QString path, QueueOptions options)
        : m_path(std::move(path))
        , m_options(options)
    {}
    Result<void> init();
    sqlite3_stmt *statement(int index, const char *sql) const;
    Error sqlError(const QString &what) const;
    Result<void> exec(const char *sql);
    Result<void> begin();
    Result<void> commit();
    void rollback();
    struct StreamRow
    {
        qint64 highWater = 0;
        qint64 dropped = 0;
    };
    Result<StreamRow> streamRow(const QString &stream) const;
    Result<void> makeRoom(qint64 incoming);
    Result<void> storeItem(const QString &stream, qint64 seq, const QByteArray &data);
    Result<void> setHighWaterMark(const QString &stream, qint64 seq);
    Result<void> storeQuarantined(const QuarantinedItem &item);
    Result<qint64> deleteUpTo(const QString &stream, qint64 upTo);

    QString m_path;
    QueueOptions m_options;
    sqlite3 *m_db = nullptr;
    mutable sqlite3_stmt *m_statements[20] = {};
    qint64 m_quarantinedCount = 0;
    qint64 m_count = 0;
    qint64 m_bytes = 0;
};

} // namespace occ::queue
