#include "systemsensors.h"

#include <cmath>
#include <QFile>

namespace occ::hub {

using protocol::Status;

Status Thresholds::evaluate(double value) const
{
    auto beyond = [this, value](double limit) { return lowerIsWorse ? value <= limit : value >= limit; };
    if (error && beyond(*error))
        return Status::Error;
    if (warn && beyond(*warn))
        return Status::Warn;
    return Status::Ok;
}

namespace {

QByteArray readProc(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.read(64 * 1024); // /proc files report size 0; read what is there
}

Reading unknown(const QString &why)
{
    Reading reading;
    reading.status = Status::Unknown;
    reading.text = why;
    return reading;
}

} // namespace

void HeartbeatSensor::run(Done done)
{
    Reading reading;
    reading.status = Status::Ok;
    reading.values.insert(QStringLiteral("agentUptime"), double(m_started.elapsed() / 1000));
    reading.text = QStringLiteral("occ-sensorhub " OCC_VERSION " alive");
    done(reading);
}

void UptimeSensor::run(Done done)
{
    const QList<QByteArray> fields = readProc(m_proc + QStringLiteral("/uptime")).simplified().split(' ');
    bool ok = false;
    const double seconds = fields.value(0).toDouble(&ok);
    if (!ok || seconds < 0) {
        done(unknown(QStringLiteral("cannot read %1/uptime").arg(m_proc)));
        return;
    }
    Reading reading;
    reading.status = Status::Ok;
    reading.values.insert(QStringLiteral("seconds"), std::floor(seconds));
    reading.text =
        QStringLiteral("up %1 d %2 h").arg(qint64(seconds) / 86400).arg(qint64(seconds) % 86400 / 3600);
    done(reading);
}

CpuSensor::CpuSensor(qint64 intervalMs, Thresholds thresholds, QString procRoot)
    : m_interval(intervalMs)
    , m_thresholds(thresholds)
    , m_proc(std::move(procRoot))
{
    m_previous = read();
}

CpuSensor::Times CpuSensor::read() const
{
    Times times;
    const QList<QByteArray> lines = readProc(m_proc + QStringLiteral("/stat")).split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("cpu ")) {
            // user nice system idle iowait irq softirq steal ...
            const QList<QByteArray> f = line.simplified().split(' ');
            if (f.size() < 5)
                return times;
            quint64 total = 0;
            for (qsizetype i = 1; i < f.size() && i <= 8; ++i)
                total += f.at(i).toULongLong();
            const quint64 idle = f.value(4).toULongLong() + f.value(5).toULongLong();
            times.total = total;
            times.busy = total >= idle ? total - idle : 0;
            times.ok = total > 0;
        } else if (line.startsWith("cpu")) {
            ++times.cores;
        }
    }
    return times;
}

void CpuSensor::run(Done done)
{
    const Times now = read();
    if (!now.ok || !m_previous.ok) {
        m_previous = now;
        done(unknown(QStringLiteral("cannot read %1/stat").arg(m_proc)));
        return;
    }
    const quint64 total = now.total - qMin(now.total, m_previous.total);
    const quint64 busy = now.busy - qMin(now.busy, m_previous.busy);
    m_previous = now;
    Reading reading;
    const double usage = total > 0 ? std::round(1000.0 * double(busy) / double(total)) / 10.0 : 0.0;
    reading.values.insert(QStringLiteral("usage"), usage);
    reading.values.insert(QStringLiteral("cores"), now.cores);
    const QList<QByteArray> load = readProc(m_proc + QStringLiteral("/loadavg")).simplified().split(' ');
    if (load.size() >= 3) {
        reading.values.insert(QStringLiteral("load1"), load.at(0).toDouble());
        reading.values.insert(QStringLiteral("load5"), load.at(1).toDouble());
        reading.values.insert(QStringLiteral("load15"), load.at(2).toDouble());
    }
    reading.status = m_thresholds.evaluate(usage);
    reading.text = QStringLiteral("CPU %1 % on %2 cores").arg(usage, 0, 'f', 1).arg(now.cores);
    done(reading);
}

void MemorySensor::run(Done done)
{
    QMap<QByteArray, double> kib;
    const QList<QByteArray> lines = readProc(m_proc + QStringLiteral("/meminfo")).split('\n');
    for (const QByteArray &line : lines) {
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            kib.insert(line.left(colon), line.mid(colon + 1).simplified().split(' ').value(0).toDouble());
    }
    const double total = kib.value("MemTotal");
    if (total <= 0 || !kib.contains("MemAvailable")) {
        done(unknown(QStringLiteral("cannot read %1/meminfo").arg(m_proc)));
        return;
    }
    const double available = kib.value("MemAvailable");
    const double used = std::round(1000.0 * (total - available) / total) / 10.0;
    Reading reading;
    reading.values.insert(QStringLiteral("usedPercent"), used);
    reading.values.insert(QStringLiteral("totalMiB"), std::round(total / 1024));
    reading.values.insert(QStringLiteral("availableMiB"), std::round(available / 1024));
    const double swapTotal = kib.value("SwapTotal");
    if (swapTotal > 0)
        reading.values.insert(QStringLiteral("swapUsedPercent"),
                              std::round(1000.0 * (swapTotal - kib.value("SwapFree")) / swapTotal) / 10.0);
    reading.status = m_thresholds.evaluate(used);
    reading.text =
        QStringLiteral("memory %1 % used of %2 MiB").arg(used, 0, 'f', 1).arg(qint64(total / 1024));
    done(reading);
}

std::vector<std::unique_ptr<Sensor>> makeSystemSensors(const settings::Settings &settings,
                                                       const QString &procRoot)
{
    const qint64 interval = qMax<qint64>(1000, settings.millis(QStringLiteral("sensors/interval")));
    auto limits = [&settings](const char *warn, const char *error) {
        Thresholds t;
        t.warn = double(settings.integer(QString::fromLatin1(warn)));
        t.error = double(settings.integer(QString::fromLatin1(error)));
        return t;
    };
    std::vector<std::unique_ptr<Sensor>> sensors;
    sensors.push_back(std::make_unique<HeartbeatSensor>(
        qMax<qint64>(1000, settings.millis(QStringLiteral("sensors/heartbeatInterval")))));
    sensors.push_back(std::make_unique<UptimeSensor>(interval, procRoot));
    sensors.push_back(
        std::make_unique<CpuSensor>(interval, limits("sensors/cpuWarn", "sensors/cpuError"), procRoot));
    sensors.push_back(std::make_unique<MemorySensor>(
        interval, limits("sensors/memoryWarn", "sensors/memoryError"), procRoot));
    return sensors;
}

} // namespace occ::hub
