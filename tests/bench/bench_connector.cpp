// The connector under load (issue targets on this 2-core machine: 10,000 hubs held;
// <= 40 KB RSS per idle hub; 10,000-hub reconnect storm back in <= 8 s;
// >= 100,000 measurements/s acknowledged with the durable spool).
// A hub simulator in this process holds N mutual-TLS sessions (OCC_BENCH_HUBS,
// default 10000), each with its own certificate enrolled through the real cloud.
// Prints figures; fails only when the run itself breaks.
#include "await.h"
#include "benchutil.h"
#include "cloudapi/cloudclient.h"
#include "cloudprocess.h"
#include "connectorprocess.h"
#include "hubsimulator.h"
#include "pki/csr.h"
#include "pki/privatekey.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <sys/resource.h>

using namespace occ;
using namespace occ::bench;

namespace {

void raiseFileLimit()
{
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    report(QStringLiteral("RLIMIT_NOFILE raised to %1 (inherited by occ-connector)")
               .arg(qulonglong(limit.rlim_cur)));
}

// Enrols n hubs through the cloud's Enrol operation, 8 calls at a time, all with
// the same key (the cloud assigns each its own id and certificate).
QList<SimIdentity> enrolHubs(test::CloudProcess &cloud, const test::CloudProcess::Customer &customer,
                             const pki::PrivateKey &key, int n)
{
    const QByteArray csr = *pki::createCsr(key, QStringLiteral("bench-hub"));
    QList<SimIdentity> hubs;
    std::vector<std::unique_ptr<cloudapi::CloudClient>> clients;
    for (int i = 0; i < 8; ++i) {
        cloudapi::CloudEndpoint endpoint;
        endpoint.url = cloud.url();
        endpoint.trustedCas = QSslCertificate::fromPath(cloud.caFile());
        endpoint.proxy.mode = cloudapi::ProxySettings::Mode::None;
        clients.push_back(std::make_unique<cloudapi::CloudClient>(endpoint));
    }
    int started = 0;
    int failed = 0;
    std::function<void(cloudapi::CloudClient *)> one = [&](cloudapi::CloudClient *client) {
        if (started >= n)
            return;
        ++started;
        client->enrol(
            {customer.id, customer.enrolmentKey, QStringLiteral("hub"), QStringLiteral("bench"), csr},
            [&, client](Result<cloudapi::Certificates> r) {
                if (!r) {
                    ++failed;
                    qWarning("enrol: %s", qPrintable(r.error().message));
                } else {
                    BIO *bio = BIO_new_mem_buf(r->certificatePem.constData(), int(r->certificatePem.size()));
                    hubs.append({r->id, PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)});
                    BIO_free(bio);
                }
                one(client);
            });
    };
    for (auto &client : clients)
        one(client.get());
    test::waitFor([&] { return hubs.size() + failed >= n; }, 3600 * 1000);
    return hubs;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    const int n = envInt("OCC_BENCH_HUBS", 10000);
    const int seconds = benchSeconds(10);
    raiseFileLimit();
    QTemporaryDir dir;
    test::CloudProcess cloud(dir.filePath(QStringLiteral("cloud")), QString(),
                             {QStringLiteral("--set"), QStringLiteral("server/threads=2"),
                              QStringLiteral("--set"), QStringLiteral("identity/validityDays=2")});
    const test::CloudProcess::Customer customer = cloud.addCustomer(QStringLiteral("Bench"));
    if (!cloud.start())
        return 1;
    // A fixed port: after the restart the hubs come back to the same address.
    QTcpServer probe;
    probe.listen(QHostAddress::LocalHost, 0);
    const quint16 port = probe.serverPort();
    probe.close();
    test::ConnectorProcess connector(
        dir.filePath(QStringLiteral("connector")),
        {QStringLiteral("connector/listen=127.0.0.1:%1").arg(port),
         QStringLiteral("connector/descriptionPort=0"), QStringLiteral("ssdp/enabled=false"),
         QStringLiteral("connection/heartbeat=30"), QStringLiteral("connection/reportInterval=300")});
    if (!connector.enrol(cloud, customer) || !connector.start())
        return 1;

    QElapsedTimer timer;
    timer.start();
    const pki::PrivateKey key = *pki::PrivateKey::generate();
    const QList<SimIdentity> hubs = enrolHubs(cloud, customer, key, n);
    report(QStringLiteral("enrolled %1 hubs through the cloud in %2 s")
               .arg(hubs.size())
               .arg(timer.elapsed() / 1000.0, 0, 'f', 1));
    if (hubs.size() != n)
        return 1;
    QTest::qWait(2000);
    const qint64 baseRss = processRss(connector.program().pid());

    // The simulator: two threads, each holding half of the hubs.
    const QList<QSslCertificate> ca =
        QSslCertificate::fromPath(dir.filePath(QStringLiteral("connector/identity/customer-ca.pem")));
    Result<std::shared_ptr<tls::TlsContext>> tls = tls::TlsContext::createClient(ca.value(0));
    if (!tls)
        return 1;
    SimCounters counters;
    QList<QThread *> threads;
    QList<HubSimulator *> simulators;
    const int threadsCount = 2;
    for (int t = 0; t < threadsCount; ++t) {
        QList<SimIdentity> share;
        for (int i = t; i < hubs.size(); i += threadsCount)
            share.append(hubs.at(i));
        auto *thread = new QThread;
        auto *simulator = new HubSimulator(*tls, key.get(), share, connector.id(), counters);
        simulator->moveToThread(thread);
        thread->start();
        threads.append(thread);
        simulators.append(simulator);
    }

