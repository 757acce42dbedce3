#include "cloudcli.h"

#include "cli/cloudservices.h"
#include "cli/programcontext.h"
#include "core/logging.h"
#include "core/termination.h"
#include "server/cloudcontext.h"
#include "server/cloudserver.h"
#include "server/occpage.h"
#include "settings/commandline.h"

#include <cstdio>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTranslator>
#include <sys/stat.h>

namespace occ::cloud {
namespace {

const char kUsage[] =
    "Usage: occ-cloud COMMAND [options]\n\n"
    "Commands:\n"
    "  serve                      run the OCC cloud (HTTPS: SOAP, WSDL, OCC page)\n"
    "  customer add NAME          create a customer; prints its id and enrolment key\n"
    "  customers                  list customers\n"
    "  hubs                       list hubs with path, connector and last contact\n"
    "  measurements HUB           list a hub's measurements\n"
    "  command HUB KIND [ARG...]  queue reconnect | runSensor ID | reloadConfig | collectDiagnostics\n"
    "  commands [HUB]             list commands and their results\n"
    "  revoke ID|SERIAL           revoke the certificates of a hub or connector\n\n"
    "Run 'occ-cloud COMMAND --help' for the options of a command.\n";

void out(const QString &text)
{
    std::fputs(text.toUtf8().constData(), stdout);
    std::fflush(stdout);
}

int failWith(const Error &error)
{
    std::fprintf(stderr, "occ-cloud: %s\n", qPrintable(error.toString()));
    return error.category == ErrorCategory::Config || error.category == ErrorCategory::Input ? 2 : 1;
}

QString json(const QJsonValue &value)
{
    return QString::fromUtf8(value.isArray()
                                 ? QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented)
                                 : QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented));
}

QString isoTime(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs) : QString();
}

struct Invocation
{
    QCommandLineParser parser;
    settings::CommonOptions common;
    settings::Settings settings;
    QStringList positional;
};

// The data folder holds every customer's (encrypted) CA key and all measurements:
// whatever occ-cloud creates is for its own user only (issue 9 item 19). A folder
// the administrator made is kept as it is, with a warning when others may read it.
void keepPrivate(const QString &dataDir)
{
    ::umask(077);
    struct stat st
    {};
    if (::stat(QFile::encodeName(dataDir).constData(), &st) != 0) {
        QDir().mkpath(dataDir);
        ::chmod(QFile::encodeName(dataDir).constData(), 0700);
    } else if ((st.st_mode & 077) != 0) {
        std::fprintf(stderr,
                     "occ-cloud: warning: the data folder %s has mode %o; 0700 keeps its keys and "
                     "measurements from other users\n",
                     qPrintable(dataDir), unsigned(st.st_mode & 0777));
    }
}

// Parses the options of one command; returns an exit code when done already.
std::optional<int> parse(Invocation &in, const QStringList &arguments, const QString &syntax,
                         const QList<QCommandLineOption> &extra)
{
    in.parser.setApplicationDescription(QStringLiteral("occ-cloud ") + syntax);
    in.parser.addHelpOption();
    in.parser.addVersionOption();
    settings::addCommonOptions(in.parser);
    in.parser.addOption({QStringLiteral("db"),
                         QStringLiteral("Database URL (postgresql://USER:PW@HOST:PORT/DB)."),
                         QStringLiteral("URL")});
    in.parser.addOption({QStringLiteral("json"), QStringLiteral("Machine-readable output.")});
    in.parser.addOptions(extra);
    if (const std::optional<int> done =
            cli::parseCommandLine(in.parser, arguments, QStringLiteral("occ-cloud")))
        return *done;
    Result<settings::CommonOptions> common =
        settings::readCommonOptions(in.parser, QStringLiteral("occ-cloud"));
    if (!common)
        return failWith(common.error());
    in.common = *common;
    keepPrivate(in.common.dataDir);
    Result<settings::Settings> loaded = settings::loadSettings(in.common);
    if (!loaded)
        return failWith(loaded.error());
    in.settings = *loaded;
    in.positional = in.parser.positionalArguments();
    return std::nullopt;
}

Result<std::unique_ptr<CloudServices>> openServices(const Invocation &in, const Clock &clock)
{
    return CloudServices::open(in.common.dataDir, in.parser.value(QStringLiteral("db")), in.settings, clock);
}

