#pragma once

#include "core/connectorstats.h"
#include "core/result.h"
#include "hubserver/handshakegate.h"
#include "net/acceptor.h"

#include <QHostAddress>
#include <QList>
#include <QObject>
#include <QTimer>

namespace occ::connector {

class Worker;

// Accepts hub connections and hands each socket to a worker thread in turn
// (ARCHITECTURE §15); TLS happens there. During a reconnect storm it pauses
// accepting while too many handshakes are under way, so the workers finish
// handshakes instead of starting ever more (the kernel's backlog holds the rest).
// One source address gets only its share of handshakes (HandshakeGate); beyond it
// its new connections are closed at once. When accepting fails (no descriptors
// left) it pauses for a moment instead of spinning.
class Listener : public QObject
{
    Q_OBJECT
public:
    // maxHandshakes: all addresses together; gate: the share of one address.
    Listener(QList<Worker *> workers, ConnectorStats &stats, HandshakeGate &gate, int maxHandshakes,
             QObject *parent = nullptr);
    Result<void> start(const QHostAddress &address, quint16 port);
    void close() { m_acceptor.close(); }
    QHostAddress serverAddress() const { return m_acceptor.address(); }
    quint16 serverPort() const { return m_acceptor.port(); }

private:
    void incomingConnection(int fd, const QHostAddress &peer, quint16 port);
    void pace();

    QList<Worker *> m_workers;
    ConnectorStats &m_stats;
    HandshakeGate &m_gate;
    int m_maxHandshakes;
    int m_next = 0;
    QTimer m_pace;
    qint64 m_paused = 0;
    net::Acceptor m_acceptor;
};

} // namespace occ::connector
