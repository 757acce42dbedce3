#pragma once

#include <cstdio>
#include <QCoreApplication>
#include <QTest>
#include <sched.h>

namespace occ::test {

// main() of a test that needs a network of its own it may reconfigure (addresses,
// MTU, TCP buffers) without touching the machine's: the process leaves for a new
// network namespace before any thread exists, so the test and every program it
// starts live there, and it goes with the process. Needs root.
template <class Test> int execInOwnNetwork(int argc, char **argv)
{
    if (::unshare(CLONE_NEWNET) != 0) {
        std::perror("unshare(CLONE_NEWNET) (the test needs root)");
        return 1;
    }
    QCoreApplication app(argc, argv);
    Test test;
    return QTest::qExec(&test, argc, argv);
}

} // namespace occ::test
