#pragma once

#include "core/connectorstats.h"
#include "core/result.h"

#include <QHostAddress>
#include <QList>
#include <QTcpServer>
#include <QTimer>

namespace occ::connector {

class Worker;

// Accepts hub connections and hands each socket to a worker thread in turn
// (ARCHITECTURE §15); TLS happens there. During a reconnect storm it pauses
// accepting while too many handshakes are under way, so the workers finish
// handshakes instead of starting ever more (the kernel's backlog holds the rest).
class Listener : public QTcpServer
{
    Q_OBJECT
public:
    Listener(QList<Worker *> workers, ConnectorStats &stats, int maxHandshakes, QObject *parent = nullptr);
    Result<void> start(const QHostAddress &address, quint16 port);

protected:
    void incomingConnection(qintptr fd) override;

private:
    void pace();

    QList<Worker *> m_workers;
    ConnectorStats &m_stats;
    int m_maxHandshakes;
    int m_next = 0;
    QTimer m_pace;
    qint64 m_paused = 0;
};

} // namespace occ::connector
