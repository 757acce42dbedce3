#pragma once

#include "core/result.h"
#include "netns.h"
#include "programprocess.h"

#include <QJsonDocument>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace occ::test {

// The real occ-cloud: `serve` as a child process on 127.0.0.1 (port chosen by the
// system), and its administration commands run against the same data folder.
class CloudProcess
{
public:
    explicit CloudProcess(QString dataDir, QString dbUrl = {}, QStringList extraArguments = {},
                          const NetNamespace *ns = nullptr);
    ~CloudProcess();

    // Starts serve and waits for its "serving https://..." line.
    bool start(int timeoutMs = 30000);
    // start() in two steps: launch() returns as soon as the program runs.
    bool launch();
    bool waitUntilReady(int timeoutMs = 30000);
    ProgramProcess &program() { return m_program; }
    void stop(); // SIGTERM, then wait
    void kill(); // SIGKILL
    bool running() const { return m_program.running(); }

    QUrl url() const { return m_url; } // https://127.0.0.1:PORT/soap
    // The OCC page on the operator address (page/listen): https://127.0.0.1:PORT/,
    // empty when the cloud serves no page.
    QUrl pageUrl() const { return m_pageUrl; }
    // The address clients use when it is not the one serve printed (a host name).
    void setUrl(const QUrl &url) { m_url = url; }
    QString caFile() const { return m_dataDir + QStringLiteral("/server-ca.pem"); }
    QString dataDir() const { return m_dataDir; }
    QByteArray log() { return m_program.errors(); } // its stderr so far
    qint64 pid() const { return m_program.pid(); }
    QByteArray sanitizerReport() { return m_program.sanitizerReport(); }

    // Runs `occ-cloud ARGS --data-dir DIR [--db URL]`; returns exit code and stdout.
    int cli(const QStringList &arguments, QByteArray *output = nullptr) const;
    QJsonDocument cliJson(const QStringList &arguments) const;

    struct Customer
    {
        QString id;
        QString enrolmentKey;
    };
    Customer addCustomer(const QString &name) const;
    // `enrol --cloud URL --cloud-ca FILE --customer ID --key KEY --hostname NAME`
    // against this cloud, for occ-sensorhub and occ-connector alike.
    QStringList enrolArguments(const Customer &customer, const QString &hostname) const
    {
        return {QStringLiteral("enrol"),
                QStringLiteral("--cloud"),
                m_url.toString(),
                QStringLiteral("--cloud-ca"),
                caFile(),
                QStringLiteral("--customer"),
                customer.id,
                QStringLiteral("--key"),
                customer.enrolmentKey,
                QStringLiteral("--hostname"),
                hostname};
    }

    static QString binary();

private:
    QString m_dataDir;
    QString m_dbUrl;
    QStringList m_extra;
    const NetNamespace *m_ns;
    ProgramProcess m_program;
    QUrl m_url;
    QUrl m_pageUrl;
};

} // namespace occ::test
