#pragma once

#include "core/result.h"

#include <QHash>
#include <QString>
#include <QStringList>

namespace occ::settings {

// Settings of one program instance: --set overrides, then the INI file (QSettings),
// then the defaults table. Values are read once at construction (and on reload()).
class Settings
{
public:
    Settings() = default;
    Settings(QString iniPath, QHash<QString, QString> overrides);

    // "group/key=value" -> (key, value); refuses keys missing from the table.
    static Result<std::pair<QString, QString>> parseOverride(const QString &text);
    static bool isKnown(const QString &key);
    static QString defaultValue(const QString &key);

    QString string(const QString &key) const;
    qint64 integer(const QString &key) const;
    bool boolean(const QString &key) const;
    QStringList list(const QString &key) const; // comma-separated
    // seconds -> milliseconds
    qint64 millis(const QString &key) const { return integer(key) * 1000; }

    // Checks every value that must be a number or boolean; names the first bad key.
    Result<void> validate() const;

    // Writes a value to the INI file (enrolment records cloud/url etc.).
    Result<void> store(const QString &key, const QString &value);
    // Re-reads the INI file (reloadConfig command).
    void reload();

    QString iniPath() const { return m_iniPath; }
    const QHash<QString, QString> &overrides() const { return m_overrides; }

private:
    QString m_iniPath;
    QHash<QString, QString> m_overrides;
    QHash<QString, QString> m_file;
};

} // namespace occ::settings
