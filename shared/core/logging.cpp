#include "logging.h"

#include <cstdio>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QMutex>

Q_LOGGING_CATEGORY(lcProtocol, "occ.protocol")
Q_LOGGING_CATEGORY(lcPki, "occ.pki")
Q_LOGGING_CATEGORY(lcSecrets, "occ.secrets")
Q_LOGGING_CATEGORY(lcQueue, "occ.queue")
Q_LOGGING_CATEGORY(lcSettings, "occ.settings")
Q_LOGGING_CATEGORY(lcSsdp, "occ.ssdp")
Q_LOGGING_CATEGORY(lcCloudApi, "occ.cloudapi")
Q_LOGGING_CATEGORY(lcNet, "occ.net")

namespace occ {
namespace {

struct LogFileState
{
    QMutex mutex;
    QFile file;
    qint64 maxBytes = 0;
};

LogFileState *g_log = nullptr; // owned for the life of the process

const char *levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return "debug";
    case QtInfoMsg:
        return "info";
    case QtWarningMsg:
        return "warning";
    case QtCriticalMsg:
        return "critical";
    case QtFatalMsg:
        return "fatal";
    }
    return "?";
}

void rotate(LogFileState &state)
{
    const QString path = state.file.fileName();
    state.file.close();
    for (int i = 2; i >= 1; --i) {
        QFile::remove(path + QLatin1Char('.') + QString::number(i + 1));
        QFile::rename(path + QLatin1Char('.') + QString::number(i),
                      path + QLatin1Char('.') + QString::number(i + 1));
    }
    QFile::remove(path + QStringLiteral(".1"));
    QFile::rename(path, path + QStringLiteral(".1"));
    state.file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text);
}

void handler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QByteArray line = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs).toUtf8() + ' ' +
                            levelName(type) + ' ' + (context.category ? context.category : "default") + ": " +
                            message.toUtf8() + '\n';
    std::fwrite(line.constData(), 1, size_t(line.size()), stderr);
    if (g_log) {
        QMutexLocker lock(&g_log->mutex);
        if (g_log->file.isOpen()) {
            g_log->file.write(line);
            g_log->file.flush();
            if (g_log->file.size() > g_log->maxBytes)
                rotate(*g_log);
        }
    }
    if (type == QtFatalMsg)
        std::abort();
}

} // namespace

void installLogFile(const QString &dataDir, const QString &program, qint64 maxBytes)
{
    if (!g_log)
        g_log = new LogFileState;
    QMutexLocker lock(&g_log->mutex);
    const QString dir = dataDir + QStringLiteral("/logs");
    QDir().mkpath(dir);
    g_log->file.close();
    g_log->file.setFileName(dir + QLatin1Char('/') + program + QStringLiteral(".log"));
    g_log->maxBytes = maxBytes;
    if (!g_log->file.open(QIODevice::WriteOnly | QIODevice::Append | QIODevice::Text))
        std::fprintf(stderr, "cannot open log file %s\n", qPrintable(g_log->file.fileName()));
    qInstallMessageHandler(handler);
    // Debug lines only on request (QT_LOGGING_RULES="occ.*.debug=true").
    if (!qEnvironmentVariableIsSet("QT_LOGGING_RULES"))
        QLoggingCategory::setFilterRules(QStringLiteral("*.debug=false"));
}

} // namespace occ
