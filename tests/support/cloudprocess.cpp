#include "cloudprocess.h"

#include "testutil.h"
#include "timing.h"

#include <QJsonObject>
#include <QRegularExpression>

namespace occ::test {

QString CloudProcess::binary()
{
    return buildPath(QStringLiteral("cloud/occ-cloud"));
}

CloudProcess::CloudProcess(QString dataDir, QString dbUrl, QStringList extraArguments, const NetNamespace *ns)
    : m_dataDir(std::move(dataDir))
    , m_dbUrl(std::move(dbUrl))
    , m_extra(std::move(extraArguments))
    , m_ns(ns)
    , m_program(ns ? QStringLiteral("ip") : binary())
{}

CloudProcess::~CloudProcess()
{
    stop();
}

bool CloudProcess::start(int timeoutMs)
{
    return launch() && waitUntilReady(timeoutMs);
}

bool CloudProcess::launch()
{
    // The operator door on a port of its own too, so that clouds of parallel tests
    // never meet on page/listen's default port.
    QStringList arguments{
        QStringLiteral("serve"),      QStringLiteral("--data-dir"),  m_dataDir,
        QStringLiteral("--listen"),   QStringLiteral("127.0.0.1:0"), QStringLiteral("--page-listen"),
        QStringLiteral("127.0.0.1:0")};
    if (!m_dbUrl.isEmpty())
        arguments << QStringLiteral("--db") << m_dbUrl;
    arguments << m_extra;
    return m_program.start(m_ns ? m_ns->wrap(binary(), arguments) : arguments, QRegularExpression());
}

bool CloudProcess::waitUntilReady(int timeoutMs)
{
    QString url;
    if (!m_program.waitForReady(QRegularExpression(QStringLiteral("serving (https://[^\\s]+/soap)")), &url,
                                timeoutMs))
        return false;
    m_url = QUrl(url);
    const QRegularExpressionMatch page = QRegularExpression(QStringLiteral("OCC page: +(https://\\S+/)"))
                                             .match(QString::fromUtf8(m_program.output()));
    m_pageUrl = page.hasMatch() ? QUrl(page.captured(1)) : QUrl();
    return true;
}

void CloudProcess::stop()
{
    m_program.stop();
}

void CloudProcess::kill()
{
    m_program.kill();
}

int CloudProcess::cli(const QStringList &arguments, QByteArray *output) const
{
    QStringList full = arguments;
    full << QStringLiteral("--data-dir") << m_dataDir;
    // The same --set overrides as serve (e.g. a shared CA passphrase file).
    for (qsizetype i = 0; i + 1 < m_extra.size(); ++i) {
        if (m_extra.at(i) == QLatin1StringView("--set"))
            full << m_extra.at(i) << m_extra.at(i + 1);
    }
    if (!m_dbUrl.isEmpty())
        full << QStringLiteral("--db") << m_dbUrl;
    QProcess process;
    process.start(binary(), full);
    if (!process.waitForFinished(scaled(60000))) {
        process.kill();
        process.waitForFinished();
    }
    if (output)
        *output = process.readAllStandardOutput();
    const QByteArray errors = process.readAllStandardError();
    failOnSanitizerReport(errors, QStringLiteral("occ-cloud ") + arguments.join(QLatin1Char(' ')));
    if (process.exitCode() != 0)
        qWarning("occ-cloud %s: %s", qPrintable(arguments.join(QLatin1Char(' '))), errors.constData());
    return process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
}

QJsonDocument CloudProcess::cliJson(const QStringList &arguments) const
{
    QByteArray output;
    cli(arguments + QStringList{QStringLiteral("--json")}, &output);
    return QJsonDocument::fromJson(output);
}

CloudProcess::Customer CloudProcess::addCustomer(const QString &name) const
{
    const QJsonObject object = cliJson({QStringLiteral("customer"), QStringLiteral("add"), name}).object();
    return Customer{object.value(QStringLiteral("customerId")).toString(),
                    object.value(QStringLiteral("enrolmentKey")).toString()};
}

} // namespace occ::test
