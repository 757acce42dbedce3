#include "verify.h"

#include "pki/openssl.h"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace occ::pki {

namespace {

Result<Identity> check(Result<Identity> identity, const PeerExpectation &expectation)
{
    if (!identity)
        return identity;
    if (identity->role != expectation.role)
        return fail(ErrorCategory::Auth, QStringLiteral("peer has role '%1', expected '%2'")
                                             .arg(roleName(identity->role), roleName(expectation.role)));
    if (!expectation.customerId.isEmpty() && identity->customerId != expectation.customerId)
        return fail(ErrorCategory::Auth, QStringLiteral("peer belongs to customer '%1', expected '%2'")
                                             .arg(identity->customerId, expectation.customerId));
    if (!expectation.id.isEmpty() && identity->id != expectation.id)
        return fail(
            ErrorCategory::Auth,
            QStringLiteral("peer certificate is for '%1', expected '%2'").arg(identity->id, expectation.id));
    if (expectation.revokedSerials.contains(identity->serial))
        return fail(ErrorCategory::Auth, QStringLiteral("certificate %1 of '%2' is revoked")
                                             .arg(QString::fromLatin1(identity->serial), identity->id));
    return identity;
}

} // namespace

Result<Identity> checkIdentity(const QSslCertificate &certificate, const PeerExpectation &expectation)
{
    return check(identityOf(certificate), expectation);
}

Result<Identity> checkIdentity(X509 *certificate, const PeerExpectation &expectation)
{
    return check(identityOf(certificate), expectation);
}

Result<Identity> verifyPeer(const QSslCertificate &certificate, const QSslCertificate &ca,
                            const PeerExpectation &expectation)
{
    X509Ptr leaf = parseCertificatePem(certificate.toPem());
    X509Ptr root = parseCertificatePem(ca.toPem());
    if (!leaf)
        return fail(ErrorCategory::Auth, QStringLiteral("peer certificate cannot be parsed"));
    if (!root)
        return fail(ErrorCategory::Crypto, QStringLiteral("CA certificate cannot be parsed"));
    X509StorePtr store(X509_STORE_new());
    X509StoreCtxPtr context(X509_STORE_CTX_new());
    if (!store || !context || !X509_STORE_add_cert(store.get(), root.get()) ||
        !X509_STORE_CTX_init(context.get(), store.get(), leaf.get(), nullptr))
        return opensslError(QStringLiteral("cannot set up certificate verification"));
    X509_STORE_CTX_set_purpose(context.get(), X509_PURPOSE_ANY);
    if (X509_verify_cert(context.get()) != 1) {
        const int code = X509_STORE_CTX_get_error(context.get());
        ERR_clear_error();
        return fail(ErrorCategory::Auth, QStringLiteral("peer certificate does not verify against the CA: %1")
                                             .arg(QString::fromLatin1(X509_verify_cert_error_string(code))));
    }
    return checkIdentity(leaf.get(), expectation);
}

} // namespace occ::pki