    // 1. All N connect (full handshakes).
    timer.restart();
    for (HubSimulator *simulator : std::as_const(simulators))
        simulator->connectAll(connector.port(), 128);
    if (!test::waitFor([&] { return counters.active.load() == n; }, 600 * 1000)) {
        qCritical("only %d of %d hubs connected", counters.active.load(), n);
        return 1;
    }
    report(QStringLiteral("%1 hubs connected (full TLS handshakes) in %2 s, %3 failed attempts")
               .arg(n)
               .arg(timer.elapsed() / 1000.0, 0, 'f', 1)
               .arg(counters.failures.load()));

    // 2. Idle memory.
    QTest::qWait(5000);
    const qint64 idleRss = processRss(connector.program().pid());
    report(QStringLiteral("occ-connector RSS: %1 MB before hubs, %2 MB with %3 idle hubs: %4 KB per idle hub")
               .arg(baseRss / 1048576.0, 0, 'f', 1)
               .arg(idleRss / 1048576.0, 0, 'f', 1)
               .arg(n)
               .arg((idleRss - baseRss) / 1024.0 / n, 0, 'f', 1));

    // 3. Reconnect storm: the connector restarts, every hub comes back (with its
    // saved TLS session), reconnect jitter 0..1 s.
    for (HubSimulator *simulator : std::as_const(simulators))
        simulator->setReconnect(true, 1000, 2000);
    connector.stop();
    test::waitFor([&] { return counters.active.load() == 0; }, 30000);
    const qint64 failuresBefore = counters.failures.load();
    if (!connector.start())
        return 1;
    timer.restart();
    const double stormCpuStart = processCpuSeconds(connector.program().pid());
    const double selfCpuStart = processCpuSeconds(QCoreApplication::applicationPid());
    if (!test::waitFor([&] { return counters.active.load() == n; }, 300 * 1000)) {
        qCritical("storm: only %d of %d hubs came back", counters.active.load(), n);
        return 1;
    }
    const double storm = timer.elapsed() / 1000.0;
    const double stormCpu = processCpuSeconds(connector.program().pid()) - stormCpuStart;
    const double selfCpu = processCpuSeconds(QCoreApplication::applicationPid()) - selfCpuStart;
    const QJsonObject handshakes =
        connector.query(QStringLiteral("status"))[QStringLiteral("handshakes")].toObject();
    report(QStringLiteral(
               "reconnect storm: all %1 hubs back %2 s after the connector restarted; %3 of %4 handshakes "
               "resumed TLS sessions; %5 refused attempts while it was down; CPU during the storm: "
               "occ-connector %6%, simulator %7%")
               .arg(n)
               .arg(storm, 0, 'f', 2)
               .arg(handshakes[QStringLiteral("resumed")].toInteger())
               .arg(handshakes[QStringLiteral("completed")].toInteger())
               .arg(counters.failures.load() - failuresBefore)
               .arg(qRound(100 * stormCpu / storm))
               .arg(qRound(100 * selfCpu / storm)));

    // 4. Throughput with the durable spool (fsync per group commit) while all N
    // stay connected. The cloud is stopped so that forwarding does not take the
    // CPU this measures; the spool keeps everything.
    cloud.stop();
    const int loadHubs = envInt("OCC_BENCH_LOAD_HUBS", 200);
    for (HubSimulator *simulator : std::as_const(simulators))
        simulator->startLoad(loadHubs / threadsCount, 100, 8);
    QTest::qWait(3000);
    const qint64 ackedBefore = counters.acknowledged.load();
    const double cpuBefore = processCpuSeconds(connector.program().pid());
    timer.restart();
    QTest::qWait(seconds * 1000);
    const double elapsed = timer.elapsed() / 1000.0;
    const qint64 acked = counters.acknowledged.load() - ackedBefore;
    const double cpu = processCpuSeconds(connector.program().pid()) - cpuBefore;
    for (HubSimulator *simulator : std::as_const(simulators))
        simulator->stopLoad();
    report(QStringLiteral(
               "throughput: %1 measurements/s acknowledged (batches of 100, %2 sending hubs, window 8, "
               "%3 hubs connected, spool fsync on); occ-connector CPU %4%")
               .arg(qRound64(acked / elapsed))
               .arg(loadHubs)
               .arg(counters.active.load())
               .arg(qRound(100 * cpu / elapsed)));

    for (HubSimulator *simulator : std::as_const(simulators))
        simulator->shutdown();
    for (int t = 0; t < threads.size(); ++t) {
        threads[t]->quit();
        threads[t]->wait();
        delete simulators[t];
        delete threads[t];
    }
    connector.stop();
    if (!connector.sanitizerReport().isEmpty()) {
        qCritical("%s", connector.sanitizerReport().constData());
        return 1;
    }
    for (const SimIdentity &hub : hubs)
        X509_free(hub.certificate);
    return 0;
}
