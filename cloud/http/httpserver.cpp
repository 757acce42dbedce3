#include "httpserver.h"

#include "tls/tlscontext.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <QLoggingCategory>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

Q_DECLARE_LOGGING_CATEGORY(lcHttp)

namespace occ::cloud::http {

namespace {

// The soft descriptor limit up to the hard one: a cloud holds many connections.
int raiseDescriptorLimit()
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0)
        return 1024;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
        ::getrlimit(RLIMIT_NOFILE, &limit);
    }
    return limit.rlim_cur > 1'000'000 ? 1'000'000 : int(limit.rlim_cur);
}

} // namespace

HttpServer::HttpServer(HttpServerConfig config, std::shared_ptr<tls::TlsContext> tls,
                       HttpHandlerFactory factory, const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_tls(std::make_unique<tls::TlsContextSlot>(std::move(tls)))
    , m_factory(std::move(factory))
    , m_clock(clock)
    , m_gate([&] {
        // Keep descriptors for the database, logs and the rest.
        GateLimits limits = config.gate;
        limits.maxConnections = qMax(16, qMin(limits.maxConnections, raiseDescriptorLimit() - 128));
        return limits;
    }())
    , m_acceptor(
          [this](int fd, const QHostAddress &peer, quint16 port) { incomingConnection(fd, peer, port); })
{}

HttpServer::~HttpServer()
{
    stop();
}

Result<void> HttpServer::start(const QHostAddress &address, quint16 port)
{
    for (int i = 0; i < qMax(1, m_config.workers); ++i) {
        auto *thread = new QThread;
        thread->setObjectName(QStringLiteral("http-%1").arg(i));
        auto *worker = new HttpWorker(i, *m_tls, m_config, m_gate, m_stats, m_factory, m_clock);
        worker->moveToThread(thread);
        thread->start();
        QMetaObject::invokeMethod(worker, &HttpWorker::start, Qt::BlockingQueuedConnection);
        m_threads.append(thread);
        m_workers.append(worker);
    }
    if (Result<void> listening = m_acceptor.listen(address, port, 1024); !listening)
        return listening.error();
    qCInfo(lcHttp) << "front door open with" << m_workers.size() << "worker threads, at most"
                   << m_gate.limits().maxConnections << "connections," << m_gate.limits().maxPerAddress
                   << "per address (" << m_gate.limits().maxPendingPerAddress << "of them anonymous)";
    return {};
}

void HttpServer::stop()
{
    m_acceptor.close();
    for (HttpWorker *worker : std::as_const(m_workers))
        worker->closeAll();
    for (qsizetype i = 0; i < m_workers.size(); ++i) {
        // The worker goes in its own thread (its connections and handler live there):
        // a finishing QThread deletes what deleteLater() asked for.
        m_workers.at(i)->deleteLater();
        m_threads.at(i)->quit();
        m_threads.at(i)->wait();
    }
    m_workers.clear();
    qDeleteAll(m_threads);
    m_threads.clear();
}

void HttpServer::setTlsContext(std::shared_ptr<tls::TlsContext> tls)
{
    m_tls->replace(std::move(tls));
}

void HttpServer::incomingConnection(int fd, const QHostAddress &peer, quint16 port)
{
    const QByteArray key = ConnectionGate::callerKey(peer, m_config.gate.ipv6PrefixLength);
    const ConnectionGate::Verdict verdict = m_gate.admit(key);
    if (verdict != ConnectionGate::Verdict::Admitted) {
        if (m_stats.refusedAtTheDoor++ % 100 == 0)
            qCWarning(lcHttp).noquote()
                << "closing a connection from" << key << "at once:"
                << (verdict == ConnectionGate::Verdict::ServerFull ? "the server is full"
                    : verdict == ConnectionGate::Verdict::AddressPending
                        ? "it has too many anonymous connections"
                        : "it has too many connections")
                << "(" << m_stats.refusedAtTheDoor.load() << "so far)";
        ::close(fd);
        return;
    }
    ++m_stats.accepted;
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    HttpWorker *worker = m_workers.at(m_next);
    m_next = (m_next + 1) % int(m_workers.size());
    worker->adopt(fd, peer, port, key);
}

} // namespace occ::cloud::http
