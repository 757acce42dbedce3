#include "durablequeue.h"

#include "core/logging.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <sqlite3.h>

namespace occ::queue {
namespace {

// Statement slots (each prepared once, on first use).
enum Slot
{
    kInsertItem,
    kStreamRow,
    kEnsureStream,
    kSetHighWater,
    kAddDropped,
    kPeekStream,
    kPeekAll,
    kPendingStreams,
    kSumStream,
    kDeleteUpTo,
    kOldest,
    kDeleteId,
    kCountStream,
    kInsertQuarantined,
    kTrimQuarantined,
    kListQuarantined,
};

const char *const kSchema = R"sql(
CREATE TABLE IF NOT EXISTS items (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    stream TEXT    NOT NULL,
    seq    INTEGER NOT NULL,
    bytes  INTEGER NOT NULL,
    data   BLOB    NOT NULL,
    UNIQUE (stream, seq)
);
CREATE TABLE IF NOT EXISTS streams (
    stream     TEXT PRIMARY KEY,
    high_water INTEGER NOT NULL DEFAULT 0,
    dropped    INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS quarantine (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    stream    TEXT    NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq  INTEGER NOT NULL,
    count     INTEGER NOT NULL,
    reason    TEXT    NOT NULL,
    at        INTEGER NOT NULL,
    data      BLOB    NOT NULL
);
PRAGMA user_version = 2;
)sql";

QString text(sqlite3_stmt *statement, int column)
{
    return QString::fromUtf8(reinterpret_cast<const char *>(sqlite3_column_text(statement, column)),
                             sqlite3_column_bytes(statement, column));
}

void bindText(sqlite3_stmt *statement, int index, const QString &value)
{
    const QByteArray utf8 = value.toUtf8();
    sqlite3_bind_text(statement, index, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
}

// Resets a statement when the scope ends, whatever path is taken.
struct StatementGuard
{
    sqlite3_stmt *statement;
    ~StatementGuard()
    {
        if (statement) {
            sqlite3_reset(statement);
            sqlite3_clear_bindings(statement);
        }
    }
};

} // namespace

Result<std::unique_ptr<DurableQueue>> DurableQueue::open(const QString &path, const QueueOptions &options)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    std::unique_ptr<DurableQueue> queue(new DurableQueue(path, options));
    const QByteArray file = QFile::encodeName(path);
    if (sqlite3_open_v2(file.constData(), &queue->m_db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK)
        return queue->sqlError(QStringLiteral("cannot open queue %1").arg(path));
    if (Result<void> r = queue->init(); !r)
        return r.error();
    return queue;
}

DurableQueue::~DurableQueue()
{
    for (sqlite3_stmt *&statement : m_statements) {
        sqlite3_finalize(statement);
        statement = nullptr;
    }
    sqlite3_close(m_db);
}

Error DurableQueue::sqlError(const QString &what) const
{
    const int code = m_db ? sqlite3_extended_errcode(m_db) : SQLITE_CANTOPEN;
    const QString detail = m_db ? QString::fromUtf8(sqlite3_errmsg(m_db)) : QStringLiteral("out of memory");
    const int primary = code & 0xff;
    const ErrorCategory category =
        primary == SQLITE_FULL || primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN
            ? ErrorCategory::Io
            : ErrorCategory::Storage;
    return fail(category, QStringLiteral("%1: %2 (sqlite %3)").arg(what, detail).arg(code));
}

Result<void> DurableQueue::exec(const char *sql)
{
    char *message = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        Error error = sqlError(QStringLiteral("queue %1").arg(m_path));
        sqlite3_free(message);
        return error;
    }
    return {};
}

Result<void> DurableQueue::init()
{
    sqlite3_busy_timeout(m_db, 5000);
    if (Result<void> r = exec("PRAGMA journal_mode=WAL"); !r)
        return r;
    if (Result<void> r = exec(m_options.fullSync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
        !r)
        return r;
    // A full disk must not keep an existing queue from opening: write nothing on
    // open unless the schema is older. WAL growth bounded for small data folders.
    sqlite3_stmt *version = nullptr;
    int userVersion = 0;
    if (sqlite3_prepare_v2(m_db, "PRAGMA user_version", -1, &version, nullptr) == SQLITE_OK &&
        sqlite3_step(version) == SQLITE_ROW)
        userVersion = sqlite3_column_int(version, 0);
    sqlite3_finalize(version);
    if (userVersion < 2) {
        if (Result<void> r = exec(kSchema); !r)
            return r;
    }
    if (Result<void> r = exec("PRAGMA wal_autocheckpoint=256; PRAGMA journal_size_limit=1048576"); !r)
        return r;
    sqlite3_stmt *totals = nullptr;
    if (sqlite3_prepare_v2(m_db, "SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM items", -1, &totals,
                           nullptr) != SQLITE_OK)
        return sqlError(QStringLiteral("cannot read queue totals"));
    if (sqlite3_step(totals) == SQLITE_ROW) {
        m_count = sqlite3_column_int64(totals, 0);
        m_bytes = sqlite3_column_int64(totals, 1);
    }
    sqlite3_finalize(totals);
    sqlite3_stmt *kept = nullptr;
    if (sqlite3_prepare_v2(m_db, "SELECT COALESCE(SUM(count), 0) FROM quarantine", -1, &kept, nullptr) !=
        SQLITE_OK)
        return sqlError(QStringLiteral("cannot read the quarantine table"));
    if (sqlite3_step(kept) == SQLITE_ROW)
        m_quarantinedCount = sqlite3_column_int64(kept, 0);
    sqlite3_finalize(kept);
    qCDebug(lcQueue) << "opened" << m_path << "items" << m_count << "bytes" << m_bytes;
    return {};
}

sqlite3_stmt *DurableQueue::statement(int index, const char *sql) const
{
    if (!m_statements[index] && sqlite3_prepare_v3(m_db, sql, -1, SQLITE_PREPARE_PERSISTENT,
                                                   &m_statements[index], nullptr) != SQLITE_OK) {
        qCCritical(lcQueue) << "cannot prepare" << sql << sqlite3_errmsg(m_db);
        return nullptr;
    }
    return m_statements[index];
}

Result<void> DurableQueue::begin()
{
    return exec("BEGIN IMMEDIATE");
}

Result<void> DurableQueue::commit()
{
    return exec("COMMIT");
}

void DurableQueue::rollback()
{
    sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
}

Result<DurableQueue::StreamRow> DurableQueue::streamRow(const QString &stream) const
{
    sqlite3_stmt *s = statement(kStreamRow, "SELECT high_water, dropped FROM streams WHERE stream = ?1");
    if (!s)
        return sqlError(QStringLiteral("queue statement"));
    StatementGuard guard{s};
    bindText(s, 1, stream);
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE)
        return StreamRow{};
    if (rc != SQLITE_ROW)
        return sqlError(QStringLiteral("cannot read stream %1").arg(stream));
    return StreamRow{sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1)};
}

