#pragma once

#include <QByteArray>
#include <QProcess>
#include <QString>
#include <QStringList>

namespace occ::test {

// Runs a program to completion and returns its exit code; stdout and stderr end up
// in *output (merged) when given. A program that cannot start yields -1, one that
// outlives the (scaled) timeout -2, one that crashed -3.
int run(const QString &program, const QStringList &arguments, QByteArray *output = nullptr,
        const QByteArray &input = {}, int timeoutMs = 60000);

// Fails the running test when text (what a program printed) holds a sanitizer
// report; what names the program.
void failOnSanitizerReport(const QByteArray &text, const QString &what);

// A TCP port on 127.0.0.1 that nothing listens on at the moment.
quint16 freePort();

// Path of a file in the build tree (OCC_BUILD_DIR) or source tree (OCC_SOURCE_DIR).
QString buildPath(const QString &relative);
QString sourcePath(const QString &relative);

// Writes bytes to a file, creating folders.
[[nodiscard]] bool writeFile(const QString &path, const QByteArray &bytes);
QByteArray readFile(const QString &path);

} // namespace occ::test
