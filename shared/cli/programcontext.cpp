#include "programcontext.h"

#include "identity/enroller.h"
#include "identity/identity.h"

#include <cstdio>
#include <QHostInfo>
#include <QTextStream>
#include <QUrl>

namespace occ::cli {

int failWith(const QString &program, const Error &error)
{
    std::fprintf(stderr, "%s: %s\n", qPrintable(program), qPrintable(error.toString()));
    return error.category == ErrorCategory::Config || error.category == ErrorCategory::Input ? 2 : 1;
}

void print(const QString &text)
{
    std::fputs(text.toUtf8().constData(), stdout);
    std::fflush(stdout);
}

std::optional<int> parseCommandLine(QCommandLineParser &parser, const QStringList &arguments,
                                    const QString &program)
{
    if (!parser.parse(arguments)) {
        std::fprintf(stderr, "%s: %s\n", qPrintable(program), qPrintable(parser.errorText()));
        return 2;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        print(parser.helpText());
        return 0;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        print(program + QStringLiteral(" " OCC_VERSION "\n"));
        return 0;
    }
    return std::nullopt;
}

Result<ProgramContext> prepare(const QCommandLineParser &parser, const QString &program)
{
    Result<settings::CommonOptions> options = settings::readCommonOptions(parser, program);
    if (!options)
        return options.error();
    Result<settings::Settings> loaded = settings::loadSettings(*options);
    if (!loaded)
        return loaded.error();
    Result<std::unique_ptr<secrets::SecretStore>> store = secrets::createSecretStore(
        loaded->string(QStringLiteral("identity/keychain")), options->dataDir, program);
    if (!store)
        return store.error();
    return ProgramContext{program, *options, *loaded, std::move(store).value()};
}

void addEnrolOptions(QCommandLineParser &parser)
{
    parser.addOption(
        {QStringLiteral("cloud"), QStringLiteral("HTTPS URL of the OCC cloud."), QStringLiteral("URL")});
    parser.addOption({QStringLiteral("cloud-ca"),
                      QStringLiteral("CA certificate of a self-hosted cloud (its server-ca.pem)."),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("customer"),
                      QStringLiteral("Customer id (from occ-cloud customer add)."), QStringLiteral("ID")});
    parser.addOption(
        {QStringLiteral("key"), QStringLiteral("Enrolment key of the customer."), QStringLiteral("KEY")});
    parser.addOption({QStringLiteral("hostname"),
                      QStringLiteral("Host name to enrol with (default: this machine's)."),
                      QStringLiteral("NAME")});
}

int enrol(ProgramContext &context, const QCommandLineParser &parser, pki::Role role)
{
    identity::EnrolOptions options;
    options.dataDir = context.options.dataDir;
    options.cloudUrl = QUrl(parser.value(QStringLiteral("cloud")));
    options.cloudCaFile = parser.value(QStringLiteral("cloud-ca"));
    options.customerId = parser.value(QStringLiteral("customer"));
    options.enrolmentKey = parser.value(QStringLiteral("key"));
    options.role = role;
    options.hostname = parser.isSet(QStringLiteral("hostname")) ? parser.value(QStringLiteral("hostname"))
                                                                : QHostInfo::localHostName();
    Result<identity::Identity> enrolled = identity::enrol(options, *context.secrets, context.settings);
    if (!enrolled)
        return failWith(context.program, enrolled.error());
    print(QStringLiteral("enrolled %1 %2 for customer %3\n  data folder: %4\n  key passphrase: %5\n")
              .arg(pki::roleName(role), enrolled->id, enrolled->customerId, context.options.dataDir,
                   context.secrets->describe()));
    return 0;
}

int setProxyPassword(ProgramContext &context)
{
    QTextStream in(stdin);
    const QString password = in.readLine();
    if (password.isEmpty())
        return failWith(context.program,
                        fail(ErrorCategory::Input, QStringLiteral("no password on standard input")));
    if (Result<void> r =
            secrets::writeSecret(*context.secrets, identity::kProxyPasswordSecret, password.toUtf8());
        !r)
        return failWith(context.program, r.error());
    print(QStringLiteral("proxy password stored in the %1\n").arg(context.secrets->describe()));
    return 0;
}

} // namespace occ::cli
