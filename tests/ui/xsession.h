#pragma once

#include <QString>

namespace occ::test {

// A real X display with a real system tray for UI tests (TOOLCHAIN.md): Xvfb on a
// free display number and trayer docked on it. Started before QApplication (main
// calls start()), DISPLAY and QT_QPA_PLATFORM=xcb set for this process and its
// children; both programs are stopped again when the object goes.
class XSession
{
public:
    XSession() = default;
    ~XSession();
    XSession(const XSession &) = delete;
    XSession &operator=(const XSession &) = delete;

    bool start(QString *error);
    QString display() const { return m_display; }

private:
    qint64 m_xvfb = 0;
    qint64 m_trayer = 0;
    QString m_display;
    QString m_runtimeDir;
};

} // namespace occ::test
