#pragma once

#include "cloudapi/cloudtypes.h"
#include "core/connectorstats.h"
#include "protocol/messages.h"
#include "queue/durablequeue.h"

#include <functional>
#include <memory>
#include <QHash>
#include <QMutex>
#include <QObject>
#include <QPointer>
#include <QTimer>

namespace occ::connector {

class Worker;

struct AppendRequest
{
    Worker *worker = nullptr; // where to answer
    quint64 sessionId = 0;
    QString hubId;
    QList<protocol::Measurement> items; // ascending seq
    int batches = 0;
};

// One spooled batch of a hub as the uplink sees it.
struct SpoolRow
{
    QString hubId;
    qint64 upTo = 0; // highest seq in the row
    QList<protocol::Measurement> measurements;
};

struct SpoolFigures
{
    qint64 rows = 0;
    qint64 bytes = 0;
    qint64 maxBytes = 0;
    qint64 quarantined = 0; // measurements quarantined (the cloud would refuse, or refused, them)
    QString problem;        // empty when the spool works
};

// The connector's durable spool (ARCHITECTURE §9): the shared DurableQueue (SQLite
// WAL) in its own thread. Appends arriving together are committed in one
// transaction (group commit) and only then acknowledged to the hub sessions.
// A hub's measurements at or below what the spool already accepted from it are
// recognised as replays and not stored again. When full it refuses: the sessions
// do not acknowledge and hubs keep their data. Thread-safe entry points queue into
// the spool's thread.
class Spool : public QObject
{
    Q_OBJECT
public:
    Spool(QString path, queue::QueueOptions options, ConnectorStats &stats);
    ~Spool() override;

    // Spool thread: opens the queue (call once after moving to the thread).
    Result<void> open();
    // Spool thread, at shutdown: commits and answers what is pending, closes the
    // queue, and from then on neither stores nor answers anything (the workers that
    // appended may be gone next).
    void close();

    // Any thread.
    void append(AppendRequest request);
    // Oldest rows across hubs, at most about maxMeasurements and maxBytes (the first
    // row always); answer in the caller's thread through context.
    void takeForUpload(int maxMeasurements, qint64 maxBytes, QObject *context,
                       std::function<void(QList<SpoolRow>)> done);
    // The cloud stored these rows (each hub's up to the given seq, which is the
    // highest seq *sent*, never the cloud's highest for the hub): delete them.
    void uploaded(const QHash<QString, qint64> &sentUpToByHub, QObject *context, std::function<void()> done);
    // The cloud refused these rows for good: set them aside with the reason.
    void quarantine(const QList<SpoolRow> &rows, const QString &reason, QObject *context,
                    std::function<void()> done);
    void figures(QObject *context, std::function<void(SpoolFigures)> done);
    SpoolFigures figuresNow() const; // spool thread
    // The highest seq of a hub this spool stored or the cloud reported (any thread).
    qint64 seen(const QString &hubId) const;
    // What the cloud holds of these hubs (from its answers): raised for good.
    void cloudSeqs(const QList<cloudapi::HubSeq> &seqs); // any thread
    // The newest quarantine entries (for the admin console); blocks the caller,
    // which must not be the spool's thread.
    QList<queue::QuarantinedItem> quarantinedEntries(int limit);

signals:
    // Emitted (spool thread) after a commit stored new rows.
    void dataAvailable();

private:
    void flush();

    QString m_path;
    queue::QueueOptions m_options;
    ConnectorStats &m_stats;
    std::unique_ptr<queue::DurableQueue> m_queue; // null while it cannot be opened (full disk)
    QString m_problem;
    QTimer *m_reopen = nullptr;
    QList<AppendRequest> m_pending;
    bool m_flushScheduled = false;
    bool m_closed = false;
    QHash<QString, qint64> m_highWater; // cache of the queue's per-hub high-water marks
    mutable QMutex m_seenMutex;
    QHash<QString, qint64> m_seen; // what seen() answers: high-water marks, any thread
    // Per hub, the first seq of a batch the spool refused (full, or a disk error).
    // Later batches of that hub are refused too until the refused one comes again:
    // a cumulative ack must never cover what was not stored, and a stored later
    // batch would make the refused one look like a replay (ARCHITECTURE §7, §9).
    QHash<QString, qint64> m_refusedFrom;
};

} // namespace occ::connector