Result<std::pair<QHostAddress, quint16>> parseListen(const QString &text)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    bool ok = false;
    const uint port = text.mid(colon + 1).toUInt(&ok);
    QString host = text.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    const QHostAddress address(host);
    if (colon <= 0 || !ok || port > 65535 || address.isNull())
        return fail(ErrorCategory::Config,
                    QStringLiteral("listen address must be ADDRESS:PORT, not '%1'").arg(text));
    return std::pair{address, quint16(port)};
}

int serve(const QStringList &arguments)
{
    Invocation in;
    if (auto done = parse(
            in, arguments,
            QStringLiteral("serve --data-dir DIR [--listen ADDR:PORT] [--page-listen ADDR:PORT] [--db URL]"),
            {{QStringLiteral("listen"), QStringLiteral("Address and port (default server/listen)."),
              QStringLiteral("ADDR:PORT")},
             {QStringLiteral("page-listen"),
              QStringLiteral("Operator address and port of the OCC page (default page/listen; 'off': "
                             "none)."),
              QStringLiteral("ADDR:PORT")}}))
        return *done;
    TerminationWatcher termination;
    installLogFile(in.common.dataDir, QStringLiteral("occ-cloud"));
    SystemClock clock;
    Result<std::unique_ptr<CloudServices>> services = openServices(in, clock);
    if (!services)
        return failWith(services.error());
    CloudServices &s = **services;
    const QString listenText = in.parser.isSet(QStringLiteral("listen"))
                                   ? in.parser.value(QStringLiteral("listen"))
                                   : in.settings.string(QStringLiteral("server/listen"));
    Result<std::pair<QHostAddress, quint16>> listen = parseListen(listenText);
    if (!listen)
        return failWith(listen.error());
    // The OCC page shows every customer: only on the operator address (page/listen).
    const QString pageText = in.parser.isSet(QStringLiteral("page-listen"))
                                 ? in.parser.value(QStringLiteral("page-listen"))
                                 : in.settings.string(QStringLiteral("page/listen"));
    std::pair<QHostAddress, quint16> pageListen;
    if (!pageText.isEmpty() && pageText != QLatin1StringView("off")) {
        Result<std::pair<QHostAddress, quint16>> parsed = parseListen(pageText);
        if (!parsed)
            return failWith(
                fail(ErrorCategory::Config, QStringLiteral("page/listen: ") + parsed.error().message));
        pageListen = *parsed;
        if (pageListen == *listen && pageListen.second != 0)
            return failWith(fail(ErrorCategory::Config,
                                 QStringLiteral("page/listen may not be server/listen (%1): the page shows "
                                                "every customer and must not be where hubs call")
                                     .arg(pageText)));
    }
    // The certificate also names the addresses the doors listen on, when each is one address.
    QStringList extraNames = in.settings.list(QStringLiteral("server/hostnames"));
    for (const QHostAddress &address : {listen->first, pageListen.first}) {
        if (!address.isNull() && !address.isEqual(QHostAddress::AnyIPv4) &&
            !address.isEqual(QHostAddress::AnyIPv6) && address != QHostAddress::Any)
            extraNames << address.toString();
    }
    Result<CloudPki::ServerCredentials> credentials =
        s.pki.serverCredentials(in.common.dataDir, in.settings.string(QStringLiteral("server/certificate")),
                                in.settings.string(QStringLiteral("server/key")),
                                in.settings.string(QStringLiteral("server/keyPassphraseFile")), extraNames);
    if (!credentials)
        return failWith(credentials.error());

    CloudServer server(s, in.settings, clock);
    if (Result<void> started =
            server.start(listen->first, listen->second, *credentials, pageListen.first, pageListen.second);
        !started)
        return failWith(started.error());
    const QString base = CloudServer::httpsBase(server.address(), server.port());
    const QString page = server.pageAddress().isNull()
                             ? QStringLiteral("off (page/listen)")
                             : CloudServer::httpsBase(server.pageAddress(), server.pagePort()) +
                                   QStringLiteral("/ (operators only: see page/listen)");
    out(QStringLiteral("occ-cloud " OCC_VERSION " serving %1/soap\n"
                       "  OCC page:  %4\n"
                       "  WSDL:      %1/soap?wsdl\n"
                       "  database:  %2\n"
                       "%3")
            .arg(base, s.database.config().describe(),
                 credentials->caFile.isEmpty()
                     ? QString()
                     : QStringLiteral("  server CA: %1 (what hubs and connectors take as --cloud-ca)\n")
                           .arg(credentials->caFile),
                 page));
    const int code = termination.runUntilStopped();
    server.stop();
    deleteDeferredObjects();
    qCInfo(lcNet) << "occ-cloud stopped";
    return code;
}

