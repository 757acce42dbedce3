// The minimal sensors read /proc; here from a copy with known content (values and
// thresholds exact) and once from the real /proc (plausible values). The scheduler
// runs them on their intervals and through runNow.
#include "await.h"
#include "core/clock.h"
#include "sensors/sensorscheduler.h"
#include "sensors/systemsensors.h"
#include "testutil.h"

#include <QTemporaryDir>
#include <QTest>

using namespace occ;
using namespace occ::hub;
using occ::protocol::Status;

namespace {

Reading runOnce(Sensor &sensor)
{
    Reading result;
    bool done = false;
    sensor.run([&](Reading r) {
        result = std::move(r);
        done = true;
    });
    if (!done)
        qFatal("sensor %s did not answer synchronously", qPrintable(sensor.id()));
    return result;
}

} // namespace

class TestSensors : public QObject
{
    Q_OBJECT

    QTemporaryDir m_proc;

    void writeProc(const char *name, const QByteArray &content)
    {
        QVERIFY(test::writeFile(m_proc.filePath(QString::fromLatin1(name)), content));
    }

private slots:
    void thresholds()
    {
        Thresholds t{80.0, 95.0, false};
        QCOMPARE(t.evaluate(10), Status::Ok);
        QCOMPARE(t.evaluate(80), Status::Warn);
        QCOMPARE(t.evaluate(94.9), Status::Warn);
        QCOMPARE(t.evaluate(95), Status::Error);
        Thresholds low{20.0, 5.0, true}; // free space: lower is worse
        QCOMPARE(low.evaluate(50), Status::Ok);
        QCOMPARE(low.evaluate(20), Status::Warn);
        QCOMPARE(low.evaluate(4), Status::Error);
        QCOMPARE(Thresholds{}.evaluate(1e9), Status::Ok);
    }

    void cpuFromProcStat()
    {
        writeProc("stat", "cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 50 0 50 400 0 0 0 0 0 0\ncpu1 50 0 50 400 0 "
                          "0 0 0 0 0\nintr 1\n");
        writeProc("loadavg", "0.50 0.25 0.10 1/100 1234\n");
        CpuSensor cpu(60000, Thresholds{50.0, 90.0, false}, m_proc.path());
        // 1000 more jiffies, 600 of them busy: 60 %.
        writeProc("stat",
                  "cpu  400 0 400 1200 0 0 0 0 0 0\ncpu0 1 0 1 1 0 0 0 0 0 0\ncpu1 1 0 1 1 0 0 0 0 0 0\n");
        const Reading r = runOnce(cpu);
        QCOMPARE(r.values.value(QStringLiteral("usage")), 60.0);
        QCOMPARE(r.values.value(QStringLiteral("cores")), 2.0);
        QCOMPARE(r.values.value(QStringLiteral("load1")), 0.5);
        QCOMPARE(r.values.value(QStringLiteral("load15")), 0.1);
        QCOMPARE(r.status, Status::Warn);
        // Nothing changed since: 0 %, ok.
        QCOMPARE(runOnce(cpu).values.value(QStringLiteral("usage")), 0.0);
    }

    void memoryFromProcMeminfo()
    {
        writeProc("meminfo",
                  "MemTotal:       1000000 kB\nMemFree:         100000 kB\nMemAvailable:    40000 kB\n"
                  "SwapTotal:       200000 kB\nSwapFree:        150000 kB\n");
        MemorySensor memory(60000, Thresholds{85.0, 95.0, false}, m_proc.path());
        const Reading r = runOnce(memory);
        QCOMPARE(r.values.value(QStringLiteral("usedPercent")), 96.0);
        QCOMPARE(r.values.value(QStringLiteral("swapUsedPercent")), 25.0);
        QCOMPARE(r.values.value(QStringLiteral("totalMiB")), std::round(1000000.0 / 1024));
        QCOMPARE(r.status, Status::Error);
    }

    void unreadableProcIsUnknownNotAGuess()
    {
        QTemporaryDir empty;
        MemorySensor memory(60000, {}, empty.path());
        QCOMPARE(runOnce(memory).status, Status::Unknown);
        UptimeSensor uptime(60000, empty.path());
        const Reading r = runOnce(uptime);
        QCOMPARE(r.status, Status::Unknown);
        QVERIFY(r.text.contains(QStringLiteral("uptime")));
        CpuSensor cpu(60000, {}, empty.path());
        QCOMPARE(runOnce(cpu).status, Status::Unknown);
    }

    void realProcIsPlausible()
    {
        settings::Settings settings(QString(), {});
        std::vector<std::unique_ptr<Sensor>> sensors = makeSystemSensors(settings);
        QStringList ids;
        for (const auto &sensor : sensors) {
            ids << sensor->id();
            const Reading r = runOnce(*sensor);
            QVERIFY2(r.status != Status::Unknown, qPrintable(sensor->id() + QLatin1Char(' ') + r.text));
        }
        QCOMPARE(ids, (QStringList{QStringLiteral("heartbeat"), QStringLiteral("uptime"),
                                   QStringLiteral("cpu"), QStringLiteral("memory")}));
        UptimeSensor uptime(1000, QStringLiteral("/proc"));
        QVERIFY(runOnce(uptime).values.value(QStringLiteral("seconds")) > 0);
        MemorySensor memory(1000, {}, QStringLiteral("/proc"));
        const double used = runOnce(memory).values.value(QStringLiteral("usedPercent"));
        QVERIFY(used > 0 && used < 100);
    }

    void schedulerStoresEveryRunWithIdAndTime()
    {
        SystemClock clock;
        QList<protocol::Measurement> stored;
        SensorScheduler scheduler(clock, [&](protocol::Measurement m) {
            stored.append(m);
            return qint64(stored.size());
        });
        std::vector<std::unique_ptr<Sensor>> sensors;
        sensors.push_back(std::make_unique<HeartbeatSensor>(1000));
        sensors.push_back(std::make_unique<UptimeSensor>(60000, QStringLiteral("/proc")));
        scheduler.setSensors(std::move(sensors));
        const qint64 before = clock.epochMs();
        scheduler.start();
        // Both run once at the start; the heartbeat again every second.
        QTRY_VERIFY_WITH_TIMEOUT(stored.size() >= 4, test::scaled(5000));
        int heartbeats = 0;
        for (const protocol::Measurement &m : std::as_const(stored)) {
            QVERIFY(m.ts >= before);
            heartbeats += m.sensor == QLatin1StringView("heartbeat");
        }
        QVERIFY(heartbeats >= 3);
        QCOMPARE(std::count_if(stored.cbegin(), stored.cend(),
                               [](const auto &m) { return m.sensor == QLatin1StringView("uptime"); }),
                 1);

        qint64 seq = 0;
        QVERIFY(scheduler
                    .runNow(QStringLiteral("uptime"),
                            [&](qint64 s, const protocol::Measurement &m) {
                                seq = s;
                                QCOMPARE(m.sensor, QStringLiteral("uptime"));
                            })
                    .ok());
        QCOMPARE(seq, qint64(stored.size()));
        Result<void> unknown = scheduler.runNow(QStringLiteral("nope"), nullptr);
        QVERIFY(!unknown);
        QVERIFY(unknown.error().message.contains(QStringLiteral("heartbeat, uptime")));
        scheduler.stop();
        const qsizetype count = stored.size();
        test::observe(1500); // nothing more after stop()
        QCOMPARE(stored.size(), count);
    }
};

QTEST_GUILESS_MAIN(TestSensors)
#include "tst_sensors.moc"
