#include "httpworker.h"

#include "core/clock.h"
#include "tls/socketwatcher.h"
#include "tls/tlscontext.h"

#include <QLoggingCategory>
#include <QThread>

Q_LOGGING_CATEGORY(lcHttp, "occ.cloud.http")

namespace occ::cloud::http {

namespace {
std::atomic<quint64> g_nextConnection{1};
} // namespace

void HttpResponder::respond(HttpResponse response) const
{
    if (m_worker)
        m_worker->respond(m_connection, m_request, std::move(response));
}

bool HttpResponder::alive() const
{
    return m_worker && m_worker->alive(m_connection, m_request);
}

HttpWorker::HttpWorker(int index, tls::TlsContextSlot &tls, const HttpServerConfig &config,
                       ConnectionGate &gate, HttpStats &stats, HttpHandlerFactory factory, const Clock &clock)
    : m_index(index)
    , m_tls(tls)
    , m_config(config)
    , m_gate(gate)
    , m_stats(stats)
    , m_factory(std::move(factory))
    , m_clock(clock)
    , m_sweep(this)
{
    setObjectName(QStringLiteral("http-%1").arg(index));
    m_sweep.setInterval(250);
    connect(&m_sweep, &QTimer::timeout, this, &HttpWorker::sweep);
}

HttpWorker::~HttpWorker()
{
    // In the worker's thread (deleted there, or after it ended).
    for (HttpConnection *connection : std::as_const(m_connections)) {
        m_gate.closed(connection->peerKey(), connection->pending());
        delete connection;
    }
    m_connections.clear();
    qDeleteAll(m_ended);
    m_ended.clear();
    m_handler.reset();
}

void HttpWorker::assertThread() const
{
    Q_ASSERT_X(QThread::currentThread() == thread(), "HttpWorker", "used outside its thread");
}

void HttpWorker::start()
{
    assertThread();
    m_sockets = std::make_unique<tls::SocketWatcher>();
    m_handler = m_factory();
    m_sweep.start();
}

std::shared_ptr<tls::TlsContext> HttpWorker::tlsContext() const
{
    return m_tls.current();
}

qint64 HttpWorker::now() const
{
    return m_clock.monotonicMs();
}

void HttpWorker::adopt(int fd, const QHostAddress &peer, quint16 port, const QByteArray &peerKey)
{
    QMetaObject::invokeMethod(this, [this, fd, peer, port, peerKey] {
        const quint64 id = g_nextConnection.fetch_add(1, std::memory_order_relaxed);
        auto *connection = new HttpConnection(id, *this, fd, peer, port, peerKey);
        m_connections.insert(id, connection);
        connection->start();
    });
}

void HttpWorker::closeAll()
{
    QMetaObject::invokeMethod(
        this,
        [this] {
            const QList<HttpConnection *> all = m_connections.values();
            for (HttpConnection *connection : all)
                connection->close(QStringLiteral("the cloud is stopping"));
        },
        Qt::BlockingQueuedConnection);
}

void HttpWorker::dispatch(HttpRequest request, quint64 connection, quint64 number)
{
    assertThread();
    m_handler->handle(std::move(request), HttpResponder(this, connection, number));
}

void HttpWorker::respond(quint64 connection, quint64 request, HttpResponse response)
{
    assertThread();
    if (HttpConnection *c = m_connections.value(connection))
        c->respond(request, std::move(response));
}

bool HttpWorker::alive(quint64 connection, quint64 request) const
{
    assertThread();
    const HttpConnection *c = m_connections.value(connection);
    return c && c->handling(request);
}

void HttpWorker::connectionEnded(HttpConnection &connection)
{
    if (m_connections.remove(connection.id()) == 0)
        return;
    m_gate.closed(connection.peerKey(), connection.pending());
    // Deleted outside of its own callbacks.
    m_ended.append(&connection);
    if (!m_reapScheduled) {
        m_reapScheduled = true;
        QMetaObject::invokeMethod(this, &HttpWorker::reap, Qt::QueuedConnection);
    }
}

void HttpWorker::resumeLater(quint64 connection)
{
    assertThread();
    m_resumes.append(connection);
    if (!m_resumeScheduled) {
        m_resumeScheduled = true;
        QMetaObject::invokeMethod(this, &HttpWorker::resumeQueued, Qt::QueuedConnection);
    }
}

void HttpWorker::resumeQueued()
{
    assertThread();
    m_resumeScheduled = false;
    // Taken out first: a connection resumed here asks again for its next request,
    // and that comes in the next round, after other connections and sockets.
    const QList<quint64> resumes = std::exchange(m_resumes, {});
    for (quint64 id : resumes) {
        if (HttpConnection *c = m_connections.value(id))
            c->resume();
    }
}

void HttpWorker::reap()
{
    m_reapScheduled = false;
    qDeleteAll(m_ended);
    m_ended.clear();
}

void HttpWorker::sweep()
{
    const qint64 t = now();
    const QList<HttpConnection *> all = m_connections.values();
    for (HttpConnection *connection : all) {
        if (m_connections.contains(connection->id()))
            connection->sweep(t);
    }
}

} // namespace occ::cloud::http
