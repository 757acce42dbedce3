#pragma once

#include <QStringList>

namespace occ::hub {

// occ-sensorhub's command line (ARCHITECTURE §14): enrol, run, status, reconnect,
// set-proxy-password. Returns the exit code.
int runHubCli(const QStringList &arguments);

} // namespace occ::hub
