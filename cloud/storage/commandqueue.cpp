#include "commandqueue.h"

#include <QSqlError>
#include <QUuid>

namespace occ::cloud {
namespace {

const QString kColumns = QStringLiteral("SELECT id, hub_id, kind, args, created, expires, state, delivered, "
                                        "completed, ok, detail, issued_by FROM commands");

CommandRecord recordFrom(const QSqlQuery &q)
{
    CommandRecord c;
    c.id = q.value(0).toString();
    c.hubId = q.value(1).toString();
    c.kind = q.value(2).toString();
    c.args = q.value(3).toString().split(QChar(0x1f), Qt::SkipEmptyParts);
    c.created = q.value(4).toLongLong();
    c.expires = q.value(5).toLongLong();
    c.state = q.value(6).toString();
    c.delivered = q.value(7).toLongLong();
    c.completed = q.value(8).toLongLong();
    c.ok = q.value(9).toInt() != 0;
    c.detail = q.value(10).toString();
    c.issuedBy = q.value(11).toString();
    return c;
}

// What an administrator should see: an open command past its expiry is expired.
CommandRecord withEffectiveState(CommandRecord c, qint64 now)
{
    if ((c.state == QLatin1StringView("pending") || c.state == QLatin1StringView("delivered")) &&
        c.expires <= now)
        c.state = QStringLiteral("expired");
    return c;
}

QString placeholders(qsizetype count)
{
    QString text;
    for (qsizetype i = 0; i < count; ++i)
        text += i == 0 ? QStringLiteral("?") : QStringLiteral(",?");
    return text;
}

} // namespace

bool CommandQueue::isKnownKind(const QString &kind)
{
    static const QStringList kinds{QStringLiteral("reconnect"), QStringLiteral("runSensor"),
                                   QStringLiteral("reloadConfig"), QStringLiteral("collectDiagnostics")};
    return kinds.contains(kind);
}

Result<CommandRecord> CommandQueue::enqueue(const QString &hubId, const QString &kind,
                                            const QStringList &args, qint64 ttlMs, const QString &issuedBy,
                                            qint64 now)
{
    if (!isKnownKind(kind))
        return fail(ErrorCategory::Input,
                    QStringLiteral("unknown command '%1' (reconnect, runSensor, reloadConfig, "
                                   "collectDiagnostics)")
                        .arg(kind));
    if (kind == QLatin1StringView("runSensor") && args.size() != 1)
        return fail(ErrorCategory::Input,
                    QStringLiteral("runSensor needs exactly one argument: the sensor id"));
    CommandRecord c;
    c.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    c.hubId = hubId;
    c.kind = kind;
    c.args = args;
    c.created = now;
    c.expires = now + ttlMs;
    c.state = QStringLiteral("pending");
    c.issuedBy = issuedBy;
    Result<QSqlQuery> r =
        m_db.query(QStringLiteral("INSERT INTO commands (id, hub_id, kind, args, created, expires, "
                                  "state, issued_by) VALUES (?,?,?,?,?,?,?,?)"),
                   {c.id, hubId, kind, args.join(QChar(0x1f)), now, c.expires, c.state, issuedBy});
    if (!r)
        return r.error();
    return c;
}

Result<QList<cloudapi::Command>> CommandQueue::takeDeliverable(const QStringList &hubIds, qint64 now,
                                                               qint64 redeliverAfterMs)
{
    if (hubIds.isEmpty())
        return QList<cloudapi::Command>();
    // A read first: most checks of a waiting poll find nothing and write nothing.
    QVariantList bindings{now, now - redeliverAfterMs};
    for (const QString &id : hubIds)
        bindings << id;
    Result<QSqlQuery> r = m_db.query(kColumns + QStringLiteral(" WHERE expires > ? AND (state = 'pending' OR "
                                                               "(state = 'delivered' AND delivered <= ?)) "
                                                               "AND hub_id IN (%1) ORDER BY created")
                                                    .arg(placeholders(hubIds.size())),
                                     bindings);
    if (!r)
        return r.error();
    QList<cloudapi::Command> candidates;
    while (r->next()) {
        const CommandRecord c = recordFrom(*r);
        candidates.append({c.id, c.hubId, c.kind, c.args, c.expires});
    }
    if (candidates.isEmpty())
        return candidates;
    Result<QSqlDatabase> db = m_db.connection();
    if (!db)
        return db.error();
    Transaction transaction(m_db, *db);
    QList<cloudapi::Command> taken;
    for (const cloudapi::Command &c : std::as_const(candidates)) {
        // Conditional, so that two pollers (e.g. two cloud instances) never both
        // take the same delivery.
        Result<QSqlQuery> u =
            execute(*db,
                    QStringLiteral("UPDATE commands SET state = 'delivered', delivered = ? WHERE id = ? "
                                   "AND (state = 'pending' OR (state = 'delivered' AND delivered <= ?))"),
                    {now, c.id, now - redeliverAfterMs});
        if (!u)
            return u.error();
        if (u->numRowsAffected() == 1)
            taken.append(c);
    }
    if (Result<void> c = transaction.commit(); !c)
        return c.error();
    return taken;
}

Result<bool> CommandQueue::complete(const QString &id, const QString &hubId, bool ok, const QString &detail,
                                    qint64 now)
{
    Result<QSqlQuery> r = m_db.query(
        QStringLiteral(
            "UPDATE commands SET state = ?, completed = ?, ok = ?, detail = ? WHERE id = ? AND hub_id = ? "
            "AND state IN ('pending', 'delivered')"),
        {ok ? QStringLiteral("done") : QStringLiteral("failed"), now, ok ? 1 : 0, detail.left(64 * 1024), id,
         hubId});
    if (!r)
        return r.error();
    return r->numRowsAffected() > 0;
}

Result<QList<CommandRecord>> CommandQueue::list(qint64 now, const QString &hubId, int limit)
{
    Result<QSqlQuery> q =
        hubId.isEmpty()
            ? m_db.query(kColumns + QStringLiteral(" ORDER BY created DESC LIMIT ?"), {limit})
            : m_db.query(kColumns + QStringLiteral(" WHERE hub_id = ? ORDER BY created DESC LIMIT ?"),
                         {hubId, limit});
    if (!q)
        return q.error();
    QList<CommandRecord> list;
    while (q->next())
        list.append(withEffectiveState(recordFrom(*q), now));
    return list;
}

} // namespace occ::cloud
