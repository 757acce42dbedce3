#pragma once

#include "cloudapi/cloudtypes.h"
#include "core/result.h"
#include "storage/database.h"
#include "storage/records.h"

namespace occ::cloud {

// Idempotent ingest (primary key hub id + seq, insert-or-ignore), the latest value
// per sensor, and the hub directory with path and last contact (ARCHITECTURE §9, §11).
class MeasurementStore
{
public:
    explicit MeasurementStore(Database &database)
        : m_db(database)
    {}

    // Stores a hub's measurements; replays store nothing twice. via: the connector
    // id that delivered them, or empty for a direct hub.
    Result<cloudapi::HubSeq> ingest(const QString &customerId, const cloudapi::HubBatch &batch,
                                    const QString &via, qint64 now);
    Result<void> reportState(const QString &customerId, const cloudapi::HubState &state, qint64 now);
    // The highest seq stored for each of these hubs (0 for a hub without any).
    Result<QHash<QString, qint64>> highestSeqs(const QStringList &hubIds);
    // Records contact (a hub's own long poll) without other changes.
    Result<void> touch(const QStringList &hubIds, qint64 now);

    Result<QList<HubRecord>> hubs(const QString &customerId = {});
    Result<std::optional<HubRecord>> hub(const QString &hubId);
    // Oldest first, after afterSeq, at most limit rows.
    Result<QList<StoredMeasurement>> measurements(const QString &hubId, qint64 afterSeq, int limit);
    Result<QList<protocol::Measurement>> latest(const QString &hubId);

private:
    Database &m_db;
};

} // namespace occ::cloud
