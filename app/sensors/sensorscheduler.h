#pragma once

#include "core/clock.h"
#include "core/result.h"
#include "sensors/sensor.h"

#include <memory>
#include <QHash>
#include <QObject>
#include <QTimer>
#include <vector>

namespace occ::hub {

// Runs the sensors on their schedules and hands every reading, as a measurement
// with sensor id and time, to the sink (the outbox). One timer for all sensors,
// set to the next due run; a run still in progress is not started twice.
class SensorScheduler : public QObject
{
    Q_OBJECT
public:
    using Sink = std::function<qint64(protocol::Measurement)>; // returns the seq
    SensorScheduler(const Clock &clock, Sink sink, QObject *parent = nullptr);
    ~SensorScheduler() override;

    // Replaces the sensors (start, reloadConfig); every sensor runs once soon.
    void setSensors(std::vector<std::unique_ptr<Sensor>> sensors);
    void start();
    void stop();

    QStringList ids() const;
    // Runs one sensor now (the runSensor command); answers with the stored
    // measurement's seq and the reading. An error names the known sensors.
    Result<void> runNow(const QString &id,
                        std::function<void(qint64 seq, const protocol::Measurement &)> done);
    qint64 runs() const { return m_runs; }

private:
    struct Entry
    {
        std::unique_ptr<Sensor> sensor;
        qint64 due = 0; // monotonic ms
        bool running = false;
        std::shared_ptr<bool> alive; // false once the entry is replaced
    };
    void runDue();
    void runEntry(Entry &entry, std::function<void(qint64, const protocol::Measurement &)> done);
    void reschedule();

    const Clock &m_clock;
    Sink m_sink;
    std::vector<Entry> m_entries;
    QTimer m_timer;
    bool m_started = false;
    qint64 m_runs = 0;
};

} // namespace occ::hub
