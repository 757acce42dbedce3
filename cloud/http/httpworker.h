#pragma once

#include "http/connectiongate.h"
#include "http/httpconnection.h"
#include "http/httphandler.h"

#include <atomic>
#include <memory>
#include <QHash>
#include <QHostAddress>
#include <QObject>
#include <QTimer>

namespace occ {
class Clock;
}
namespace occ::tls {
class SocketWatcher;
class TlsContextSlot;
class TlsContext;
} // namespace occ::tls

namespace occ::cloud::http {

struct HttpStats
{
    std::atomic<qint64> accepted{0};
    std::atomic<qint64> refusedAtTheDoor{0}; // closed at once by the gate
    std::atomic<qint64> requests{0};
    std::atomic<qint64> refusedRequests{0}; // 4xx from the front door itself
    std::atomic<qint64> timeouts{0};
};

struct HttpServerConfig
{
    HttpLimits limits;
    HttpTimeouts timeouts;
    GateLimits gate;
    int workers = 4;
    // How the front door's own refusals look (e.g. a SOAP fault for /soap);
    // empty: plain text.
    std::function<HttpResponse(const QByteArray &path, int status, const QString &message)> refusal;
};

// One event loop (thread) of the cloud's front door: it holds its share of the
// connections, drives their TLS through one epoll, sweeps their deadlines, and owns
// the handler that serves their requests (made in this thread). Entry points marked
// "any thread" queue into it; the others must run in it (asserted).
class HttpWorker : public QObject
{
    Q_OBJECT
public:
    HttpWorker(int index, tls::TlsContextSlot &tls, const HttpServerConfig &config, ConnectionGate &gate,
               HttpStats &stats, HttpHandlerFactory factory, const Clock &clock);
    ~HttpWorker() override;

    // Any thread.
    void adopt(int fd, const QHostAddress &peer, quint16 port, const QByteArray &peerKey);
    void closeAll();
    // Worker thread: makes the watcher and the handler, starts the sweep.
    void start();

    // For connections and responders (worker thread).
    void assertThread() const;
    tls::SocketWatcher &sockets() { return *m_sockets; }
    std::shared_ptr<tls::TlsContext> tlsContext() const;
    const HttpServerConfig &config() const { return m_config; }
    ConnectionGate &gate() { return m_gate; }
    HttpStats &stats() { return m_stats; }
    qint64 now() const;
    void dispatch(HttpRequest request, quint64 connection, quint64 number);
    void respond(quint64 connection, quint64 request, HttpResponse response);
    bool alive(quint64 connection, quint64 request) const;
    void connectionEnded(HttpConnection &connection);
    // connection->resume() from the event loop (if it still exists then).
    void resumeLater(quint64 connection);
    int connectionCount() const { return int(m_connections.size()); }

private:
    void sweep();
    void reap();
    void resumeQueued();

    int m_index;
    tls::TlsContextSlot &m_tls;
    HttpServerConfig m_config;
    ConnectionGate &m_gate;
    HttpStats &m_stats;
    HttpHandlerFactory m_factory;
    const Clock &m_clock;
    std::unique_ptr<tls::SocketWatcher> m_sockets;
    std::unique_ptr<HttpHandler> m_handler;
    QHash<quint64, HttpConnection *> m_connections;
    QList<HttpConnection *> m_ended;
    QTimer m_sweep;
    bool m_reapScheduled = false;
    QList<quint64> m_resumes; // connections to resume, in the order they asked
    bool m_resumeScheduled = false;
};

} // namespace occ::cloud::http
