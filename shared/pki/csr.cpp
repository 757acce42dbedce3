#include "csr.h"

#include <openssl/err.h>
#include <openssl/pem.h>

namespace occ::pki {

Result<QByteArray> createCsr(const PrivateKey &key, const QString &commonNameHint)
{
    X509ReqPtr request(X509_REQ_new());
    if (!request || !X509_REQ_set_version(request.get(), 0))
        return opensslError(QStringLiteral("cannot create a certificate request"));
    X509_NAME *name = X509_REQ_get_subject_name(request.get());
    const QByteArray cn = commonNameHint.toUtf8().left(64);
    if (!cn.isEmpty() && !X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                                     reinterpret_cast<const unsigned char *>(cn.constData()),
                                                     int(cn.size()), -1, 0))
        return opensslError(QStringLiteral("cannot set the request subject"));
    if (!X509_REQ_set_pubkey(request.get(), key.get()))
        return opensslError(QStringLiteral("cannot put the public key into the request"));
    if (X509_REQ_sign(request.get(), key.get(), EVP_sha256()) <= 0)
        return opensslError(QStringLiteral("cannot sign the certificate request"));
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!PEM_write_bio_X509_REQ(bio.get(), request.get()))
        return opensslError(QStringLiteral("cannot encode the certificate request"));
    return bioContents(bio.get());
}

Result<CheckedCsr> checkCsr(const QByteArray &pem)
{
    if (pem.size() > 64 * 1024)
        return fail(ErrorCategory::Input, QStringLiteral("certificate request is too large"));
    BioPtr bio = memoryBio(pem);
    X509ReqPtr request(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
    if (!request)
        return opensslError(QStringLiteral("not a PEM certificate request"));
    EVP_PKEY *publicKey = X509_REQ_get0_pubkey(request.get());
    if (!publicKey)
        return opensslError(QStringLiteral("certificate request has no usable public key"));
    if (EVP_PKEY_get_base_id(publicKey) != EVP_PKEY_RSA)
        return fail(ErrorCategory::Crypto, QStringLiteral("certificate request key is not RSA"));
    const int bits = EVP_PKEY_get_bits(publicKey);
    if (bits < kMinimumRsaBits)
        return fail(ErrorCategory::Crypto,
                    QStringLiteral("certificate request key has %1 bits; at least %2 are required")
                        .arg(bits)
                        .arg(kMinimumRsaBits));
    if (X509_REQ_verify(request.get(), publicKey) != 1)
        return opensslError(QStringLiteral("certificate request signature is invalid"));
    return CheckedCsr{std::move(request), bits};
}

} // namespace occ::pki