int customer(const QStringList &arguments)
{
    Invocation in;
    if (auto done = parse(in, arguments, QStringLiteral("customer add NAME --data-dir DIR [--json]"), {}))
        return *done;
    if (in.positional.value(1) == QLatin1StringView("list") || in.positional.size() < 3 ||
        in.positional.value(1) != QLatin1StringView("add")) {
        std::fprintf(stderr, "usage: occ-cloud customer add NAME --data-dir DIR [--json]\n");
        return 2;
    }
    SystemClock clock;
    Result<std::unique_ptr<CloudServices>> services = openServices(in, clock);
    if (!services)
        return failWith(services.error());
    Result<NewCustomer> created =
        (*services)->enrolment.createCustomer(in.positional.mid(2).join(QLatin1Char(' ')));
    if (!created)
        return failWith(created.error());
    if (in.parser.isSet(QStringLiteral("json")))
        out(json(QJsonObject{{QStringLiteral("customerId"), created->id},
                             {QStringLiteral("enrolmentKey"), created->enrolmentKey}}));
    else
        out(QStringLiteral("customerId:   %1\nenrolmentKey: %2\n(the key is shown only now; keep it safe)\n")
                .arg(created->id, created->enrolmentKey));
    return 0;
}

int customers(const QStringList &arguments)
{
    Invocation in;
    if (auto done = parse(in, arguments, QStringLiteral("customers --data-dir DIR [--json]"), {}))
        return *done;
    SystemClock clock;
    Result<std::unique_ptr<CloudServices>> services = openServices(in, clock);
    if (!services)
        return failWith(services.error());
    Result<QList<CustomerRecord>> list = (*services)->registry.customers();
    if (!list)
        return failWith(list.error());
    QJsonArray array;
    QString text;
    for (const CustomerRecord &c : std::as_const(*list)) {
        array.append(QJsonObject{{QStringLiteral("customerId"), c.id},
                                 {QStringLiteral("name"), c.name},
                                 {QStringLiteral("created"), isoTime(c.created)}});
        text += QStringLiteral("%1  %2\n").arg(c.id, c.name);
    }
    out(in.parser.isSet(QStringLiteral("json")) ? json(array) : text);
    return 0;
}

int hubs(const QStringList &arguments)
{
    Invocation in;
    if (auto done = parse(in, arguments, QStringLiteral("hubs --data-dir DIR [--json]"), {}))
        return *done;
    SystemClock clock;
    Result<std::unique_ptr<CloudServices>> services = openServices(in, clock);
    if (!services)
        return failWith(services.error());
    Result<QList<HubRecord>> list = (*services)->measurements.hubs();
    if (!list)
        return failWith(list.error());
    const qint64 now = clock.epochMs();
    const qint64 offlineAfter = in.settings.millis(QStringLiteral("server/offlineAfter"));
    QJsonArray array;
    QString text = QStringLiteral("%1 %2 %3 %4 %5 %6\n")
                       .arg(QStringLiteral("HUB"), -36)
                       .arg(QStringLiteral("HOST"), -20)
                       .arg(QStringLiteral("PATH"), -13)
                       .arg(QStringLiteral("CONNECTOR"), -36)
                       .arg(QStringLiteral("LAST SEQ"), 9)
                       .arg(QStringLiteral("LAST SEEN"));
    for (const HubRecord &h : std::as_const(*list)) {
        const QString path = OccPage::effectivePath(h, now, offlineAfter);
        array.append(QJsonObject{{QStringLiteral("hubId"), h.hubId},
                                 {QStringLiteral("hostname"), h.hostname},
                                 {QStringLiteral("path"), path},
                                 {QStringLiteral("reportedPath"), h.path},
                                 {QStringLiteral("connectorId"), h.connectorId},
                                 {QStringLiteral("customerId"), h.customerId},
                                 {QStringLiteral("lastSeen"), isoTime(h.lastSeen)},
                                 {QStringLiteral("lastSeenMs"), h.lastSeen},
                                 {QStringLiteral("lastSeq"), h.lastSeq},
                                 {QStringLiteral("count"), h.count},
                                 {QStringLiteral("queueDepth"), h.queueDepth},
                                 {QStringLiteral("dropped"), h.dropped},
                                 {QStringLiteral("os"), h.os},
                                 {QStringLiteral("agentVersion"), h.agentVersion}});
        text += QStringLiteral("%1 %2 %3 %4 %5 %6\n")
                    .arg(h.hubId, -36)
                    .arg(h.hostname.left(20), -20)
                    .arg(path, -13)
                    .arg(h.connectorId.isEmpty() ? QStringLiteral("-") : h.connectorId, -36)
                    .arg(h.lastSeq, 9)
                    .arg(isoTime(h.lastSeen));
    }
    out(in.parser.isSet(QStringLiteral("json")) ? json(array) : text);
    return 0;
}

