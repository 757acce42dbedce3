#include "certificateauthority.h"

#include "pki/csr.h"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <QHostAddress>
#include <utility>
#include <vector>

namespace occ::pki {
namespace {

using NameEntries = std::vector<std::pair<const char *, QString>>;
using Extensions = std::vector<std::pair<int, QByteArray>>;

// X.509 upper bound of CN, O and OU (RFC 5280, ub-common-name and friends).
constexpr qsizetype kMaxNameLength = 64;

bool addNameEntries(X509_NAME *name, const NameEntries &entries)
{
    for (const auto &[field, value] : entries) {
        const QByteArray utf8 = value.toUtf8();
        if (!X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                        reinterpret_cast<const unsigned char *>(utf8.constData()),
                                        int(utf8.size()), -1, 0))
            return false;
    }
    return true;
}

bool setRandomSerial(X509 *certificate)
{
    std::unique_ptr<BIGNUM, OpenSslDeleter<BIGNUM, BN_free>> serial(BN_new());
    // 127 random bits: positive and unique enough for a per-customer CA.
    return serial && BN_rand(serial.get(), 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) &&
           BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(certificate));
}

// Builds and signs one certificate. issuer == nullptr makes it self-signed.
Result<QByteArray> buildCertificate(EVP_PKEY *subjectKey, const NameEntries &subject, X509 *issuer,
                                    EVP_PKEY *issuerKey, int validityDays, const Extensions &extensions)
{
    for (const auto &[field, value] : subject) {
        if (value.size() > kMaxNameLength)
            return fail(ErrorCategory::Input,
                        QStringLiteral("certificate %1 '%2' is longer than %3 characters")
                            .arg(QLatin1StringView(field), value.left(80))
                            .arg(kMaxNameLength));
    }
    X509Ptr certificate(X509_new());
    if (!certificate || !X509_set_version(certificate.get(), 2) || !setRandomSerial(certificate.get()))
        return opensslError(QStringLiteral("cannot create a certificate"));
    // Back-date by five minutes so that peers with slightly slow clocks accept it.
    if (!X509_gmtime_adj(X509_getm_notBefore(certificate.get()), -300) ||
        !X509_time_adj_ex(X509_getm_notAfter(certificate.get()), validityDays, 0, nullptr))
        return opensslError(QStringLiteral("cannot set the validity period"));
    if (!addNameEntries(X509_get_subject_name(certificate.get()), subject))
        return opensslError(QStringLiteral("cannot set the certificate subject"));
    X509 *issuerCertificate = issuer ? issuer : certificate.get();
    if (!X509_set_issuer_name(certificate.get(), X509_get_subject_name(issuerCertificate)) ||
        !X509_set_pubkey(certificate.get(), subjectKey))
        return opensslError(QStringLiteral("cannot set issuer or public key"));

    X509V3_CTX context;
    X509V3_set_ctx_nodb(&context);
    X509V3_set_ctx(&context, issuerCertificate, certificate.get(), nullptr, nullptr, 0);
    for (const auto &[nid, value] : extensions) {
        X509_EXTENSION *extension = X509V3_EXT_nconf_nid(nullptr, &context, nid, value.constData());
        if (!extension)
            return opensslError(
                QStringLiteral("cannot build extension %1").arg(QLatin1StringView(OBJ_nid2sn(nid))));
        const int added = X509_add_ext(certificate.get(), extension, -1);
        X509_EXTENSION_free(extension);
        if (!added)
            return opensslError(QStringLiteral("cannot add an extension"));
    }
    if (X509_sign(certificate.get(), issuerKey, EVP_sha256()) <= 0)
        return opensslError(QStringLiteral("cannot sign the certificate"));
    return certificateToPem(certificate.get());
}

} // namespace

Result<CertificateAuthority> CertificateAuthority::create(const QString &commonName,
                                                          const QString &organization, int validityDays,
                                                          const QString &organizationalUnit)
{
    Result<PrivateKey> key = PrivateKey::generate(kMinimumRsaBits);
    if (!key)
        return key.error();
    NameEntries subject{{"CN", commonName}};
    if (!organization.isEmpty())
        subject.emplace_back("O", organization);
    if (!organizationalUnit.isEmpty())
        subject.emplace_back("OU", organizationalUnit);
    const Extensions extensions{
        {NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
        {NID_key_usage, "critical,keyCertSign,cRLSign"},
        {NID_subject_key_identifier, "hash"},
    };
    Result<QByteArray> pem =
        buildCertificate(key->get(), subject, nullptr, key->get(), validityDays, extensions);
    if (!pem)
        return pem.error();
    return CertificateAuthority(std::move(pem).value(), std::move(key).value());
}

Result<CertificateAuthority> CertificateAuthority::load(const QByteArray &certificatePem, PrivateKey key)
{
    X509Ptr certificate = parseCertificatePem(certificatePem);
    if (!certificate)
        return fail(ErrorCategory::Crypto, QStringLiteral("CA certificate is not valid PEM"));
    if (X509_check_private_key(certificate.get(), key.get()) != 1) {
        ERR_clear_error();
        return fail(ErrorCategory::Crypto, QStringLiteral("CA key does not match the CA certificate"));
    }
    if (X509_check_ca(certificate.get()) == 0)
        return fail(ErrorCategory::Crypto, QStringLiteral("certificate is not a CA certificate"));
    return CertificateAuthority(certificatePem, std::move(key));
}

Result<QByteArray> CertificateAuthority::sign(const QByteArray &csrPem, const IssueRequest &request) const
{
    Result<CheckedCsr> csr = checkCsr(csrPem);
    if (!csr)
        return csr.error();
    return issue(X509_REQ_get0_pubkey(csr->request.get()), request);
}

Result<QByteArray> CertificateAuthority::signKey(const PrivateKey &key, const IssueRequest &request) const
{
    return issue(key.get(), request);
}

Result<QByteArray> CertificateAuthority::issue(EVP_PKEY *subjectKey, const IssueRequest &request) const
{
    if (request.id.isEmpty())
        return fail(ErrorCategory::Input, QStringLiteral("a certificate needs an id"));
    X509Ptr issuer = parseCertificatePem(m_certificatePem);
    if (!issuer)
        return fail(ErrorCategory::Crypto, QStringLiteral("CA certificate is damaged"));
    NameEntries subject{{"CN", request.id}};
    if (!request.customerId.isEmpty())
        subject.emplace_back("O", request.customerId);
    subject.emplace_back("OU", roleName(request.role));

    Extensions extensions{
        {NID_basic_constraints, "critical,CA:FALSE"},
        {NID_key_usage, "critical,digitalSignature,keyEncipherment"},
        {NID_ext_key_usage, request.role == Role::Cloud ? "serverAuth" : "clientAuth,serverAuth"},
        {NID_subject_key_identifier, "hash"},
        {NID_authority_key_identifier, "keyid:always"},
    };
    QStringList altNames;
    for (const QString &dns : request.dnsNames)
        altNames << QStringLiteral("DNS:") + dns;
    for (const QString &ip : request.ipAddresses) {
        if (QHostAddress(ip).isNull())
            return fail(ErrorCategory::Input, QStringLiteral("'%1' is not an IP address").arg(ip));
        altNames << QStringLiteral("IP:") + ip;
    }
    if (!altNames.isEmpty())
        extensions.emplace_back(NID_subject_alt_name, altNames.join(QLatin1Char(',')).toUtf8());
    return buildCertificate(subjectKey, subject, issuer.get(), m_key.get(), request.validityDays, extensions);
}

} // namespace occ::pki
