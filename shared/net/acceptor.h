#pragma once

#include "core/result.h"

#include <atomic>
#include <functional>
#include <memory>
#include <QHostAddress>
#include <QObject>
#include <QSocketNotifier>
#include <QTimer>

namespace occ::net {

// A listening TCP socket with its own accept loop. QTcpServer (Qt 6.4) treats
// EMFILE as a temporary error: it neither pauses nor reports it, and its notifier
// fires again at once, so a process out of descriptors spins at 100 % CPU and
// answers no one (issue 15 item 2). This one pauses for a moment when accepting
// fails for lack of resources, counts the failures and resumes on its own; the
// kernel's backlog keeps the waiting connections meanwhile. Lives in one thread.
class Acceptor : public QObject
{
    Q_OBJECT
public:
    // A connection: the socket (non-blocking, close-on-exec; the callee owns it)
    // and the peer's address (IPv4-mapped IPv6 addresses given as IPv4).
    using Accepted = std::function<void(int fd, const QHostAddress &peer, quint16 peerPort)>;

    explicit Acceptor(Accepted accepted, QObject *parent = nullptr);
    ~Acceptor() override;

    Result<void> listen(const QHostAddress &address, quint16 port, int backlog);
    void close();
    bool listening() const { return m_fd >= 0; }
    QHostAddress address() const { return m_address; }
    quint16 port() const { return m_port; }

    // Stops taking connections (they wait in the backlog) until resume().
    void pause();
    void resume();
    bool paused() const { return m_paused; }

    qint64 errors() const { return m_errors.load(std::memory_order_relaxed); }
    // How long accepting rests after running out of descriptors.
    static constexpr int kRestMs = 250;

signals:
    // Accepting failed for lack of resources; it rests kRestMs.
    void acceptFailed();

private:
    void acceptSome();
    void updateNotifier();

    Accepted m_accepted;
    int m_fd = -1;
    QHostAddress m_address;
    quint16 m_port = 0;
    std::unique_ptr<QSocketNotifier> m_notifier;
    QTimer m_rest;
    bool m_paused = false;
    std::atomic<qint64> m_errors{0};
};

} // namespace occ::net
