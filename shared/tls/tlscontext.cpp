#include "tlscontext.h"

#include "pki/openssl.h"

#include <cstring>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <QDateTime>
#include <QSslCertificate>

namespace occ::tls {
namespace {

int ticketCallback(SSL *ssl, unsigned char keyName[16], unsigned char *iv, EVP_CIPHER_CTX *cipher,
                   EVP_MAC_CTX *mac, int encrypt)
{
    const auto *context = static_cast<const TlsContext *>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
    const TicketKeys *keys = context ? context->ticketKeys() : nullptr;
    if (!keys)
        return 0;
    const qint64 day = TicketKeys::today();
    TicketKeys::Key key;
    int result = 1;
    if (encrypt) {
        key = keys->current(day);
        std::memcpy(keyName, key.name, 16);
        if (RAND_bytes(iv, EVP_MAX_IV_LENGTH) != 1)
            return -1;
        if (EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes, iv) != 1)
            return -1;
    } else {
        bool renew = false;
        const std::optional<TicketKeys::Key> found = keys->find(keyName, day, &renew);
        if (!found)
            return 0; // unknown key: full handshake
        key = *found;
        if (EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes, iv) != 1)
            return -1;
        result = renew ? 2 : 1;
    }
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, key.hmac, sizeof key.hmac),
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_MAC_CTX_set_params(mac, params) != 1)
        return -1;
    return result;
}

pki::X509Ptr toX509(const QSslCertificate &certificate)
{
    const QByteArray der = certificate.toDer();
    const unsigned char *data = reinterpret_cast<const unsigned char *>(der.constData());
    return pki::X509Ptr(d2i_X509(nullptr, &data, long(der.size())));
}

void freeRefusal(void *, void *pointer, CRYPTO_EX_DATA *, int, long, void *)
{
    delete static_cast<QString *>(pointer);
}

// An SSL ex_data slot for the reason a peer was refused.
int refusalIndex()
{
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, freeRefusal);
    return index;
}

// The protocols and suites every OCC TLS endpoint offers (issue 15 item 4):
// TLS 1.3, and TLS 1.2 only with ECDHE key exchange and AEAD ciphers (no static
// RSA, no CBC, no PSK or SRP), no compression, no renegotiation.
bool applyPolicy(SSL_CTX *ctx)
{
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    SSL_CTX_set_options(ctx,
                        SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_COMPRESSION);
    SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                              SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return SSL_CTX_set_cipher_list(ctx, "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL:!PSK:!SRP:!DSS") == 1 &&
           SSL_CTX_set_ciphersuites(
               ctx, "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256") == 1 &&
           SSL_CTX_set1_groups_list(ctx, "X25519:P-256:P-384") == 1;
}

// Accepts any client certificate at the TLS level: the caller checks it against
// the right customer CA itself (the cloud: Enrol needs none).
int acceptAnyClient(int, X509_STORE_CTX *)
{
    return 1;
}

// The ticket keys derive from the private key (in memory only): no secret more on disk.
std::unique_ptr<TicketKeys> ticketKeysFrom(EVP_PKEY *key)
{
    unsigned char *der = nullptr;
    const int length = i2d_PrivateKey(key, &der);
    if (length <= 0)
        return nullptr;
    auto keys = std::make_unique<TicketKeys>(QByteArray(reinterpret_cast<const char *>(der), length));
    OPENSSL_clear_free(der, size_t(length));
    return keys;
}

} // namespace

QString peerRefusal(const SSL *ssl)
{
    const auto *reason = static_cast<const QString *>(SSL_get_ex_data(ssl, refusalIndex()));
    return reason ? *reason : QString();
}

// OpenSSL's verify callback: after the chain checks, the identity rules on the leaf.
int verifyPeer(int ok, X509_STORE_CTX *store)
{
    if (!ok || X509_STORE_CTX_get_error_depth(store) != 0)
        return ok;
    SSL *ssl = static_cast<SSL *>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    const auto *context = static_cast<const TlsContext *>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
    if (!context || !context->m_peerCheck)
        return ok;
    bool revoked = false;
    const QString refusal = context->m_peerCheck(X509_STORE_CTX_get_current_cert(store), &revoked);
    if (refusal.isEmpty())
        return 1;
    X509_STORE_CTX_set_error(store, revoked ? X509_V_ERR_CERT_REVOKED : X509_V_ERR_APPLICATION_VERIFICATION);
    delete static_cast<QString *>(SSL_get_ex_data(ssl, refusalIndex()));
    SSL_set_ex_data(ssl, refusalIndex(), new QString(refusal));
    return 0;
}