Result<qint64> DurableQueue::highWaterMark(const QString &stream) const
{
    Result<StreamRow> row = streamRow(stream);
    if (!row)
        return row.error();
    return row->highWater;
}

Result<QHash<QString, qint64>> DurableQueue::highWaterMarks() const
{
    sqlite3_stmt *s = nullptr;
    if (sqlite3_prepare_v2(m_db, "SELECT stream, high_water FROM streams", -1, &s, nullptr) != SQLITE_OK)
        return sqlError(QStringLiteral("cannot read the streams"));
    QHash<QString, qint64> marks;
    while (sqlite3_step(s) == SQLITE_ROW)
        marks.insert(text(s, 0), sqlite3_column_int64(s, 1));
    sqlite3_finalize(s);
    return marks;
}

Result<qint64> DurableQueue::dropped(const QString &stream) const
{
    Result<StreamRow> row = streamRow(stream);
    if (!row)
        return row.error();
    return row->dropped;
}

Result<qint64> DurableQueue::count(const QString &stream) const
{
    sqlite3_stmt *s = statement(kCountStream, "SELECT COUNT(*) FROM items WHERE stream = ?1");
    if (!s)
        return sqlError(QStringLiteral("queue statement"));
    StatementGuard guard{s};
    bindText(s, 1, stream);
    if (sqlite3_step(s) != SQLITE_ROW)
        return sqlError(QStringLiteral("cannot count stream %1").arg(stream));
    return sqlite3_column_int64(s, 0);
}

