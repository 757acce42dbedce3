#pragma once

#include "cloudapi/cloudtypes.h"
#include "core/result.h"
#include "storage/database.h"
#include "storage/records.h"

namespace occ::cloud {

// Commands for hubs (ARCHITECTURE §10): queued by an administrator, delivered by
// long polls, completed with a result; every command stays in the table as its log.
// Delivery is at least once: a delivered command that gets no result within
// redeliverAfterMs is delivered again (hubs recognise repeated ids).
class CommandQueue
{
public:
    static bool isKnownKind(const QString &kind);

    explicit CommandQueue(Database &database)
        : m_db(database)
    {}

    Result<CommandRecord> enqueue(const QString &hubId, const QString &kind, const QStringList &args,
                                  qint64 ttlMs, const QString &issuedBy, qint64 now);
    // Pending commands for these hubs; marks them delivered.
    Result<QList<cloudapi::Command>> takeDeliverable(const QStringList &hubIds, qint64 now,
                                                     qint64 redeliverAfterMs = 60000);
    // True when the command existed for that hub and was still open.
    Result<bool> complete(const QString &id, const QString &hubId, bool ok, const QString &detail,
                          qint64 now);

    // Newest first; open commands past their expiry show as expired.
    Result<QList<CommandRecord>> list(qint64 now, const QString &hubId = {}, int limit = 100);

private:
    Database &m_db;
};

} // namespace occ::cloud
