// SubmitBatch throughput of occ-cloud over HTTPS (mutual TLS), batches of 100 and
// 500 measurements, into SQLite and into PostgreSQL. Prints figures; fails only
// when submissions fail. Duration per case: OCC_BENCH_SECONDS (default 10).
#include "await.h"
#include "benchutil.h"
#include "cloudapi/cloudclient.h"
#include "cloudprocess.h"
#include "pki/csr.h"
#include "pki/privatekey.h"
#include "postgres.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QThread>

using namespace occ;
using namespace occ::cloudapi;

namespace {

constexpr int kClients = 4; // concurrent HTTPS connections (hubs or connectors)

struct Case
{
    QString backend;
    int batchSize;
};

HubBatch makeBatch(const QString &hubId, qint64 firstSeq, int size)
{
    HubBatch batch{hubId, {}};
    batch.measurements.reserve(size);
    for (int i = 0; i < size; ++i) {
        protocol::Measurement m;
        m.seq = firstSeq + i;
        m.sensor = QStringLiteral("sensor%1").arg(i % 8);
        m.ts = 1'790'000'000'000 + m.seq;
        m.status = protocol::Status::Ok;
        m.values = {{QStringLiteral("value"), double(i)}, {QStringLiteral("limit"), 90.0}};
        batch.measurements.append(m);
    }
    return batch;
}

bool runCase(const Case &c, const QString &dbUrl, QTemporaryDir &dir)
{
    test::CloudProcess cloud(dir.filePath(c.backend + QString::number(c.batchSize)), dbUrl,
                             {QStringLiteral("--set"), QStringLiteral("server/threads=4")});
    const test::CloudProcess::Customer customer = cloud.addCustomer(QStringLiteral("Bench"));
    if (!cloud.start())
        return false;
    // One enrolled hub per client, each submitting for itself.
    std::vector<std::unique_ptr<CloudClient>> clients;
    QStringList hubIds;
    for (int i = 0; i < kClients; ++i) {
        Result<pki::PrivateKey> key = pki::PrivateKey::generate();
        CloudEndpoint endpoint;
        endpoint.url = cloud.url();
        endpoint.trustedCas = QSslCertificate::fromPath(cloud.caFile());
        endpoint.proxy.mode = ProxySettings::Mode::None;
        CloudClient anonymous(endpoint);
        Result<Certificates> certs = test::await<Certificates>([&](auto done) {
            anonymous.enrol({customer.id, customer.enrolmentKey, QStringLiteral("hub"),
                             QStringLiteral("bench%1").arg(i),
                             *pki::createCsr(*key, QStringLiteral("bench"))},
                            done);
        });
        if (!certs) {
            qCritical("enrol: %s", qPrintable(certs.error().toString()));
            return false;
        }
        endpoint.clientCertificate = QSslCertificate(certs->certificatePem);
        endpoint.clientKey = key->toQSslKey();
        clients.push_back(std::make_unique<CloudClient>(endpoint));
        hubIds << certs->id;
    }
    // Pre-built batches: the benchmark measures the cloud, not batch building.
    const int seconds = bench::benchSeconds(10);
    QElapsedTimer timer;
    qint64 stored = 0;
    int failures = 0;
    int inFlight = 0;
    QList<qint64> nextSeq(kClients, 1);
    const double cpuBefore = bench::processCpuSeconds(cloud.pid());
    const double selfBefore = bench::processCpuSeconds(QCoreApplication::applicationPid());
    timer.start();
    std::function<void(int)> send = [&](int i) {
        if (timer.elapsed() >= seconds * 1000LL)
            return;
        ++inFlight;
        const HubBatch batch = makeBatch(hubIds.at(i), nextSeq[i], c.batchSize);
        nextSeq[i] += c.batchSize;
        clients.at(size_t(i))->submitBatch({batch}, [&, i](Result<QList<HubSeq>> r) {
            --inFlight;
            if (r)
                stored += r->first().stored;
            else if (++failures < 5)
                qWarning("submit failed: %s", qPrintable(r.error().toString()));
            send(i);
        });
    };
    for (int i = 0; i < kClients; ++i)
        send(i);
    test::waitFor([&] { return timer.elapsed() >= seconds * 1000LL && inFlight == 0; },
                  (seconds + 60) * 1000);
    const double elapsed = timer.elapsed() / 1000.0;
    const double cpu = bench::processCpuSeconds(cloud.pid()) - cpuBefore;
    const double self = bench::processCpuSeconds(QCoreApplication::applicationPid()) - selfBefore;
    bench::report(QStringLiteral("SubmitBatch %1 batch=%2 clients=%3: %4 measurements/s (%5 stored in %6 s), "
                                 "occ-cloud CPU %7%, RSS %8 MB; client CPU %9%")
                      .arg(c.backend, -10)
                      .arg(c.batchSize, 3)
                      .arg(kClients)
                      .arg(qRound(stored / elapsed), 7)
                      .arg(stored)
                      .arg(elapsed, 0, 'f', 1)
                      .arg(qRound(100 * cpu / elapsed))
                      .arg(bench::processRss(cloud.pid()) / (1024 * 1024))
                      .arg(qRound(100 * self / elapsed)));
    cloud.stop();
    return failures == 0 && stored > 0;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QTemporaryDir dir;
    test::PostgresServer postgres;
    QString error;
    if (!postgres.start(&error)) {
        qCritical("cannot start PostgreSQL: %s", qPrintable(error));
        return 1;
    }
    bench::report(
        QStringLiteral("machine: %1 cores; client and server share them").arg(QThread::idealThreadCount()));
    bool ok = true;
    int database = 0;
    for (const Case &c : {Case{QStringLiteral("sqlite"), 100}, Case{QStringLiteral("sqlite"), 500},
                          Case{QStringLiteral("postgresql"), 100}, Case{QStringLiteral("postgresql"), 500}}) {
        QString url;
        if (c.backend == QLatin1StringView("postgresql"))
            url = postgres.createDatabase(QStringLiteral("bench%1").arg(++database), &error);
        ok = runCase(c, url, dir) && ok;
    }
    return ok ? 0 : 1;
}
