#pragma once

#include "core/clock.h"
#include "core/result.h"
#include "identity/cloudpki.h"
#include "pki/identity.h"
#include "storage/registry.h"

#include <QHash>
#include <QMutex>
#include <QSslCertificate>

namespace occ::cloud {

// Who is calling, from the client certificate of the TLS connection: it must chain
// to its customer's CA, have role hub or connector, and not be revoked. Results are
// cached for a few seconds so that revocations take effect quickly. Thread-safe.
class CallerAuthenticator
{
public:
    CallerAuthenticator(CloudPki &pki, Registry &registry, const Clock &clock, qint64 cacheMs = 5000);

    Result<pki::Identity> authenticate(const QSslCertificate &certificate);

private:
    struct Entry
    {
        pki::Identity identity;
        qint64 validUntil = 0;
    };
    CloudPki &m_pki;
    Registry &m_registry;
    const Clock &m_clock;
    qint64 m_cacheMs;
    QMutex m_mutex;
    QHash<QByteArray, Entry> m_cache; // by certificate fingerprint
};

} // namespace occ::cloud
