#pragma once

#include "hubserver/sessionconfig.h"
#include "protocol/frame.h"
#include "protocol/messages.h"
#include "tls/tlsconnection.h"
#include "tls/tlscontext.h"

#include <memory>

namespace occ::connector {

class Worker;

// One hub's TLS connection speaking OCCP/1: hello/welcome, batches acknowledged
// after the spool commit, results and state passed on, heartbeat. Small on purpose:
// a worker holds thousands. Owned by its Worker; runs in the worker's thread.
class HubSession
{
public:
    enum class State
    {
        Tls,
        AwaitHello,
        Active,
        Closed,
    };

    HubSession(quint64 id, Worker &worker, int fd, const QString &peer, const QByteArray &peerHost);
    ~HubSession();

    void start();
    // Sends one message (frames it); false when the session is gone.
    bool send(const protocol::Message &message);
    // Sends an error frame, then closes.
    void fail(const QString &code, const QString &message);
    void close(const QString &reason);

    // The spool committed (or refused) the batches of one read.
    void appended(qint64 upTo, int batches, bool stored);
    // Heartbeat and timeouts; called by the worker's sweep.
    void sweep(qint64 now);

    quint64 id() const { return m_id; }
    State state() const { return m_state; }
    const QString &hubId() const { return m_hubId; }
    const QString &peer() const { return m_peer; }

private:
    void onEncrypted();
    void onData(const char *data, qsizetype size);
    void onClosed(const QString &reason);
    // The TLS handshake ended, one way or the other: its admission slot is free.
    void handshakeEnded();
    bool handle(const protocol::Message &message, QList<protocol::Measurement> &readBatch, int &readBatches);
    bool acceptHello(const protocol::Hello &hello);
    bool acceptBatch(const protocol::Batch &batch, QList<protocol::Measurement> &readBatch, int readBatches);

    quint64 m_id;
    Worker &m_worker;
    std::shared_ptr<tls::TlsContext> m_tls; // outlives m_connection: OpenSSL's callbacks reach it
    std::unique_ptr<tls::TlsConnection> m_connection;
    protocol::FrameDecoder m_decoder;
    State m_state = State::Tls;
    QString m_peer;
    QByteArray m_peerHost;
    bool m_inHandshake = true;
    QString m_hubId;
    QByteArray m_serial;
    qint64 m_created = 0;
    qint64 m_lastReceived = 0;
    qint64 m_lastPing = 0;
    qint64 m_pingCounter = 0;
    int m_batchesInFlight = 0;
    bool m_resumed = false;
};

} // namespace occ::connector
