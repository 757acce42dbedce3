#pragma once

#include "path/connectionstate.h"

#include <QAction>
#include <QMenu>
#include <QObject>
#include <QSystemTrayIcon>
#include <QTimer>

namespace occ::hub {

class HubCore;

// The Sensorhub's tray icon (syncthingtray style): observes the hub core - its
// stateChanged signal and its status - and shows the state as icon, tooltip and
// menu; "Reconnect now" is the manual reconnect of ARCHITECTURE §6 rule 4. It
// never changes the core other than through reconnect().
class TrayIcon : public QObject
{
    Q_OBJECT
public:
    explicit TrayIcon(HubCore &core, QObject *parent = nullptr);

    QSystemTrayIcon &icon() { return m_icon; }
    QMenu &menu() { return m_menu; }
    QAction *reconnectAction() const { return m_reconnect; }
    ConnectionState shownState() const { return m_shown; }

private:
    void refresh();
    void stateChanged(ConnectionState previous, ConnectionState current);

    HubCore &m_core;
    QSystemTrayIcon m_icon;
    QMenu m_menu;
    QList<QAction *> m_detailLines;
    QAction *m_reconnect = nullptr;
    QAction *m_copyStatus = nullptr;
    QAction *m_quit = nullptr;
    QTimer m_refresh;
    ConnectionState m_shown = ConnectionState::NotEnrolled;
};

} // namespace occ::hub
