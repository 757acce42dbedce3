#include "settings.h"

#include "core/logging.h"
#include "settings/defaults.h"

#include <QFileInfo>
#include <QSettings>

namespace occ::settings {
namespace {

const SettingInfo *find(const QString &key)
{
    for (const SettingInfo &info : kSettings) {
        if (key == QLatin1StringView(info.key))
            return &info;
    }
    return nullptr;
}

bool isBooleanText(const QString &value)
{
    static const QStringList words{QStringLiteral("true"), QStringLiteral("false"), QStringLiteral("1"),
                                   QStringLiteral("0"),    QStringLiteral("yes"),   QStringLiteral("no"),
                                   QStringLiteral("on"),   QStringLiteral("off")};
    return words.contains(value.trimmed().toLower());
}

} // namespace

Settings::Settings(QString iniPath, QHash<QString, QString> overrides)
    : m_iniPath(std::move(iniPath))
    , m_overrides(std::move(overrides))
{
    reload();
}

void Settings::reload()
{
    m_file.clear();
    if (m_iniPath.isEmpty() || !QFileInfo::exists(m_iniPath))
        return;
    QSettings ini(m_iniPath, QSettings::IniFormat);
    const QStringList keys = ini.allKeys();
    for (const QString &key : keys) {
        if (!isKnown(key)) {
            qCWarning(lcSettings) << "ignoring unknown setting" << key << "in" << m_iniPath;
            continue;
        }
        const QVariant value = ini.value(key);
        // QSettings splits unquoted "a,b" into a list; join it back.
        m_file.insert(key, value.typeId() == QMetaType::QStringList
                               ? value.toStringList().join(QLatin1Char(','))
                               : value.toString());
    }
}

Result<std::pair<QString, QString>> Settings::parseOverride(const QString &text)
{
    const qsizetype equals = text.indexOf(QLatin1Char('='));
    if (equals <= 0)
        return fail(ErrorCategory::Config,
                    QStringLiteral("--set expects group/key=value, got '%1'").arg(text));
    const QString key = text.left(equals).trimmed();
    if (!isKnown(key))
        return fail(ErrorCategory::Config,
                    QStringLiteral("unknown setting '%1' (see README, Configuration)").arg(key));
    return std::pair{key, text.mid(equals + 1)};
}

bool Settings::isKnown(const QString &key)
{
    return find(key) != nullptr;
}

QString Settings::defaultValue(const QString &key)
{
    const SettingInfo *info = find(key);
    return info ? QString::fromUtf8(info->defaultValue) : QString();
}

QString Settings::string(const QString &key) const
{
    Q_ASSERT_X(isKnown(key), "Settings::string", qPrintable(key));
    if (auto it = m_overrides.constFind(key); it != m_overrides.cend())
        return it.value();
    if (auto it = m_file.constFind(key); it != m_file.cend())
        return it.value();
    return defaultValue(key);
}

qint64 Settings::integer(const QString &key) const
{
    bool ok = false;
    const qint64 value = string(key).trimmed().toLongLong(&ok);
    return ok ? value : defaultValue(key).toLongLong();
}

bool Settings::boolean(const QString &key) const
{
    const QString value = string(key).trimmed().toLower();
    if (!isBooleanText(value))
        return defaultValue(key) == QLatin1StringView("true");
    return value == QLatin1StringView("true") || value == QLatin1StringView("1") ||
           value == QLatin1StringView("yes") || value == QLatin1StringView("on");
}

QStringList Settings::list(const QString &key) const
{
    QStringList items = string(key).split(QLatin1Char(','), Qt::SkipEmptyParts);
    for (QString &item : items)
        item = item.trimmed();
    items.removeAll(QString());
    return items;
}

Result<void> Settings::validate() const
{
    for (const SettingInfo &info : kSettings) {
        const QString key = QString::fromUtf8(info.key);
        const QString fallback = QString::fromUtf8(info.defaultValue);
        const QString value = string(key).trimmed();
        if (info.isInteger()) {
            bool ok = false;
            const qint64 number = value.toLongLong(&ok);
            if (!ok || number < info.min || number > info.max)
                return fail(ErrorCategory::Config,
                            QStringLiteral("setting %1 must be a whole number from %2 to %3, got '%4'")
                                .arg(key)
                                .arg(info.min)
                                .arg(info.max)
                                .arg(value.left(40)));
        } else if (isBooleanText(fallback) && !isBooleanText(value)) {
            return fail(
                ErrorCategory::Config,
                QStringLiteral("setting %1 must be true or false, got '%2'").arg(key, value.left(40)));
        }
    }
    // Pairs that only make sense one way round.
    const std::pair<const char *, const char *> ordered[] = {
        {"connection/backoffMin", "connection/backoffMax"},
        {"sensors/cpuWarn", "sensors/cpuError"},
        {"sensors/memoryWarn", "sensors/memoryError"},
    };
    for (const auto &[low, high] : ordered) {
        if (integer(QString::fromLatin1(low)) > integer(QString::fromLatin1(high)))
            return fail(ErrorCategory::Config, QStringLiteral("setting %1 (%2) must not be above %3 (%4)")
                                                   .arg(QLatin1StringView(low))
                                                   .arg(integer(QString::fromLatin1(low)))
                                                   .arg(QLatin1StringView(high))
                                                   .arg(integer(QString::fromLatin1(high))));
    }
    return {};
}

Result<void> Settings::store(const QString &key, const QString &value)
{
    if (!isKnown(key))
        return fail(ErrorCategory::Config, QStringLiteral("unknown setting '%1'").arg(key));
    QSettings ini(m_iniPath, QSettings::IniFormat);
    ini.setValue(key, value);
    ini.sync();
    if (ini.status() != QSettings::NoError)
        return fail(ErrorCategory::Io, QStringLiteral("cannot write %1").arg(m_iniPath));
    m_file.insert(key, value);
    return {};
}

} // namespace occ::settings
