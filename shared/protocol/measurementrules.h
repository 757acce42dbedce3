#pragma once

#include "core/result.h"
#include "protocol/messages.h"

namespace occ::protocol {

// The one set of rules a measurement must meet to be stored by the cloud
// (ARCHITECTURE §9 "one bad item never blocks a queue"). The cloud refuses what
// breaks them; the connector checks them before it spools, so that it can set a bad
// item aside instead of having a whole SubmitBatch refused again and again; the hub
// shapes what its sensors produce to them.
struct MeasurementLimits
{
    static constexpr int maxSensorId = 128;
    static constexpr int maxText = 4096;
    static constexpr int maxValues = 128;
    static constexpr int maxValueName = 128;
};

Result<void> validateMeasurement(const Measurement &m);

// Makes a measurement of the hub's own sensors fit the rules: text and value names
// cut to their limits, values beyond the limit dropped, non-finite values dropped.
// (A sensor id or time that breaks the rules is a bug; validate() still says so.)
Measurement fitMeasurement(Measurement m);

} // namespace occ::protocol
