#pragma once

#include <QString>

namespace occ::connector {

// The admin socket (ARCHITECTURE §12): a QLocalServer in the data folder, owner
// only. Requests and answers are single lines of JSON:
//   {"command":"status"} | {"command":"hubs"} | {"command":"hub","id":ID}
//   {"command":"stats"} | {"command":"quarantine"} | {"command":"kick","id":ID}
//   {"command":"reconnect-all"} | {"command":"renew-certificate"}
// Answers carry "ok": true, or "ok": false and "error".
inline QString adminSocketPath(const QString &dataDir)
{
    return dataDir + QStringLiteral("/occ-connector.sock");
}

} // namespace occ::connector
