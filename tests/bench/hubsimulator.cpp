#include "hubsimulator.h"

#include "protocol/messages.h"

#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <QTimer>
#include <sys/socket.h>
#include <unistd.h>

namespace occ::bench {

using namespace protocol;

struct HubSimulator::Hub
{
    SimIdentity identity;
    int index = 0; // picks the hub's source address
    enum class State
    {
        Idle,
        Connecting,
        Handshaking,
        Active,
    } state = State::Idle;
    int fd = -1;
    std::unique_ptr<tls::TlsConnection> connection;
    FrameDecoder decoder;
    SSL_SESSION *session = nullptr;
    qint64 nextSeq = 1;
    qint64 lastAck = 0;
    int inFlight = 0;
    bool loaded = false;
};

HubSimulator::HubSimulator(std::shared_ptr<tls::TlsContext> tls, evp_pkey_st *key, QList<SimIdentity> hubs,
                           QString connectorId, SimCounters &counters)
    : m_tls(std::move(tls))
    , m_key(key)
    , m_connectorId(std::move(connectorId))
    , m_counters(counters)
{
    for (const SimIdentity &identity : hubs) {
        auto *hub = new Hub;
        hub->identity = identity;
        hub->index = int(m_hubs.size());
        m_hubs.append(hub);
    }
}

HubSimulator::~HubSimulator()
{
    for (Hub *hub : std::as_const(m_hubs)) {
        hub->connection.reset();
        if (hub->fd >= 0 && hub->state == Hub::State::Connecting) {
            m_sockets->unwatch(hub->fd);
            ::close(hub->fd);
        }
        SSL_SESSION_free(hub->session);
        delete hub;
    }
}

void HubSimulator::connectAll(quint16 port, int maxConcurrent)
{
    QMetaObject::invokeMethod(this, [this, port, maxConcurrent] {
        if (!m_sockets)
            m_sockets = std::make_unique<tls::SocketWatcher>();
        m_port = port;
        m_maxConcurrent = maxConcurrent;
        for (Hub *hub : std::as_const(m_hubs)) {
            if (hub->state == Hub::State::Idle)
                m_queue.append(hub);
        }
        next();
    });
}

void HubSimulator::setReconnect(bool on, int jitterMs, int maxConcurrent)
{
    QMetaObject::invokeMethod(this, [this, on, jitterMs, maxConcurrent] {
        m_reconnect = on;
        m_jitterMs = jitterMs;
        m_maxConcurrent = maxConcurrent;
    });
}

void HubSimulator::startLoad(int hubs, int batchSize, int window)
{
    QMetaObject::invokeMethod(this, [this, hubs, batchSize, window] {
        m_loadHubs = hubs;
        m_batchSize = batchSize;
        m_window = window;
        for (int i = 0; i < qMin(hubs, int(m_hubs.size())); ++i) {
            m_hubs[i]->loaded = true;
            pump(*m_hubs[i]);
        }
    });
}

void HubSimulator::stopLoad()
{
    QMetaObject::invokeMethod(
        this,
        [this] {
            for (Hub *hub : std::as_const(m_hubs))
                hub->loaded = false;
        },
        Qt::BlockingQueuedConnection);
}

void HubSimulator::shutdown()
{
    QMetaObject::invokeMethod(
        this,
        [this] {
            m_reconnect = false;
            m_queue.clear();
            for (Hub *hub : std::as_const(m_hubs)) {
                if (hub->connection)
                    hub->connection->close(QStringLiteral("benchmark done"));
            }
        },
        Qt::BlockingQueuedConnection);
}

void HubSimulator::next()
{
    while (m_connecting < m_maxConcurrent && !m_queue.isEmpty())
        startConnect(*m_queue.takeFirst());
}

void HubSimulator::startConnect(Hub &hub)
{
    hub.state = Hub::State::Connecting;
    ++m_connecting;
    hub.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(hub.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    // Each simulated hub from its own loopback address, as real hubs come from
    // their own machines (the connector admits a share of handshakes per address,
    // and one source address would run out of ephemeral ports).
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr =
        htonl((127u << 24) | (1u << 16) | quint32(hub.index / 250) << 8 | quint32(hub.index % 250 + 1));
    ::bind(hub.fd, reinterpret_cast<sockaddr *>(&local), sizeof local);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(m_port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(hub.fd, reinterpret_cast<sockaddr *>(&address), sizeof address) != 0 &&
        errno != EINPROGRESS) {
        ::close(hub.fd);
        hub.fd = -1;
        onClosed(hub);
        return;
    }
    // Connected (or refused) when the socket becomes writable.
    m_sockets->watch(hub.fd, [this, &hub](bool, bool writable, bool) {
        if (!writable)
            return;
        m_sockets->unwatch(hub.fd);
        int error = 0;
        socklen_t length = sizeof error;
        ::getsockopt(hub.fd, SOL_SOCKET, SO_ERROR, &error, &length);
        if (error != 0) {
            ::close(hub.fd);
            hub.fd = -1;
            onClosed(hub);
            return;
        }
        onConnected(hub);
    });
    m_sockets->setWriteInterest(hub.fd, true);
}

void HubSimulator::onConnected(Hub &hub)
{
    hub.state = Hub::State::Handshaking;
    hub.decoder = FrameDecoder();
    hub.connection = std::make_unique<tls::TlsConnection>(
        m_tls->get(), hub.fd, false, *m_sockets,
        tls::TlsConnection::Callbacks{
            [this, &hub] {
                hub.connection->write(
                    encode(Hello{kProtocolVersion, hub.identity.hubId, QStringLiteral("sim"),
                                 QStringLiteral("Linux"), QStringLiteral("bench")}));
            },
            [this, &hub](const char *data, qsizetype size) { onData(hub, data, size); },
            [this, &hub](const QString &) { onClosed(hub); },
            {}});
    hub.fd = -1; // the connection owns it now
    hub.connection->setClientIdentity(hub.identity.certificate, m_key, m_connectorId);
    hub.connection->setSession(hub.session);
    hub.connection->start();
}

void HubSimulator::onData(Hub &hub, const char *data, qsizetype size)
{
    hub.decoder.feed(QByteArrayView(data, size));
    while (std::optional<QCborMap> frame = hub.decoder.next()) {
        Result<Message> message = decode(*frame);
        if (!message)
            continue;
        if (std::holds_alternative<Welcome>(*message)) {
            hub.state = Hub::State::Active;
            --m_connecting;
            ++m_counters.active;
            ++m_counters.welcomes;
            // TLS 1.3 sends the ticket after the handshake: by now it has arrived.
            SSL_SESSION_free(hub.session);
            hub.session = hub.connection->takeSession();
            hub.inFlight = 0;
            pump(hub);
            next();
        } else if (const Ping *ping = std::get_if<Ping>(&*message)) {
            hub.connection->write(encode(Pong{ping->n}));
        } else if (const Ack *ack = std::get_if<Ack>(&*message)) {
            m_counters.acknowledged += ack->upTo - hub.lastAck;
            hub.lastAck = ack->upTo;
            hub.inFlight = qMax(0, hub.inFlight - 1);
            pump(hub);
        }
    }
}

void HubSimulator::pump(Hub &hub)
{
    if (!hub.loaded || hub.state != Hub::State::Active)
        return;
    while (hub.inFlight < m_window) {
        Batch batch;
        batch.items.reserve(m_batchSize);
        for (int i = 0; i < m_batchSize; ++i) {
            Measurement m;
            m.seq = hub.nextSeq++;
            m.sensor = QStringLiteral("cpu");
            m.ts = 1'790'000'000'000 + m.seq;
            m.status = Status::Ok;
            m.values = {{QStringLiteral("load"), 0.5}};
            batch.items.append(std::move(m));
        }
        if (!hub.connection->write(encode(batch)))
            return;
        ++hub.inFlight;
    }
}

void HubSimulator::onClosed(Hub &hub)
{
    if (hub.state == Hub::State::Active)
        --m_counters.active;
    else {
        --m_connecting;
        ++m_counters.failures;
    }
    hub.state = Hub::State::Idle;
    // Deleted later: this runs inside the connection's own callback.
    if (hub.connection)
        QTimer::singleShot(0, this, [connection = hub.connection.release()] { delete connection; });
    if (m_reconnect) {
        QTimer::singleShot(int(m_random.bounded(quint32(m_jitterMs) + 1)), this, [this, &hub] {
            if (hub.state == Hub::State::Idle) {
                m_queue.append(&hub);
                next();
            }
        });
    }
    next();
}

} // namespace occ::bench
