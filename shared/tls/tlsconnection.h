#pragma once

#include <functional>
#include <memory>
#include <QByteArray>
#include <QString>

struct ssl_st;
typedef struct ssl_st SSL;
struct ssl_ctx_st;
typedef struct ssl_ctx_st SSL_CTX;
struct x509_st;
typedef struct x509_st X509;
struct ssl_session_st;
typedef struct ssl_session_st SSL_SESSION;
struct evp_pkey_st;

namespace occ::tls {

class SocketWatcher;

// A TLS connection over a non-blocking socket, driven by the SocketWatcher (epoll)
// of the thread that owns it, with OpenSSL doing the TLS. It is a plain
// object of a few hundred bytes plus OpenSSL's state (buffers released when idle),
// so that one worker thread can hold thousands (ARCHITECTURE §15).
//
// It never deletes itself: after closed() the owner deletes it at a safe point.
class TlsConnection
{
public:
    struct Callbacks
    {
        std::function<void()> encrypted;                   // handshake done
        std::function<void(const char *, qsizetype)> data; // decrypted bytes
        std::function<void(const QString &reason)> closed; // once, for any reason
        std::function<void()> drained;                     // output that had to wait is all sent (optional)
    };

    // Takes ownership of fd; watcher belongs to the owning thread.
    TlsConnection(SSL_CTX *context, int fd, bool server, SocketWatcher &watcher, Callbacks callbacks);
    ~TlsConnection();
    TlsConnection(const TlsConnection &) = delete;
    TlsConnection &operator=(const TlsConnection &) = delete;

    // Client side only (hub simulators): our certificate and key for this
    // connection, the name the peer's certificate must carry, a saved session to
    // resume (all before start()), and the session to save afterwards (owned by
    // the caller).
    bool setClientIdentity(x509_st *certificate, evp_pkey_st *key, const QString &expectedPeer);
    void setSession(SSL_SESSION *session);
    SSL_SESSION *takeSession() const;
    void start();
    // Queues plaintext; false when the connection is closed or the peer is too slow
    // (more than maxPending bytes unsent).
    bool write(const QByteArray &plaintext);
    // Sends what is queued and close_notify (if established), closes the socket,
    // reports closed(). After a fatal TLS or socket error nothing more is sent.
    void close(const QString &reason);
    // Closes once everything queued has been sent (a response, then the end).
    void closeWhenFlushed(const QString &reason);
    // Off: the socket is not read until on again (a server busy with a request;
    // hang-ups and errors are still seen), and nothing more is handed to data(),
    // not even what OpenSSL has decrypted already (readPending() hands that over
    // when reading is on again).
    void setReading(bool on);
    void readPending() { readAll(); }
    // The most plaintext a slow peer may have waiting (default kMaxPending).
    void setMaxPending(qsizetype bytes) { m_maxPending = bytes; }

    bool isEncrypted() const { return m_state == State::Established; }
    bool isClosed() const { return m_state == State::Closed; }
    X509 *peerCertificate() const; // not owned
    bool sessionReused() const;
    QString protocolVersion() const;
    SSL *ssl() const { return m_ssl; }
    // Plaintext not yet taken by OpenSSL. It shrinks in steps: OpenSSL counts a
    // write only once a record of it went out within one call.
    qsizetype pendingOutput() const { return m_pending.size(); }
    // Bytes handed to the socket so far (TLS records, handshake included): grows
    // whenever the peer takes more, the measure of a slow reader's progress.
    quint64 bytesSent() const;

    static constexpr qsizetype kMaxPending = 4 * 1024 * 1024;

private:
    enum class State
    {
        Handshaking,
        Established,
        Closed,
    };
    void onReady(bool readable, bool writable, bool hungUp);
    void onReadable();
    void onWritable();
    void handshake();
    void readAll();
    bool flush();
    // Handles a non-positive OpenSSL result; false when the connection ended.
    bool handleError(int result, const char *operation);
    // Ends the connection; graceful: flush and close_notify first.
    void end(const QString &reason, bool graceful);
    void wantWrite(bool on);

    SSL *m_ssl = nullptr;
    int m_fd = -1;
    State m_state = State::Handshaking;
    SocketWatcher &m_watcher;
    bool m_watching = false;
    bool m_wantWrite = false;
    bool m_ending = false; // inside end(): a write error there must not end it again
    bool m_reading = true;
    bool m_hungUp = false; // the peer closed its side: read to the end regardless
    bool m_closeWhenFlushed = false;
    QString m_closeReason;
    qsizetype m_maxPending = kMaxPending;
    QByteArray m_pending;
    Callbacks m_callbacks;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true);
};

} // namespace occ::tls
