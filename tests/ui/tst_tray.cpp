// The Sensorhub tray on a real tray host (Xvfb + trayer): the state mapping and its
// translations, the icon embedded in the tray following a real hub core connected
// to a real cloud and connector, "Reconnect now", and `occ-sensorhub` handing over
// to `occ-sensorhub-tray` when there is a display.
#include "await.h"
#include "cloudprocess.h"
#include "connectorprocess.h"
#include "core/hubcore.h"
#include "hubprocess.h"
#include "secrets/secretstore.h"
#include "testutil.h"
#include "tray/statepresenter.h"
#include "tray/trayicon.h"
#include "xsession.h"

#include <QApplication>
#include <QScopeGuard>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QTranslator>

using namespace occ;
using namespace occ::hub;
using namespace occ::test;

namespace {

const QList<ConnectionState> kStates{ConnectionState::NotEnrolled,  ConnectionState::Searching,
                                     ConnectionState::ConnectorLan, ConnectionState::ConnectorVpn,
                                     ConnectionState::DirectCloud,  ConnectionState::Offline};

} // namespace

class TestTray : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<CloudProcess> m_cloud;
    CloudProcess::Customer m_customer;
    std::unique_ptr<ConnectorProcess> m_connector;

    QString enrolledHub(const QString &name)
    {
        HubProcess enroller(m_dir.filePath(name), {});
        return enroller.enrol(*m_cloud, m_customer, name) ? enroller.dataDir() : QString();
    }

