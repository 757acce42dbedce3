#pragma once

#include "core/result.h"
#include "identity/identity.h"

#include <functional>
#include <memory>
#include <QByteArray>
#include <QHash>
#include <QMutex>

struct ssl_ctx_st;
typedef struct ssl_ctx_st SSL_CTX;
struct x509_st;
struct x509_store_ctx_st;
typedef struct x509_store_ctx_st X509_STORE_CTX;

namespace occ::tls {

// Keys that encrypt TLS session tickets. They are derived (HKDF-SHA256) from the
// connector's private key and the day number, so every restart of the same
// connector accepts the tickets it issued before (a reconnect storm resumes instead
// of doing full RSA handshakes) without one more secret on disk. Today's and
// yesterday's keys decrypt; today's encrypts.
class TicketKeys
{
public:
    struct Key
    {
        unsigned char name[16];
        unsigned char aes[32];
        unsigned char hmac[32];
    };
    explicit TicketKeys(QByteArray secret)
        : m_secret(std::move(secret))
    {}
    Key current(qint64 day) const { return derive(day); }
    std::optional<Key> find(const unsigned char name[16], qint64 day, bool *renew) const;
    static qint64 today();

private:
    Key derive(qint64 day) const; // HKDF, cached per day
    Key compute(qint64 day) const;
    QByteArray m_secret;
    mutable QMutex m_cacheMutex;
    mutable QHash<qint64, Key> m_cache;
};

// One OpenSSL context shared by every session of a server (ARCHITECTURE §15: one
// context, not one per socket): the connector's (our certificate and key, only the
// customer CA as trust anchor, client certificates required) or the cloud's
// HTTPS server's. Every context offers TLS 1.3 and TLS 1.2 with ECDHE and AEAD
// suites only, stateless session tickets, idle buffers released.
class TlsContext
{
public:
    enum class Side
    {
        Server, // the connector
        Client, // hub simulators in benchmarks
    };
    // peerCheck (server side): called during the handshake with the client's leaf
    // certificate after the chain verified; an error message refuses the handshake
    // with a TLS alert (revoked, wrong role, other customer). Must be thread-safe.
    using PeerCheck = std::function<QString(x509_st *leaf, bool *revoked)>;
    static Result<std::shared_ptr<TlsContext>> create(const identity::Identity &identity, Side side,
                                                      PeerCheck peerCheck = {});
    // An HTTPS server (the cloud): this certificate chain (leaf first) and key,
    // a client certificate asked for but not required and not verified here (the
    // application checks it against the right customer CA), session tickets.
    static Result<std::shared_ptr<TlsContext>>
    createWebServer(const QList<QSslCertificate> &chain, evp_pkey_st *key, const QByteArray &sessionContext);
    // A client context that trusts this CA; each connection brings its own
    // certificate (hub simulators holding thousands of identities).
    static Result<std::shared_ptr<TlsContext>> createClient(const QSslCertificate &ca);
    ~TlsContext();
    TlsContext(const TlsContext &) = delete;
    TlsContext &operator=(const TlsContext &) = delete;

    SSL_CTX *get() const { return m_ctx; }

    const TicketKeys *ticketKeys() const { return m_tickets.get(); }

private:
    explicit TlsContext(SSL_CTX *ctx)
        : m_ctx(ctx)
    {}
    Result<void> setCertificate(const identity::Identity &identity); // before first use only
    SSL_CTX *m_ctx;
    std::unique_ptr<TicketKeys> m_tickets;
    PeerCheck m_peerCheck;
    friend int verifyPeer(int ok, X509_STORE_CTX *store);
};

int verifyPeer(int ok, X509_STORE_CTX *store);
// Why verifyPeer refused this connection's peer (empty if it did not).
QString peerRefusal(const struct ssl_st *ssl);

// The connector's current TLS context. A context is never changed once sessions
// use it (OpenSSL copies its certificate into every new SSL without a lock): a
// renewed certificate gets a new context, swapped in here; each session keeps the
// context it started with. Thread-safe.
class TlsContextSlot
{
public:
    explicit TlsContextSlot(std::shared_ptr<TlsContext> context)
        : m_context(std::move(context))
    {}
    std::shared_ptr<TlsContext> current() const
    {
        QMutexLocker lock(&m_mutex);
        return m_context;
    }
    void replace(std::shared_ptr<TlsContext> context)
    {
        QMutexLocker lock(&m_mutex);
        m_context = std::move(context);
    }

private:
    mutable QMutex m_mutex;
    std::shared_ptr<TlsContext> m_context;
};

// The last OpenSSL error as text (clears the queue).
QString opensslErrorText();

} // namespace occ::tls
