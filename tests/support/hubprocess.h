#pragma once

#include "cloudprocess.h"
#include "netns.h"
#include "programprocess.h"

#include <QDateTime>
#include <QJsonObject>
#include <QProcessEnvironment>

namespace occ::test {

// The real occ-sensorhub: enrolled through the real cloud and run headless as a
// child process, optionally inside a network namespace. Its stdout carries one
// line per state change ("TIME state OLD -> NEW [connector ID]"), which tests read
// as a timeline; status() asks the running hub over its control socket.
class HubProcess
{
public:
    // program: occ-sensorhub by default (occ-sensorhub-tray runs the same hub).
    HubProcess(QString dataDir, QStringList settings, const NetNamespace *ns = nullptr, QString program = {});
    ~HubProcess();

    // keychain: "file" or "system" (the real keyring of the test's session).
    bool enrol(const CloudProcess &cloud, const CloudProcess::Customer &customer, const QString &hostname,
               const QString &keychain = QStringLiteral("file"));
    bool start(int timeoutMs = 30000);
    // start() in two steps: launch() returns as soon as the program runs.
    bool launch();
    bool waitUntilReady(int timeoutMs = 30000);
    void stop() { m_program.stop(); }
    void kill() { m_program.kill(); }
    bool running() const { return m_program.running(); }
    void setSettings(const QStringList &settings) { m_settings = settings; }
    // The environment of the next start (e.g. libfaketime for wall-clock steps).
    void setEnvironment(const QProcessEnvironment &environment) { m_environment = environment; }

    QString id() const { return m_id; }
    QString dataDir() const { return m_dataDir; }
    ProgramProcess &program() { return m_program; }
    QByteArray sanitizerReport() { return m_program.sanitizerReport(); }

    QJsonObject status() const; // empty when the hub does not answer
    QString state() const { return status().value(QStringLiteral("state")).toString(); }
    bool waitForState(const QString &state, int timeoutMs) const;
    // Waits until the hub has delivered count more results than when called (its
    // highest seq minus what still waits in its outbox).
    bool waitForDeliveries(int count, int timeoutMs = 30000) const;

    struct Change
    {
        QDateTime at;
        QString from;
        QString to;
        QString connectorId;
    };
    // Every state change printed so far (this run of the program).
    QList<Change> changes();
    // The first change to `to` at or after `after`, if any.
    std::optional<Change> changeTo(const QString &to, const QDateTime &after = {});

    int cli(const QStringList &arguments, QByteArray *output = nullptr) const;
    static QString binary();

private:
    QStringList common() const;

    QString m_dataDir;
    QStringList m_settings;
    const NetNamespace *m_ns;
    QString m_binary;
    QString m_keychain = QStringLiteral("file");
    ProgramProcess m_program;
    QProcessEnvironment m_environment = QProcessEnvironment::systemEnvironment();
    QString m_id;
};

} // namespace occ::test
