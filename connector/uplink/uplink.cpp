#include "uplink.h"

#include "spool/spool.h"
#include "uplink/cloudlink.h"

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcUplink)

namespace occ::connector {

Uplink::Uplink(CloudLink &link, Spool &spool, ConnectorStats &stats, int measurementsPerCall, QObject *parent)
    : QObject(parent), m_link(link), m_spool(spool), m_stats(stats), m_perCall(measurementsPerCall)
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
    m_spool.takeForUpload(m_perCall, this, [this](QList<SpoolRow> rows) {
        if (rows.isEmpty()) {
            m_busy = false;
            if (m_kicked)
                next();
            return;
        }
        send(rows);
    });
}

void Uplink::send(const QList<SpoolRow> &rows)
{
    // Group by hub, keeping each hub's rows in order.
    QList<cloudapi::HubBatch> batches;
    QHash<QString, int> index;
    int count = 0;
    for (const SpoolRow &row : rows) {
        auto it = index.constFind(row.hubId);
        if (it == index.cend()) {
            it = index.insert(row.hubId, int(batches.size()));
            batches.append({row.hubId, {}});
        }
        batches[it.value()].measurements += row.measurements;
        count += int(row.measurements.size());
    }
    m_link.client().submitBatch(batches, [this, count](Result<QList<cloudapi::HubSeq>> answer) {
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
        QHash<QString, qint64> upTo;
        for (const cloudapi::HubSeq &seq : std::as_const(*answer))
            upTo.insert(seq.hubId, seq.highestSeq);
        m_spool.uploaded(upTo, this, [this] {
            m_busy = false;
            next(); // there may be more
        });
    });
}

} // namespace occ::connector
