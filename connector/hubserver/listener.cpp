#include "listener.h"

#include "hubserver/worker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <QLoggingCategory>
#include <QNetworkProxy>
#include <sys/socket.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcListener, "occ.connector.listener")

namespace occ::connector {

namespace {

struct Peer
{
    QByteArray host; // the address alone: what the handshake gate counts
    QString text;    // address:port for logs
};

Peer peerOf(int fd)
{
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getpeername(fd, reinterpret_cast<sockaddr *>(&address), &length) != 0)
        return {QByteArrayLiteral("?"), QStringLiteral("?")};
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
    return {QByteArray(text), QStringLiteral("%1:%2").arg(QString::fromLatin1(text)).arg(port)};
}

} // namespace

Listener::Listener(QList<Worker *> workers, ConnectorStats &stats, HandshakeGate &gate, int maxHandshakes,
                   QObject *parent)
    : QTcpServer(parent)
    , m_workers(std::move(workers))
    , m_stats(stats)
    , m_gate(gate)
    , m_maxHandshakes(maxHandshakes)
{
    setProxy(QNetworkProxy::NoProxy);
    setMaxPendingConnections(1 << 20);
    m_pace.setInterval(5);
    connect(&m_pace, &QTimer::timeout, this, &Listener::pace);
    // Qt pauses accepting on an error that is not temporary (EMFILE, ENFILE,
    // ENOBUFS) and would never resume: try again shortly, without a busy loop.
    m_resume.setSingleShot(true);
    m_resume.setInterval(250);
    connect(&m_resume, &QTimer::timeout, this, [this] {
        if (!m_pace.isActive())
            resumeAccepting();
    });
    connect(this, &QTcpServer::acceptError, this, [this](QAbstractSocket::SocketError) {
        ++m_stats.acceptErrors;
        qCWarning(lcListener).noquote()
            << "cannot accept a connection:" << errorString() << "(pausing for 250 ms)";
        m_resume.start();
    });
}

Result<void> Listener::start(const QHostAddress &address, quint16 port)
{
    setListenBacklogSize(4096);
    if (!listen(address, port))
        return fail(ErrorCategory::Network, QStringLiteral("cannot listen on %1:%2: %3")
                                                .arg(address.toString())
                                                .arg(port)
                                                .arg(errorString()));
    return {};
}

void Listener::incomingConnection(qintptr fd)
{
    const Peer peer = peerOf(int(fd));
    if (!m_gate.admit(peer.host)) {
        // This address holds its share of handshakes already (idle or half-sent
        // connections): the others must still get in.
        if (m_stats.handshakesRefusedBusy++ % 100 == 0)
            qCWarning(lcListener).noquote() << peer.host << "has" << m_gate.maxPerAddress()
                                            << "handshakes under way; closing its new connections ("
                                            << m_stats.handshakesRefusedBusy.load() << "so far)";
        ::close(int(fd));
        return;
    }
    const int one = 1;
    ::setsockopt(int(fd), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); // LowDelayOption
    Worker *worker = m_workers.at(m_next);
    m_next = (m_next + 1) % int(m_workers.size());
    ++m_stats.handshakesInProgress;
    worker->adopt(int(fd), peer.text, peer.host);
    if (m_gate.pending() > m_maxHandshakes && isListening()) {
        pauseAccepting();
        ++m_paused;
        m_pace.start();
    }
}

void Listener::pace()
{
    if (m_gate.pending() <= m_maxHandshakes / 2) {
        resumeAccepting();
        m_pace.stop();
    }
}

} // namespace occ::connector
