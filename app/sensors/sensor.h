#pragma once

#include "protocol/messages.h"

#include <functional>
#include <optional>
#include <QMap>
#include <QString>

namespace occ::hub {

// Turns a value into ok / warn / error (ARCHITECTURE §13). Either limit may be
// unset; lowerIsWorse for values such as free space or days to expiry.
struct Thresholds
{
    std::optional<double> warn;
    std::optional<double> error;
    bool lowerIsWorse = false;

    protocol::Status evaluate(double value) const;
};

// What one run of a sensor found. The scheduler adds the sensor id, the time and
// the seq when it stores the measurement.
struct Reading
{
    protocol::Status status = protocol::Status::Unknown;
    QMap<QString, double> values;
    QString text;
};

// A sensor: an id, a schedule and run(), which must not block the event loop —
// it reports through done, now or later (a network check answers later). The
// catalogue of §13 (disk, services, ports, HTTP, TLS expiry, mail, Docker, backup
// freshness, remote-access agents) plugs in here.
class Sensor
{
public:
    using Done = std::function<void(Reading)>;
    virtual ~Sensor() = default;
    virtual QString id() const = 0;
    virtual qint64 intervalMs() const = 0;
    virtual void run(Done done) = 0;
};

} // namespace occ::hub
