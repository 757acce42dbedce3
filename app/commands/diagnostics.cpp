#include "diagnostics.h"

#include "core/files.h"

#include <memory>
#include <QDateTime>
#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QNetworkInterface>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>

namespace occ::hub {

QString Diagnostics::blankUrlPassword(QString text)
{
    static const QRegularExpression userInfo(QStringLiteral("(\\w+://[^/\\s:@]*):[^@\\s/]*@"));
    return text.replace(userInfo, QStringLiteral("\\1:***@"));
}

QStringList Diagnostics::dataFiles() const
{
    QStringList files;
    const QDir data(m_dataDir);
    QDirIterator logs(m_dataDir + QStringLiteral("/logs"), QDir::Files);
    while (logs.hasNext())
        files << data.relativeFilePath(logs.next());
    for (const char *name : {"connectors.ini", "identity/certificate.pem", "identity/customer-ca.pem",
                             "identity/cloud-ca.pem"}) {
        if (QFileInfo::exists(data.filePath(QString::fromLatin1(name))))
            files << QString::fromLatin1(name);
    }
    files.sort();
    return files;
}

void Diagnostics::collect(const QString &hubId, const QList<QPair<QString, QByteArray>> &extra,
                          std::function<void(Result<QString>)> done)
{
    auto staging = std::make_shared<QTemporaryDir>(m_dataDir + QStringLiteral("/diagnostics-XXXXXX"));
    if (!staging->isValid()) {
        done(fail(ErrorCategory::Io,
                  QStringLiteral("cannot make a staging folder: %1").arg(staging->errorString())));
        return;
    }
    const QString root = QStringLiteral("occ-diagnostics");
    const QDir stage(staging->filePath(root));
    QDir().mkpath(stage.path());
    for (const QString &relative : dataFiles()) {
        const QString target = stage.filePath(relative);
        QDir().mkpath(QFileInfo(target).path());
        if (!QFile::copy(QDir(m_dataDir).filePath(relative), target)) {
            done(fail(ErrorCategory::Io, QStringLiteral("cannot copy %1 (disk full?)").arg(relative)));
            return;
        }
    }
    QByteArray interfaces;
    for (const QNetworkInterface &interface : QNetworkInterface::allInterfaces()) {
        interfaces += interface.name().toUtf8() + " type=" + QByteArray::number(int(interface.type())) +
                      " flags=" + QByteArray::number(int(interface.flags())) + "\n";
        for (const QNetworkAddressEntry &entry : interface.addressEntries())
            interfaces +=
                "  " + entry.ip().toString().toUtf8() + "/" + QByteArray::number(entry.prefixLength()) + "\n";
    }
    QList<QPair<QString, QByteArray>> generated = extra;
    generated.append({QStringLiteral("interfaces.txt"), interfaces});
    for (const auto &[name, content] : std::as_const(generated)) {
        if (Result<void> written = writeWholeFile(
                stage.filePath(name), blankUrlPassword(QString::fromUtf8(content)).toUtf8(), kOwnerOnly);
            !written) {
            done(written.error());
            return;
        }
    }
    const QString outDir = m_dataDir + QStringLiteral("/diagnostics");
    QDir().mkpath(outDir);
    QFile::setPermissions(outDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    const QString archive =
        QStringLiteral("%1/occ-diagnostics-%2-%3.tar.gz")
            .arg(outDir, hubId, QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss")));
    auto *tar = new QProcess(this);
    tar->setProcessChannelMode(QProcess::MergedChannels);
    connect(
        tar, &QProcess::finished, this, [tar, staging, archive, done](int code, QProcess::ExitStatus status) {
            tar->deleteLater();
            if (status != QProcess::NormalExit || code != 0) {
                QFile::remove(archive);
                done(fail(
                    ErrorCategory::Io,
                    QStringLiteral("tar failed: %1").arg(QString::fromLocal8Bit(tar->readAll()).trimmed())));
                return;
            }
            QFile::setPermissions(archive, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
            done(archive);
        });
    connect(tar, &QProcess::errorOccurred, this, [tar, done](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart)
            return;
        tar->deleteLater();
        done(fail(ErrorCategory::Io, QStringLiteral("cannot run tar: %1").arg(tar->errorString())));
    });
    tar->start(QStringLiteral("tar"),
               {QStringLiteral("-czf"), archive, QStringLiteral("-C"), staging->path(), root});
}

} // namespace occ::hub
