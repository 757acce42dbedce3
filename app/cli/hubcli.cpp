#include "hubcli.h"

#include "cli/programcontext.h"
#include "control/localcontrol.h"
#include "core/hubcore.h"
#include "core/logging.h"
#include "core/termination.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <QCoreApplication>
#include <QDateTime>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkProxyFactory>
#include <unistd.h>
#include <vector>

namespace occ::hub {
namespace {

const QString kProgram = QStringLiteral("occ-sensorhub");

const char kUsage[] =
    "Usage: occ-sensorhub [COMMAND] [options]\n\n"
    "Commands:\n"
    "  enrol --cloud URL [--cloud-ca FILE] --customer ID --key KEY   enrol this machine as a hub\n"
    "  run [--headless]          run the Sensorhub (the default command)\n"
    "  status [--json]           state of the running Sensorhub\n"
    "  reconnect                 ask the running Sensorhub to reconnect now\n"
    "  set-proxy-password        read the proxy password from stdin into the keychain\n\n"
    "Every command takes --data-dir DIR, --config FILE and --set group/key=value.\n";

QString statusText(const QJsonObject &s)
{
    if (!s.contains(QStringLiteral("hubId")))
        return QStringLiteral("state       %1 (run occ-sensorhub enrol first)\n")
            .arg(s[QStringLiteral("state")].toString());
    const QJsonObject connector = s[QStringLiteral("connector")].toObject();
    const QJsonObject cloud = s[QStringLiteral("cloud")].toObject();
    QString path = s[QStringLiteral("state")].toString() + QStringLiteral(" since ") +
                   s[QStringLiteral("since")].toString();
    if (!s[QStringLiteral("connectorId")].toString().isEmpty())
        path += QStringLiteral("\n            connector %1 at %2:%3 via %4")
                    .arg(s[QStringLiteral("connectorId")].toString(),
                         connector[QStringLiteral("address")].toString())
                    .arg(connector[QStringLiteral("port")].toInt())
                    .arg(connector[QStringLiteral("interface")].toString());
    const QString lastError = cloud[QStringLiteral("lastError")].toString();
    return QStringLiteral("hub         %1 (customer %2), version %3\n"
                          "state       %4\n"
                          "outbox      %5 waiting, %6 dropped, last delivery %7\n"
                          "cloud       %8, proxy: %9%10\n"
                          "cache       %11 connectors known\n")
        .arg(s[QStringLiteral("hubId")].toString(), s[QStringLiteral("customerId")].toString(),
             s[QStringLiteral("version")].toString(), path)
        .arg(s[QStringLiteral("queueDepth")].toInteger())
        .arg(s[QStringLiteral("dropped")].toInteger())
        .arg(s[QStringLiteral("lastDelivery")].toString().isEmpty()
                 ? QStringLiteral("never")
                 : s[QStringLiteral("lastDelivery")].toString())
        .arg(cloud[QStringLiteral("url")].toString(), cloud[QStringLiteral("proxy")].toString(),
             lastError.isEmpty() ? QString() : QStringLiteral("\n            last error: ") + lastError)
        .arg(s[QStringLiteral("cachedConnectors")].toArray().size());
}

int query(const cli::ProgramContext &context, const QString &command, bool json)
{
    Result<QJsonObject> answer = control::controlRequest(controlSocketPath(context.options.dataDir),
                                                         {{QStringLiteral("command"), command}});
    if (!answer)
        return cli::failWith(kProgram, answer.error());
    if (!answer->value(QStringLiteral("ok")).toBool())
        return cli::failWith(kProgram,
                             fail(ErrorCategory::Input, answer->value(QStringLiteral("error")).toString()));
    if (json)
        cli::print(QString::fromUtf8(QJsonDocument(*answer).toJson(QJsonDocument::Indented)));
    else if (command == QLatin1StringView("status"))
        cli::print(statusText(*answer));
    else
        cli::print(QStringLiteral("reconnecting (state %1)\n")
                       .arg(answer->value(QStringLiteral("state")).toString()));
    return 0;
}

// `run` without --headless in the headless program: the tray program, if there is
// a display and the tray program is installed next to this one. Returns only when
// it could not hand over.
void handOverToTray(const QStringList &arguments)
{
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY")) {
        std::fprintf(stderr, "occ-sensorhub: no display: running headless\n");
        return;
    }
    const QString tray = QCoreApplication::applicationDirPath() + QStringLiteral("/occ-sensorhub-tray");
    if (!QFileInfo(tray).isExecutable()) {
        std::fprintf(stderr, "occ-sensorhub: %s is not installed: running headless\n", qPrintable(tray));
        return;
    }
    QList<QByteArray> storage;
    storage.append(QFile::encodeName(tray));
    for (qsizetype i = 1; i < arguments.size(); ++i)
        storage.append(arguments.at(i).toLocal8Bit());
    std::vector<char *> argv;
    for (QByteArray &a : storage)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    std::fflush(stdout);
    ::execv(argv.front(), argv.data());
    std::fprintf(stderr, "occ-sensorhub: cannot start %s (%s): running headless\n", qPrintable(tray),
                 std::strerror(errno));
}

int run(cli::ProgramContext &context, const UiFactory &ui)
{
    TerminationWatcher termination;
    installLogFile(context.options.dataDir, kProgram);
    QNetworkProxyFactory::setUseSystemConfiguration(true);
    SystemClock clock;
    HubCore core(context.options.dataDir, context.settings, *context.secrets, clock);
    QObject::connect(
        &core, &HubCore::stateChanged, &core, [&core](ConnectionState previous, ConnectionState current) {
            // One line per change on stdout: what an administrator (and a test) follows.
            const QJsonObject s = core.status();
            const QString connector = s[QStringLiteral("connectorId")].toString();
            cli::print(QStringLiteral("%1 state %2 -> %3%4\n")
                           .arg(QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs),
                                stateName(previous), stateName(current),
                                connector.isEmpty() ? QString() : QStringLiteral(" connector ") + connector));
            std::fflush(stdout);
        });
    if (Result<void> started = core.start(); !started)
        return cli::failWith(kProgram, started.error());
    if (core.state() == ConnectionState::NotEnrolled && !ui) {
        std::fprintf(
            stderr,
            "occ-sensorhub: this hub is not enrolled. Run: occ-sensorhub enrol --data-dir %s --cloud URL "
            "--customer ID --key KEY\n",
            qPrintable(context.options.dataDir));
        return 3;
    }
    if (core.state() == ConnectionState::NotEnrolled)
        cli::print(QStringLiteral("occ-sensorhub running, not enrolled yet (data %1)\n")
                       .arg(context.options.dataDir));
    else
        cli::print(QStringLiteral("occ-sensorhub %1 running (data %2)\n")
                       .arg(core.hubId(), context.options.dataDir));
    std::fflush(stdout);
    std::unique_ptr<QObject> frontEnd = ui && !termination.requested() ? ui(core) : nullptr;
    const int code = termination.runUntilStopped();
    frontEnd.reset();
    core.stop();
    deleteDeferredObjects(); // what the links let go of during the stop
    return code;
}

} // namespace

