#pragma once

#include "cloudprocess.h"
#include "netns.h"
#include "programprocess.h"

#include <QJsonObject>

namespace occ::test {

// The real occ-connector: enrolled through the real cloud and run as a child
// process, optionally inside a network namespace. Tests shorten intervals with
// extra --set options.
class ConnectorProcess
{
public:
    ConnectorProcess(QString dataDir, QStringList settings, const NetNamespace *ns = nullptr);
    ~ConnectorProcess();

    bool enrol(const CloudProcess &cloud, const CloudProcess::Customer &customer,
               const QString &hostname = QStringLiteral("gw"));
    bool start(int timeoutMs = 30000);
    // start() in two steps: launch() returns as soon as the program runs.
    bool launch();
    bool waitUntilReady(int timeoutMs = 30000);
    void stop() { m_program.stop(); }
    void kill() { m_program.kill(); }
    bool running() const { return m_program.running(); }
    void setSettings(const QStringList &settings) { m_settings = settings; }

    QString id() const { return m_id; }
    quint16 port() const { return m_port; }
    QString dataDir() const { return m_dataDir; }
    ProgramProcess &program() { return m_program; }
    QByteArray sanitizerReport() { return m_program.sanitizerReport(); }

    // occ-connector COMMAND --json against the running connector.
    QJsonObject query(const QString &command) const;
    int cli(const QStringList &arguments, QByteArray *output = nullptr, const QByteArray &input = {}) const;

    static QString binary();

private:
    QStringList common() const;

    QString m_dataDir;
    QStringList m_settings;
    const NetNamespace *m_ns;
    ProgramProcess m_program;
    QString m_id;
    quint16 m_port = 0;
};

} // namespace occ::test
