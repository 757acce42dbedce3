#pragma once

#include <QObject>

class QSocketNotifier;

namespace occ {

// SIGINT and SIGTERM never kill an OCC program; they ask it to stop (ARCHITECTURE
// §16). catchTerminationSignals() is the first call of main(), before any thread
// exists: from then on a signal only sets a flag and writes a byte to a self-pipe
// (nothing else is safe in a signal handler), at any moment of start-up too.
void catchTerminationSignals();

// Whether SIGINT or SIGTERM has arrived since catchTerminationSignals().
bool terminationRequested();

// Turns the self-pipe's byte into stopRequested() in the event loop of the thread
// that made it (the main thread). It never quits a loop by itself: a nested event
// loop (a keychain read, say) runs to its end, and the program checks requested()
// after its start-up before it enters the main loop (runUntilStopped()).
class TerminationWatcher : public QObject
{
    Q_OBJECT
public:
    explicit TerminationWatcher(QObject *parent = nullptr);
    ~TerminationWatcher() override;

    bool requested() const { return terminationRequested(); }

    // The main event loop until a stop is asked for; returns 0 at once when one
    // already was (during start-up), else the loop's exit code.
    int runUntilStopped();

signals:
    void stopRequested();

private:
    QSocketNotifier *m_notifier = nullptr;
    bool m_quitConnected = false;
};

// Deletes what deleteLater() left for this thread's event loop. After the main loop
// has returned nothing else would (Qt does not), so that objects that own threads
// - a QNetworkAccessManager among them - are gone before main() returns.
void deleteDeferredObjects();

} // namespace occ
