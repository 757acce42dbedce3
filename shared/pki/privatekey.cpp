#include "privatekey.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

namespace occ::pki {

Result<PrivateKey> PrivateKey::generate(int bits)
{
    if (bits < kMinimumRsaBits)
        return fail(ErrorCategory::Crypto,
                    QStringLiteral("RSA keys must have at least %1 bits").arg(kMinimumRsaBits));
    PKeyPtr key(EVP_RSA_gen(unsigned(bits)));
    if (!key)
        return opensslError(QStringLiteral("RSA key generation failed"));
    return PrivateKey(std::move(key));
}

Result<PrivateKey> PrivateKey::fromEncryptedPem(const QByteArray &pem, const QByteArray &passphrase)
{
    if (!pem.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----"))
        return fail(ErrorCategory::Crypto, QStringLiteral("private key file is not encrypted PKCS#8 PEM"));
    BioPtr bio = memoryBio(pem);
    QByteArray pass = passphrase; // PEM_read wants a NUL-terminated, writable copy
    PKeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, pass.data()));
    if (!key)
        return opensslError(
            QStringLiteral("cannot decrypt the private key (wrong passphrase or damaged file)"));
    if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA)
        return fail(ErrorCategory::Crypto, QStringLiteral("private key is not an RSA key"));
    if (EVP_PKEY_get_bits(key.get()) < kMinimumRsaBits)
        return fail(ErrorCategory::Crypto,
                    QStringLiteral("private key has only %1 bits").arg(EVP_PKEY_get_bits(key.get())));
    return PrivateKey(std::move(key));
}

Result<QByteArray> PrivateKey::toEncryptedPem(const QByteArray &passphrase) const
{
    if (passphrase.size() < 16)
        return fail(ErrorCategory::Crypto, QStringLiteral("refusing a key passphrase shorter than 16 bytes"));
    BioPtr bio(BIO_new(BIO_s_mem()));
    QByteArray pass = passphrase;
    if (!PEM_write_bio_PKCS8PrivateKey(bio.get(), m_key.get(), EVP_aes_256_cbc(), nullptr, 0, nullptr,
                                       pass.data()))
        return opensslError(QStringLiteral("cannot encrypt the private key"));
    return bioContents(bio.get());
}

QByteArray PrivateKey::publicKeyPem() const
{
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!PEM_write_bio_PUBKEY(bio.get(), m_key.get()))
        return {};
    return bioContents(bio.get());
}

int PrivateKey::bits() const
{
    return EVP_PKEY_get_bits(m_key.get());
}

QSslKey PrivateKey::toQSslKey() const
{
    // QSslKey takes ownership of the handle it is given, so hand it its own reference.
    EVP_PKEY_up_ref(m_key.get());
    return QSslKey(Qt::HANDLE(m_key.get()), QSsl::PrivateKey);
}

QByteArray randomPassphrase()
{
    QByteArray raw(32, Qt::Uninitialized);
    if (RAND_bytes(reinterpret_cast<unsigned char *>(raw.data()), int(raw.size())) != 1)
        qFatal("OpenSSL's random generator failed");
    return raw.toBase64();
}

} // namespace occ::pki