Result<void> DurableQueue::setHighWaterMark(const QString &stream, qint64 seq)
{
    sqlite3_stmt *ensure = statement(kEnsureStream, "INSERT OR IGNORE INTO streams(stream) VALUES (?1)");
    sqlite3_stmt *set =
        statement(kSetHighWater, "UPDATE streams SET high_water = MAX(high_water, ?2) WHERE stream = ?1");
    if (!ensure || !set)
        return sqlError(QStringLiteral("queue statement"));
    {
        StatementGuard guard{ensure};
        bindText(ensure, 1, stream);
        if (sqlite3_step(ensure) != SQLITE_DONE)
            return sqlError(QStringLiteral("cannot record stream %1").arg(stream));
    }
    StatementGuard guard{set};
    bindText(set, 1, stream);
    sqlite3_bind_int64(set, 2, seq);
    if (sqlite3_step(set) != SQLITE_DONE)
        return sqlError(QStringLiteral("cannot update stream %1").arg(stream));
    return {};
}

Result<void> DurableQueue::raiseHighWaterMark(const QString &stream, qint64 seq)
{
    if (Result<void> r = begin(); !r)
        return r;
    if (Result<void> r = setHighWaterMark(stream, seq); !r) {
        rollback();
        return r;
    }
    return commit();
}

