#include "commandline.h"

#include <QDir>
#include <QStandardPaths>
#include <unistd.h>

namespace occ::settings {

void addCommonOptions(QCommandLineParser &parser)
{
    parser.addOption({QStringLiteral("data-dir"), QStringLiteral("Data folder (identity, queues, logs)."),
                      QStringLiteral("DIR")});
    parser.addOption({QStringLiteral("config"),
                      QStringLiteral("INI settings file (default DATA/<program>.ini)."),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("set"),
                      QStringLiteral("Override a setting, repeatable: group/key=value."),
                      QStringLiteral("KEY=VALUE")});
}

Result<CommonOptions> readCommonOptions(const QCommandLineParser &parser, const QString &program)
{
    CommonOptions options;
    options.dataDir = parser.value(QStringLiteral("data-dir"));
    if (options.dataDir.isEmpty()) {
        options.dataDir = ::geteuid() == 0
                              ? QStringLiteral("/var/lib/") + program
                              : QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation) +
                                    QLatin1Char('/') + program;
    }
    options.dataDir = QDir(options.dataDir).absolutePath();
    options.configFile = parser.value(QStringLiteral("config"));
    if (options.configFile.isEmpty())
        options.configFile = options.dataDir + QLatin1Char('/') + program + QStringLiteral(".ini");
    const QStringList sets = parser.values(QStringLiteral("set"));
    for (const QString &text : sets) {
        Result<std::pair<QString, QString>> parsed = Settings::parseOverride(text);
        if (!parsed)
            return parsed.error();
        options.overrides.insert(parsed->first, parsed->second);
    }
    return options;
}

Result<Settings> loadSettings(const CommonOptions &options)
{
    Settings settings(options.configFile, options.overrides);
    if (Result<void> valid = settings.validate(); !valid)
        return valid.error();
    return settings;
}

} // namespace occ::settings