QString opensslErrorText()
{
    const unsigned long code = ERR_get_error();
    ERR_clear_error();
    if (code == 0)
        return QStringLiteral("no OpenSSL error recorded");
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    return QString::fromLatin1(buffer);
}

qint64 TicketKeys::today()
{
    return QDateTime::currentSecsSinceEpoch() / 86400;
}

TicketKeys::Key TicketKeys::derive(qint64 day) const
{
    QMutexLocker lock(&m_cacheMutex);
    auto it = m_cache.constFind(day);
    if (it != m_cache.cend())
        return it.value();
    if (m_cache.size() > 4)
        m_cache.clear();
    return m_cache.insert(day, compute(day)).value();
}

TicketKeys::Key TicketKeys::compute(qint64 day) const
{
    Key key{};
    EVP_KDF *kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    EVP_KDF_CTX *context = EVP_KDF_CTX_new(kdf);
    EVP_KDF_free(kdf);
    char digest[] = "SHA256";
    unsigned char salt[] = "occ-connector-session-tickets-v1";
    QByteArray info = "day:" + QByteArray::number(day);
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<char *>(m_secret.constData()),
                                          size_t(m_secret.size())),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, salt, sizeof salt - 1),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info.data(), size_t(info.size())),
        OSSL_PARAM_construct_end(),
    };
    unsigned char out[sizeof key.name + sizeof key.aes + sizeof key.hmac];
    if (!context || EVP_KDF_derive(context, out, sizeof out, params) != 1)
        qFatal("HKDF for session ticket keys failed: %s", qPrintable(opensslErrorText()));
    EVP_KDF_CTX_free(context);
    std::memcpy(key.name, out, sizeof key.name);
    std::memcpy(key.aes, out + sizeof key.name, sizeof key.aes);
    std::memcpy(key.hmac, out + sizeof key.name + sizeof key.aes, sizeof key.hmac);
    return key;
}

std::optional<TicketKeys::Key> TicketKeys::find(const unsigned char name[16], qint64 day, bool *renew) const
{
    for (qint64 d : {day, day - 1}) {
        const Key key = derive(d);
        if (std::memcmp(key.name, name, 16) == 0) {
            *renew = d != day;
            return key;
        }
    }
    return std::nullopt;
}

Result<std::shared_ptr<TlsContext>> TlsContext::create(const identity::Identity &identity, Side side,
                                                       PeerCheck peerCheck)
{
    SSL_CTX *ctx = SSL_CTX_new(side == Side::Server ? TLS_server_method() : TLS_client_method());
    if (!ctx)
        return fail(ErrorCategory::Crypto,
                    QStringLiteral("cannot create a TLS context: %1").arg(opensslErrorText()));
    std::shared_ptr<TlsContext> context(new TlsContext(ctx));
    context->m_peerCheck = std::move(peerCheck);
    SSL_CTX_set_app_data(ctx, context.get()); // for the verify and ticket callbacks
    if (!applyPolicy(ctx))
        return fail(ErrorCategory::Crypto,
                    QStringLiteral("cannot set the TLS policy: %1").arg(opensslErrorText()));

    // Trust exactly the customer CA: not the system store.
    X509_STORE *store = X509_STORE_new();
    pki::X509Ptr ca = toX509(identity.customerCa);
    if (!store || !ca || X509_STORE_add_cert(store, ca.get()) != 1) {
        X509_STORE_free(store);
        return fail(ErrorCategory::Crypto,
                    QStringLiteral("cannot load the customer CA: %1").arg(opensslErrorText()));
    }
    SSL_CTX_set_cert_store(ctx, store); // takes ownership
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, verifyPeer);
    SSL_CTX_set_verify_depth(ctx, 2);
    if (Result<void> r = context->setCertificate(identity); !r)
        return r.error();

    if (side == Side::Server) {
        STACK_OF(X509_NAME) *names = sk_X509_NAME_new_null();
        sk_X509_NAME_push(names, X509_NAME_dup(X509_get_subject_name(ca.get())));
        SSL_CTX_set_client_CA_list(ctx, names);
        const unsigned char sessionContext[] = "occ-connector";
        SSL_CTX_set_session_id_context(ctx, sessionContext, sizeof sessionContext - 1);
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF); // stateless tickets only
        SSL_CTX_set_num_tickets(ctx, 1);
        context->m_tickets = ticketKeysFrom(identity.key.get());
        if (!context->m_tickets)
            return fail(ErrorCategory::Crypto, QStringLiteral("cannot encode the private key"));
        SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticketCallback);
    } else {
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    }
    return context;
}

