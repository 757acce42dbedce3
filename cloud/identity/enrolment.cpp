#include "enrolment.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <QCryptographicHash>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QUuid>

Q_LOGGING_CATEGORY(lcEnrol, "occ.cloud.enrol")

namespace occ::cloud {
namespace {

QByteArray randomBytes(int size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(bytes.data()), size) != 1)
        qFatal("OpenSSL's random generator failed");
    return bytes;
}

} // namespace

QByteArray hashEnrolmentKey(const QByteArray &salt, const QString &key)
{
    return QCryptographicHash::hash(salt + key.toUtf8(), QCryptographicHash::Sha256).toHex();
}

Enrolment::Enrolment(Registry &registry, CloudPki &pki, const Clock &clock, int validityDays)
    : m_registry(registry)
    , m_pki(pki)
    , m_clock(clock)
    , m_validityDays(validityDays)
{}

Result<NewCustomer> Enrolment::createCustomer(const QString &name)
{
    if (name.trimmed().isEmpty())
        return fail(ErrorCategory::Input, QStringLiteral("a customer needs a name"));
    NewCustomer customer;
    customer.id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    customer.enrolmentKey = QString::fromLatin1(
        randomBytes(24).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
    Result<CloudPki::NewCa> ca = m_pki.createCustomerCa(customer.id, name.trimmed());
    if (!ca)
        return ca.error();
    CustomerRecord record;
    record.id = customer.id;
    record.name = name.trimmed();
    record.keySalt = randomBytes(16).toHex();
    record.keyHash = hashEnrolmentKey(record.keySalt, customer.enrolmentKey);
    record.caCertificatePem = ca->certificatePem;
    record.caKeyPem = ca->encryptedKeyPem;
    record.created = m_clock.epochMs();
    if (Result<void> r = m_registry.addCustomer(record); !r)
        return r.error();
    qCInfo(lcEnrol) << "created customer" << customer.id << record.name;
    return customer;
}

Result<cloudapi::Certificates> Enrolment::enrol(const cloudapi::EnrolRequest &request)
{
    const std::optional<pki::Role> role = pki::roleFromName(request.role);
    if (!role || *role == pki::Role::Cloud)
        return fail(ErrorCategory::Input, QStringLiteral("role must be 'hub' or 'connector'"));
    if (request.hostname.trimmed().isEmpty() || request.hostname.size() > 255)
        return fail(ErrorCategory::Input, QStringLiteral("a host name of 1 to 255 characters is required"));
    Result<std::optional<CustomerRecord>> customer = m_registry.customer(request.customerId);
    if (!customer)
        return customer.error();
    // The same answer for an unknown customer and a wrong key: no probing.
    const Error refused =
        fail(ErrorCategory::Auth, QStringLiteral("unknown customer or wrong enrolment key"));
    if (!*customer)
        return refused;
    const QByteArray expected = (*customer)->keyHash;
    const QByteArray actual = hashEnrolmentKey((*customer)->keySalt, request.enrolmentKey);
    if (expected.size() != actual.size() ||
        CRYPTO_memcmp(expected.constData(), actual.constData(), size_t(expected.size())) != 0) {
        qCWarning(lcEnrol) << "refused enrolment for customer" << request.customerId << "from"
                           << request.hostname << ": wrong enrolment key";
        return refused;
    }
    NodeRecord node{QUuid::createUuid().toString(QUuid::WithoutBraces), request.customerId, request.role,
                    request.hostname.trimmed(), m_clock.epochMs()};
    return issue(node.id, node.customerId, *role, request.csrPem, node);
}

Result<cloudapi::Certificates> Enrolment::renew(const pki::Identity &caller, const QByteArray &csrPem)
{
    return issue(caller.id, caller.customerId, caller.role, csrPem, std::nullopt);
}

Result<cloudapi::Certificates> Enrolment::issue(const QString &id, const QString &customerId, pki::Role role,
                                                const QByteArray &csrPem, std::optional<NodeRecord> newNode)
{
    Result<std::shared_ptr<const pki::CertificateAuthority>> ca = m_pki.customerCa(customerId);
    if (!ca)
        return ca.error();
    Result<QByteArray> certificate = (*ca)->sign(csrPem, {id, customerId, role, m_validityDays, {}, {}});
    if (!certificate)
        return fail(ErrorCategory::Input,
                    QStringLiteral("certificate request refused: %1").arg(certificate.error().message));
    Result<pki::Identity> identity = pki::identityOf(QSslCertificate(*certificate));
    if (!identity)
        return identity.error();
    const qint64 now = m_clock.epochMs();
    const Result<void> stored =
        newNode ? m_registry.addNode(*newNode, identity->serial, identity->fingerprint,
                                     identity->notAfter.toMSecsSinceEpoch(), now)
                : m_registry.addCertificate(id, customerId, identity->serial, identity->fingerprint,
                                            identity->notAfter.toMSecsSinceEpoch(), now);
    if (!stored)
        return stored.error();
    qCInfo(lcEnrol) << (newNode ? "enrolled" : "renewed") << pki::roleName(role) << id << "of customer"
                    << customerId << "serial" << identity->serial;
    return cloudapi::Certificates{id, *certificate, (*ca)->certificatePem()};
}

} // namespace occ::cloud
