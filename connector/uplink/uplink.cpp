#include "uplink.h"

#include "uplink/cloudlink.h"

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcUplink)

namespace occ::connector {

namespace {

// The cloud refused the content of the call (a fault of category Client): sending
// it again unchanged would be refused again.
bool refusesContent(const Error &error)
{
    return error.category == ErrorCategory::Input || error.category == ErrorCategory::Auth;
}

} // namespace

Uplink::Uplink(CloudLink &link, Spool &spool, ConnectorStats &stats, int measurementsPerCall, QObject *parent)
    : QObject(parent)
    , m_link(link)
    , m_spool(spool)
    , m_stats(stats)
    , m_perCall(qMax(1, measurementsPerCall))
{
    m_retry.setSingleShot(true);
    connect(&m_retry, &QTimer::timeout, this, &Uplink::next);
    // A safety net: look at the spool now and then even without a kick.
    m_idle.setInterval(5000);
    connect(&m_idle, &QTimer::timeout, this, &Uplink::kick);
}

void Uplink::start()
{
    m_idle.start();
    next();
}

void Uplink::kick()
{
    if (m_busy || m_retry.isActive()) {
        m_kicked = true;
        return;
    }
    next();
}

void Uplink::next()
{
    if (m_busy)
        return;
    m_busy = true;
    m_kicked = false;
    if (!m_pieces.isEmpty()) {
        send(m_pieces.first());
        return;
    }
    m_spool.takeForUpload(m_perCall, kMaxBytesPerCall, this, [this](QList<SpoolRow> rows) {
        if (rows.isEmpty()) {
            m_busy = false;
            if (m_kicked)
                next();
            return;
        }
        send(rows);
    });
}

void Uplink::send(QList<SpoolRow> rows)
{
    // Group by hub, keeping each hub's rows in order; remember what was sent.
    QList<cloudapi::HubBatch> batches;
    QHash<QString, int> index;
    QHash<QString, qint64> sentUpTo;
    int count = 0;
    for (const SpoolRow &row : std::as_const(rows)) {
        auto it = index.constFind(row.hubId);
        if (it == index.cend()) {
            it = index.insert(row.hubId, int(batches.size()));
            batches.append({row.hubId, {}});
        }
        batches[it.value()].measurements += row.measurements;
        sentUpTo[row.hubId] = qMax(sentUpTo.value(row.hubId), row.upTo);
        count += int(row.measurements.size());
    }
    m_link.client().submitBatch(batches, [this, rows, count,
                                          sentUpTo](Result<QList<cloudapi::HubSeq>> answer) {
        if (!answer && refusesContent(answer.error())) {
            m_link.succeeded(); // the cloud answered; it did not like the content
            refused(rows, answer.error());
            return;
        }
        if (!answer) {
            m_link.failed(answer.error());
            m_busy = false;
            const qint64 delay = m_backoff.next();
            qCDebug(lcUplink) << "retrying the upload in" << delay << "ms";
            m_retry.start(int(delay));
            return;
        }
        m_link.succeeded();
        m_backoff.reset();
        m_stats.measurementsUploaded += count;
        for (const cloudapi::HubSeq &seq : std::as_const(*answer)) {
            if (seq.highestSeq < sentUpTo.value(seq.hubId))
                qCWarning(lcUplink) << "the cloud answered highest seq" << seq.highestSeq << "for"
                                    << seq.hubId << "below the" << sentUpTo.value(seq.hubId) << "it was sent";
        }
        // Exactly what was sent, whatever the cloud holds beyond it.
        m_spool.uploaded(sentUpTo, this, [this] { finishPiece(); });
    });
}

void Uplink::refused(QList<SpoolRow> rows, const Error &error)
{
    QList<QList<SpoolRow>> parts;
    QStringList hubs;
    for (const SpoolRow &row : std::as_const(rows)) {
        if (!hubs.contains(row.hubId))
            hubs.append(row.hubId);
    }
    if (hubs.size() > 1) {
        for (const QString &hub : std::as_const(hubs)) {
            QList<SpoolRow> part;
            for (const SpoolRow &row : std::as_const(rows)) {
                if (row.hubId == hub)
                    part.append(row);
            }
            parts.append(part);
        }
    } else if (rows.size() > 1) {
        parts.append(rows.mid(0, rows.size() / 2));
        parts.append(rows.mid(rows.size() / 2));
    }
    if (!m_pieces.isEmpty())
        m_pieces.removeFirst();
    if (!parts.isEmpty()) {
        qCInfo(lcUplink).noquote() << "the cloud refused a call of" << rows.size() << "rows ("
                                   << error.message << "); sending it in" << parts.size() << "parts";
        m_pieces = parts + m_pieces;
        m_busy = false;
        next();
        return;
    }
    m_spool.quarantine(rows, error.message, this, [this] {
        m_busy = false;
        next();
    });
}

void Uplink::finishPiece()
{
    if (!m_pieces.isEmpty())
        m_pieces.removeFirst();
    m_busy = false;
    next(); // there may be more
}

} // namespace occ::connector
