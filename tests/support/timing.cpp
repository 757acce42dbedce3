#include "timing.h"

#include <QString>

namespace occ::test {

double timeFactor()
{
    static const double factor = [] {
        bool ok = false;
        const double fromEnvironment = qEnvironmentVariable("OCC_TEST_TIME_FACTOR").toDouble(&ok);
        return ok && fromEnvironment > 0 ? fromEnvironment : double(OCC_TEST_DEFAULT_TIME_FACTOR);
    }();
    return factor;
}

int scaled(int ms)
{
    return int(qMin(double(ms) * timeFactor(), 24.0 * 3600 * 1000));
}

} // namespace occ::test
