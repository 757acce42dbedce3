// occ-sensorhub-tray: the Sensorhub with its tray icon. The same core and command
// line as occ-sensorhub; `occ-sensorhub` (without --headless) starts this program
// when a display exists.
#include "cli/hubcli.h"
#include "core/hubcore.h"
#include "core/termination.h"
#include "pki/openssl.h"
#include "tray/trayicon.h"

#include <QApplication>
#include <QDeadlineTimer>
#include <QLocale>
#include <QLoggingCategory>
#include <QSystemTrayIcon>
#include <QThread>
#include <QTranslator>

int main(int argc, char **argv)
{
    occ::catchTerminationSignals(); // before anything else: no signal ever kills the program
    occ::pki::initOpenSsl();
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("occ-sensorhub"));
    QApplication::setApplicationDisplayName(QStringLiteral("OCC Sensorhub"));
    QApplication::setApplicationVersion(QStringLiteral(OCC_VERSION));
    QApplication::setQuitOnLastWindowClosed(false);
    QTranslator translator;
    // The user's language, else English (whose file holds the plural forms).
    if (translator.load(QLocale(), QStringLiteral("occ"), QStringLiteral("_"), QStringLiteral(":/i18n")) ||
        translator.load(QStringLiteral(":/i18n/occ_en.qm")))
        QApplication::installTranslator(&translator);
    const int code = occ::hub::runHubCli(
        QApplication::arguments(), [](occ::hub::HubCore &core) -> std::unique_ptr<QObject> {
            // At login the panel may come up after us: give it a moment.
            QDeadlineTimer deadline(10000);
            while (!QSystemTrayIcon::isSystemTrayAvailable() && !deadline.hasExpired() &&
                   !occ::terminationRequested()) {
                QCoreApplication::processEvents(QEventLoop::AllEvents, 200);
                QThread::msleep(200);
            }
            if (!QSystemTrayIcon::isSystemTrayAvailable()) {
                qWarning("occ-sensorhub: no system tray on this display: running without an icon "
                         "(occ-sensorhub status and reconnect still work)");
                return nullptr;
            }
            return std::make_unique<occ::hub::TrayIcon>(core);
        });
    occ::deleteDeferredObjects(); // nothing with a thread outlives main()
    return code;
}
