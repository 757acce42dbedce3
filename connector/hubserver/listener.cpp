#include "listener.h"

#include "hubserver/worker.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <QLoggingCategory>
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

} // namespace

Listener::Listener(QList<Worker *> workers, ConnectorStats &stats, HandshakeGate &gate, int maxHandshakes,
                   QObject *parent)
    : QObject(parent)
    , m_workers(std::move(workers))
    , m_stats(stats)
    , m_gate(gate)
    , m_maxHandshakes(maxHandshakes)
    , m_acceptor(
          [this](int fd, const QHostAddress &peer, quint16 port) { incomingConnection(fd, peer, port); })
{
    m_pace.setInterval(5);
    connect(&m_pace, &QTimer::timeout, this, &Listener::pace);
    connect(&m_acceptor, &net::Acceptor::acceptFailed, this, [this] { ++m_stats.acceptErrors; });
}

Result<void> Listener::start(const QHostAddress &address, quint16 port)
{
    return m_acceptor.listen(address, port, 4096);
}

void Listener::incomingConnection(int fd, const QHostAddress &address, quint16 port)
{
    const Peer peer{address.toString().toLatin1(),
                    (address.protocol() == QAbstractSocket::IPv6Protocol ? QStringLiteral("[%1]:%2")
                                                                         : QStringLiteral("%1:%2"))
                        .arg(address.toString())
                        .arg(port)};
    if (!m_gate.admit(peer.host)) {
        // This address holds its share of handshakes already (idle or half-sent
        // connections): the others must still get in.
        if (m_stats.handshakesRefusedBusy++ % 100 == 0)
            qCWarning(lcListener).noquote() << peer.host << "has" << m_gate.maxPerAddress()
                                            << "handshakes under way; closing its new connections ("
                                            << m_stats.handshakesRefusedBusy.load() << "so far)";
        ::close(fd);
        return;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one); // LowDelayOption
    Worker *worker = m_workers.at(m_next);
    m_next = (m_next + 1) % int(m_workers.size());
    ++m_stats.handshakesInProgress;
    worker->adopt(fd, peer.text, peer.host);
    if (m_gate.pending() > m_maxHandshakes && m_acceptor.listening()) {
        m_acceptor.pause();
        ++m_paused;
        m_pace.start();
    }
}

void Listener::pace()
{
    if (m_gate.pending() <= m_maxHandshakes / 2) {
        m_acceptor.resume();
        m_pace.stop();
    }
}

} // namespace occ::connector
