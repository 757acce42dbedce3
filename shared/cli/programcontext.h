#pragma once

#include "core/result.h"
#include "pki/identity.h"
#include "secrets/secretstore.h"
#include "settings/commandline.h"
#include "settings/settings.h"

#include <memory>
#include <optional>
#include <QCommandLineParser>

namespace occ::cli {

// What every command of occ-sensorhub and occ-connector starts from: the data
// folder, the settings and the secret store chosen by identity/keychain.
struct ProgramContext
{
    QString program;
    settings::CommonOptions options;
    settings::Settings settings;
    std::unique_ptr<secrets::SecretStore> secrets;
};

Result<ProgramContext> prepare(const QCommandLineParser &parser, const QString &program);

// Options of `enrol` (ARCHITECTURE §14).
void addEnrolOptions(QCommandLineParser &parser);
// `PROGRAM enrol ...`: prints the new id; returns the exit code.
int enrol(ProgramContext &context, const QCommandLineParser &parser, pki::Role role);
// `PROGRAM set-proxy-password`: reads the password from stdin into the secret store.
int setProxyPassword(ProgramContext &context);

// Parses ARGUMENTS (the program's path first) and answers --help and --version.
// Returns the exit code when that already ends the program (2 after a parse error,
// printed; 0 after help or version), else nothing.
std::optional<int> parseCommandLine(QCommandLineParser &parser, const QStringList &arguments,
                                    const QString &program);

// Prints an error in the program's words and returns its exit code.
int failWith(const QString &program, const Error &error);
void print(const QString &text);

} // namespace occ::cli
