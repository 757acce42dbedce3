#pragma once

#include "core/clock.h"
#include "core/result.h"
#include "identity/cloudpki.h"
#include "identity/enrolment.h"
#include "settings/settings.h"
#include "storage/commandqueue.h"
#include "storage/database.h"
#include "storage/measurementstore.h"
#include "storage/registry.h"

#include <memory>

namespace occ::cloud {

// The composition root of occ-cloud: the database and everything built on it, for
// the server and for the administration commands alike.
class CloudServices
{
public:
    static Result<std::unique_ptr<CloudServices>> open(const QString &dataDir, const QString &dbUrl,
                                                       const settings::Settings &settings,
                                                       const Clock &clock);

    Database database;
    Registry registry{database};
    MeasurementStore measurements{database};
    CommandQueue commands{database};
    CloudPki pki;
    Enrolment enrolment;

private:
    CloudServices(DatabaseConfig config, const QString &passphraseFile, const Clock &clock, int validityDays);
};

} // namespace occ::cloud
