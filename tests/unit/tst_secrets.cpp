#include "keyringsession.h"
#include "secrets/secretstore.h"
#include "testutil.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <qt6keychain/keychain.h>
#include <QTemporaryDir>
#include <QTest>
#include <sys/stat.h>

using namespace occ;
using namespace occ::secrets;

namespace {

const QString kService = QStringLiteral("org.occ-project.test");

// secret-tool reads the entry straight from the Secret Service: proof that the
// value is really in the keyring, not in some file of ours.
QByteArray secretToolLookup(const QString &key, int *exitCode)
{
    QByteArray output;
    QProcess process;
    process.start(QStringLiteral("secret-tool"), {QStringLiteral("lookup"), QStringLiteral("user"), key,
                                                  QStringLiteral("server"), kService});
    process.waitForFinished(20000);
    *exitCode = process.exitCode();
    return process.readAllStandardOutput();
}

} // namespace

class TestSecrets : public QObject
{
    Q_OBJECT

private slots:
    void keychainRoundTripIsInTheKeyring()
    {
        KeychainSecretStore store(kService, QStringLiteral("/var/lib/occ-sensorhub-a"));
        const QByteArray secret = "p4ss/phrase+with=base64==";
        Result<void> written = writeSecret(store, QStringLiteral("identity-passphrase"), secret);
        QVERIFY2(written.ok(), written.ok() ? "" : qPrintable(written.error().toString()));

        Result<std::optional<QByteArray>> read = readSecret(store, QStringLiteral("identity-passphrase"));
        QVERIFY(read.ok());
        QVERIFY(read->has_value());
        QCOMPARE(**read, secret);

        int code = -1;
        const QByteArray fromTool =
            secretToolLookup(store.keyFor(QStringLiteral("identity-passphrase")), &code);
        QCOMPARE(code, 0);
        QCOMPARE(fromTool, secret);
    }

    void scopesDoNotCollide()
    {
        KeychainSecretStore a(kService, QStringLiteral("/data/a"));
        KeychainSecretStore b(kService, QStringLiteral("/data/b"));
        QVERIFY(writeSecret(a, QStringLiteral("x"), "alpha-secret").ok());
        QVERIFY(writeSecret(b, QStringLiteral("x"), "beta-secret").ok());
        QCOMPARE(readSecret(a, QStringLiteral("x"))->value(), QByteArray("alpha-secret"));
        QCOMPARE(readSecret(b, QStringLiteral("x"))->value(), QByteArray("beta-secret"));
    }

    void missingEntryIsNotAnError()
    {
        KeychainSecretStore store(kService, QStringLiteral("/data/none"));
        Result<std::optional<QByteArray>> read = readSecret(store, QStringLiteral("never-written"));
        QVERIFY(read.ok());
        QVERIFY(!read->has_value());
    }

    void removeDeletesFromTheKeyring()
    {
        KeychainSecretStore store(kService, QStringLiteral("/data/remove"));
        QVERIFY(writeSecret(store, QStringLiteral("gone"), "soon-gone-secret").ok());
        QEventLoop loop;
        std::optional<Result<void>> removed;
        store.remove(QStringLiteral("gone"), [&](Result<void> r) {
            removed = r;
            loop.quit();
        });
        loop.exec();
        QVERIFY(removed && removed->ok());
        int code = 0;
        QVERIFY(secretToolLookup(store.keyFor(QStringLiteral("gone")), &code).isEmpty());
        QVERIFY(code != 0);
    }

    void noDbusGivesAClearError()
    {
        // A child of this test without any session bus: what an administrator sees
        // when running a hub on a server without a keychain.
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"), QStringLiteral("unix:path=/nonexistent/bus"));
        env.remove(QStringLiteral("DISPLAY"));
        child.setProcessEnvironment(env);
        child.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--child-read")});
        QVERIFY(child.waitForFinished(30000));
        const QByteArray output = child.readAll();
        QCOMPARE(child.exitCode(), 3);
        QVERIFY2(output.contains("keychain error"), output.constData());
        QVERIFY2(output.contains("identity/keychain=file") || output.contains("D-Bus"), output.constData());
    }

