#include "cloudservices.h"

namespace occ::cloud {

CloudServices::CloudServices(DatabaseConfig config, const QString &passphraseFile, const Clock &clock,
                             int validityDays)
    : database(std::move(config))
    , pki(registry, passphraseFile)
    , enrolment(registry, pki, clock, validityDays)
{}

Result<std::unique_ptr<CloudServices>> CloudServices::open(const QString &dataDir, const QString &dbUrl,
                                                           const settings::Settings &settings,
                                                           const Clock &clock)
{
    Result<DatabaseConfig> config = DatabaseConfig::fromUrl(
        dbUrl.isEmpty() ? settings.string(QStringLiteral("server/db")) : dbUrl, dataDir);
    if (!config)
        return config.error();
    QString passphraseFile = settings.string(QStringLiteral("server/caPassphraseFile"));
    if (passphraseFile.isEmpty())
        passphraseFile = dataDir + QStringLiteral("/ca-passphrase");
    std::unique_ptr<CloudServices> services(new CloudServices(
        *config, passphraseFile, clock, int(settings.integer(QStringLiteral("identity/validityDays")))));
    if (Result<void> migrated = services->database.migrate(); !migrated)
        return migrated.error();
    return services;
}

} // namespace occ::cloud
