#pragma once

#include "core/result.h"
#include "pki/openssl.h"

#include <QByteArray>
#include <QSslKey>

namespace occ::pki {

inline constexpr int kMinimumRsaBits = 2048;

// An RSA private key in memory. On disk it exists only as encrypted PKCS#8 PEM
// (AES-256-CBC); the passphrase lives in the keychain (see secrets/).
class PrivateKey
{
public:
    PrivateKey() = default; // null: no key
    bool isNull() const { return !m_key; }

    static Result<PrivateKey> generate(int bits = kMinimumRsaBits);
    // Loads an encrypted PKCS#8 PEM. Unencrypted keys are refused.
    static Result<PrivateKey> fromEncryptedPem(const QByteArray &pem, const QByteArray &passphrase);

    Result<QByteArray> toEncryptedPem(const QByteArray &passphrase) const;
    QByteArray publicKeyPem() const;
    int bits() const;
    EVP_PKEY *get() const { return m_key.get(); }
    // A QSslKey sharing this key (for QSslConfiguration::setPrivateKey).
    QSslKey toQSslKey() const;

private:
    explicit PrivateKey(PKeyPtr key)
        : m_key(std::move(key))
    {}
    std::shared_ptr<EVP_PKEY> m_key;
};

// A random passphrase suitable for key encryption (base64 of 32 random bytes).
QByteArray randomPassphrase();

} // namespace occ::pki
