#pragma once

#include "core/result.h"
#include "http/connectiongate.h"
#include "http/httpworker.h"
#include "net/acceptor.h"

#include <memory>
#include <QHostAddress>
#include <QList>
#include <QThread>

namespace occ::cloud::http {

// The cloud's HTTPS front door (ARCHITECTURE §11; a departure from KDSoapServer,
// see docs/decisions.md): the listener accepts in this thread, the ConnectionGate
// decides at once whether an address may have one more connection, and the
// sockets are spread over worker threads that run TLS and HTTP and hand complete
// requests to their handlers. Accept errors (no descriptors left) pause accepting
// briefly instead of spinning; the process's descriptor limit is raised to what it
// may have.
class HttpServer : public QObject
{
    Q_OBJECT
public:
    HttpServer(HttpServerConfig config, std::shared_ptr<tls::TlsContext> tls, HttpHandlerFactory factory,
               const Clock &clock, QObject *parent = nullptr);
    ~HttpServer() override;

    Result<void> start(const QHostAddress &address, quint16 port);
    void stop();
    // A new certificate (re-issued with new names): new connections use it.
    void setTlsContext(std::shared_ptr<tls::TlsContext> tls);
    const HttpStats &stats() const { return m_stats; }
    const ConnectionGate &gate() const { return m_gate; }
    QHostAddress serverAddress() const { return m_acceptor.address(); }
    quint16 serverPort() const { return m_acceptor.port(); }

private:
    void incomingConnection(int fd, const QHostAddress &peer, quint16 port);

    HttpServerConfig m_config;
    std::unique_ptr<tls::TlsContextSlot> m_tls;
    HttpHandlerFactory m_factory;
    const Clock &m_clock;
    ConnectionGate m_gate;
    HttpStats m_stats;
    QList<QThread *> m_threads;
    QList<HttpWorker *> m_workers;
    int m_next = 0;
    net::Acceptor m_acceptor;
};

} // namespace occ::cloud::http
