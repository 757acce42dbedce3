#pragma once

#include "core/result.h"

#include <functional>
#include <memory>
#include <optional>
#include <QByteArray>
#include <QObject>
#include <QString>

namespace occ::secrets {

// Where the programs keep small secrets: the passphrase of the encrypted private
// key and the proxy password (ARCHITECTURE §3, §8). Operations are asynchronous
// because the system keychain is a D-Bus service. A missing entry is not an error:
// read() yields std::nullopt.
class SecretStore : public QObject
{
    Q_OBJECT
public:
    using ReadDone = std::function<void(Result<std::optional<QByteArray>>)>;
    using Done = std::function<void(Result<void>)>;

    using QObject::QObject;

    virtual void read(const QString &name, ReadDone done) = 0;
    virtual void write(const QString &name, const QByteArray &secret, Done done) = 0;
    virtual void remove(const QString &name, Done done) = 0;
    // For logs and error messages, e.g. "system keychain".
    virtual QString describe() const = 0;
};

// The system keychain through QtKeychain. Entries are scoped by the data folder so
// that several hubs or connectors can share one machine and one keyring.
class KeychainSecretStore final : public SecretStore
{
    Q_OBJECT
public:
    KeychainSecretStore(QString service, QString scope, QObject *parent = nullptr);

    void read(const QString &name, ReadDone done) override;
    void write(const QString &name, const QByteArray &secret, Done done) override;
    void remove(const QString &name, Done done) override;
    QString describe() const override;

    // The key QtKeychain stores an entry under (user attribute in libsecret).
    QString keyFor(const QString &name) const;

private:
    QString m_service;
    QString m_scope;
};

// identity/keychain=file: a 0600 file in the data folder, for headless servers
// without a keychain service. Chosen only by configuration; writes and program
// starts log a warning.
class FileSecretStore final : public SecretStore
{
    Q_OBJECT
public:
    explicit FileSecretStore(QString path, QObject *parent = nullptr);

    void read(const QString &name, ReadDone done) override;
    void write(const QString &name, const QByteArray &secret, Done done) override;
    void remove(const QString &name, Done done) override;
    QString describe() const override;

    Result<std::optional<QByteArray>> readNow(const QString &name) const;
    Result<void> writeNow(const QString &name, const std::optional<QByteArray> &secret);
    // Logged whenever a secret is written, and by programs that start using the file.
    void warnAboutFallback() const;

private:
    QString m_path;
};

// Translates a QtKeychain failure into a message an administrator can act on
// (the failure modes listed in TOOLCHAIN.md).
Error keychainError(int code, const QString &text);

// "system" or "file" (identity/keychain); anything else is a configuration error.
Result<std::unique_ptr<SecretStore>> createSecretStore(const QString &mode, const QString &dataDir,
                                                       const QString &program);

// Blocking wrappers for command-line paths (enrol, status): they run a local event
// loop until the store answers.
Result<std::optional<QByteArray>> readSecret(SecretStore &store, const QString &name);
Result<void> writeSecret(SecretStore &store, const QString &name, const QByteArray &secret);

} // namespace occ::secrets
