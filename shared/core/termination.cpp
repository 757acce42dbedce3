#include "termination.h"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <QCoreApplication>
#include <QSocketNotifier>
#include <QThread>
#include <unistd.h>

namespace occ {
namespace {

// Process-wide by nature: a signal handler has no other way to its program.
int g_pipe[2] = {-1, -1};
volatile std::sig_atomic_t g_requested = 0;

void onSignal(int)
{
    const int saved = errno;
    g_requested = 1;
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(g_pipe[1], &byte, 1); // non-blocking
    errno = saved;
}

} // namespace

void catchTerminationSignals()
{
    if (g_pipe[0] >= 0)
        return;
    if (::pipe2(g_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        g_pipe[0] = g_pipe[1] = -1;
        return; // the default action stays: better than a signal that is lost
    }
    struct sigaction action = {};
    action.sa_handler = onSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &action, nullptr);
    ::sigaction(SIGTERM, &action, nullptr);
}

bool terminationRequested()
{
    return g_requested != 0;
}

TerminationWatcher::TerminationWatcher(QObject *parent)
    : QObject(parent)
{
    Q_ASSERT_X(g_pipe[0] >= 0, "TerminationWatcher", "catchTerminationSignals() was not called first");
    Q_ASSERT_X(QThread::currentThread() == QCoreApplication::instance()->thread(), "TerminationWatcher",
               "made outside the main thread");
    if (g_pipe[0] < 0)
        return;
    m_notifier = new QSocketNotifier(g_pipe[0], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, [this] {
        char bytes[64];
        while (::read(g_pipe[0], bytes, sizeof bytes) > 0) {
        }
        emit stopRequested();
    });
}

TerminationWatcher::~TerminationWatcher() = default;

int TerminationWatcher::runUntilStopped()
{
    if (requested())
        return 0;
    if (!m_quitConnected) {
        connect(this, &TerminationWatcher::stopRequested, QCoreApplication::instance(),
                &QCoreApplication::quit);
        m_quitConnected = true;
    }
    return QCoreApplication::exec();
}

void deleteDeferredObjects()
{
    Q_ASSERT_X(QThread::currentThread() == QCoreApplication::instance()->thread(), "deleteDeferredObjects",
               "called outside the main thread");
    // A destructor may itself call deleteLater(): a few rounds take those too.
    for (int round = 0; round < 4; ++round)
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
}

} // namespace occ
