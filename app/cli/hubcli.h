#pragma once

#include <functional>
#include <memory>
#include <QObject>
#include <QStringList>

namespace occ::hub {

class HubCore;

// What a graphical front end adds to a running hub (the tray icon): made once the
// core runs, destroyed before it.
using UiFactory = std::function<std::unique_ptr<QObject>(HubCore &core)>;

// occ-sensorhub's command line (ARCHITECTURE §14): enrol, run, status, reconnect,
// set-proxy-password. Returns the exit code. The headless program passes no ui: its
// `run` without --headless hands over to occ-sensorhub-tray when a display exists
// (qBittorrent's GUI/headless split: one core, two programs; the headless one never
// loads Qt Widgets).
int runHubCli(const QStringList &arguments, const UiFactory &ui = {});

} // namespace occ::hub
