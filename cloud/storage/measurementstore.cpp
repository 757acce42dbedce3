#include "measurementstore.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>

namespace occ::cloud {
namespace {

constexpr int kRowsPerInsert = 100;

QString valuesJson(const QMap<QString, double> &values)
{
    QJsonObject object;
    for (auto it = values.cbegin(); it != values.cend(); ++it)
        object.insert(it.key(), it.value());
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QMap<QString, double> valuesFromJson(const QString &json)
{
    QMap<QString, double> values;
    const QJsonObject object = QJsonDocument::fromJson(json.toUtf8()).object();
    for (auto it = object.begin(); it != object.end(); ++it)
        values.insert(it.key(), it.value().toDouble());
    return values;
}

protocol::Measurement measurementFrom(const QSqlQuery &q, int first)
{
    protocol::Measurement m;
    m.seq = q.value(first).toLongLong();
    m.sensor = q.value(first + 1).toString();
    m.ts = q.value(first + 2).toLongLong();
    protocol::enumFromName(q.value(first + 3).toString(), &m.status);
    m.values = valuesFromJson(q.value(first + 4).toString());
    m.text = q.value(first + 5).toString();
    return m;
}

HubRecord hubFrom(const QSqlQuery &q)
{
    HubRecord hub;
    hub.hubId = q.value(0).toString();
    hub.customerId = q.value(1).toString();
    hub.hostname = q.value(2).toString();
    hub.path = q.value(3).toString();
    hub.connectorId = q.value(4).toString();
    hub.os = q.value(5).toString();
    hub.agentVersion = q.value(6).toString();
    hub.queueDepth = q.value(7).toLongLong();
    hub.dropped = q.value(8).toLongLong();
    hub.lastSeen = q.value(9).toLongLong();
    hub.lastSeq = q.value(10).toLongLong();
    hub.count = q.value(11).toLongLong();
    return hub;
}

const QString kHubColumns = QStringLiteral("SELECT hub_id, customer_id, hostname, path, connector_id, os, "
                                           "agent_version, queue_depth, dropped, last_seen, "
                                           "last_seq, count FROM hub_state");

} // namespace

Result<cloudapi::HubSeq> MeasurementStore::ingest(const QString &customerId, const cloudapi::HubBatch &batch,
                                                  const QString &via, qint64 now)
{
    Result<QSqlDatabase> db = m_db.connection();
    if (!db)
        return db.error();
    Transaction transaction(m_db, *db);
    const QString source = via.isEmpty() ? QStringLiteral("direct") : via;
    int stored = 0;
    qint64 maxSeq = 0;
    QHash<QString, const protocol::Measurement *> newest; // per sensor
    const QList<protocol::Measurement> &items = batch.measurements;
    const int rowsPerInsert = m_db.isPostgres() ? kRowsPerInsert : 1;
    for (qsizetype start = 0; start < items.size(); start += rowsPerInsert) {
        const qsizetype end = qMin(items.size(), start + rowsPerInsert);
        // PostgreSQL: many rows per statement save round trips. SQLite: one row per
        // execution of a statement prepared once (SQLite resolves parameters of a
        // long statement in quadratic time).
        QString sql =
            QStringLiteral("INSERT INTO measurements (hub_id, seq, sensor, ts, status, vals, text, received, "
                           "via) VALUES (?,?,?,?,?,?,?,?,?)");
        for (qsizetype i = start + 1; i < end; ++i)
            sql += QStringLiteral(",(?,?,?,?,?,?,?,?,?)");
        sql += QStringLiteral(" ON CONFLICT (hub_id, seq) DO NOTHING");
        QVariantList bindings;
        bindings.reserve((end - start) * 9);
        for (qsizetype i = start; i < end; ++i) {
            const protocol::Measurement &m = items.at(i);
            bindings << batch.hubId << m.seq << m.sensor << m.ts << protocol::enumName(m.status)
                     << valuesJson(m.values) << m.text << now << source;
            maxSeq = qMax(maxSeq, m.seq);
            const protocol::Measurement *&latest = newest[m.sensor];
            if (!latest || latest->seq < m.seq)
                latest = &m;
        }
        Result<QSqlQuery *> insert = m_db.prepared(sql);
        if (!insert)
            return insert.error();
        if (Result<void> r = execute(**insert, bindings); !r)
            return r.error();
        stored += (*insert)->numRowsAffected();
    }
    for (const protocol::Measurement *m : std::as_const(newest)) {
        Result<QSqlQuery> r = execute(
            *db,
            QStringLiteral(
                "INSERT INTO latest (hub_id, sensor, seq, ts, status, vals, text) VALUES (?,?,?,?,?,?,?) "
                "ON CONFLICT (hub_id, sensor) DO UPDATE SET seq = excluded.seq, ts = excluded.ts, "
                "status = excluded.status, vals = excluded.vals, text = excluded.text "
                "WHERE excluded.seq > latest.seq"),
            {batch.hubId, m->sensor, m->seq, m->ts, protocol::enumName(m->status), valuesJson(m->values),
             m->text});
        if (!r)
            return r.error();
    }
    // Path and connector change only through ReportState; a first delivery fills
    // them in so that a hub that has not reported yet still shows how it came.
    Result<QSqlQuery> r = execute(
        *db,
        QStringLiteral(
            "INSERT INTO hub_state (hub_id, customer_id, last_seen, last_seq, count, path, connector_id) "
            "VALUES (?,?,?,?,?,?,?) ON CONFLICT (hub_id) DO UPDATE SET last_seen = excluded.last_seen, "
            "last_seq = %1(hub_state.last_seq, excluded.last_seq), count = hub_state.count + excluded.count, "
            "path = COALESCE(hub_state.path, excluded.path), "
            "connector_id = COALESCE(hub_state.connector_id, excluded.connector_id)")
            .arg(m_db.greatest()),
        {batch.hubId, customerId, now, maxSeq, stored,
         via.isEmpty() ? QStringLiteral("DirectCloud") : QStringLiteral("ConnectorLan"),
         via.isEmpty() ? QVariant() : QVariant(via)});
    if (!r)
        return r.error();
    r = execute(*db, QStringLiteral("SELECT last_seq FROM hub_state WHERE hub_id = ?"), {batch.hubId});
    if (!r)
        return r.error();
    const qint64 highest = r->next() ? r->value(0).toLongLong() : maxSeq;
    if (Result<void> c = transaction.commit(); !c)
        return c.error();
    return cloudapi::HubSeq{batch.hubId, highest, stored};
}

Result<void> MeasurementStore::reportState(const QString &customerId, const cloudapi::HubState &s, qint64 now)
{
    auto orNull = [](const QString &text) { return text.isEmpty() ? QVariant() : QVariant(text); };
    Result<QSqlQuery> r = m_db.query(
        QStringLiteral(
            "INSERT INTO hub_state (hub_id, customer_id, path, connector_id, hostname, os, agent_version, "
            "queue_depth, dropped, last_seen) VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT (hub_id) DO UPDATE "
            "SET "
            "path = excluded.path, connector_id = excluded.connector_id, "
            "hostname = COALESCE(excluded.hostname, hub_state.hostname), "
            "os = COALESCE(excluded.os, hub_state.os), "
            "agent_version = COALESCE(excluded.agent_version, hub_state.agent_version), "
            "queue_depth = excluded.queue_depth, dropped = excluded.dropped, last_seen = excluded.last_seen"),
        {s.hubId, customerId, s.path, orNull(s.connectorId), orNull(s.hostname), orNull(s.os),
         orNull(s.agentVersion), s.queueDepth, s.dropped, now});
    if (!r)
        return r.error();
    return {};
}

Result<QHash<QString, qint64>> MeasurementStore::highestSeqs(const QStringList &hubIds)
{
    QHash<QString, qint64> highest;
    constexpr qsizetype kChunk = 500;
    for (qsizetype start = 0; start < hubIds.size(); start += kChunk) {
        const QStringList chunk = hubIds.mid(start, kChunk);
        QString sql = QStringLiteral("SELECT hub_id, last_seq FROM hub_state WHERE hub_id IN (?");
        for (qsizetype i = 1; i < chunk.size(); ++i)
            sql += QStringLiteral(",?");
        sql += QLatin1Char(')');
        QVariantList bindings;
        for (const QString &id : chunk)
            bindings << id;
        Result<QSqlQuery> q = m_db.query(sql, bindings);
        if (!q)
            return q.error();
        while (q->next())
            highest.insert(q->value(0).toString(), q->value(1).toLongLong());
    }
    return highest;
}

Result<void> MeasurementStore::touch(const QStringList &hubIds, qint64 now)
{
    for (const QString &hubId : hubIds) {
        Result<QSqlQuery> r =
            m_db.query(QStringLiteral("UPDATE hub_state SET last_seen = ? WHERE hub_id = ?"), {now, hubId});
        if (!r)
            return r.error();
    }
    return {};
}

Result<QList<HubRecord>> MeasurementStore::hubs(const QString &customerId)
{
    Result<QSqlQuery> q =
        customerId.isEmpty()
            ? m_db.query(kHubColumns + QStringLiteral(" ORDER BY hostname, hub_id"))
            : m_db.query(kHubColumns + QStringLiteral(" WHERE customer_id = ? ORDER BY hostname, hub_id"),
                         {customerId});
    if (!q)
        return q.error();
    QList<HubRecord> list;
    while (q->next())
        list.append(hubFrom(*q));
    return list;
}

Result<std::optional<HubRecord>> MeasurementStore::hub(const QString &hubId)
{
    Result<QSqlQuery> q = m_db.query(kHubColumns + QStringLiteral(" WHERE hub_id = ?"), {hubId});
    if (!q)
        return q.error();
    if (!q->next())
        return std::optional<HubRecord>();
    return std::optional<HubRecord>(hubFrom(*q));
}

Result<QList<StoredMeasurement>> MeasurementStore::measurements(const QString &hubId, qint64 afterSeq,
                                                                int limit)
{
    Result<QSqlQuery> q =
        m_db.query(QStringLiteral("SELECT seq, sensor, ts, status, vals, text, received, via FROM "
                                  "measurements WHERE hub_id = ? AND seq > ? ORDER BY seq LIMIT ?"),
                   {hubId, afterSeq, limit});
    if (!q)
        return q.error();
    QList<StoredMeasurement> list;
    while (q->next())
        list.append({hubId, measurementFrom(*q, 0), q->value(6).toLongLong(), q->value(7).toString()});
    return list;
}

Result<QList<protocol::Measurement>> MeasurementStore::latest(const QString &hubId)
{
    Result<QSqlQuery> q = m_db.query(
        QStringLiteral(
            "SELECT seq, sensor, ts, status, vals, text FROM latest WHERE hub_id = ? ORDER BY sensor"),
        {hubId});
    if (!q)
        return q.error();
    QList<protocol::Measurement> list;
    while (q->next())
        list.append(measurementFrom(*q, 0));
    return list;
}

} // namespace occ::cloud
