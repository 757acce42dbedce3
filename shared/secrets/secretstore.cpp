#include "secretstore.h"

#include "core/files.h"
#include "core/logging.h"

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <qt6keychain/keychain.h>
#include <QTimer>

namespace occ::secrets {

Error keychainError(int code, const QString &text)
{
    QString advice;
    if (text.contains(QLatin1StringView("autolaunch D-Bus")) ||
        text.contains(QLatin1StringView("DBUS_SESSION")) ||
        text.startsWith(QLatin1StringView("Could not connect"))) {
        advice = QStringLiteral("no D-Bus session bus is available; run inside a desktop session or "
                                "dbus-run-session, or set identity/keychain=file on a headless server");
    } else if (text.contains(QLatin1StringView("/org/freedesktop/secrets/collection"))) {
        advice =
            QStringLiteral("the keyring collection does not exist or is locked; unlock the login keyring "
                           "(e.g. gnome-keyring-daemon --unlock)");
    } else if (code == QKeychain::AccessDenied || code == QKeychain::AccessDeniedByUser) {
        advice =
            QStringLiteral("access to the keyring was denied (locked keyring or wrong keyring password)");
    } else if (code == QKeychain::NoBackendAvailable || code == QKeychain::NotImplemented ||
               text == QLatin1StringView("Unknown error")) {
        advice = QStringLiteral(
            "no keychain service is reachable (is libsecret installed and a Secret Service "
            "such as gnome-keyring running?); on a headless server set identity/keychain=file");
    } else {
        advice = QStringLiteral("the keychain reported an error");
    }
    return fail(ErrorCategory::Keychain,
                QStringLiteral("%1 (QtKeychain error %2: %3)").arg(advice).arg(code).arg(text));
}

// ---- KeychainSecretStore -----------------------------------------------------------

KeychainSecretStore::KeychainSecretStore(QString service, QString scope, QObject *parent)
    : SecretStore(parent)
    , m_service(std::move(service))
    , m_scope(std::move(scope))
{}

QString KeychainSecretStore::keyFor(const QString &name) const
{
    return m_scope + QLatin1Char(':') + name;
}

QString KeychainSecretStore::describe() const
{
    return QStringLiteral("system keychain (service %1)").arg(m_service);
}

void KeychainSecretStore::read(const QString &name, ReadDone done)
{
    auto *job = new QKeychain::ReadPasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setKey(keyFor(name));
    connect(job, &QKeychain::Job::finished, this, [job, done = std::move(done)]() {
        if (job->error() == QKeychain::NoError)
            done(std::optional<QByteArray>(job->binaryData()));
        else if (job->error() == QKeychain::EntryNotFound)
            done(std::optional<QByteArray>());
        else
            done(keychainError(job->error(), job->errorString()));
    });
    job->start();
}

void KeychainSecretStore::write(const QString &name, const QByteArray &secret, Done done)
{
    auto *job = new QKeychain::WritePasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setKey(keyFor(name));
    // Secrets here are printable (base64 passphrases, passwords); store them as text
    // so that administrators can inspect them with secret-tool.
    job->setTextData(QString::fromUtf8(secret));
    connect(job, &QKeychain::Job::finished, this, [job, done = std::move(done)]() {
        if (job->error() == QKeychain::NoError)
            done({});
        else
            done(keychainError(job->error(), job->errorString()));
    });
    job->start();
}

void KeychainSecretStore::remove(const QString &name, Done done)
{
    auto *job = new QKeychain::DeletePasswordJob(m_service, this);
    job->setAutoDelete(true);
    job->setKey(keyFor(name));
    connect(job, &QKeychain::Job::finished, this, [job, done = std::move(done)]() {
        if (job->error() == QKeychain::NoError || job->error() == QKeychain::EntryNotFound)
            done({});
        else
            done(keychainError(job->error(), job->errorString()));
    });
    job->start();
}

// ---- FileSecretStore ---------------------------------------------------------------

FileSecretStore::FileSecretStore(QString path, QObject *parent)
    : SecretStore(parent)
    , m_path(std::move(path))
{}

void FileSecretStore::warnAboutFallback() const
{
    qCWarning(lcSecrets).noquote() << "identity/keychain=file: secrets are kept in" << m_path
                                   << "(mode 0600), protected only by file permissions";
}

QString FileSecretStore::describe() const
{
    return QStringLiteral("secrets file %1").arg(m_path);
}

Result<std::optional<QByteArray>> FileSecretStore::readNow(const QString &name) const
{
    QFile file(m_path);
    if (!file.exists())
        return std::optional<QByteArray>();
    if ((file.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteGroup |
                               QFileDevice::WriteOther)) != 0)
        return fail(
            ErrorCategory::Keychain,
            QStringLiteral("%1 is readable by other users; refusing to use it (chmod 600)").arg(m_path));
    if (!file.open(QIODevice::ReadOnly))
        return fail(ErrorCategory::Io, QStringLiteral("cannot read %1: %2").arg(m_path, file.errorString()));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
    if (!doc.isObject())
        return fail(ErrorCategory::Input,
                    QStringLiteral("%1 is damaged: %2").arg(m_path, error.errorString()));
    const QJsonValue value = doc.object().value(name);
    if (!value.isString())
        return std::optional<QByteArray>();
    return std::optional<QByteArray>(value.toString().toUtf8());
}

