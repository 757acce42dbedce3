#include "cli/hubcli.h"
#include "core/termination.h"
#include "pki/openssl.h"

#include <QCoreApplication>

int main(int argc, char **argv)
{
    occ::catchTerminationSignals(); // before anything else: no signal ever kills the program
    occ::pki::initOpenSsl();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("occ-sensorhub"));
    QCoreApplication::setApplicationVersion(QStringLiteral(OCC_VERSION));
    const int code = occ::hub::runHubCli(QCoreApplication::arguments());
    occ::deleteDeferredObjects(); // nothing with a thread outlives main()
    return code;
}