Result<std::shared_ptr<TlsContext>> TlsContext::createWebServer(const QList<QSslCertificate> &chain,
                                                                EVP_PKEY *key,
                                                                const QByteArray &sessionContext)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());
    if (!ctx)
        return fail(ErrorCategory::Crypto,
                    QStringLiteral("cannot create a TLS context: %1").arg(opensslErrorText()));
    std::shared_ptr<TlsContext> context(new TlsContext(ctx));
    SSL_CTX_set_app_data(ctx, context.get());
    if (!applyPolicy(ctx))
        return fail(ErrorCategory::Crypto,
                    QStringLiteral("cannot set the TLS policy: %1").arg(opensslErrorText()));
    if (chain.isEmpty() || !key)
        return fail(ErrorCategory::Crypto, QStringLiteral("a TLS server needs a certificate and its key"));
    pki::X509Ptr leaf = toX509(chain.first());
    if (!leaf || SSL_CTX_use_certificate(ctx, leaf.get()) != 1 || SSL_CTX_use_PrivateKey(ctx, key) != 1 ||
        SSL_CTX_check_private_key(ctx) != 1)
        return fail(ErrorCategory::Crypto,
                    QStringLiteral("cannot use the certificate and key: %1").arg(opensslErrorText()));
    for (qsizetype i = 1; i < chain.size(); ++i) {
        pki::X509Ptr intermediate = toX509(chain.at(i));
        if (!intermediate || SSL_CTX_add1_chain_cert(ctx, intermediate.get()) != 1)
            return fail(ErrorCategory::Crypto,
                        QStringLiteral("cannot use the certificate chain: %1").arg(opensslErrorText()));
    }
    // Ask for a client certificate, accept any at this level (see acceptAnyClient).
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_CLIENT_ONCE, acceptAnyClient);
    SSL_CTX_set_session_id_context(ctx, reinterpret_cast<const unsigned char *>(sessionContext.constData()),
                                   unsigned(qMin<qsizetype>(sessionContext.size(), SSL_MAX_SID_CTX_LENGTH)));
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(ctx, 1);
    context->m_tickets = ticketKeysFrom(key);
    if (!context->m_tickets)
        return fail(ErrorCategory::Crypto, QStringLiteral("cannot encode the private key"));
    SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, ticketCallback);
    return context;
}

Result<std::shared_ptr<TlsContext>> TlsContext::createClient(const QSslCertificate &ca)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx)
        return fail(ErrorCategory::Crypto,
                    QStringLiteral("cannot create a TLS context: %1").arg(opensslErrorText()));
    std::shared_ptr<TlsContext> context(new TlsContext(ctx));
    if (!applyPolicy(ctx))
        return fail(ErrorCategory::Crypto,
                    QStringLiteral("cannot set the TLS policy: %1").arg(opensslErrorText()));
    X509_STORE *store = X509_STORE_new();
    pki::X509Ptr root = toX509(ca);
    if (!store || !root || X509_STORE_add_cert(store, root.get()) != 1) {
        X509_STORE_free(store);
        return fail(ErrorCategory::Crypto, QStringLiteral("cannot load the CA: %1").arg(opensslErrorText()));
    }
    SSL_CTX_set_cert_store(ctx, store);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    return context;
}

Result<void> TlsContext::setCertificate(const identity::Identity &identity)
{
    pki::X509Ptr certificate = toX509(identity.certificate);
    if (!certificate || SSL_CTX_use_certificate(m_ctx, certificate.get()) != 1 ||
        SSL_CTX_use_PrivateKey(m_ctx, identity.key.get()) != 1 || SSL_CTX_check_private_key(m_ctx) != 1)
        return fail(ErrorCategory::Crypto,
                    QStringLiteral("cannot use the certificate and key: %1").arg(opensslErrorText()));
    return {};
}

TlsContext::~TlsContext()
{
    SSL_CTX_free(m_ctx);
}

} // namespace occ::tls
