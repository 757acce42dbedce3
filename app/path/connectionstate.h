#pragma once

#include <QString>

namespace occ::hub {

// How the hub is connected (ARCHITECTURE §6). The names are part of the status
// JSON and of what the tray shows; keep them exactly.
enum class ConnectionState
{
    NotEnrolled,
    Searching,
    ConnectorLan,
    ConnectorVpn,
    DirectCloud,
    Offline,
};

QString stateName(ConnectionState state);
// The state of a name from stateName(); false for anything else.
bool stateFromName(const QString &name, ConnectionState *state);
bool isConnectorState(ConnectionState state);

} // namespace occ::hub
