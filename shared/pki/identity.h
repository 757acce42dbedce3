#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QSslCertificate>
#include <QString>

namespace occ::pki {

// Who a certificate belongs to. Issued certificates carry CN = id,
// O = customer id and OU = role (ARCHITECTURE §3).
enum class Role
{
    Hub,
    Connector,
    Cloud, // the cloud's HTTPS server certificate
};

QString roleName(Role role);
std::optional<Role> roleFromName(QStringView name);

struct Identity
{
    QString id;
    QString customerId;
    Role role = Role::Hub;
    QByteArray serial;      // hex, lower case
    QByteArray fingerprint; // SHA-256 of the DER, hex, lower case
    QDateTime notBefore;
    QDateTime notAfter;

    bool operator==(const Identity &) const = default;
};

// Reads the identity fields of a certificate (no chain check: see verify.h).
Result<Identity> identityOf(const QSslCertificate &certificate);

// SHA-256 fingerprint as lower-case hex without separators.
QByteArray fingerprintOf(const QSslCertificate &certificate);

// When a certificate should be renewed: two thirds into its lifetime.
QDateTime renewalDue(const QSslCertificate &certificate);

} // namespace occ::pki
