#pragma once

#include <QString>
#include <QtGlobal>

namespace occ::bench {

// CPU seconds (user + system) a process has used so far, from /proc.
double processCpuSeconds(qint64 pid);
// Resident set size in bytes, from /proc/PID/status (VmRSS).
qint64 processRss(qint64 pid);
// A positive integer from the environment variable NAME, else the fallback.
int envInt(const char *name, int fallback);
// Seconds a benchmark phase runs: OCC_BENCH_SECONDS, else the default.
int benchSeconds(int fallback);
// Prints one aligned result line to stdout and flushes.
void report(const QString &line);

} // namespace occ::bench
