#include "identity.h"

#include <QCryptographicHash>

namespace occ::pki {

QString roleName(Role role)
{
    switch (role) {
    case Role::Hub:
        return QStringLiteral("hub");
    case Role::Connector:
        return QStringLiteral("connector");
    case Role::Cloud:
        return QStringLiteral("cloud");
    }
    return {};
}

std::optional<Role> roleFromName(QStringView name)
{
    for (Role role : {Role::Hub, Role::Connector, Role::Cloud}) {
        if (name == roleName(role))
            return role;
    }
    return std::nullopt;
}

QByteArray fingerprintOf(const QSslCertificate &certificate)
{
    return certificate.digest(QCryptographicHash::Sha256).toHex();
}

Result<Identity> identityOf(const QSslCertificate &certificate)
{
    if (certificate.isNull())
        return fail(ErrorCategory::Auth, QStringLiteral("no certificate"));
    auto single = [&](QSslCertificate::SubjectInfo field) {
        const QStringList values = certificate.subjectInfo(field);
        return values.size() == 1 ? values.first() : QString();
    };
    Identity identity;
    identity.id = single(QSslCertificate::CommonName);
    identity.customerId = single(QSslCertificate::Organization);
    const std::optional<Role> role = roleFromName(single(QSslCertificate::OrganizationalUnitName));
    if (identity.id.isEmpty() || !role)
        return fail(ErrorCategory::Auth,
                    QStringLiteral("certificate subject '%1' is not an OCC identity")
                        .arg(certificate.subjectDisplayName()));
    identity.role = *role;
    identity.serial = certificate.serialNumber().replace(':', QByteArray()).toLower();
    identity.fingerprint = fingerprintOf(certificate);
    identity.notBefore = certificate.effectiveDate();
    identity.notAfter = certificate.expiryDate();
    return identity;
}

QDateTime renewalDue(const QSslCertificate &certificate)
{
    const qint64 start = certificate.effectiveDate().toMSecsSinceEpoch();
    const qint64 end = certificate.expiryDate().toMSecsSinceEpoch();
    return QDateTime::fromMSecsSinceEpoch(start + (end - start) * 2 / 3, Qt::UTC);
}

} // namespace occ::pki
