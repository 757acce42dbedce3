#pragma once

#include "core/result.h"
#include "pki/identity.h"

#include <optional>
#include <QSet>
#include <QSslCertificate>

namespace occ::pki {

// What a peer must be to be accepted (ARCHITECTURE §3).
struct PeerExpectation
{
    Role role = Role::Hub;
    QString customerId;              // empty: any customer of the trusted CA
    QString id;                      // empty: any id
    QSet<QByteArray> revokedSerials; // hex, lower case
};

// Verifies that certificate chains to the given CA only (not the system store) at
// the current time, then checks role, customer, id and revocation. Intermediates
// are not used: OCC issues leaf certificates straight from the customer CA.
Result<Identity> verifyPeer(const QSslCertificate &certificate, const QSslCertificate &ca,
                            const PeerExpectation &expectation);

// The identity checks alone, for sockets whose chain was already verified against
// the customer CA (by Qt or by OpenSSL).
Result<Identity> checkIdentity(const QSslCertificate &certificate, const PeerExpectation &expectation);
Result<Identity> checkIdentity(x509_st *certificate, const PeerExpectation &expectation);

} // namespace occ::pki