private slots:
    void initTestCase()
    {
        // trayer may need a moment to take the tray selection.
        QVERIFY2(waitFor([] { return QSystemTrayIcon::isSystemTrayAvailable(); }, 10000),
                 "no system tray on the test display");
        m_cloud = std::make_unique<CloudProcess>(m_dir.filePath(QStringLiteral("cloud")));
        m_customer = m_cloud->addCustomer(QStringLiteral("Tray"));
        QVERIFY(m_cloud->start());
        m_connector = std::make_unique<ConnectorProcess>(
            m_dir.filePath(QStringLiteral("connector")),
            QStringList{QStringLiteral("connector/listen=127.0.0.1:%1").arg(freePort()),
                        QStringLiteral("connector/descriptionPort=0"), QStringLiteral("ssdp/enabled=false"),
                        QStringLiteral("connection/heartbeat=1")});
        QVERIFY(m_connector->enrol(*m_cloud, m_customer));
        QVERIFY(m_connector->start());
    }

    void everyStateHasItsOwnLook()
    {
        QTranslator english; // the plural forms
        QVERIFY(english.load(buildPath(QStringLiteral("app/tray/occ_en.qm"))));
        QCoreApplication::installTranslator(&english);
        auto removeEnglish = qScopeGuard([&] { QCoreApplication::removeTranslator(&english); });
        QSet<QString> titles;
        QSet<QRgb> colours;
        for (ConnectionState state : kStates) {
            titles.insert(StatePresenter::title(state));
            colours.insert(StatePresenter::color(state).rgb());
            const QIcon icon = StatePresenter::icon(state);
            QVERIFY(!icon.isNull());
            QVERIFY(!icon.pixmap(22, 22).isNull());
        }
        QCOMPARE(titles.size(), kStates.size());
        QVERIFY(colours.size() >= 5); // LAN and VPN share green; the lock tells them apart
        QVERIFY(StatePresenter::icon(ConnectionState::ConnectorLan).pixmap(32, 32).toImage() !=
                StatePresenter::icon(ConnectionState::ConnectorVpn).pixmap(32, 32).toImage());
        const QStringList lines =
            StatePresenter::details({{QStringLiteral("state"), QStringLiteral("ConnectorVpn")},
                                     {QStringLiteral("connectorId"), QStringLiteral("0123456789abcdef")},
                                     {QStringLiteral("connector"),
                                      QJsonObject{{QStringLiteral("address"), QStringLiteral("10.10.0.3")},
                                                  {QStringLiteral("interface"), QStringLiteral("wg0")}}},
                                     {QStringLiteral("queueDepth"), 3},
                                     {QStringLiteral("dropped"), 2},
                                     {QStringLiteral("lastDelivery"), QString()}});
        QCOMPARE(lines.value(0), StatePresenter::title(ConnectionState::ConnectorVpn));
        QCOMPARE(lines.value(1), QStringLiteral("Connector 01234567 at 10.10.0.3 (wg0)"));
        QCOMPARE(lines.value(2), QStringLiteral("3 results waiting"));
        QCOMPARE(lines.value(3), QStringLiteral("2 results dropped: the outbox was full"));
    }

    void germanFromQtLinguist()
    {
        QTranslator german;
        QVERIFY(german.load(buildPath(QStringLiteral("app/tray/occ_de.qm"))));
        QCoreApplication::installTranslator(&german);
        QCOMPARE(StatePresenter::title(ConnectionState::ConnectorVpn),
                 QStringLiteral("Mit dem Connector über VPN verbunden"));
        const QStringList one = StatePresenter::details(
            {{QStringLiteral("state"), QStringLiteral("Offline")}, {QStringLiteral("queueDepth"), 1}});
        const QStringList many = StatePresenter::details(
            {{QStringLiteral("state"), QStringLiteral("Offline")}, {QStringLiteral("queueDepth"), 7}});
        QCoreApplication::removeTranslator(&german);
        QCOMPARE(one.value(1), QStringLiteral("1 Ergebnis wartet"));
        QCOMPARE(many.value(1), QStringLiteral("7 Ergebnisse warten"));
    }

    void trayFollowsARealHub()
    {
        const QString dataDir = enrolledHub(QStringLiteral("desk"));
        QVERIFY(!dataDir.isEmpty());
        settings::Settings settings(dataDir + QStringLiteral("/occ-sensorhub.ini"),
                                    {{QStringLiteral("ssdp/enabled"), QStringLiteral("false")},
                                     {QStringLiteral("connection/failbackProbe"), QStringLiteral("2")},
                                     {QStringLiteral("connection/connectTimeout"), QStringLiteral("2")},
                                     {QStringLiteral("sensors/interval"), QStringLiteral("1")}});
        Result<std::unique_ptr<secrets::SecretStore>> store =
            secrets::createSecretStore(QStringLiteral("file"), dataDir, QStringLiteral("occ-sensorhub"));
        QVERIFY(store);
        SystemClock clock;
        HubCore core(dataDir, settings, **store, clock);
        QSignalSpy changes(&core, &HubCore::stateChanged);
        QVERIFY(core.start().ok());
        TrayIcon tray(core);
        // Embedded in trayer: visible, with a place on the screen.
        QVERIFY(waitFor([&] { return tray.icon().isVisible() && tray.icon().geometry().isValid(); }, 10000));
        // No cache and no UPnP: the cloud first, then the connector the cloud lists.
        QVERIFY(waitFor(
            [&] {
                return tray.shownState() == ConnectionState::DirectCloud ||
                       tray.shownState() == ConnectionState::ConnectorLan;
            },
            15000));
        QVERIFY(waitFor([&] { return tray.shownState() == ConnectionState::ConnectorLan; }, 15000));
        QVERIFY(tray.icon().toolTip().contains(StatePresenter::title(ConnectionState::ConnectorLan)));
        QCOMPARE(tray.menu().actions().first()->text(), StatePresenter::title(ConnectionState::ConnectorLan));
        QVERIFY(tray.menu().actions().at(1)->text().startsWith(QStringLiteral("Connector ")));
        QVERIFY(tray.reconnectAction()->isEnabled());

        // Reconnect now: the session is dropped and found again.
        changes.clear();
        tray.reconnectAction()->trigger();
        QVERIFY(waitFor([&] { return changes.size() >= 2 && core.state() == ConnectionState::ConnectorLan; },
                        10000));
        QCOMPARE(changes.first().at(1).value<ConnectionState>(), ConnectionState::Searching);

        // The connector goes away: the icon says so.
        m_connector->stop();
        QVERIFY(waitFor([&] { return tray.shownState() == ConnectionState::Searching; }, 10000));
        QVERIFY(tray.icon().toolTip().contains(StatePresenter::title(ConnectionState::Searching)));
        QVERIFY(m_connector->start());
        core.stop();
    }

    void sensorhubHandsOverToTheTrayProgram()
    {
        const QString dataDir = enrolledHub(QStringLiteral("laptop"));
        QVERIFY(!dataDir.isEmpty());
        ProgramProcess hub(HubProcess::binary());
        QVERIFY(hub.start({QStringLiteral("run"), QStringLiteral("--data-dir"), dataDir,
                           QStringLiteral("--set"), QStringLiteral("identity/keychain=file"),
                           QStringLiteral("--set"), QStringLiteral("ssdp/enabled=false")},
                          QRegularExpression(QStringLiteral("occ-sensorhub (\\S+) running"))));
        // The same process, now the tray program, with its icon in the tray.
        QCOMPARE(QFileInfo(QStringLiteral("/proc/%1/exe").arg(hub.pid())).symLinkTarget(),
                 buildPath(QStringLiteral("app/occ-sensorhub-tray")));
        QVERIFY(!hub.errors().contains("no system tray"));
        HubProcess control(dataDir, {});
        QVERIFY(waitFor([&] { return !control.state().isEmpty(); }, 5000));
        hub.stop();
        QCOMPARE(hub.exitCode(), 0);
        QVERIFY2(hub.sanitizerReport().isEmpty(), hub.sanitizerReport().constData());

        // --headless stays the headless program.
        ProgramProcess headless(HubProcess::binary());
        QVERIFY(
            headless.start({QStringLiteral("run"), QStringLiteral("--headless"), QStringLiteral("--data-dir"),
                            dataDir, QStringLiteral("--set"), QStringLiteral("identity/keychain=file"),
                            QStringLiteral("--set"), QStringLiteral("ssdp/enabled=false")},
                           QRegularExpression(QStringLiteral("occ-sensorhub (\\S+) running"))));
        QCOMPARE(QFileInfo(QStringLiteral("/proc/%1/exe").arg(headless.pid())).symLinkTarget(),
                 HubProcess::binary());
        headless.stop();
    }

    void cleanupTestCase()
    {
        m_connector->stop();
        QVERIFY2(m_connector->sanitizerReport().isEmpty(), m_connector->sanitizerReport().constData());
        m_cloud->stop();
    }
};

int main(int argc, char **argv)
{
    XSession x;
    QString error;
    if (!x.start(&error)) {
        std::fprintf(stderr, "FAIL: %s\n", qPrintable(error));
        return 1;
    }
    QApplication app(argc, argv);
    TestTray test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_tray.moc"
