#include "cli/hubcli.h"
#include "pki/openssl.h"

#include <QCoreApplication>

int main(int argc, char **argv)
{
    occ::pki::initOpenSsl();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("occ-sensorhub"));
    QCoreApplication::setApplicationVersion(QStringLiteral(OCC_VERSION));
    return occ::hub::runHubCli(QCoreApplication::arguments());
}
