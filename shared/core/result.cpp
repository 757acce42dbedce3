#include "result.h"

namespace occ {

QString categoryName(ErrorCategory category)
{
    switch (category) {
    case ErrorCategory::Input:
        return QStringLiteral("input");
    case ErrorCategory::Protocol:
        return QStringLiteral("protocol");
    case ErrorCategory::Io:
        return QStringLiteral("io");
    case ErrorCategory::Crypto:
        return QStringLiteral("crypto");
    case ErrorCategory::Auth:
        return QStringLiteral("auth");
    case ErrorCategory::Config:
        return QStringLiteral("config");
    case ErrorCategory::Keychain:
        return QStringLiteral("keychain");
    case ErrorCategory::Storage:
        return QStringLiteral("storage");
    case ErrorCategory::Network:
        return QStringLiteral("network");
    case ErrorCategory::Internal:
        break;
    }
    return QStringLiteral("internal");
}

QString Error::toString() const
{
    return categoryName(category) + QStringLiteral(" error: ") + message;
}

} // namespace occ
