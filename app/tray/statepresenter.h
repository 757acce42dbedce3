#pragma once

#include "path/connectionstate.h"

#include <QColor>
#include <QCoreApplication>
#include <QIcon>
#include <QJsonObject>
#include <QString>

namespace occ::hub {

// How a connection state looks in the tray (ARCHITECTURE §6: the mapping lives
// outside the core): a short title, the icon, and a tooltip built from the status
// the core reports. Pure presentation; translated through Qt Linguist.
class StatePresenter
{
    Q_DECLARE_TR_FUNCTIONS(StatePresenter)

public:
    static QString title(ConnectionState state);
    static QColor color(ConnectionState state);
    // A round badge in the state's colour; a small lock for ConnectorVpn.
    static QIcon icon(ConnectionState state);
    // Title, connector, outbox and last delivery, for the tooltip and the menu.
    static QStringList details(const QJsonObject &status);
    static QString tooltip(const QJsonObject &status);
};

} // namespace occ::hub
