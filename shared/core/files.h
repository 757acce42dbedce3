#pragma once

#include "core/result.h"

#include <QByteArray>
#include <QFileDevice>
#include <QString>

namespace occ {

inline constexpr QFileDevice::Permissions kOwnerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;
inline constexpr QFileDevice::Permissions kWorldReadable =
    QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup | QFileDevice::ReadOther;

// Reads a whole file, or a clear Io error naming it.
Result<QByteArray> readWholeFile(const QString &path);
// Writes a file atomically (QSaveFile), creating folders; the permissions are set
// before any content is written (0600 for keys and secrets).
Result<void> writeWholeFile(const QString &path, const QByteArray &content,
                            QFileDevice::Permissions permissions);

} // namespace occ
