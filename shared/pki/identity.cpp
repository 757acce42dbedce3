#include "identity.h"

#include "pki/openssl.h"

#include <ctime>
#include <openssl/x509.h>
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

namespace {

// The one value of a subject field, or empty when absent or repeated.
QString singleField(X509_NAME *name, int nid)
{
    const int index = X509_NAME_get_index_by_NID(name, nid, -1);
    if (index < 0 || X509_NAME_get_index_by_NID(name, nid, index) >= 0)
        return {};
    unsigned char *utf8 = nullptr;
    const int length = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index)));
    if (length < 0)
        return {};
    const QString value = QString::fromUtf8(reinterpret_cast<const char *>(utf8), length);
    OPENSSL_free(utf8);
    return value;
}

QDateTime toDateTime(const ASN1_TIME *time)
{
    std::tm tm{};
    if (!time || ASN1_TIME_to_tm(time, &tm) != 1)
        return {};
    return QDateTime(QDate(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday),
                     QTime(tm.tm_hour, tm.tm_min, tm.tm_sec), Qt::UTC);
}

} // namespace

Result<Identity> identityOf(X509 *certificate)
{
    if (!certificate)
        return fail(ErrorCategory::Auth, QStringLiteral("no certificate"));
    X509_NAME *subject = X509_get_subject_name(certificate);
    Identity identity;
    identity.id = singleField(subject, NID_commonName);
    identity.customerId = singleField(subject, NID_organizationName);
    const std::optional<Role> role = roleFromName(singleField(subject, NID_organizationalUnitName));
    if (identity.id.isEmpty() || !role) {
        char text[256] = {};
        X509_NAME_oneline(subject, text, sizeof text);
        return fail(
            ErrorCategory::Auth,
            QStringLiteral("certificate subject '%1' is not an OCC identity").arg(QString::fromUtf8(text)));
    }
    identity.role = *role;
    const ASN1_INTEGER *serial = X509_get0_serialNumber(certificate);
    identity.serial =
        QByteArray(reinterpret_cast<const char *>(ASN1_STRING_get0_data(serial)), ASN1_STRING_length(serial))
            .toHex();
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (X509_digest(certificate, EVP_sha256(), digest, &length) == 1)
        identity.fingerprint = QByteArray(reinterpret_cast<const char *>(digest), int(length)).toHex();
    identity.notBefore = toDateTime(X509_get0_notBefore(certificate));
    identity.notAfter = toDateTime(X509_get0_notAfter(certificate));
    return identity;
}

Result<Identity> identityOf(const QSslCertificate &certificate)
{
    if (certificate.isNull())
        return fail(ErrorCategory::Auth, QStringLiteral("no certificate"));
    const QByteArray der = certificate.toDer();
    const unsigned char *data = reinterpret_cast<const unsigned char *>(der.constData());
    X509Ptr x509(d2i_X509(nullptr, &data, long(der.size())));
    if (!x509)
        return fail(ErrorCategory::Auth, QStringLiteral("the certificate cannot be parsed"));
    return identityOf(x509.get());
}

QDateTime renewalDue(const QSslCertificate &certificate)
{
    const qint64 start = certificate.effectiveDate().toMSecsSinceEpoch();
    const qint64 end = certificate.expiryDate().toMSecsSinceEpoch();
    return QDateTime::fromMSecsSinceEpoch(start + (end - start) * 2 / 3, Qt::UTC);
}

} // namespace occ::pki