Result<void> DurableQueue::storeItem(const QString &stream, qint64 seq, const QByteArray &data)
{
    sqlite3_stmt *s =
        statement(kInsertItem, "INSERT INTO items(stream, seq, bytes, data) VALUES (?1, ?2, ?3, ?4)");
    if (!s)
        return sqlError(QStringLiteral("queue statement"));
    StatementGuard guard{s};
    bindText(s, 1, stream);
    sqlite3_bind_int64(s, 2, seq);
    sqlite3_bind_int64(s, 3, data.size());
    sqlite3_bind_blob64(s, 4, data.constData(), sqlite3_uint64(data.size()), SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        return sqlError(QStringLiteral("cannot store item %1 of %2").arg(seq).arg(stream));
    return {};
}

// Within a transaction: drops the oldest items until `incoming` more bytes fit.
Result<void> DurableQueue::makeRoom(qint64 incoming)
{
    sqlite3_stmt *oldest = statement(kOldest, "SELECT id, stream, bytes FROM items ORDER BY id LIMIT 256");
    sqlite3_stmt *remove = statement(kDeleteId, "DELETE FROM items WHERE id = ?1");
    sqlite3_stmt *dropped =
        statement(kAddDropped, "UPDATE streams SET dropped = dropped + ?2 WHERE stream = ?1");
    if (!oldest || !remove || !dropped)
        return sqlError(QStringLiteral("queue statement"));
    while (m_bytes + incoming > m_options.maxBytes && m_count > 0) {
        struct Victim
        {
            qint64 id;
            QString stream;
            qint64 bytes;
        };
        QList<Victim> victims;
        {
            StatementGuard guard{oldest};
            qint64 freed = 0;
            while (m_bytes - freed + incoming > m_options.maxBytes && sqlite3_step(oldest) == SQLITE_ROW) {
                victims.append(
                    {sqlite3_column_int64(oldest, 0), text(oldest, 1), sqlite3_column_int64(oldest, 2)});
                freed += victims.last().bytes;
            }
        }
        if (victims.isEmpty())
            break;
        for (const Victim &victim : victims) {
            {
                StatementGuard guard{remove};
                sqlite3_bind_int64(remove, 1, victim.id);
                if (sqlite3_step(remove) != SQLITE_DONE)
                    return sqlError(QStringLiteral("cannot drop an old item"));
            }
            StatementGuard guard{dropped};
            bindText(dropped, 1, victim.stream);
            sqlite3_bind_int64(dropped, 2, 1);
            if (sqlite3_step(dropped) != SQLITE_DONE)
                return sqlError(QStringLiteral("cannot count a dropped item"));
            m_bytes -= victim.bytes;
            --m_count;
        }
        qCWarning(lcQueue) << m_path << "is full: dropped the" << victims.size() << "oldest items";
    }
    return {};
}

Result<QList<qint64>> DurableQueue::append(const QString &stream, const QList<QByteArray> &items)
{
    qint64 incoming = 0;
    for (const QByteArray &item : items)
        incoming += item.size();
    if (incoming > m_options.maxBytes)
        return fail(ErrorCategory::Input, QStringLiteral("%1 bytes can never fit a queue of %2 bytes")
                                              .arg(incoming)
                                              .arg(m_options.maxBytes));
    const qint64 savedCount = m_count;
    const qint64 savedBytes = m_bytes;
    auto undo = [&](Error error) {
        rollback();
        m_count = savedCount;
        m_bytes = savedBytes;
        return error;
    };
    if (Result<void> r = begin(); !r)
        return r.error();
    if (m_bytes + incoming > m_options.maxBytes) {
        if (m_options.overflow == Overflow::Reject) {
            rollback();
            return fail(ErrorCategory::Storage, QStringLiteral("queue %1 is full").arg(m_path));
        }
        // The stream row must exist before drops are counted against it.
        if (Result<void> r = setHighWaterMark(stream, 0); !r)
            return undo(r.error());
        if (Result<void> r = makeRoom(incoming); !r)
            return undo(r.error());
    }
    Result<qint64> high = highWaterMark(stream);
    if (!high)
        return undo(high.error());
    QList<qint64> seqs;
    seqs.reserve(items.size());
    qint64 seq = high.value();
    for (const QByteArray &item : items) {
        ++seq;
        if (Result<void> r = storeItem(stream, seq, item); !r)
            return undo(r.error());
        seqs.append(seq);
        m_bytes += item.size();
        ++m_count;
    }
    if (Result<void> r = setHighWaterMark(stream, seq); !r)
        return undo(r.error());
    if (Result<void> r = commit(); !r)
        return undo(r.error());
    return seqs;
}

Result<qint64> DurableQueue::append(const QString &stream, const QByteArray &item)
{
    Result<QList<qint64>> seqs = append(stream, QList<QByteArray>{item});
    if (!seqs)
        return seqs.error();
    return seqs->first();
}

Result<AppendOutcome> DurableQueue::appendWithSeqs(const QList<QueueItem> &items,
                                                   const QList<QuarantinedItem> &quarantined)
{
    AppendOutcome outcome;
    const qint64 savedCount = m_count;
    const qint64 savedBytes = m_bytes;
    auto undo = [&](Error error) {
        rollback();
        m_count = savedCount;
        m_bytes = savedBytes;
        return error;
    };
    if (Result<void> r = begin(); !r)
        return r.error();
    // Pass 1: which items are new (seq above the high-water mark, not repeated
    // within this call)?
    QHash<QString, qint64> highWater;
    QList<const QueueItem *> fresh;
    qint64 incoming = 0;
    for (const QueueItem &item : items) {
        auto it = highWater.find(item.stream);
        if (it == highWater.end()) {
            Result<qint64> high = highWaterMark(item.stream);
            if (!high)
                return undo(high.error());
            it = highWater.insert(item.stream, high.value());
        }
        if (item.seq <= it.value()) {
            ++outcome.duplicates;
            continue;
        }
        it.value() = item.seq;
        fresh.append(&item);
        incoming += item.data.size();
    }
    if (m_bytes + incoming > m_options.maxBytes) {
        if (m_options.overflow == Overflow::Reject) {
            rollback();
            outcome = AppendOutcome{};
            outcome.full = true;
            return outcome;
        }
        if (Result<void> r = makeRoom(incoming); !r)
            return undo(r.error());
    }
    for (const QueueItem *item : fresh) {
        if (Result<void> r = storeItem(item->stream, item->seq, item->data); !r)
            return undo(r.error());
        m_bytes += item->data.size();
        ++m_count;
        ++outcome.accepted;
    }
    const qint64 savedQuarantined = m_quarantinedCount;
    for (const QuarantinedItem &item : quarantined) {
        if (Result<void> r = storeQuarantined(item); !r) {
            m_quarantinedCount = savedQuarantined;
            return undo(r.error());
        }
        auto it = highWater.find(item.stream);
        if (it == highWater.end())
            it = highWater.insert(item.stream, 0);
        it.value() = qMax(it.value(), item.lastSeq);
    }
    for (auto it = highWater.cbegin(); it != highWater.cend(); ++it) {
        if (Result<void> r = setHighWaterMark(it.key(), it.value()); !r)
            return undo(r.error());
    }
    if (Result<void> r = commit(); !r)
        return undo(r.error());
    return outcome;
}

Result<QList<QueueItem>> DurableQueue::peek(const QString &stream, int maxItems, qint64 maxBytes,
                                            qint64 afterSeq) const
{
    sqlite3_stmt *s = statement(
        kPeekStream, "SELECT seq, data FROM items WHERE stream = ?1 AND seq > ?3 ORDER BY seq LIMIT ?2");
    if (!s)
        return sqlError(QStringLiteral("queue statement"));
    StatementGuard guard{s};
    bindText(s, 1, stream);
    sqlite3_bind_int(s, 2, maxItems);
    sqlite3_bind_int64(s, 3, afterSeq);
    QList<QueueItem> items;
    qint64 total = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const int size = sqlite3_column_bytes(s, 1);
        if (maxBytes >= 0 && !items.isEmpty() && total + size > maxBytes)
            break;
        total += size;
        items.append({stream, sqlite3_column_int64(s, 0),
                      QByteArray(static_cast<const char *>(sqlite3_column_blob(s, 1)), size)});
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return sqlError(QStringLiteral("cannot read stream %1").arg(stream));
    return items;
}

Result<QList<QueueItem>> DurableQueue::peekAll(int maxItems) const
{
    sqlite3_stmt *s = statement(kPeekAll, "SELECT stream, seq, data FROM items ORDER BY id LIMIT ?1");
    if (!s)
        return sqlError(QStringLiteral("queue statement"));
    StatementGuard guard{s};
    sqlite3_bind_int(s, 1, maxItems);
    QList<QueueItem> items;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        items.append(
            {text(s, 0), sqlite3_column_int64(s, 1),
             QByteArray(static_cast<const char *>(sqlite3_column_blob(s, 2)), sqlite3_column_bytes(s, 2))});
    }
    if (rc != SQLITE_DONE)
        return sqlError(QStringLiteral("cannot read the queue"));
    return items;
}

