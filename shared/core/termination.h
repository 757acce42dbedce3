#pragma once

class QObject;

namespace occ {

// Turns SIGINT and SIGTERM into a clean QCoreApplication::quit() (through a
// self-pipe, so nothing unsafe runs in the signal handler). Call once from main().
void quitOnTerminationSignals(QObject *owner);

} // namespace occ
