#include "listener.h"

#include "hubserver/worker.h"

#include <QLoggingCategory>
#include <QNetworkProxy>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

Q_LOGGING_CATEGORY(lcListener, "occ.connector.listener")

namespace occ::connector {

namespace {

QString peerOf(int fd)
{
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getpeername(fd, reinterpret_cast<sockaddr *>(&address), &length) != 0)
        return QStringLiteral("?");
    char text[INET6_ADDRSTRLEN] = {};
    quint16 port = 0;
    if (address.ss_family == AF_INET) {
        const auto *in = reinterpret_cast<const sockaddr_in *>(&address);
        ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
        port = ntohs(in->sin_port);
    } else if (address.ss_family == AF_INET6) {
        const auto *in6 = reinterpret_cast<const sockaddr_in6 *>(&address);
        ::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
        port = ntohs(in6->sin6_port);
    }
    return QStringLiteral("%1:%2").arg(QString::fromLatin1(text)).arg(port);
}

} // namespace

Listener::Listener(QList<Worker *> workers, ConnectorStats &stats, int maxHandshakes, QObject *parent)
    : QTcpServer(parent), m_workers(std::move(workers)), m_stats(stats), m_maxHandshakes(maxHandshakes)
{
    setProxy(QNetworkProxy::NoProxy);
    setMaxPendingConnections(1 << 20);
    m_pace.setInterval(5);
    connect(&m_pace, &QTimer::timeout, this, &Listener::pace);
}

Result<void> Listener::start(const QHostAddress &address, quint16 port)
{
    setListenBacklogSize(4096);
    if (!listen(address, port))
        return fail(ErrorCategory::Network,
                    QStringLiteral("cannot listen on %1:%2: %3").arg(address.toString()).arg(port).arg(errorString()));
    return {};
}

void Listener::incomingConnection(qintptr fd)
{
    const int one = 1;
    ::setsockopt(int(fd), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); // LowDelayOption
    Worker *worker = m_workers.at(m_next);
    m_next = (m_next + 1) % int(m_workers.size());
    ++m_stats.handshakesInProgress; // counted now so that pacing sees queued sockets too
    worker->adopt(int(fd), peerOf(int(fd)));
    if (m_stats.handshakesInProgress.load() > m_maxHandshakes && isListening()) {
        pauseAccepting();
        ++m_paused;
        m_pace.start();
    }
}

void Listener::pace()
{
    if (m_stats.handshakesInProgress.load() <= m_maxHandshakes / 2) {
        resumeAccepting();
        m_pace.stop();
    }
}

} // namespace occ::connector
