#include "proxysettings.h"

namespace occ::cloudapi {

Result<ProxySettings> ProxySettings::fromSetting(const QString &url, const QString &user)
{
    ProxySettings settings;
    const QString text = url.trimmed();
    if (text.isEmpty() || text == QLatin1StringView("system"))
        return settings;
    if (text == QLatin1StringView("none") || text == QLatin1StringView("direct")) {
        settings.mode = Mode::None;
        return settings;
    }
    const QUrl parsed(text, QUrl::StrictMode);
    if (!parsed.isValid() || parsed.scheme() != QLatin1StringView("http") || parsed.host().isEmpty() ||
        parsed.port() <= 0)
        return fail(
            ErrorCategory::Config,
            QStringLiteral("proxy/url must be empty, 'none' or http://host:port, not '%1'").arg(text));
    if (!parsed.password().isEmpty())
        return fail(ErrorCategory::Config,
                    QStringLiteral("proxy/url must not contain a password; keep it in the "
                                   "keychain (set-proxy-password)"));
    settings.mode = Mode::Explicit;
    settings.url = parsed;
    settings.user = user.isEmpty() ? parsed.userName() : user;
    return settings;
}

QString ProxySettings::describe() const
{
    switch (mode) {
    case Mode::System:
        return QStringLiteral("system settings");
    case Mode::None:
        return QStringLiteral("none");
    case Mode::Explicit:
        return QStringLiteral("%1:%2%3")
            .arg(url.host())
            .arg(url.port())
            .arg(user.isEmpty() ? QString() : QStringLiteral(" (user %1)").arg(user));
    }
    return {};
}

} // namespace occ::cloudapi
