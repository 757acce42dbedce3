#pragma once

#include <QStringList>

namespace occ::connector {

// occ-connector's command line (ARCHITECTURE §14): enrol, run, status, hubs,
// console, set-proxy-password. Returns the exit code.
int runConnectorCli(const QStringList &arguments);

} // namespace occ::connector
