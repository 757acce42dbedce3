#include "cli/cloudcli.h"
#include "pki/openssl.h"

#include <QCoreApplication>

int main(int argc, char **argv)
{
    occ::pki::initOpenSsl();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("occ-cloud"));
    QCoreApplication::setApplicationVersion(QStringLiteral(OCC_VERSION));
    return occ::cloud::runCloudCli(QCoreApplication::arguments());
}