Result<QStringList> DurableQueue::pendingStreams() const
{
    sqlite3_stmt *s = statement(kPendingStreams, "SELECT stream FROM items GROUP BY stream ORDER BY MIN(id)");
    if (!s)
        return sqlError(QStringLiteral("queue statement"));
    StatementGuard guard{s};
    QStringList streams;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        streams.append(text(s, 0));
    if (rc != SQLITE_DONE)
        return sqlError(QStringLiteral("cannot list streams"));
    return streams;
}

// Within a transaction: deletes the stream's items up to a seq.
Result<qint64> DurableQueue::deleteUpTo(const QString &stream, qint64 upTo)
{
    sqlite3_stmt *sum = statement(
        kSumStream, "SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM items WHERE stream = ?1 AND seq <= ?2");
    sqlite3_stmt *remove = statement(kDeleteUpTo, "DELETE FROM items WHERE stream = ?1 AND seq <= ?2");
    if (!sum || !remove)
        return sqlError(QStringLiteral("queue statement"));
    qint64 removedCount = 0;
    qint64 removedBytes = 0;
    {
        StatementGuard guard{sum};
        bindText(sum, 1, stream);
        sqlite3_bind_int64(sum, 2, upTo);
        if (sqlite3_step(sum) != SQLITE_ROW)
            return sqlError(QStringLiteral("cannot acknowledge %1").arg(stream));
        removedCount = sqlite3_column_int64(sum, 0);
        removedBytes = sqlite3_column_int64(sum, 1);
    }
    StatementGuard guard{remove};
    bindText(remove, 1, stream);
    sqlite3_bind_int64(remove, 2, upTo);
    if (sqlite3_step(remove) != SQLITE_DONE)
        return sqlError(QStringLiteral("cannot acknowledge %1").arg(stream));
    m_count -= removedCount;
    m_bytes -= removedBytes;
    return removedCount;
}