int runHubCli(const QStringList &arguments, const UiFactory &ui)
{
    QString command = arguments.value(1);
    QStringList rest = arguments.mid(2);
    if (command == QLatin1StringView("--help") || command == QLatin1StringView("-h")) {
        cli::print(QString::fromLatin1(kUsage));
        return 0;
    }
    if (command == QLatin1StringView("--version")) {
        cli::print(QStringLiteral("occ-sensorhub " OCC_VERSION "\n"));
        return 0;
    }
    if (command.isEmpty() || command.startsWith(QLatin1Char('-'))) {
        // `occ-sensorhub [--headless] --data-dir DIR`: run is the default.
        rest = arguments.mid(1);
        command = QStringLiteral("run");
    }
    const QStringList known{QStringLiteral("enrol"), QStringLiteral("run"), QStringLiteral("status"),
                            QStringLiteral("reconnect"), QStringLiteral("set-proxy-password")};
    if (!known.contains(command)) {
        std::fprintf(stderr, "occ-sensorhub: unknown command '%s'\n\n%s", qPrintable(command), kUsage);
        return 2;
    }
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("occ-sensorhub ") + command);
    parser.addHelpOption();
    parser.addVersionOption();
    settings::addCommonOptions(parser);
    parser.addOption({QStringLiteral("json"), QStringLiteral("Machine-readable output.")});
    parser.addOption(
        {QStringLiteral("headless"), QStringLiteral("Run without the tray icon (servers, services).")});
    if (command == QLatin1StringView("enrol"))
        cli::addEnrolOptions(parser);
    if (const std::optional<int> done =
            cli::parseCommandLine(parser, QStringList{arguments.value(0)} + rest, kProgram))
        return *done;
    Result<cli::ProgramContext> context = cli::prepare(parser, kProgram);
    if (!context)
        return cli::failWith(kProgram, context.error());
    const bool json = parser.isSet(QStringLiteral("json"));
    if (command == QLatin1StringView("enrol"))
        return cli::enrol(*context, parser, pki::Role::Hub);
    if (command == QLatin1StringView("run")) {
        if (!ui && !parser.isSet(QStringLiteral("headless")))
            handOverToTray(arguments);
        return run(*context, ui);
    }
    if (command == QLatin1StringView("status") || command == QLatin1StringView("reconnect"))
        return query(*context, command, json);
    return cli::setProxyPassword(*context);
}

} // namespace occ::hub
