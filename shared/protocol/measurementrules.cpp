#include "measurementrules.h"

#include <cmath>

namespace occ::protocol {

Result<void> validateMeasurement(const Measurement &m)
{
    using L = MeasurementLimits;
    if (m.seq <= 0)
        return fail(ErrorCategory::Input,
                    QStringLiteral("measurement seq must be positive, got %1").arg(m.seq));
    if (m.sensor.isEmpty() || m.sensor.size() > L::maxSensorId)
        return fail(ErrorCategory::Input,
                    QStringLiteral("measurement %1: sensor id must have 1 to %2 characters")
                        .arg(m.seq)
                        .arg(L::maxSensorId));
    if (m.ts <= 0)
        return fail(ErrorCategory::Input,
                    QStringLiteral("measurement %1: ts must be ms since the epoch").arg(m.seq));
    if (m.text.size() > L::maxText)
        return fail(
            ErrorCategory::Input,
            QStringLiteral("measurement %1: text longer than %2 characters").arg(m.seq).arg(L::maxText));
    if (m.values.size() > L::maxValues)
        return fail(ErrorCategory::Input,
                    QStringLiteral("measurement %1: more than %2 values").arg(m.seq).arg(L::maxValues));
    for (auto it = m.values.cbegin(); it != m.values.cend(); ++it) {
        if (it.key().isEmpty() || it.key().size() > L::maxValueName || !std::isfinite(it.value()))
            return fail(ErrorCategory::Input,
                        QStringLiteral("measurement %1: bad value '%2'").arg(m.seq).arg(it.key().left(40)));
    }
    return {};
}

Measurement fitMeasurement(Measurement m)
{
    using L = MeasurementLimits;
    if (m.text.size() > L::maxText)
        m.text = m.text.left(L::maxText - 1) + QChar(0x2026); // …
    QMap<QString, double> values;
    for (auto it = m.values.cbegin(); it != m.values.cend() && values.size() < L::maxValues; ++it) {
        if (!std::isfinite(it.value()) || it.key().isEmpty())
            continue;
        values.insert(it.key().left(L::maxValueName), it.value());
    }
    m.values = values;
    return m;
}

} // namespace occ::protocol
