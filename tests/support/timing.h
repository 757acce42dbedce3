#pragma once

namespace occ::test {

// The one factor every deadline in the tests is multiplied by, so that a slow
// machine or a sanitizer build changes one number, not fifty: OCC_TEST_TIME_FACTOR
// from the environment, else the build's default (3 with sanitizers, else 1).
// The support code applies it (waitFor, await, the program processes, SimHub);
// a test that passes its own deadline to Qt (QTRY_*, QSignalSpy::wait) uses
// scaled().
double timeFactor();
int scaled(int ms);

} // namespace occ::test