int measurements(const QStringList &arguments)
{
    Invocation in;
    if (auto done =
            parse(in, arguments,
                  QStringLiteral("measurements HUB --data-dir DIR [--json] [--after SEQ] [--limit N]"),
                  {{QStringLiteral("after"), QStringLiteral("Only seq above this."), QStringLiteral("SEQ"),
                    QStringLiteral("0")},
                   {QStringLiteral("limit"), QStringLiteral("At most N rows."), QStringLiteral("N"),
                    QStringLiteral("1000000")}}))
        return *done;
    if (in.positional.size() != 2) {
        std::fprintf(stderr, "usage: occ-cloud measurements HUB --data-dir DIR [--json]\n");
        return 2;
    }
    SystemClock clock;
    Result<std::unique_ptr<CloudServices>> services = openServices(in, clock);
    if (!services)
        return failWith(services.error());
    Result<QList<StoredMeasurement>> list = (*services)->measurements.measurements(
        in.positional.at(1), in.parser.value(QStringLiteral("after")).toLongLong(),
        in.parser.value(QStringLiteral("limit")).toInt());
    if (!list)
        return failWith(list.error());
    QJsonArray array;
    QString text;
    for (const StoredMeasurement &s : std::as_const(*list)) {
        QJsonObject values;
        QStringList valueText;
        for (auto it = s.measurement.values.cbegin(); it != s.measurement.values.cend(); ++it) {
            values.insert(it.key(), it.value());
            valueText << QStringLiteral("%1=%2").arg(it.key()).arg(it.value());
        }
        array.append(QJsonObject{{QStringLiteral("seq"), s.measurement.seq},
                                 {QStringLiteral("sensor"), s.measurement.sensor},
                                 {QStringLiteral("ts"), s.measurement.ts},
                                 {QStringLiteral("status"), protocol::enumName(s.measurement.status)},
                                 {QStringLiteral("values"), values},
                                 {QStringLiteral("text"), s.measurement.text},
                                 {QStringLiteral("received"), s.received},
                                 {QStringLiteral("via"), s.via}});
        text += QStringLiteral("%1 %2 %3 %4 %5 %6\n")
                    .arg(s.measurement.seq, 8)
                    .arg(isoTime(s.measurement.ts), -24)
                    .arg(s.measurement.sensor, -12)
                    .arg(protocol::enumName(s.measurement.status), -7)
                    .arg(valueText.join(QLatin1Char(' ')), s.measurement.text);
    }
    out(in.parser.isSet(QStringLiteral("json")) ? json(array) : text);
    return 0;
}

int command(const QStringList &arguments)
{
    Invocation in;
    if (auto done = parse(
            in, arguments, QStringLiteral("command HUB KIND [ARG...] --data-dir DIR [--ttl SECONDS]"),
            {{QStringLiteral("ttl"), QStringLiteral("Seconds the command stays valid (server/commandTtl)."),
              QStringLiteral("SECONDS")}}))
        return *done;
    if (in.positional.size() < 3) {
        std::fprintf(stderr, "usage: occ-cloud command HUB KIND [ARG...] --data-dir DIR\n");
        return 2;
    }
    SystemClock clock;
    Result<std::unique_ptr<CloudServices>> services = openServices(in, clock);
    if (!services)
        return failWith(services.error());
    const QString hubId = in.positional.at(1);
    Result<std::optional<NodeRecord>> node = (*services)->registry.node(hubId);
    if (!node)
        return failWith(node.error());
    if (!*node || (*node)->role != QLatin1StringView("hub"))
        return failWith(fail(ErrorCategory::Input, QStringLiteral("no enrolled hub '%1'").arg(hubId)));
    const qint64 ttl = in.parser.isSet(QStringLiteral("ttl"))
                           ? in.parser.value(QStringLiteral("ttl")).toLongLong() * 1000
                           : in.settings.millis(QStringLiteral("server/commandTtl"));
    Result<CommandRecord> queued = (*services)->commands.enqueue(
        hubId, in.positional.at(2), in.positional.mid(3), ttl, QStringLiteral("cli"), clock.epochMs());
    if (!queued)
        return failWith(queued.error());
    out(in.parser.isSet(QStringLiteral("json")) ? json(QJsonObject{{QStringLiteral("commandId"), queued->id}})
                                                : queued->id + QLatin1Char('\n'));
    return 0;
}

