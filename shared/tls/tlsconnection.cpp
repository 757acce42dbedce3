#include "tlsconnection.h"

#include "tls/socketwatcher.h"
#include "tls/tlscontext.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace occ::tls {

namespace {

// A socket BIO that writes with MSG_NOSIGNAL: a peer that reset the connection
// gives EPIPE, never a SIGPIPE that would end the whole program. (OpenSSL's own
// socket BIO uses write(2).)
int bioWrite(BIO *bio, const char *data, int size)
{
    BIO_clear_retry_flags(bio);
    const ssize_t n = ::send(int(BIO_get_fd(bio, nullptr)), data, size_t(size), MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        BIO_set_retry_write(bio);
    return int(n);
}

int bioRead(BIO *bio, char *data, int size)
{
    BIO_clear_retry_flags(bio);
    const ssize_t n = ::recv(int(BIO_get_fd(bio, nullptr)), data, size_t(size), 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        BIO_set_retry_read(bio);
    else if (n == 0)
        BIO_set_flags(bio, BIO_FLAGS_IN_EOF); // lets OpenSSL tell a truncation from a close
    return int(n);
}

long bioCtrl(BIO *bio, int command, long number, void *pointer)
{
    switch (command) {
    case BIO_C_SET_FD:
        BIO_set_data(bio, reinterpret_cast<void *>(intptr_t(*static_cast<int *>(pointer))));
        BIO_set_shutdown(bio, int(number));
        BIO_set_init(bio, 1);
        return 1;
    case BIO_C_GET_FD:
        if (pointer)
            *static_cast<int *>(pointer) = int(intptr_t(BIO_get_data(bio)));
        return BIO_get_init(bio) ? long(intptr_t(BIO_get_data(bio))) : -1;
    case BIO_CTRL_FLUSH:
        return 1;
    case BIO_CTRL_EOF:
        return BIO_test_flags(bio, BIO_FLAGS_IN_EOF) != 0;
    default:
        return 0;
    }
}

int bioCreate(BIO *bio)
{
    BIO_set_init(bio, 0);
    BIO_set_data(bio, reinterpret_cast<void *>(intptr_t(-1)));
    return 1;
}

const BIO_METHOD *noSignalMethod()
{
    static BIO_METHOD *method = [] {
        BIO_METHOD *m =
            BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR, "occ socket");
        BIO_meth_set_write(m, bioWrite);
        BIO_meth_set_read(m, bioRead);
        BIO_meth_set_ctrl(m, bioCtrl);
        BIO_meth_set_create(m, bioCreate);
        return m;
    }();
    return method;
}

// The descriptor stays the TlsConnection's (BIO_NOCLOSE): it closes it itself.
BIO *noSignalSocketBio(int fd)
{
    BIO *bio = BIO_new(noSignalMethod());
    if (bio)
        BIO_set_fd(bio, fd, BIO_NOCLOSE);
    return bio;
}

} // namespace

TlsConnection::TlsConnection(SSL_CTX *context, int fd, bool server, SocketWatcher &watcher,
                             Callbacks callbacks)
    : m_fd(fd)
    , m_watcher(watcher)
    , m_callbacks(std::move(callbacks))
{
    // Accepted sockets arrive in blocking mode; one blocking read would stall every
    // session of the worker thread.
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    m_ssl = SSL_new(context);
    BIO *bio = m_ssl ? noSignalSocketBio(fd) : nullptr;
    if (!bio) {
        m_state = State::Closed;
        return;
    }
    SSL_set_bio(m_ssl, bio, bio); // owned by the SSL from here
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
    m_watching = m_watcher.watch(
        m_fd, [this](bool readable, bool writable, bool hungUp) { onReady(readable, writable, hungUp); });
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

void TlsConnection::onReady(bool readable, bool writable, bool hungUp)
{
    const std::shared_ptr<bool> alive = m_alive;
    // The peer sends nothing more: what it sent is read to its end even while
    // reading is off (bounded by what the socket holds), so that the end is seen.
    if (hungUp)
        m_hungUp = true;
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
        end(QStringLiteral("peer closed the TLS session"), true);
        return false;
    case SSL_ERROR_SYSCALL: {
        const int saved = errno;
        const QString detail = ERR_peek_error() ? opensslErrorText()
                               : saved          ? QString::fromLocal8Bit(std::strerror(saved))
                                                : QStringLiteral("connection closed by peer");
        end(QStringLiteral("%1: %2").arg(QLatin1StringView(operation), detail), false);
        return false;
    }
    default: {
        if (ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
            ERR_clear_error();
            end(QStringLiteral("peer closed the connection without a TLS close_notify"), false);
            return false;
        }
        QString detail = opensslErrorText();
        // A refused certificate: say why (expired, unknown CA, revoked, ...).
        if (const QString refusal = peerRefusal(m_ssl); !refusal.isEmpty())
            detail += QStringLiteral(" (%1)").arg(refusal);
        else if (const long verify = SSL_get_verify_result(m_ssl); verify != X509_V_OK)
            detail += QStringLiteral(" (%1)").arg(QString::fromLatin1(X509_verify_cert_error_string(verify)));
        end(QStringLiteral("TLS %1 failed: %2").arg(QLatin1StringView(operation), detail), false);
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
    // Stops as soon as the owner turns reading off (inside data()): what it has not
    // taken stays in the socket and in OpenSSL, so a peer cannot make it hold more.
    // After a hang-up everything is read, to see the end.
    while (m_state == State::Established && (m_reading || m_hungUp)) {
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
        if (flush() && m_pending.isEmpty()) {
            wantWrite(false);
            if (m_closeWhenFlushed) {
                close(m_closeReason);
                return;
            }
            if (m_callbacks.drained) {
                const std::shared_ptr<bool> alive = m_alive;
                m_callbacks.drained();
                if (!*alive)
                    return;
            }
        }
        readAll(); // a read may have been waiting for this write
    }
}

bool TlsConnection::flush()
{
    while (!m_pending.isEmpty()) {
        ERR_clear_error();
        const int n =
            SSL_write(m_ssl, m_pending.constData(), int(qMin<qsizetype>(m_pending.size(), 1 << 20)));
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
    if (m_pending.size() + plaintext.size() > m_maxPending) {
        end(QStringLiteral("peer does not read (more than %1 bytes unsent)").arg(m_maxPending), false);
        return false;
    }
    m_pending += plaintext;
    if (m_state == State::Established && !m_wantWrite)
        return flush();
    return true;
}

void TlsConnection::close(const QString &reason)
{
    end(reason, true);
}

void TlsConnection::end(const QString &reason, bool graceful)
{
    if (m_state == State::Closed || m_ending)
        return;
    m_ending = true; // a failing flush below reports here, and stops
    if (graceful && m_state == State::Established) {
        if (flush()) {
            ERR_clear_error();
            SSL_shutdown(m_ssl); // best effort close_notify
        }
    }
    m_state = State::Closed;
    ERR_clear_error();
    if (m_watching) {
        m_watcher.unwatch(m_fd);
        m_watching = false;
    }
    ::shutdown(m_fd, SHUT_RDWR);
    m_pending = QByteArray();
    if (m_callbacks.closed)
        m_callbacks.closed(reason);
}

void TlsConnection::closeWhenFlushed(const QString &reason)
{
    if (m_state != State::Established || m_pending.isEmpty()) {
        close(reason);
        return;
    }
    m_closeWhenFlushed = true; // onWritable() closes once the last byte is out
    m_closeReason = reason;
}

void TlsConnection::setReading(bool on)
{
    if (m_reading == on)
        return;
    m_reading = on;
    if (m_watching)
        m_watcher.setReadInterest(m_fd, on);
}

X509 *TlsConnection::peerCertificate() const
{
    return m_ssl ? SSL_get0_peer_certificate(m_ssl) : nullptr;
}

quint64 TlsConnection::bytesSent() const
{
    return m_ssl ? BIO_number_written(SSL_get_wbio(m_ssl)) : 0;
}

bool TlsConnection::sessionReused() const
{
    return m_ssl && SSL_session_reused(m_ssl) == 1;
}

QString TlsConnection::protocolVersion() const
{
    return m_ssl ? QString::fromLatin1(SSL_get_version(m_ssl)) : QString();
}

} // namespace occ::tls
