#include "httpconnection.h"

#include "http/httpworker.h"
#include "tls/tlsconnection.h"
#include "tls/tlscontext.h"

#include <openssl/x509.h>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcHttp)

namespace occ::cloud::http {

namespace {

// A body refused for its size is still read (and dropped) up to these sizes, and the
// refusal sent after it: a client sends its whole request before it reads an
// answer (Qt's network stack does), so an answer that comes early followed by a
// close reaches it as "connection closed" - a network failure to retry, not a
// refusal to act on (a connector splits a refused call). Larger bodies are
// refused at once and the connection closed.
constexpr qint64 kMaxDrainBytes = 16 * 1024 * 1024;
constexpr qint64 kMaxAnonymousDrainBytes = 1024 * 1024;

QSslCertificate toQSslCertificate(X509 *certificate)
{
    if (!certificate)
        return QSslCertificate();
    unsigned char *der = nullptr;
    const int length = i2d_X509(certificate, &der);
    if (length <= 0)
        return QSslCertificate();
    QSslCertificate result(QByteArray(reinterpret_cast<const char *>(der), length), QSsl::Der);
    OPENSSL_free(der);
    return result;
}

} // namespace

HttpConnection::HttpConnection(quint64 id, HttpWorker &worker, int fd, QHostAddress peer, quint16 peerPort,
                               QByteArray peerKey)
    : m_id(id)
    , m_worker(worker)
    , m_tls(worker.tlsContext())
    , m_peer(std::move(peer))
    , m_peerPort(peerPort)
    , m_peerKey(std::move(peerKey))
    , m_parser(worker.config().limits)
{
    m_deadline = worker.now() + worker.config().timeouts.handshakeMs;
    m_connection = std::make_unique<tls::TlsConnection>(
        m_tls->get(), fd, true, worker.sockets(),
        tls::TlsConnection::Callbacks{
            [this] { onEncrypted(); }, [this](const char *data, qsizetype size) { onData(data, size); },
            [this](const QString &reason) { onClosed(reason); }, [this] { onDrained(); }});
    m_connection->setMaxPending(64 * 1024 * 1024); // a large page for a slow reader
}

HttpConnection::~HttpConnection() = default;

void HttpConnection::start()
{
    m_connection->start();
}

void HttpConnection::onEncrypted()
{
    m_peerCertificate = toQSslCertificate(m_connection->peerCertificate());
    m_parser.setAuthenticated(!m_peerCertificate.isNull());
    m_phase = Phase::Head;
    // The first request must come soon; later ones may wait for the idle timeout.
    m_deadline = m_worker.now() + m_worker.config().timeouts.headMs;
}

void HttpConnection::onData(const char *data, qsizetype size)
{
    if (m_phase == Phase::Refusing)
        return; // what comes after a refusal goes nowhere
    if (m_phase == Phase::Head && !m_headStarted && m_in.isEmpty()) {
        m_headStarted = true;
        m_deadline = m_worker.now() + m_worker.config().timeouts.headMs;
    }
    m_in.append(data, size);
    if (m_phase == Phase::Draining)
        drain();
    else if (m_phase == Phase::Head || m_phase == Phase::Body)
        process();
}

void HttpConnection::drain()
{
    const qint64 taken = qMin<qint64>(m_in.size(), m_drainLeft);
    m_in.remove(0, qsizetype(taken));
    m_drainLeft -= taken;
    if (m_drainLeft == 0)
        refuse(m_drainStatus, m_drainMessage);
}

void HttpConnection::process()
{
    while (m_phase == Phase::Head || m_phase == Phase::Body) {
        const HttpParser::State before = m_parser.state();
        const HttpParser::State state = m_parser.parse(m_in);
        if (state == HttpParser::State::Error) {
            const qint64 body = m_parser.refusedBodyBytes();
            if (body > 0 && body <= (m_parser.authenticated() ? kMaxDrainBytes : kMaxAnonymousDrainBytes)) {
                m_phase = Phase::Draining;
                m_drainLeft = body;
                m_drainStatus = m_parser.status();
                m_drainMessage = m_parser.message();
                m_deadline = m_worker.now() + m_worker.config().timeouts.bodyMs;
                drain();
                return;
            }
            refuse(m_parser.status(), m_parser.message());
            return;
        }
        if (state == HttpParser::State::Body) {
            if (before == HttpParser::State::Head) {
                m_phase = Phase::Body;
                m_deadline = m_worker.now() + m_worker.config().timeouts.bodyMs;
            }
            if (m_parser.wantsContinue())
                m_connection->write("HTTP/1.1 100 Continue\r\n\r\n");
            return;
        }
        if (state != HttpParser::State::Complete)
            return; // more of the head to come
        HttpRequest request = m_parser.takeRequest();
        request.peerAddress = m_peer;
        request.peerPort = m_peerPort;
        request.peerCertificate = m_peerCertificate;
        request.connectionId = m_id;
        m_keepAlive = request.keepAlive();
        if (m_pending) {
            // Past the front door: one complete request within the limits.
            m_pending = false;
            m_worker.gate().established(m_peerKey);
        }
        m_phase = Phase::Handling;
        m_deadline = m_worker.now() + m_worker.config().timeouts.handlerMs;
        m_connection->setReading(false);
        ++m_worker.stats().requests;
        m_worker.dispatch(std::move(request), m_id, ++m_request);
        return; // the rest waits until the answer is out
    }
}

void HttpConnection::refuse(int status, const QString &message)
{
    ++m_worker.stats().refusedRequests;
    qCInfo(lcHttp).noquote() << m_peer.toString() << "refused with" << status << ":" << message;
    const auto &format = m_worker.config().refusal;
    HttpResponse response =
        format ? format(m_parser.path(), status, message) : HttpResponse::text(status, message, true);
    response.close = true;
    // The refusal's own deadline, not the one of the phase that ended in it (for a
    // 408 that one has passed): a peer still reading the answers before it - a
    // pipelining client on a slow link - gets it as long as it keeps reading.
    m_phase = Phase::Refusing; // nothing more is read, no answer of a handler goes out
    m_refusalStatus = status;
    m_deadline = m_worker.now() + m_worker.config().timeouts.refusalMs;
    m_connection->setReading(false);
    if (!m_connection->write(response.serialize(false)))
        return; // gone; onClosed() reported it
    m_refusalSent = m_connection->bytesSent();
    m_connection->closeWhenFlushed(QStringLiteral("%1 %2").arg(status).arg(message));
}

void HttpConnection::respond(quint64 request, HttpResponse response)
{
    if (m_phase != Phase::Handling || request != m_request)
        return;
    const bool keepAlive = m_keepAlive && !response.close;
    if (!m_connection->write(response.serialize(keepAlive)))
        return; // gone; onClosed() reported it
    if (!keepAlive) {
        m_connection->closeWhenFlushed(QStringLiteral("request done"));
        return;
    }
    m_phase = Phase::Head;
    m_headStarted = false;
    m_deadline = m_worker.now() + m_worker.config().timeouts.idleMs;
    if (m_connection->pendingOutput() > kMaxUnsentAnswerBytes) {
        // The peer does not read its answers: no more requests until it does (or
        // the idle deadline closes the connection).
        m_awaitingDrain = true;
        return;
    }
    // Not here: this may be inside the handler's call for the request before, and
    // a client with thousands of pipelined requests would nest as many calls.
    if (!m_resumeQueued) {
        m_resumeQueued = true;
        m_worker.resumeLater(m_id);
    }
}

void HttpConnection::onDrained()
{
    if (!m_awaitingDrain)
        return;
    m_awaitingDrain = false;
    if (m_phase == Phase::Head && !m_resumeQueued) {
        m_resumeQueued = true;
        m_worker.resumeLater(m_id);
    }
}

void HttpConnection::resume()
{
    m_resumeQueued = false;
    if (m_phase != Phase::Head || m_awaitingDrain)
        return;
    m_connection->setReading(true);
    if (!m_in.isEmpty()) {
        m_headStarted = true;
        m_deadline = m_worker.now() + m_worker.config().timeouts.headMs;
        process(); // a pipelined request already here
    }
    if (m_phase == Phase::Head)
        m_connection->readPending(); // and what OpenSSL decrypted meanwhile
}

void HttpConnection::sweep(qint64 now)
{
    const HttpTimeouts &t = m_worker.config().timeouts;
    if (m_phase == Phase::Refusing && m_connection->bytesSent() > m_refusalSent) {
        m_refusalSent = m_connection->bytesSent(); // the peer reads on: it may take its time
        m_deadline = now + t.refusalMs;
    }
    if (m_phase == Phase::Closed || now < m_deadline)
        return;
    ++m_worker.stats().timeouts;
    switch (m_phase) {
    case Phase::Handshake:
        close(QStringLiteral("no TLS handshake within %1 ms").arg(t.handshakeMs));
        break;
    case Phase::Head:
        if (m_awaitingDrain) {
            const QString reason =
                QStringLiteral("the peer did not read its answers within %1 ms").arg(t.idleMs);
            qCInfo(lcHttp).noquote() << "connection from" << m_peer.toString() << "closed:" << reason;
            close(reason);
        } else if (!m_headStarted && !m_pending)
            close(QStringLiteral("idle for %1 ms").arg(t.idleMs));
        else
            refuse(408, QStringLiteral("the request head did not arrive within %1 ms").arg(t.headMs));
        break;
    case Phase::Body:
        refuse(408, QStringLiteral("the request body did not arrive within %1 ms").arg(t.bodyMs));
        break;
    case Phase::Draining:
        refuse(m_drainStatus, m_drainMessage); // what it still sends goes nowhere
        break;
    case Phase::Handling:
        if (m_connection->pendingOutput() == 0) {
            m_request = 0; // a late answer goes nowhere
            refuse(500, QStringLiteral("the request was not answered within %1 ms").arg(t.handlerMs));
        } else {
            close(QStringLiteral("the peer does not read the answer"));
        }
        break;
    case Phase::Refusing: {
        const QString reason = QStringLiteral("the peer did not read its refusal (%1) for %2 ms")
                                   .arg(m_refusalStatus)
                                   .arg(t.refusalMs);
        qCInfo(lcHttp).noquote() << "connection from" << m_peer.toString() << "closed:" << reason;
        close(reason);
        break;
    }
    case Phase::Closed:
        break;
    }
}

void HttpConnection::close(const QString &reason)
{
    m_connection->close(reason);
}

void HttpConnection::onClosed(const QString &reason)
{
    if (m_phase == Phase::Closed)
        return;
    m_phase = Phase::Closed;
    qCDebug(lcHttp).noquote() << "connection from" << m_peer.toString() << "ended:" << reason;
    m_worker.connectionEnded(*this);
}

} // namespace occ::cloud::http
