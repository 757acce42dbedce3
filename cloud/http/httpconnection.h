#pragma once

#include "http/httpparser.h"

#include <memory>
#include <QByteArray>
#include <QHostAddress>
#include <QSslCertificate>

namespace occ::tls {
class TlsConnection;
class TlsContext;
} // namespace occ::tls

namespace occ::cloud::http {

class HttpWorker;

struct HttpTimeouts
{
    qint64 handshakeMs = 10'000; // TCP accepted -> TLS done
    qint64 headMs = 10'000;      // first byte of a head -> whole head
    qint64 bodyMs = 30'000;      // head -> whole body
    qint64 idleMs = 60'000;      // keep-alive between requests (and before the first)
    qint64 handlerMs = 120'000;  // a handler that never answers (long polls take <= 25 s)
    qint64 refusalMs = 10'000;   // a refusal the peer does not read on (from its last progress)
};

// One HTTPS connection of the cloud: TLS (OpenSSL, in its worker's epoll), then
// requests read one at a time with the limits of HttpParser and the deadlines of
// HttpTimeouts, each handed to the worker's handler with the connection's peer
// address and client certificate, and answered on this connection. While a
// request is being handled the socket is not read. Pipelined requests are taken one
// at a time, the next one from the event loop after the answer to the one before
// (never on the stack of that answer), and not while more than
// kMaxUnsentAnswerBytes of answers wait for the peer to read them. A refused
// request ends the connection once its refusal is out; the refusal has its own
// deadline (HttpTimeouts::refusalMs), renewed while the peer reads on. Owned by its
// worker.
class HttpConnection
{
public:
    HttpConnection(quint64 id, HttpWorker &worker, int fd, QHostAddress peer, quint16 peerPort,
                   QByteArray peerKey);
    ~HttpConnection();

    // Answers beyond this, unread by the peer, stop the reading of its next requests.
    static constexpr qsizetype kMaxUnsentAnswerBytes = 256 * 1024;

    void start();
    void respond(quint64 request, HttpResponse response);
    // Takes the next request (already read, or from the socket); the worker calls
    // it from its event loop after respond() asked for it.
    void resume();
    bool handling(quint64 request) const { return m_phase == Phase::Handling && m_request == request; }
    // Deadlines; called by the worker's sweep.
    void sweep(qint64 now);
    void close(const QString &reason);

    quint64 id() const { return m_id; }
    const QByteArray &peerKey() const { return m_peerKey; }
    bool pending() const { return m_pending; }

private:
    enum class Phase
    {
        Handshake,
        Head, // between requests, or reading a head
        Body,
        Draining, // a refused body arrives and is dropped; the refusal follows it
        Handling, // the handler has the request
        Refusing, // a refusal is written, then the connection closed; nothing more is read
        Closed,
    };
    void onEncrypted();
    void onData(const char *data, qsizetype size);
    void onClosed(const QString &reason);
    void process();
    void refuse(int status, const QString &message);
    void drain();
    void onDrained();

    quint64 m_id;
    HttpWorker &m_worker;
    std::shared_ptr<tls::TlsContext> m_tls;
    std::unique_ptr<tls::TlsConnection> m_connection;
    QHostAddress m_peer;
    quint16 m_peerPort;
    QByteArray m_peerKey; // the address as the gate counts it
    QSslCertificate m_peerCertificate;
    HttpParser m_parser;
    QByteArray m_in;
    Phase m_phase = Phase::Handshake;
    qint64 m_deadline = 0;
    quint64 m_request = 0; // number of the request being handled
    bool m_keepAlive = true;
    bool m_pending = true; // counted as anonymous by the gate
    bool m_headStarted = false;
    bool m_resumeQueued = false;  // the worker will call resume()
    bool m_awaitingDrain = false; // answers wait for the peer: resumed by onDrained()
    qint64 m_drainLeft = 0;       // Draining: bytes of the refused body still to come
    int m_drainStatus = 0;
    int m_refusalStatus = 0;   // Refusing: the status sent
    quint64 m_refusalSent = 0; // Refusing: bytes the peer had taken at the last look
    QString m_drainMessage;
};

} // namespace occ::cloud::http
