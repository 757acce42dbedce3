#include "callerauth.h"

#include "pki/verify.h"

namespace occ::cloud {

CallerAuthenticator::CallerAuthenticator(CloudPki &pki, Registry &registry, const Clock &clock,
                                         qint64 cacheMs)
    : m_pki(pki)
    , m_registry(registry)
    , m_clock(clock)
    , m_cacheMs(cacheMs)
{}

Result<pki::Identity> CallerAuthenticator::authenticate(const QSslCertificate &certificate)
{
    if (certificate.isNull())
        return fail(ErrorCategory::Auth,
                    QStringLiteral("this operation needs a client certificate (enrol first)"));
    const QByteArray fingerprint = pki::fingerprintOf(certificate);
    const qint64 now = m_clock.monotonicMs();
    {
        QMutexLocker lock(&m_mutex);
        auto it = m_cache.constFind(fingerprint);
        if (it != m_cache.cend() && it->validUntil > now)
            return it->identity;
    }
    Result<pki::Identity> claimed = pki::identityOf(certificate);
    if (!claimed)
        return claimed;
    if (claimed->role == pki::Role::Cloud)
        return fail(ErrorCategory::Auth, QStringLiteral("a server certificate cannot call the cloud"));
    Result<std::shared_ptr<const pki::CertificateAuthority>> ca = m_pki.customerCa(claimed->customerId);
    if (!ca)
        return fail(ErrorCategory::Auth,
                    QStringLiteral("client certificate of unknown customer '%1'").arg(claimed->customerId));
    Result<pki::Identity> verified = pki::verifyPeer(certificate, QSslCertificate((*ca)->certificatePem()),
                                                     {claimed->role, claimed->customerId, claimed->id, {}});
    if (!verified)
        return verified;
    Result<bool> revoked = m_registry.isRevoked(verified->serial);
    if (!revoked)
        return revoked.error();
    if (*revoked)
        return fail(ErrorCategory::Auth, QStringLiteral("certificate %1 of %2 is revoked")
                                             .arg(QString::fromLatin1(verified->serial), verified->id));
    QMutexLocker lock(&m_mutex);
    if (m_cache.size() > 100000)
        m_cache.clear();
    m_cache.insert(fingerprint, Entry{*verified, now + m_cacheMs});
    return verified;
}

} // namespace occ::cloud
