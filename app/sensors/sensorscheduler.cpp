#include "sensorscheduler.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcScheduler, "occ.hub.sensors")

namespace occ::hub {

SensorScheduler::SensorScheduler(const Clock &clock, Sink sink, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
    , m_sink(std::move(sink))
{
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &SensorScheduler::runDue);
}

SensorScheduler::~SensorScheduler()
{
    stop();
    for (Entry &entry : m_entries)
        *entry.alive = false;
}

void SensorScheduler::setSensors(std::vector<std::unique_ptr<Sensor>> sensors)
{
    for (Entry &entry : m_entries)
        *entry.alive = false; // a run in progress reports into nothing
    m_entries.clear();
    const qint64 now = m_clock.monotonicMs();
    qint64 stagger = 0;
    for (std::unique_ptr<Sensor> &sensor : sensors) {
        // A little apart, so the first runs do not all land in one instant.
        m_entries.push_back(Entry{std::move(sensor), now + stagger, false, std::make_shared<bool>(true)});
        stagger += 100;
    }
    qCInfo(lcScheduler).noquote() << "sensors:" << ids().join(QStringLiteral(", "));
    reschedule();
}

void SensorScheduler::start()
{
    m_started = true;
    reschedule();
}

void SensorScheduler::stop()
{
    m_started = false;
    m_timer.stop();
}

QStringList SensorScheduler::ids() const
{
    QStringList list;
    for (const Entry &entry : m_entries)
        list << entry.sensor->id();
    return list;
}

void SensorScheduler::runDue()
{
    const qint64 now = m_clock.monotonicMs();
    for (Entry &entry : m_entries) {
        if (entry.due <= now && !entry.running) {
            entry.due = now + qMax<qint64>(1000, entry.sensor->intervalMs());
            runEntry(entry, nullptr);
        }
    }
    reschedule();
}

void SensorScheduler::runEntry(Entry &entry, std::function<void(qint64, const protocol::Measurement &)> done)
{
    entry.running = true;
    ++m_runs;
    const QString id = entry.sensor->id();
    std::shared_ptr<bool> alive = entry.alive;
    Entry *self = &entry;
    entry.sensor->run([this, id, alive, self, done = std::move(done)](Reading reading) {
        if (!*alive)
            return;
        self->running = false;
        reschedule();
        protocol::Measurement m;
        m.sensor = id;
        m.ts = m_clock.epochMs();
        m.status = reading.status;
        m.values = std::move(reading.values);
        m.text = reading.text.left(1000);
        const qint64 seq = m_sink(m);
        m.seq = seq;
        qCDebug(lcScheduler).noquote() << id << protocol::enumName(m.status) << m.text << "seq" << seq;
        if (done)
            done(seq, m);
    });
}

Result<void> SensorScheduler::runNow(const QString &id,
                                     std::function<void(qint64, const protocol::Measurement &)> done)
{
    for (Entry &entry : m_entries) {
        if (entry.sensor->id() == id) {
            if (entry.running)
                return fail(ErrorCategory::Input, QStringLiteral("sensor '%1' is running already").arg(id));
            runEntry(entry, std::move(done));
            return {};
        }
    }
    return fail(
        ErrorCategory::Input,
        QStringLiteral("no sensor '%1' (sensors: %2)").arg(id.left(64), ids().join(QStringLiteral(", "))));
}

void SensorScheduler::reschedule()
{
    if (!m_started || m_entries.empty()) {
        m_timer.stop();
        return;
    }
    qint64 next = -1;
    for (const Entry &entry : m_entries) {
        if (!entry.running && (next < 0 || entry.due < next))
            next = entry.due;
    }
    if (next < 0) {
        m_timer.start(1000); // all running: look again soon
        return;
    }
    m_timer.start(int(qBound(qint64(0), next - m_clock.monotonicMs(), qint64(24 * 3600 * 1000))));
}

} // namespace occ::hub
