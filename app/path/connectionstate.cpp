#include "connectionstate.h"

namespace occ::hub {

QString stateName(ConnectionState state)
{
    switch (state) {
    case ConnectionState::NotEnrolled:
        return QStringLiteral("NotEnrolled");
    case ConnectionState::Searching:
        return QStringLiteral("Searching");
    case ConnectionState::ConnectorLan:
        return QStringLiteral("ConnectorLan");
    case ConnectionState::ConnectorVpn:
        return QStringLiteral("ConnectorVpn");
    case ConnectionState::DirectCloud:
        return QStringLiteral("DirectCloud");
    case ConnectionState::Offline:
        return QStringLiteral("Offline");
    }
    return {};
}

bool stateFromName(const QString &name, ConnectionState *state)
{
    for (ConnectionState s :
         {ConnectionState::NotEnrolled, ConnectionState::Searching, ConnectionState::ConnectorLan,
          ConnectionState::ConnectorVpn, ConnectionState::DirectCloud, ConnectionState::Offline}) {
        if (stateName(s) == name) {
            *state = s;
            return true;
        }
    }
    return false;
}

bool isConnectorState(ConnectionState state)
{
    return state == ConnectionState::ConnectorLan || state == ConnectionState::ConnectorVpn;
}

} // namespace occ::hub