Result<void> FileSecretStore::writeNow(const QString &name, const std::optional<QByteArray> &secret)
{
    warnAboutFallback();
    QJsonObject object;
    if (QFile::exists(m_path)) {
        QFile file(m_path);
        if (!file.open(QIODevice::ReadOnly))
            return fail(ErrorCategory::Io,
                        QStringLiteral("cannot read %1: %2").arg(m_path, file.errorString()));
        object = QJsonDocument::fromJson(file.readAll()).object();
    }
    if (secret)
        object.insert(name, QString::fromUtf8(*secret));
    else
        object.remove(name);
    return writeWholeFile(m_path, QJsonDocument(object).toJson(), kOwnerOnly);
}

void FileSecretStore::read(const QString &name, ReadDone done)
{
    // Answer asynchronously like the keychain does, so callers see one behaviour.
    QTimer::singleShot(0, this, [this, name, done = std::move(done)]() { done(readNow(name)); });
}

void FileSecretStore::write(const QString &name, const QByteArray &secret, Done done)
{
    QTimer::singleShot(0, this,
                       [this, name, secret, done = std::move(done)]() { done(writeNow(name, secret)); });
}

void FileSecretStore::remove(const QString &name, Done done)
{
    QTimer::singleShot(0, this,
                       [this, name, done = std::move(done)]() { done(writeNow(name, std::nullopt)); });
}

// ---- factory and blocking helpers --------------------------------------------------

Result<std::unique_ptr<SecretStore>> createSecretStore(const QString &mode, const QString &dataDir,
                                                       const QString &program)
{
    const QString canonical = QFileInfo(dataDir).absoluteFilePath();
    if (mode == QLatin1StringView("system"))
        return std::unique_ptr<SecretStore>(
            std::make_unique<KeychainSecretStore>(QStringLiteral("org.occ-project.") + program, canonical));
    if (mode == QLatin1StringView("file"))
        return std::unique_ptr<SecretStore>(
            std::make_unique<FileSecretStore>(canonical + QStringLiteral("/identity/secrets.json")));
    return fail(ErrorCategory::Config,
                QStringLiteral("identity/keychain must be 'system' or 'file', not '%1'").arg(mode));
}

Result<std::optional<QByteArray>> readSecret(SecretStore &store, const QString &name)
{
    QEventLoop loop;
    std::optional<Result<std::optional<QByteArray>>> answer;
    store.read(name, [&](Result<std::optional<QByteArray>> result) {
        answer = std::move(result);
        loop.quit();
    });
    while (!answer) // a quit() of every loop (the program stopping) ends this one early
        loop.exec();
    return std::move(*answer);
}

Result<void> writeSecret(SecretStore &store, const QString &name, const QByteArray &secret)
{
    QEventLoop loop;
    std::optional<Result<void>> answer;
    store.write(name, secret, [&](Result<void> result) {
        answer = std::move(result);
        loop.quit();
    });
    while (!answer) // a quit() of every loop (the program stopping) ends this one early
        loop.exec();
    return std::move(*answer);
}

} // namespace occ::secrets
