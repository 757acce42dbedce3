// The rogue host of the end-to-end rogue scenario, run inside its own namespace:
// RogueConnector with a self-signed certificate that claims to be a connector of
// the victim's customer. Prints its counters every half second:
//   ROGUE answers=N attempts=N encrypted=N bytes=N
#include "rogueconnector.h"
#include "testpki.h"

#include <cstdio>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QTimer>
#include <QUuid>

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOptions(
        {{QStringLiteral("customer"), QStringLiteral("Customer id to claim."), QStringLiteral("ID")},
         {QStringLiteral("address"), QStringLiteral("Address to listen on."), QStringLiteral("ADDR")},
         {QStringLiteral("interface"), QStringLiteral("Interface for SSDP."), QStringLiteral("IF")}});
    parser.process(app);
    const QString id = QUuid::createUuid().toString(QUuid::WithoutBraces);
    const QString customer = parser.value(QStringLiteral("customer"));
    const occ::test::Credentials credentials =
        occ::test::TestPki::selfSigned(id, customer, occ::pki::Role::Connector);
    occ::test::RogueConnector rogue({id, customer, QHostAddress(parser.value(QStringLiteral("address"))),
                                     1900, QHostAddress(QStringLiteral("239.255.255.250")),
                                     parser.value(QStringLiteral("interface"))},
                                    credentials.certificate, credentials.sslKey);
    QString error;
    if (!rogue.start(&error)) {
        std::fprintf(stderr, "e2e_rogue: %s\n", qPrintable(error));
        return 1;
    }
    QTimer report;
    QObject::connect(&report, &QTimer::timeout, [&rogue] {
        std::printf("ROGUE answers=%d attempts=%d encrypted=%d bytes=%lld\n", rogue.answers(),
                    rogue.attempts(), rogue.encrypted(), static_cast<long long>(rogue.bytes()));
        std::fflush(stdout);
    });
    report.start(500);
    return QCoreApplication::exec();
}