int commands(const QStringList &arguments)
{
    Invocation in;
    if (auto done = parse(in, arguments, QStringLiteral("commands [HUB] --data-dir DIR [--json]"), {}))
        return *done;
    SystemClock clock;
    Result<std::unique_ptr<CloudServices>> services = openServices(in, clock);
    if (!services)
        return failWith(services.error());
    Result<QList<CommandRecord>> list =
        (*services)->commands.list(clock.epochMs(), in.positional.value(1), 1000);
    if (!list)
        return failWith(list.error());
    QJsonArray array;
    QString text;
    for (const CommandRecord &c : std::as_const(*list)) {
        array.append(QJsonObject{{QStringLiteral("commandId"), c.id},
                                 {QStringLiteral("hubId"), c.hubId},
                                 {QStringLiteral("kind"), c.kind},
                                 {QStringLiteral("args"), QJsonArray::fromStringList(c.args)},
                                 {QStringLiteral("state"), c.state},
                                 {QStringLiteral("created"), isoTime(c.created)},
                                 {QStringLiteral("delivered"), isoTime(c.delivered)},
                                 {QStringLiteral("completed"), isoTime(c.completed)},
                                 {QStringLiteral("ok"), c.ok},
                                 {QStringLiteral("detail"), c.detail},
                                 {QStringLiteral("issuedBy"), c.issuedBy}});
        text += QStringLiteral("%1 %2 %3 %4 %5\n")
                    .arg(c.id, -36)
                    .arg(c.hubId, -36)
                    .arg((c.kind + QLatin1Char(' ') + c.args.join(QLatin1Char(' '))).trimmed(), -20)
                    .arg(c.state, -9)
                    .arg(c.detail.left(60));
    }
    out(in.parser.isSet(QStringLiteral("json")) ? json(array) : text);
    return 0;
}

int revoke(const QStringList &arguments)
{
    Invocation in;
    if (auto done = parse(in, arguments, QStringLiteral("revoke ID|SERIAL --data-dir DIR"), {}))
        return *done;
    if (in.positional.size() != 2) {
        std::fprintf(stderr, "usage: occ-cloud revoke ID|SERIAL --data-dir DIR\n");
        return 2;
    }
    SystemClock clock;
    Result<std::unique_ptr<CloudServices>> services = openServices(in, clock);
    if (!services)
        return failWith(services.error());
    Result<int> count = (*services)->registry.revoke(in.positional.at(1), clock.epochMs());
    if (!count)
        return failWith(count.error());
    if (*count == 0)
        return failWith(fail(ErrorCategory::Input,
                             QStringLiteral("no unrevoked certificate for '%1'").arg(in.positional.at(1))));
    out(QStringLiteral("revoked %1 certificate(s) of %2\n").arg(*count).arg(in.positional.at(1)));
    return 0;
}

} // namespace

int runCloudCli(const QStringList &arguments)
{
    const QString command = arguments.value(1);
    // QCommandLineParser sees "occ-cloud <command> ..." so that positional
    // arguments keep their meaning per command.
    const QStringList rest = QStringList{arguments.value(0)} + arguments.mid(1);
    if (command == QLatin1StringView("serve"))
        return serve(rest);
    if (command == QLatin1StringView("customer"))
        return customer(rest);
    if (command == QLatin1StringView("customers"))
        return customers(rest);
    if (command == QLatin1StringView("hubs"))
        return hubs(rest);
    if (command == QLatin1StringView("measurements"))
        return measurements(rest);
    if (command == QLatin1StringView("command"))
        return cloud::command(rest);
    if (command == QLatin1StringView("commands"))
        return commands(rest);
    if (command == QLatin1StringView("revoke"))
        return revoke(rest);
    if (command == QLatin1StringView("--version")) {
        out(QStringLiteral("occ-cloud " OCC_VERSION "\n"));
        return 0;
    }
    out(QString::fromLatin1(kUsage));
    return command.isEmpty() || command == QLatin1StringView("--help") || command == QLatin1StringView("-h")
               ? 0
               : 2;
}

} // namespace occ::cloud
