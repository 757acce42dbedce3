#include "cli/connectorcli.h"
#include "pki/openssl.h"

#include <QCoreApplication>

int main(int argc, char **argv)
{
    occ::pki::initOpenSsl();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("occ-connector"));
    QCoreApplication::setApplicationVersion(QStringLiteral(OCC_VERSION));
    return occ::connector::runConnectorCli(QCoreApplication::arguments());
}
