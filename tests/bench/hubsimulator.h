#pragma once

#include "protocol/frame.h"
#include "tls/socketwatcher.h"
#include "tls/tlsconnection.h"
#include "tls/tlscontext.h"

#include <atomic>
#include <memory>
#include <QList>
#include <QObject>
#include <QRandomGenerator>

struct evp_pkey_st;
struct x509_st;

namespace occ::bench {

// One simulated hub identity: its id and certificate (all share one key).
struct SimIdentity
{
    QString hubId;
    x509_st *certificate = nullptr; // owned by the benchmark
};

// Figures all simulator threads add to.
struct SimCounters
{
    std::atomic<int> active{0};          // sessions past welcome right now
    std::atomic<qint64> welcomes{0};     // welcomes ever received
    std::atomic<qint64> failures{0};     // connections that ended before welcome
    std::atomic<qint64> acknowledged{0}; // measurements acknowledged
};

// Holds many mutual-TLS hub sessions from one thread: non-blocking connects,
// OpenSSL client handshakes with each hub's own certificate, hello/welcome,
// pongs, batches under a window, and reconnection with the saved TLS session after
// the connector went away.
class HubSimulator : public QObject
{
    Q_OBJECT
public:
    HubSimulator(std::shared_ptr<tls::TlsContext> tls, evp_pkey_st *key, QList<SimIdentity> hubs,
                 QString connectorId, SimCounters &counters);
    ~HubSimulator() override;

    // All thread-safe (queued into the simulator's thread).
    void connectAll(quint16 port, int maxConcurrent);
    // After a disconnect, come back after 0..jitterMs with up to maxConcurrent
    // connections under way at once.
    void setReconnect(bool on, int jitterMs, int maxConcurrent);
    void startLoad(int hubs, int batchSize, int window);
    void stopLoad();
    void shutdown();

private:
    struct Hub;
    void startConnect(Hub &hub);
    void onConnected(Hub &hub);
    void onData(Hub &hub, const char *data, qsizetype size);
    void onClosed(Hub &hub);
    void pump(Hub &hub);
    void next();

    std::unique_ptr<tls::SocketWatcher> m_sockets; // made in the simulator's thread
    std::shared_ptr<tls::TlsContext> m_tls;
    evp_pkey_st *m_key;
    QString m_connectorId;
    SimCounters &m_counters;
    QList<Hub *> m_hubs;
    QList<Hub *> m_queue; // waiting to connect
    quint16 m_port = 0;
    int m_maxConcurrent = 64;
    int m_connecting = 0;
    bool m_reconnect = false;
    int m_jitterMs = 1000;
    int m_loadHubs = 0;
    int m_batchSize = 100;
    int m_window = 4;
    QRandomGenerator m_random{20261121};
};

} // namespace occ::bench
