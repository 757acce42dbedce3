#include "pki/certificateauthority.h"
#include "pki/csr.h"
#include "pki/identity.h"
#include "pki/privatekey.h"
#include "pki/verify.h"
#include "testpki.h"
#include "testutil.h"

#include <QTemporaryDir>
#include <QTest>

using namespace occ;
using namespace occ::pki;

// Everything this module produces is checked with the real OpenSSL command line.
class TestPkiModule : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;

    QString file(const QString &name, const QByteArray &content)
    {
        const QString path = m_dir.filePath(name);
        if (!test::writeFile(path, content))
            qFatal("cannot write %s", qPrintable(path));
        return path;
    }

    static int openssl(const QStringList &arguments, QByteArray *output = nullptr)
    {
        return test::run(QStringLiteral("openssl"), arguments, output);
    }

private slots:
    void keyGeneration()
    {
        Result<PrivateKey> key = PrivateKey::generate();
        QVERIFY(key.ok());
        QCOMPARE(key->bits(), 2048);
        QVERIFY(key->publicKeyPem().startsWith("-----BEGIN PUBLIC KEY-----"));
        const QSslKey sslKey = key->toQSslKey();
        QVERIFY(!sslKey.isNull());
        QCOMPARE(sslKey.algorithm(), QSsl::Rsa);
        QCOMPARE(sslKey.length(), 2048);
    }

    void shortKeysAreRefused()
    {
        Result<PrivateKey> key = PrivateKey::generate(1024);
        QVERIFY(!key.ok());
        QVERIFY(key.error().message.contains(QStringLiteral("2048")));
    }

    void encryptedPkcs8()
    {
        Result<PrivateKey> key = PrivateKey::generate();
        const QByteArray passphrase = randomPassphrase();
        Result<QByteArray> pem = key->toEncryptedPem(passphrase);
        QVERIFY(pem.ok());
        QVERIFY(pem->startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));
        const QString path = file(QStringLiteral("key.pem"), *pem);

        QByteArray output;
        QCOMPARE(openssl({QStringLiteral("asn1parse"), QStringLiteral("-in"), path}, &output), 0);
        QVERIFY2(output.contains("aes-256-cbc"), output.constData());
        QCOMPARE(openssl({QStringLiteral("pkcs8"), QStringLiteral("-in"), path, QStringLiteral("-passin"),
                          QStringLiteral("pass:") + QString::fromLatin1(passphrase), QStringLiteral("-out"),
                          m_dir.filePath(QStringLiteral("plain.pem"))}),
                 0);
        QVERIFY(openssl({QStringLiteral("pkcs8"), QStringLiteral("-in"), path, QStringLiteral("-passin"),
                         QStringLiteral("pass:wrong-passphrase-123"), QStringLiteral("-out"),
                         QStringLiteral("/dev/null")}) != 0);

        Result<PrivateKey> loaded = PrivateKey::fromEncryptedPem(*pem, passphrase);
        QVERIFY(loaded.ok());
        QCOMPARE(loaded->publicKeyPem(), key->publicKeyPem());
        QVERIFY(!PrivateKey::fromEncryptedPem(*pem, "wrong-passphrase-123").ok());
        // An unencrypted key is refused even with the right content.
        QVERIFY(!PrivateKey::fromEncryptedPem(test::readFile(m_dir.filePath(QStringLiteral("plain.pem"))),
                                              passphrase)
                     .ok());
        QVERIFY(!key->toEncryptedPem("short").ok());
    }

    void csrVerifiesWithOpenssl()
    {
        Result<PrivateKey> key = PrivateKey::generate();
        Result<QByteArray> csr = createCsr(*key, QStringLiteral("pc1"));
        QVERIFY(csr.ok());
        const QString path = file(QStringLiteral("req.pem"), *csr);
        QByteArray output;
        QCOMPARE(openssl({QStringLiteral("req"), QStringLiteral("-in"), path, QStringLiteral("-verify"),
                          QStringLiteral("-noout"), QStringLiteral("-text")},
                         &output),
                 0);
        QVERIFY2(output.contains("verify OK"), output.constData());
        QVERIFY(output.contains("sha256WithRSAEncryption"));
        Result<CheckedCsr> checked = checkCsr(*csr);
        QVERIFY(checked.ok());
        QCOMPARE(checked->keyBits, 2048);
    }

    void brokenCsrSignatureIsRejected()
    {
        Result<PrivateKey> key = PrivateKey::generate();
        const QByteArray pem = *createCsr(*key, QStringLiteral("pc1"));
        // Flip a bit in the last byte of the DER: that is inside the signature.
        QByteArray der = QByteArray::fromBase64(pem.split('\n').mid(1, pem.count('\n') - 2).join());
        der[der.size() - 1] = char(der.at(der.size() - 1) ^ 0x01);
        const QByteArray broken = "-----BEGIN CERTIFICATE REQUEST-----\n" + der.toBase64() +
                                  "\n-----END CERTIFICATE REQUEST-----\n";
        const QString path = file(QStringLiteral("broken.pem"), broken);
        // OpenSSL 3.0's `req -verify` exits 0 even on failure; its message is what counts.
        QByteArray output;
        openssl({QStringLiteral("req"), QStringLiteral("-in"), path, QStringLiteral("-verify"),
                 QStringLiteral("-noout")},
                &output);
        QVERIFY2(output.contains("verify failure") && !output.contains("verify OK"), output.constData());
        Result<CheckedCsr> checked = checkCsr(broken);
        QVERIFY(!checked.ok());
        QVERIFY2(checked.error().message.contains(QStringLiteral("signature")),
                 qPrintable(checked.error().message));
        test::TestPki pki;
        QVERIFY(!pki.authority()
                     .sign(broken, {QStringLiteral("x"), pki.customerId(), Role::Hub, 30, {}, {}})
                     .ok());
    }

    void weakCsrKeyIsRejected()
    {
        const QString path = m_dir.filePath(QStringLiteral("weak.csr"));
        QCOMPARE(openssl({QStringLiteral("req"), QStringLiteral("-new"), QStringLiteral("-newkey"),
                          QStringLiteral("rsa:1024"), QStringLiteral("-nodes"), QStringLiteral("-keyout"),
                          QStringLiteral("/dev/null"), QStringLiteral("-subj"), QStringLiteral("/CN=weak"),
                          QStringLiteral("-out"), path}),
                 0);
        Result<CheckedCsr> checked = checkCsr(test::readFile(path));
        QVERIFY(!checked.ok());
        QVERIFY2(checked.error().message.contains(QStringLiteral("1024")),
                 qPrintable(checked.error().message));
        test::TestPki pki;
        QVERIFY(!pki.authority()
                     .sign(test::readFile(path),
                           {QStringLiteral("weak"), pki.customerId(), Role::Hub, 30, {}, {}})
                     .ok());
    }

    void garbageCsrIsRejected()
    {
        QVERIFY(!checkCsr("not a csr").ok());
        QVERIFY(!checkCsr(QByteArray(100000, 'A')).ok());
    }

    void issuedCertificateVerifiesWithOpenssl()
    {
        test::TestPki pki(QStringLiteral("cust-42"));
        const QString caPath = file(QStringLiteral("ca.pem"), pki.authority().certificatePem());
        const test::Credentials hub = pki.issue(QStringLiteral("hub-0001"), Role::Hub);
        const QString certPath = file(QStringLiteral("hub.pem"), hub.certificatePem);

        QByteArray output;
        QCOMPARE(openssl({QStringLiteral("verify"), QStringLiteral("-CAfile"), caPath, certPath}, &output),
                 0);
        QVERIFY2(output.contains(": OK"), output.constData());
        QCOMPARE(openssl({QStringLiteral("x509"), QStringLiteral("-in"), certPath, QStringLiteral("-noout"),
                          QStringLiteral("-text")},
                         &output),
                 0);
        QVERIFY(output.contains("CN = hub-0001"));
        QVERIFY(output.contains("O = cust-42"));
        QVERIFY(output.contains("OU = hub"));
        QVERIFY(output.contains("sha256WithRSAEncryption"));
        QVERIFY(output.contains("Public-Key: (2048 bit)"));
        QVERIFY(output.contains("CA:FALSE"));
        QVERIFY(output.contains("TLS Web Client Authentication"));

        // The CA itself.
        QCOMPARE(openssl({QStringLiteral("x509"), QStringLiteral("-in"), caPath, QStringLiteral("-noout"),
                          QStringLiteral("-text")},
                         &output),
                 0);
        QVERIFY(output.contains("CA:TRUE"));
        QVERIFY(output.contains("Certificate Sign"));
        QVERIFY(output.contains("Public-Key: (2048 bit)"));

        // Another CA's openssl verify fails.
        test::TestPki other(QStringLiteral("cust-43"));
        const QString otherCa = file(QStringLiteral("other-ca.pem"), other.authority().certificatePem());
        QVERIFY(openssl({QStringLiteral("verify"), QStringLiteral("-CAfile"), otherCa, certPath}) != 0);
    }

    void overlongSubjectFieldsAreAClearError()
    {
        Result<CertificateAuthority> ca =
            CertificateAuthority::create(QString(65, QLatin1Char('x')), QStringLiteral("o"));
        QVERIFY(!ca.ok());
        QCOMPARE(ca.error().category, ErrorCategory::Input);
        QVERIFY(ca.error().message.contains(QStringLiteral("64")));
        test::TestPki pki;
        Result<PrivateKey> key = PrivateKey::generate();
        QVERIFY(!pki.authority()
                     .signKey(*key, {QString(65, QLatin1Char('h')), pki.customerId(), Role::Hub, 30, {}, {}})
                     .ok());
    }

    void serialsAreRandom()
    {
        test::TestPki pki;
        const QByteArray a = pki.issue(QStringLiteral("a"), Role::Hub).certificate.serialNumber();
        const QByteArray b = pki.issue(QStringLiteral("b"), Role::Hub).certificate.serialNumber();
        QVERIFY(a != b);
        QVERIFY(a.size() >= 32); // at least 16 bytes in hex with separators
    }

    void serverCertificateNames()
    {
        test::TestPki pki;
        Result<PrivateKey> key = PrivateKey::generate();
        Result<QByteArray> pem =
            pki.authority().signKey(*key, {QStringLiteral("cloud"),
                                           QString(),
                                           Role::Cloud,
                                           30,
                                           {QStringLiteral("localhost")},
                                           {QStringLiteral("127.0.0.1"), QStringLiteral("::1")}});
        QVERIFY(pem.ok());
        QByteArray output;
        QCOMPARE(openssl({QStringLiteral("x509"), QStringLiteral("-in"),
                          file(QStringLiteral("server.pem"), *pem), QStringLiteral("-noout"),
                          QStringLiteral("-ext"), QStringLiteral("subjectAltName,extendedKeyUsage")},
                         &output),
                 0);
        QVERIFY2(output.contains("DNS:localhost"), output.constData());
        QVERIFY(output.contains("IP Address:127.0.0.1"));
        QVERIFY(output.contains("TLS Web Server Authentication"));
        QVERIFY(
            !pki.authority()
                 .signKey(*key,
                          {QStringLiteral("c"), QString(), Role::Cloud, 30, {}, {QStringLiteral("not-ip")}})
                 .ok());
    }

    void identityAndVerification()
    {
        test::TestPki pki(QStringLiteral("cust-1"));
        const test::Credentials connector = pki.issue(QStringLiteral("conn-1"), Role::Connector);
        Result<Identity> identity = identityOf(connector.certificate);
        QVERIFY(identity.ok());
        QCOMPARE(identity->id, QStringLiteral("conn-1"));
        QCOMPARE(identity->customerId, QStringLiteral("cust-1"));
        QCOMPARE(identity->role, Role::Connector);
        QCOMPARE(identity->fingerprint.size(), 64);
        QVERIFY(!identity->serial.contains(':'));

        PeerExpectation expect{Role::Connector, QStringLiteral("cust-1"), {}, {}};
        QVERIFY(verifyPeer(connector.certificate, pki.caCertificate(), expect).ok());

        expect.id = QStringLiteral("conn-1");
        QVERIFY(verifyPeer(connector.certificate, pki.caCertificate(), expect).ok());
        expect.id = QStringLiteral("conn-2");
        QVERIFY(!verifyPeer(connector.certificate, pki.caCertificate(), expect).ok());
        expect.id.clear();

        PeerExpectation wrongRole{Role::Hub, QStringLiteral("cust-1"), {}, {}};
        Result<Identity> r = verifyPeer(connector.certificate, pki.caCertificate(), wrongRole);
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.contains(QStringLiteral("role")));

        PeerExpectation wrongCustomer{Role::Connector, QStringLiteral("cust-2"), {}, {}};
        QVERIFY(!verifyPeer(connector.certificate, pki.caCertificate(), wrongCustomer).ok());

        PeerExpectation revoked{Role::Connector, QStringLiteral("cust-1"), {}, {identity->serial}};
        r = verifyPeer(connector.certificate, pki.caCertificate(), revoked);
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.contains(QStringLiteral("revoked")));

        test::TestPki other(QStringLiteral("cust-1"));
        r = verifyPeer(connector.certificate, other.caCertificate(), expect);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().category, ErrorCategory::Auth);

        const test::Credentials rogue =
            test::TestPki::selfSigned(QStringLiteral("conn-1"), QStringLiteral("cust-1"), Role::Connector);
        QVERIFY(!verifyPeer(rogue.certificate, pki.caCertificate(), expect).ok());
    }

    void caLoadChecksTheKey()
    {
        test::TestPki a;
        test::TestPki b;
        QVERIFY(CertificateAuthority::load(a.authority().certificatePem(), a.authority().key()).ok());
        QVERIFY(!CertificateAuthority::load(a.authority().certificatePem(), b.authority().key()).ok());
        const test::Credentials leaf = a.issue(QStringLiteral("leaf"), Role::Hub);
        QVERIFY(!CertificateAuthority::load(leaf.certificatePem, leaf.key).ok());
    }

    void renewalAtTwoThirds()
    {
        test::TestPki pki;
        const test::Credentials hub = pki.issue(QStringLiteral("h"), Role::Hub, 30);
        const QDateTime due = renewalDue(hub.certificate);
        const qint64 total = hub.certificate.effectiveDate().secsTo(hub.certificate.expiryDate());
        QVERIFY(qAbs(hub.certificate.effectiveDate().secsTo(due) - total * 2 / 3) <= 1);
    }
};

QTEST_GUILESS_MAIN(TestPkiModule)
#include "tst_pki.moc"