Result<qint64> DurableQueue::ackUpTo(const QString &stream, qint64 upTo)
{
    const qint64 savedCount = m_count;
    const qint64 savedBytes = m_bytes;
    if (Result<void> r = begin(); !r)
        return r.error();
    Result<qint64> removed = deleteUpTo(stream, upTo);
    if (removed) {
        if (Result<void> r = commit(); !r)
            removed = r.error();
    }
    if (!removed) {
        rollback();
        m_count = savedCount;
        m_bytes = savedBytes;
    }
    return removed;
}

Result<void> DurableQueue::storeQuarantined(const QuarantinedItem &item)
{
    sqlite3_stmt *insert = statement(kInsertQuarantined,
                                     "INSERT INTO quarantine(stream, first_seq, last_seq, count, reason, at, "
                                     "data) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    sqlite3_stmt *trim = statement(
        kTrimQuarantined, "DELETE FROM quarantine WHERE id <= (SELECT MAX(id) FROM quarantine) - ?1");
    if (!insert || !trim)
        return sqlError(QStringLiteral("queue statement"));
    {
        StatementGuard guard{insert};
        bindText(insert, 1, item.stream);
        sqlite3_bind_int64(insert, 2, item.firstSeq);
        sqlite3_bind_int64(insert, 3, item.lastSeq);
        sqlite3_bind_int64(insert, 4, item.count);
        bindText(insert, 5, item.reason.left(1000));
        sqlite3_bind_int64(insert, 6, item.at);
        sqlite3_bind_blob64(insert, 7, item.data.constData(), sqlite3_uint64(item.data.size()),
                            SQLITE_STATIC);
        if (sqlite3_step(insert) != SQLITE_DONE)
            return sqlError(QStringLiteral("cannot quarantined items of %1").arg(item.stream));
    }
    StatementGuard guard{trim};
    sqlite3_bind_int64(trim, 1, kMaxQuarantined);
    if (sqlite3_step(trim) != SQLITE_DONE)
        return sqlError(QStringLiteral("cannot trim the quarantine table"));
    m_quarantinedCount += item.count; // a count of what was ever quarantined, also beyond the kept entries
    return {};
}

Result<void> DurableQueue::quarantine(const QList<QuarantinedItem> &entries, const QString &stream,
                                      qint64 upTo)
{
    const qint64 savedCount = m_count;
    const qint64 savedBytes = m_bytes;
    const qint64 savedQuarantined = m_quarantinedCount;
    auto undo = [&](Error error) {
        rollback();
        m_count = savedCount;
        m_bytes = savedBytes;
        m_quarantinedCount = savedQuarantined;
        return error;
    };
    if (Result<void> r = begin(); !r)
        return r.error();
    for (const QuarantinedItem &item : entries) {
        if (Result<void> r = storeQuarantined(item); !r)
            return undo(r.error());
    }
    if (Result<qint64> r = deleteUpTo(stream, upTo); !r)
        return undo(r.error());
    if (Result<void> r = commit(); !r)
        return undo(r.error());
    return {};
}

