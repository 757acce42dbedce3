#pragma once

#include "core/result.h"

#include <QNetworkProxy>
#include <QString>
#include <QUrl>

namespace occ::cloudapi {

// How the cloud is reached (ARCHITECTURE §8): the system's proxy settings by default,
// no proxy, or an explicit proxy whose password lives in the keychain.
struct ProxySettings
{
    enum class Mode
    {
        System,
        None,
        Explicit,
    };
    Mode mode = Mode::System;
    QUrl url; // http://host:port
    QString user;
    QString password;

    // The proxy/url setting: "" -> System, "none" -> None, "http://host:port" -> Explicit.
    static Result<ProxySettings> fromSetting(const QString &url, const QString &user);
    // For status output; never includes the password.
    QString describe() const;
};

} // namespace occ::cloudapi
