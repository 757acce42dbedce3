#include "tlsconnection.h"

#include "tls/socketwatcher.h"
#include "tls/tlscontext.h"


#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cerrno>
#include <fcntl.h>
#include <cstring>
#include <sys/socket.h>
#include <unistd.h>

namespace occ::connector {

TlsConnection::TlsConnection(SSL_CTX *context, int fd, bool server, SocketWatcher &watcher, Callbacks callbacks)
    : m_fd(fd), m_watcher(watcher), m_callbacks(std::move(callbacks))
{
    // Accepted sockets arrive in blocking mode; one blocking read would stall every
    // session of the worker thread.
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    m_ssl = SSL_new(context);
    if (!m_ssl || SSL_set_fd(m_ssl, fd) != 1) {
        m_state = State::Closed;
        return;
    }
    if (server)
        SSL_set_accept_state(m_ssl);
    else
        SSL_set_connect_state(m_ssl);
}

TlsConnection::~TlsConnection()
{
    *m_alive = false;
    if (m_watching)
        m_watcher.unwatch(m_fd);
    if (m_ssl)
        SSL_free(m_ssl);
    if (m_fd >= 0)
        ::close(m_fd);
}

void TlsConnection::setSession(SSL_SESSION *session)
{
    if (m_ssl && session)
        SSL_set_session(m_ssl, session);
}

bool TlsConnection::setClientIdentity(X509 *certificate, EVP_PKEY *key, const QString &expectedPeer)
{
    if (!m_ssl || SSL_use_certificate(m_ssl, certificate) != 1 || SSL_use_PrivateKey(m_ssl, key) != 1)
        return false;
    const QByteArray host = expectedPeer.toUtf8();
    return SSL_set1_host(m_ssl, host.constData()) == 1;
}

SSL_SESSION *TlsConnection::takeSession() const
{
    return m_ssl ? SSL_get1_session(m_ssl) : nullptr;
}

void TlsConnection::start()
{
    if (m_state == State::Closed) {
        if (m_callbacks.closed)
            m_callbacks.closed(QStringLiteral("cannot create a TLS session"));
        return;
    }
    m_watching = m_watcher.watch(m_fd, [this](bool readable, bool writable) { onReady(readable, writable); });
    if (!m_watching) {
        close(QStringLiteral("cannot watch the socket"));
        return;
    }
    handshake();
}

void TlsConnection::wantWrite(bool on)
{
    if (m_wantWrite == on || !m_watching)
        return;
    m_wantWrite = on;
    m_watcher.setWriteInterest(m_fd, on);
}

void TlsConnection::onReady(bool readable, bool writable)
{
    const std::shared_ptr<bool> alive = m_alive;
    if (writable && m_wantWrite)
        onWritable();
    if (readable && *alive)
        onReadable();
}

bool TlsConnection::handleError(int result, const char *operation)
{
    const int error = SSL_get_error(m_ssl, result);
    switch (error) {
    case SSL_ERROR_WANT_READ:
        return true;
    case SSL_ERROR_WANT_WRITE:
        wantWrite(true);
        return true;
    case SSL_ERROR_ZERO_RETURN:
        close(QStringLiteral("peer closed the TLS session"));
        return false;
    case SSL_ERROR_SYSCALL: {
        const int saved = errno;
        const QString detail = ERR_peek_error() ? opensslErrorText()
                               : saved ? QString::fromLocal8Bit(std::strerror(saved))
                                       : QStringLiteral("connection closed by peer");
        close(QStringLiteral("%1: %2").arg(QLatin1StringView(operation), detail));
        return false;
    }
    default: {
        if (ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
            ERR_clear_error();
            close(QStringLiteral("peer closed the connection without a TLS close_notify"));
            return false;
        }
        QString detail = opensslErrorText();
        // A refused certificate: say why (expired, unknown CA, revoked, ...).
        if (const QString refusal = peerRefusal(m_ssl); !refusal.isEmpty())
            detail += QStringLiteral(" (%1)").arg(refusal);
        else if (const long verify = SSL_get_verify_result(m_ssl); verify != X509_V_OK)
            detail += QStringLiteral(" (%1)").arg(QString::fromLatin1(X509_verify_cert_error_string(verify)));
        close(QStringLiteral("TLS %1 failed: %2").arg(QLatin1StringView(operation), detail));
        return false;
    }
    }
}

void TlsConnection::handshake()
{
    ERR_clear_error();
    const int result = SSL_do_handshake(m_ssl);
    if (result == 1) {
        m_state = State::Established;
        const std::shared_ptr<bool> alive = m_alive;
        if (m_callbacks.encrypted)
            m_callbacks.encrypted();
        if (!*alive || m_state == State::Closed)
            return;
        readAll(); // application data may have come with the last handshake flight
        return;
    }
    handleError(result, "handshake");
}

void TlsConnection::onReadable()
{
    if (m_state == State::Handshaking)
        handshake();
    else if (m_state == State::Established)
        readAll();
}

void TlsConnection::readAll()
{
    char buffer[16384];
    const std::shared_ptr<bool> alive = m_alive;
    while (m_state == State::Established) {
        ERR_clear_error();
        const int n = SSL_read(m_ssl, buffer, int(sizeof buffer));
        if (n <= 0) {
            handleError(n, "read");
            break;
        }
        if (m_callbacks.data)
            m_callbacks.data(buffer, n);
        if (!*alive)
            return;
    }
    if (*alive && m_state == State::Established && !m_pending.isEmpty())
        flush();
}

void TlsConnection::onWritable()
{
    if (m_state == State::Handshaking) {
        wantWrite(false);
        handshake();
    } else if (m_state == State::Established) {
        if (flush() && m_pending.isEmpty())
            wantWrite(false);
        readAll(); // a read may have been waiting for this write
    }
}

bool TlsConnection::flush()
{
    while (!m_pending.isEmpty()) {
        ERR_clear_error();
        const int n = SSL_write(m_ssl, m_pending.constData(), int(qMin<qsizetype>(m_pending.size(), 1 << 20)));
        if (n <= 0)
            return handleError(n, "write");
        m_pending.remove(0, n);
    }
    m_pending = QByteArray(); // release the capacity of an idle connection
    return true;
}

bool TlsConnection::write(const QByteArray &plaintext)
{
    if (m_state == State::Closed)
        return false;
    if (m_pending.size() + plaintext.size() > kMaxPending) {
        close(QStringLiteral("peer does not read (more than %1 bytes unsent)").arg(kMaxPending));
        return false;
    }
    m_pending += plaintext;
    if (m_state == State::Established && !m_wantWrite)
        return flush();
    return true;
}

void TlsConnection::close(const QString &reason)
{
    if (m_state == State::Closed)
        return;
    if (m_state == State::Established) {
        flush();
        ERR_clear_error();
        SSL_shutdown(m_ssl); // best effort close_notify
    }
    m_state = State::Closed;
    ERR_clear_error();
    if (m_watching) {
        m_watcher.unwatch(m_fd);
        m_watching = false;
    }
    ::shutdown(m_fd, SHUT_RDWR);
    if (m_callbacks.closed)
        m_callbacks.closed(reason);
}

X509 *TlsConnection::peerCertificate() const
{
    return m_ssl ? SSL_get0_peer_certificate(m_ssl) : nullptr;
}

bool TlsConnection::sessionReused() const
{
    return m_ssl && SSL_session_reused(m_ssl) == 1;
}

QString TlsConnection::protocolVersion() const
{
    return m_ssl ? QString::fromLatin1(SSL_get_version(m_ssl)) : QString();
}

} // namespace occ::connector