Result<QList<QuarantinedItem>> DurableQueue::quarantinedItems(int limit) const
{
    sqlite3_stmt *s = statement(kListQuarantined,
                                "SELECT stream, first_seq, last_seq, count, reason, at, data FROM quarantine "
                                "ORDER BY id DESC LIMIT ?1");
    if (!s)
        return sqlError(QStringLiteral("queue statement"));
    StatementGuard guard{s};
    sqlite3_bind_int(s, 1, limit);
    QList<QuarantinedItem> items;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        items.append(
            {text(s, 0), sqlite3_column_int64(s, 1), sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3),
             text(s, 4),
             QByteArray(static_cast<const char *>(sqlite3_column_blob(s, 6)), sqlite3_column_bytes(s, 6)),
             sqlite3_column_int64(s, 5)});
    }
    if (rc != SQLITE_DONE)
        return sqlError(QStringLiteral("cannot read the quarantine table"));
    return items;
}

Result<void> DurableQueue::addDropped(const QString &stream, qint64 count)
{
    sqlite3_stmt *dropped =
        statement(kAddDropped, "UPDATE streams SET dropped = dropped + ?2 WHERE stream = ?1");
    if (!dropped)
        return sqlError(QStringLiteral("queue statement"));
    if (Result<void> r = begin(); !r)
        return r;
    if (Result<void> r = setHighWaterMark(stream, 0); !r) { // the stream row must exist
        rollback();
        return r;
    }
    {
        StatementGuard guard{dropped};
        bindText(dropped, 1, stream);
        sqlite3_bind_int64(dropped, 2, count);
        if (sqlite3_step(dropped) != SQLITE_DONE) {
            Error error = sqlError(QStringLiteral("cannot count dropped items of %1").arg(stream));
            rollback();
            return error;
        }
    }
    return commit();
}

Result<qint64> DurableQueue::renumberAbove(const QString &stream, qint64 floor)
{
    if (Result<void> r = begin(); !r)
        return r.error();
    auto failWith = [&](const QString &what) {
        Error error = sqlError(what);
        rollback();
        return error;
    };
    sqlite3_stmt *range = nullptr;
    qint64 lowest = 0;
    qint64 highest = 0;
    qint64 count = 0;
    if (sqlite3_prepare_v2(m_db, "SELECT MIN(seq), MAX(seq), COUNT(*) FROM items WHERE stream = ?1", -1,
                           &range, nullptr) != SQLITE_OK)
        return failWith(QStringLiteral("cannot read stream %1").arg(stream));
    bindText(range, 1, stream);
    if (sqlite3_step(range) == SQLITE_ROW) {
        lowest = sqlite3_column_int64(range, 0);
        highest = sqlite3_column_int64(range, 1);
        count = sqlite3_column_int64(range, 2);
    }
    sqlite3_finalize(range);
    qint64 renumbered = 0;
    qint64 mark = floor;
    if (count > 0 && lowest <= floor) {
        // Shift every item of the stream by the same amount (order kept), through
        // negative numbers so that no step meets the UNIQUE (stream, seq) of another.
        const qint64 delta = floor - lowest + 1;
        for (const char *sql : {"UPDATE items SET seq = -(seq + ?2) WHERE stream = ?1",
                                "UPDATE items SET seq = -seq WHERE stream = ?1 AND seq < 0"}) {
            sqlite3_stmt *shift = nullptr;
            if (sqlite3_prepare_v2(m_db, sql, -1, &shift, nullptr) != SQLITE_OK)
                return failWith(QStringLiteral("cannot renumber stream %1").arg(stream));
            bindText(shift, 1, stream);
            if (sqlite3_bind_parameter_count(shift) >= 2)
                sqlite3_bind_int64(shift, 2, delta);
            const int rc = sqlite3_step(shift);
            sqlite3_finalize(shift);
            if (rc != SQLITE_DONE)
                return failWith(QStringLiteral("cannot renumber stream %1").arg(stream));
        }
        renumbered = count;
        mark = highest + delta;
    }
    if (Result<void> r = setHighWaterMark(stream, mark); !r) {
        rollback();
        return r.error();
    }
    if (Result<void> r = commit(); !r)
        return r.error();
    return renumbered;
}

} // namespace occ::queue
