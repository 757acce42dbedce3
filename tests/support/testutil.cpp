#include "testutil.h"

#include "timing.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTcpServer>
#include <QTest>

namespace occ::test {

int run(const QString &program, const QStringList &arguments, QByteArray *output, const QByteArray &input,
        int timeoutMs)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    if (!process.waitForStarted(scaled(10000)))
        return -1;
    if (!input.isEmpty())
        process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(scaled(timeoutMs))) {
        process.kill();
        process.waitForFinished();
        return -2;
    }
    const QByteArray printed = process.readAll();
    failOnSanitizerReport(printed, program + QLatin1Char(' ') + arguments.join(QLatin1Char(' ')));
    if (output)
        *output = printed;
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -3;
}

void failOnSanitizerReport(const QByteArray &text, const QString &what)
{
    const qsizetype at = text.indexOf("Sanitizer");
    const qsizetype ub = text.indexOf("runtime error:");
    if (at < 0 && ub < 0)
        return;
    const qsizetype from = qMax<qsizetype>(0, (at < 0 ? ub : at) - 200);
    const QByteArray message =
        "sanitizer report of " + what.left(300).toUtf8() + ":\n" + text.mid(from, 8000);
    if (QTest::currentTestFunction())
        QTest::qFail(message.constData(), __FILE__, __LINE__);
    else
        qFatal("%s", message.constData());
}

quint16 freePort()
{
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    return probe.serverPort();
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
