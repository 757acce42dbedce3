#pragma once

#include "core/result.h"
#include "settings/settings.h"

#include <QCommandLineParser>

namespace occ::settings {

// The options every program shares (ARCHITECTURE §14): --data-dir, --config and
// repeatable --set group/key=value.
void addCommonOptions(QCommandLineParser &parser);

struct CommonOptions
{
    QString dataDir;
    QString configFile;
    QHash<QString, QString> overrides;
};

// Resolves the data folder (default: /var/lib/<program> for root, else the XDG data
// location), the INI file (default DATA/<program>.ini) and the overrides.
Result<CommonOptions> readCommonOptions(const QCommandLineParser &parser, const QString &program);

// Builds and validates the Settings of those options.
Result<Settings> loadSettings(const CommonOptions &options);

} // namespace occ::settings
