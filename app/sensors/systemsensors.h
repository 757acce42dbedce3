#pragma once

#include "sensors/sensor.h"
#include "settings/settings.h"

#include <memory>
#include <QElapsedTimer>
#include <QString>
#include <vector>

namespace occ::hub {

// The minimal sensors of a Sensorhub, read from Linux's /proc (procRoot lets tests
// point at a copy). Each reads a few hundred bytes: nothing blocks.

// "heartbeat": the hub is alive; its interval is sensors/heartbeatInterval.
class HeartbeatSensor final : public Sensor
{
public:
    explicit HeartbeatSensor(qint64 intervalMs)
        : m_interval(intervalMs)
    {
        m_started.start();
    }
    QString id() const override { return QStringLiteral("heartbeat"); }
    qint64 intervalMs() const override { return m_interval; }
    void run(Done done) override;

private:
    qint64 m_interval;
    QElapsedTimer m_started;
};

// "uptime": seconds since boot (/proc/uptime).
class UptimeSensor final : public Sensor
{
public:
    UptimeSensor(qint64 intervalMs, QString procRoot)
        : m_interval(intervalMs)
        , m_proc(std::move(procRoot))
    {}
    QString id() const override { return QStringLiteral("uptime"); }
    qint64 intervalMs() const override { return m_interval; }
    void run(Done done) override;

private:
    qint64 m_interval;
    QString m_proc;
};

// "cpu": busy share of all cores since the previous run (/proc/stat), plus the
// load averages (/proc/loadavg). The first run compares with construction time.
class CpuSensor final : public Sensor
{
public:
    CpuSensor(qint64 intervalMs, Thresholds thresholds, QString procRoot);
    QString id() const override { return QStringLiteral("cpu"); }
    qint64 intervalMs() const override { return m_interval; }
    void run(Done done) override;

private:
    struct Times
    {
        quint64 busy = 0;
        quint64 total = 0;
        int cores = 0;
        bool ok = false;
    };
    Times read() const;

    qint64 m_interval;
    Thresholds m_thresholds;
    QString m_proc;
    Times m_previous;
};

// "memory": used share of RAM (MemTotal - MemAvailable) and swap (/proc/meminfo).
class MemorySensor final : public Sensor
{
public:
    MemorySensor(qint64 intervalMs, Thresholds thresholds, QString procRoot)
        : m_interval(intervalMs)
        , m_thresholds(thresholds)
        , m_proc(std::move(procRoot))
    {}
    QString id() const override { return QStringLiteral("memory"); }
    qint64 intervalMs() const override { return m_interval; }
    void run(Done done) override;

private:
    qint64 m_interval;
    Thresholds m_thresholds;
    QString m_proc;
};

// The sensors the settings ask for (sensors/*).
std::vector<std::unique_ptr<Sensor>> makeSystemSensors(const settings::Settings &settings,
                                                       const QString &procRoot = QStringLiteral("/proc"));

} // namespace occ::hub
