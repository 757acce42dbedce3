#pragma once

#include <QStringList>

namespace occ::cloud {

// occ-cloud's command line (ARCHITECTURE §14): serve, customer add, hubs,
// measurements, command, commands, revoke. Returns the process exit code.
int runCloudCli(const QStringList &arguments);

} // namespace occ::cloud