    void lockedOrMissingCollectionGivesAClearError()
    {
        // A fresh bus where gnome-keyring is activated on demand but has no unlocked
        // login collection.
        QTemporaryDir home;
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), home.path());
        // Its own runtime folder, or the new daemon finds this session's daemon.
        QVERIFY(QDir().mkpath(home.filePath(QStringLiteral("run"))));
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), home.filePath(QStringLiteral("run")));
        env.remove(QStringLiteral("DBUS_SESSION_BUS_ADDRESS"));
        child.setProcessEnvironment(env);
        // Output to a file, not a pipe: the keyring daemon that D-Bus activates
        // inherits it and would hold a pipe open long after the child exits.
        const QString log = home.filePath(QStringLiteral("child.log"));
        child.setStandardOutputFile(log);
        child.setStandardErrorFile(log, QIODevice::Append);
        child.start(
            QStringLiteral("dbus-run-session"),
            {QStringLiteral("--"), QCoreApplication::applicationFilePath(), QStringLiteral("--child-write")});
        QVERIFY(child.waitForFinished(60000));
        const QByteArray output = test::readFile(log);
        QCOMPARE(child.exitCode(), 3);
        QVERIFY2(output.contains("keychain error"), output.constData());
    }

    void errorTexts_data()
    {
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("advice");
        QTest::newRow("no libsecret") << int(QKeychain::OtherError) << QStringLiteral("Unknown error")
                                      << QStringLiteral("no keychain service is reachable");
        QTest::newRow("no dbus") << int(QKeychain::OtherError)
                                 << QStringLiteral("Cannot autolaunch D-Bus without X11 $DISPLAY")
                                 << QStringLiteral("no D-Bus session bus");
        QTest::newRow("bus socket missing")
            << int(QKeychain::OtherError) << QStringLiteral("Could not connect: No such file or directory")
            << QStringLiteral("no D-Bus session bus");
        QTest::newRow("locked")
            << int(QKeychain::OtherError)
            << QStringLiteral("Object does not exist at path “/org/freedesktop/secrets/collection/login”")
            << QStringLiteral("unlock the login keyring");
        QTest::newRow("denied") << int(QKeychain::AccessDenied) << QStringLiteral("Cannot unlock")
                                << QStringLiteral("denied");
    }

    void errorTexts()
    {
        QFETCH(int, code);
        QFETCH(QString, text);
        QFETCH(QString, advice);
        const Error error = keychainError(code, text);
        QCOMPARE(error.category, ErrorCategory::Keychain);
        QVERIFY2(error.message.contains(advice), qPrintable(error.message));
        QVERIFY(error.message.contains(text));
    }

    void fileFallback()
    {
        QTemporaryDir dir;
        Result<std::unique_ptr<SecretStore>> store =
            createSecretStore(QStringLiteral("file"), dir.path(), QStringLiteral("occ-test"));
        QVERIFY(store.ok());
        FileSecretStore direct(dir.filePath(QStringLiteral("identity/secrets.json")));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("identity/keychain=file")));
        QVERIFY(writeSecret(**store, QStringLiteral("identity-passphrase"), "file-secret-value").ok());
        const QString path = dir.filePath(QStringLiteral("identity/secrets.json"));
        struct stat info = {};
        QCOMPARE(::stat(QFile::encodeName(path).constData(), &info), 0);
        QCOMPARE(info.st_mode & 0777, 0600u);
        QCOMPARE(readSecret(**store, QStringLiteral("identity-passphrase"))->value(),
                 QByteArray("file-secret-value"));
        QCOMPARE(direct.readNow(QStringLiteral("identity-passphrase"))->value(),
                 QByteArray("file-secret-value"));

        QFile::setPermissions(path,
                              QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther);
        Result<std::optional<QByteArray>> refused =
            readSecret(**store, QStringLiteral("identity-passphrase"));
        QVERIFY(!refused.ok());
        QVERIFY(refused.error().message.contains(QStringLiteral("chmod 600")));
    }

    void unknownModeIsAConfigError()
    {
        Result<std::unique_ptr<SecretStore>> store = createSecretStore(
            QStringLiteral("plaintext"), QStringLiteral("/tmp"), QStringLiteral("occ-test"));
        QVERIFY(!store.ok());
        QCOMPARE(store.error().category, ErrorCategory::Config);
    }
};

// Child modes used by the error tests: try the keychain and print the result.
static int childMain(int argc, char **argv, bool write)
{
    QCoreApplication app(argc, argv);
    KeychainSecretStore store(kService, QStringLiteral("/child"));
    const QString error = write ? [&] {
        Result<void> r = writeSecret(store, QStringLiteral("k"), "v");
        return r.ok() ? QString() : r.error().toString();
    }()
                                : [&] {
                                      Result<std::optional<QByteArray>> r = readSecret(store, QStringLiteral("k"));
                                      return r.ok() ? QString() : r.error().toString();
                                  }();
    std::fprintf(stdout, "%s\n", qPrintable(error));
    return error.isEmpty() ? 0 : 3;
}

int main(int argc, char **argv)
{
    if (argc > 1 && qstrcmp(argv[1], "--child-read") == 0)
        return childMain(argc, argv, false);
    if (argc > 1 && qstrcmp(argv[1], "--child-write") == 0)
        return childMain(argc, argv, true);
    if (const int code = test::reexecInKeyringSession(argc, argv); code >= 0)
        return code;
    QCoreApplication app(argc, argv);
    TestSecrets test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_secrets.moc"
