#include "files.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

namespace occ {

Result<QByteArray> readWholeFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(ErrorCategory::Io, QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    return file.readAll();
}

Result<void> writeWholeFile(const QString &path, const QByteArray &content,
                            QFileDevice::Permissions permissions)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return fail(ErrorCategory::Io, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    file.setPermissions(permissions);
    if (file.write(content) != content.size() || !file.commit())
        return fail(ErrorCategory::Io, QStringLiteral("cannot write %1: %2").arg(path, file.errorString()));
    return {};
}

} // namespace occ
