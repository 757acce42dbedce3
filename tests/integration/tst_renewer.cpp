// Automatic certificate renewal (ARCHITECTURE §3) against the real cloud: an
// identity enrolled by the real occ-sensorhub, a clock at 70 % of the certificate's
// lifetime, and the renewer replaces the certificate in the data folder - same key,
// new serial, still from the customer CA - without anyone asking.
#include "cloudprocess.h"
#include "hubprocess.h"
#include "identity/identity.h"
#include "identity/renewer.h"
#include "pki/verify.h"
#include "secrets/secretstore.h"
#include "testutil.h"
#include "timing.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace occ;
using namespace occ::test;

class TestRenewer : public QObject
{
    Q_OBJECT

private slots:
    void renewsAtTwoThirdsOfTheLifetime()
    {
        QTemporaryDir dir;
        CloudProcess cloud(dir.filePath(QStringLiteral("cloud")));
        const CloudProcess::Customer customer = cloud.addCustomer(QStringLiteral("Renew"));
        QVERIFY(cloud.start());
        HubProcess hub(dir.filePath(QStringLiteral("hub")), {});
        QVERIFY(hub.enrol(cloud, customer, QStringLiteral("pc")));

        Result<std::unique_ptr<secrets::SecretStore>> store = secrets::createSecretStore(
            QStringLiteral("file"), hub.dataDir(), QStringLiteral("occ-sensorhub"));
        QVERIFY(store);
        Result<identity::Identity> before = identity::loadIdentity(hub.dataDir(), **store, pki::Role::Hub);
        QVERIFY2(before, qPrintable(before ? QString() : before.error().message));
        const QByteArray keyFile = readFile(hub.dataDir() + QStringLiteral("/identity/private-key.pem"));

        // Not yet due: nothing happens.
        settings::Settings settings(hub.dataDir() + QStringLiteral("/occ-sensorhub.ini"), {});
        Result<cloudapi::CloudEndpoint> endpoint = identity::cloudEndpoint(settings, &*before, QString());
        QVERIFY(endpoint);
        cloudapi::CloudClient client(*endpoint);
        const qint64 notBefore = before->certificate.effectiveDate().toMSecsSinceEpoch();
        const qint64 lifetime = before->certificate.expiryDate().toMSecsSinceEpoch() - notBefore;
        {
            ManualClock early(notBefore + lifetime / 2);
            identity::CertificateRenewer renewer(hub.dataDir(), early, client);
            QSignalSpy renewed(&renewer, &identity::CertificateRenewer::renewed);
            renewer.watch(*before);
            QVERIFY(!renewed.wait(test::scaled(2500)));
        }
        // Past two thirds.
        ManualClock late(notBefore + lifetime * 7 / 10);
        auto renewer = std::make_unique<identity::CertificateRenewer>(hub.dataDir(), late, client);
        QSignalSpy renewed(renewer.get(), &identity::CertificateRenewer::renewed);
        renewer->watch(*before);
        QVERIFY(renewed.wait(test::scaled(15000)));
        renewer.reset();

        Result<identity::Identity> after = identity::loadIdentity(hub.dataDir(), **store, pki::Role::Hub);
        QVERIFY(after);
        QCOMPARE(after->id, before->id);
        QVERIFY(after->serial != before->serial);
        QCOMPARE(readFile(hub.dataDir() + QStringLiteral("/identity/private-key.pem")), keyFile); // same key
        QVERIFY(pki::verifyPeer(after->certificate, after->customerCa,
                                {pki::Role::Hub, customer.id, after->id, {}})
                    .ok());
        // The cloud takes the new certificate.
        Result<cloudapi::CloudEndpoint> fresh = identity::cloudEndpoint(settings, &*after, QString());
        QVERIFY(fresh);
        cloudapi::CloudClient renewedClient(*fresh);
        bool answered = false;
        bool ok = false;
        renewedClient.reportState(
            std::nullopt,
            {cloudapi::HubState{
                after->id, QStringLiteral("DirectCloud"), {}, QStringLiteral("pc"), {}, {}, 0, 0}},
            [&](Result<cloudapi::StateAnswer> r) {
                answered = true;
                ok = r.ok();
            });
        QTRY_VERIFY_WITH_TIMEOUT(answered, test::scaled(15000));
        QVERIFY(ok);
        cloud.stop();
        QVERIFY2(cloud.sanitizerReport().isEmpty(), cloud.sanitizerReport().constData());
    }
};

QTEST_GUILESS_MAIN(TestRenewer)
#include "tst_renewer.moc"
