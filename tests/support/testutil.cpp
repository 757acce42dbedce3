#include "testutil.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

namespace occ::test {

int run(const QString &program, const QStringList &arguments, QByteArray *output, const QByteArray &input,
        int timeoutMs)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    if (!process.waitForStarted(10000))
        return -1;
    if (!input.isEmpty())
        process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        return -2;
    }
    if (output)
        *output = process.readAll();
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -3;
}

QString buildPath(const QString &relative)
{
    return qEnvironmentVariable("OCC_BUILD_DIR") + QLatin1Char('/') + relative;
}

QString sourcePath(const QString &relative)
{
    return qEnvironmentVariable("OCC_SOURCE_DIR") + QLatin1Char('/') + relative;
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

} // namespace occ::test
