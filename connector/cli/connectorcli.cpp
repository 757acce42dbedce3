#include "connectorcli.h"

#include "admin/adminprotocol.h"
#include "cli/programcontext.h"
#include "control/localcontrol.h"
#include "core/connectorcore.h"
#include "core/logging.h"
#include "core/termination.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkProxyFactory>
#include <QTextStream>

namespace occ::connector {
namespace {

const QString kProgram = QStringLiteral("occ-connector");

const char kUsage[] =
    "Usage: occ-connector COMMAND [options]\n\n"
    "Commands:\n"
    "  enrol --cloud URL [--cloud-ca FILE] --customer ID --key KEY   enrol this connector\n"
    "  run                       run the connector (hub server, UPnP, uplink, admin socket)\n"
    "  status [--json]           state of the running connector\n"
    "  hubs [--json]             hubs connected to the running connector\n"
    "  quarantine [--json]       measurements set aside because the cloud refuses them\n"
    "  console                   interactive admin console\n"
    "  renew-certificate         renew the connector's certificate now (the running connector)\n"
    "  set-proxy-password        read the proxy password from stdin into the keychain\n\n"
    "Every command takes --data-dir DIR, --config FILE and --set group/key=value.\n";

QString table(const QJsonArray &hubs)
{
    QString text = QStringLiteral("%1 %2 %3 %4 %5\n")
                       .arg(QStringLiteral("HUB"), -36)
                       .arg(QStringLiteral("HOST"), -20)
                       .arg(QStringLiteral("PATH"), -13)
                       .arg(QStringLiteral("PEER"), -22)
                       .arg(QStringLiteral("SINCE"));
    for (const QJsonValue &hub : hubs)
        text += QStringLiteral("%1 %2 %3 %4 %5\n")
                    .arg(hub[QStringLiteral("hubId")].toString(), -36)
                    .arg(hub[QStringLiteral("hostname")].toString().left(20), -20)
                    .arg(hub[QStringLiteral("path")].toString(), -13)
                    .arg(hub[QStringLiteral("peer")].toString(), -22)
                    .arg(hub[QStringLiteral("since")].toString());
    return text;
}

QString quarantineText(const QJsonObject &answer)
{
    const QJsonArray entries = answer.value(QStringLiteral("entries")).toArray();
    QString text =
        QStringLiteral("%1 measurements quarantined").arg(answer.value(QStringLiteral("total")).toInteger());
    text += entries.isEmpty() ? QStringLiteral("\n") : QStringLiteral("; newest first:\n");
    for (const QJsonValue &e : entries)
        text += QStringLiteral("%1  %2  seq %3-%4 (%5): %6\n")
                    .arg(e[QStringLiteral("at")].toString(), e[QStringLiteral("hubId")].toString())
                    .arg(e[QStringLiteral("firstSeq")].toInteger())
                    .arg(e[QStringLiteral("lastSeq")].toInteger())
                    .arg(e[QStringLiteral("count")].toInteger())
                    .arg(e[QStringLiteral("reason")].toString());
    return text;
}

QString statusText(const QJsonObject &s)
{
    const QJsonObject hubs = s[QStringLiteral("hubs")].toObject();
    const QJsonObject cloud = s[QStringLiteral("cloud")].toObject();
    const QJsonObject spool = s[QStringLiteral("spool")].toObject();
    const QJsonObject handshakes = s[QStringLiteral("handshakes")].toObject();
    return QStringLiteral("connector   %1 (customer %2), version %3, up %4 s\n"
                          "listening   %5\n"
                          "hubs        %6 connected: %7 LAN, %8 VPN\n"
                          "handshakes  %9 completed, %10 resumed, %11 failed, %12 in progress\n"
                          "throughput  %13 batches/s, %14 measurements/s (last 10 s)\n"
                          "spool       %15 batches, %16 of %17 bytes, %22 measurements quarantined\n"
                          "cloud       %18 %19, proxy: %20%21\n")
        .arg(s[QStringLiteral("connectorId")].toString(), s[QStringLiteral("customerId")].toString(),
             s[QStringLiteral("version")].toString())
        .arg(s[QStringLiteral("uptimeSeconds")].toInteger())
        .arg(s[QStringLiteral("listen")].toString())
        .arg(hubs[QStringLiteral("total")].toInt())
        .arg(hubs[QStringLiteral("ConnectorLan")].toInt())
        .arg(hubs[QStringLiteral("ConnectorVpn")].toInt())
        .arg(handshakes[QStringLiteral("completed")].toInteger())
        .arg(handshakes[QStringLiteral("resumed")].toInteger())
        .arg(handshakes[QStringLiteral("failed")].toInteger())
        .arg(handshakes[QStringLiteral("inProgress")].toInteger())
        .arg(s[QStringLiteral("batchesPerSecond")].toDouble(), 0, 'f', 1)
        .arg(s[QStringLiteral("measurementsPerSecond")].toDouble(), 0, 'f', 0)
        .arg(spool[QStringLiteral("batches")].toInteger())
        .arg(spool[QStringLiteral("bytes")].toInteger())
        .arg(spool[QStringLiteral("maxBytes")].toInteger())
        .arg(cloud[QStringLiteral("reachable")].toBool() ? QStringLiteral("reachable")
                                                         : QStringLiteral("UNREACHABLE"),
             cloud[QStringLiteral("url")].toString(), cloud[QStringLiteral("proxy")].toString(),
             cloud[QStringLiteral("lastError")].toString().isEmpty()
                 ? QString()
                 : QStringLiteral("\n            last error: ") +
                       cloud[QStringLiteral("lastError")].toString())
        .arg(spool[QStringLiteral("quarantined")].toInteger());
}

int query(const cli::ProgramContext &context, const QJsonObject &request, bool json,
          const std::function<QString(const QJsonObject &)> &format)
{
    Result<QJsonObject> answer = control::controlRequest(adminSocketPath(context.options.dataDir), request);
    if (!answer)
        return cli::failWith(kProgram, answer.error());
    if (!answer->value(QStringLiteral("ok")).toBool())
        return cli::failWith(kProgram,
                             fail(ErrorCategory::Input, answer->value(QStringLiteral("error")).toString()));
    cli::print(json ? QString::fromUtf8(QJsonDocument(*answer).toJson(QJsonDocument::Indented))
                    : format(*answer));
    return 0;
}

int console(const cli::ProgramContext &context)
{
    const QString socket = adminSocketPath(context.options.dataDir);
    cli::print(QStringLiteral("occ-connector console (%1). Type help.\n").arg(context.options.dataDir));
    QTextStream in(stdin);
    while (true) {
        cli::print(QStringLiteral("occ> "));
        const QString line = in.readLine();
        if (line.isNull())
            break;
        const QStringList words = line.simplified().split(QLatin1Char(' '), Qt::SkipEmptyParts);
        if (words.isEmpty())
            continue;
        const QString command = words.first();
        if (command == QLatin1StringView("quit") || command == QLatin1StringView("exit"))
            break;
        if (command == QLatin1StringView("help")) {
            cli::print(QStringLiteral("  hubs            connected hubs\n"
                                      "  hub ID          one hub in detail\n"
                                      "  stats           connector statistics\n"
                                      "  quarantine      measurements set aside (the cloud refuses them)\n"
                                      "  kick ID         close a hub's session (it reconnects)\n"
                                      "  reconnect-all   ask every hub to reconnect\n"
                                      "  help, quit\n"));
            continue;
        }
        QJsonObject request{{QStringLiteral("command"), command}};
        if (words.size() > 1)
            request.insert(QStringLiteral("id"), words.at(1));
        Result<QJsonObject> answer = control::controlRequest(socket, request);
        if (!answer) {
            cli::print(QStringLiteral("error: %1\n").arg(answer.error().message));
            continue;
        }
        if (!answer->value(QStringLiteral("ok")).toBool()) {
            cli::print(QStringLiteral("error: %1\n").arg(answer->value(QStringLiteral("error")).toString()));
        } else if (command == QLatin1StringView("hubs")) {
            cli::print(table(answer->value(QStringLiteral("hubs")).toArray()));
        } else if (command == QLatin1StringView("stats") || command == QLatin1StringView("status")) {
            cli::print(statusText(*answer));
        } else if (command == QLatin1StringView("quarantine")) {
            cli::print(quarantineText(*answer));
        } else if (command == QLatin1StringView("hub")) {
            cli::print(QString::fromUtf8(QJsonDocument(answer->value(QStringLiteral("hub")).toObject())
                                             .toJson(QJsonDocument::Indented)));
        } else if (command == QLatin1StringView("reconnect-all")) {
            cli::print(QStringLiteral("asked %1 hubs to reconnect\n")
                           .arg(answer->value(QStringLiteral("count")).toInt()));
        } else {
            cli::print(QStringLiteral("ok\n"));
        }
    }
    return 0;
}

int run(cli::ProgramContext &context)
{
    TerminationWatcher termination;
    installLogFile(context.options.dataDir, kProgram);
    QNetworkProxyFactory::setUseSystemConfiguration(true);
    SystemClock clock;
    ConnectorCore core(context.options.dataDir, context.settings, *context.secrets, clock);
    if (Result<void> started = core.start(); !started)
        return cli::failWith(kProgram, started.error());
    cli::print(
        QStringLiteral("occ-connector %1 listening on port %2\n").arg(core.connectorId()).arg(core.port()));
    const int code = termination.runUntilStopped();
    core.stop();
    deleteDeferredObjects();
    return code;
}

} // namespace

int runConnectorCli(const QStringList &arguments)
{
    const QString command = arguments.value(1);
    if (command.isEmpty() || command == QLatin1StringView("--help") || command == QLatin1StringView("-h")) {
        cli::print(QString::fromLatin1(kUsage));
        return 0;
    }
    if (command == QLatin1StringView("--version")) {
        cli::print(QStringLiteral("occ-connector " OCC_VERSION "\n"));
        return 0;
    }
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("occ-connector ") + command);
    parser.addHelpOption();
    parser.addVersionOption();
    settings::addCommonOptions(parser);
    parser.addOption({QStringLiteral("json"), QStringLiteral("Machine-readable output.")});
    if (command == QLatin1StringView("enrol"))
        cli::addEnrolOptions(parser);
    const QStringList known{QStringLiteral("enrol"),      QStringLiteral("run"),
                            QStringLiteral("status"),     QStringLiteral("hubs"),
                            QStringLiteral("console"),    QStringLiteral("set-proxy-password"),
                            QStringLiteral("quarantine"), QStringLiteral("renew-certificate")};
    if (!known.contains(command)) {
        std::fprintf(stderr, "occ-connector: unknown command '%s'\n\n%s", qPrintable(command), kUsage);
        return 2;
    }
    if (const std::optional<int> done =
            cli::parseCommandLine(parser, QStringList{arguments.value(0)} + arguments.mid(2), kProgram))
        return *done;
    Result<cli::ProgramContext> context = cli::prepare(parser, kProgram);
    if (!context)
        return cli::failWith(kProgram, context.error());
    const bool json = parser.isSet(QStringLiteral("json"));
    if (command == QLatin1StringView("enrol"))
        return cli::enrol(*context, parser, pki::Role::Connector);
    if (command == QLatin1StringView("run"))
        return run(*context);
    if (command == QLatin1StringView("status"))
        return query(*context, {{QStringLiteral("command"), QStringLiteral("status")}}, json, statusText);
    if (command == QLatin1StringView("hubs"))
        return query(*context, {{QStringLiteral("command"), QStringLiteral("hubs")}}, json,
                     [](const QJsonObject &a) { return table(a.value(QStringLiteral("hubs")).toArray()); });
    if (command == QLatin1StringView("renew-certificate"))
        return query(*context, {{QStringLiteral("command"), command}}, json, [](const QJsonObject &a) {
            return QStringLiteral(
                       "renewal requested (current certificate %1); the log says when it is done\n")
                .arg(a.value(QStringLiteral("serial")).toString());
        });
    if (command == QLatin1StringView("quarantine"))
        return query(*context, {{QStringLiteral("command"), QStringLiteral("quarantine")}}, json,
                     quarantineText);
    if (command == QLatin1StringView("console"))
        return console(*context);
    return cli::setProxyPassword(*context);
}

} // namespace occ::connector
