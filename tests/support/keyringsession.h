#pragma once

namespace occ::test {

// Tests that need the real system keychain call this first in main(). Unless the
// process already runs inside a private keyring session, it re-runs itself under
// dbus-run-session with a fresh HOME and XDG_RUNTIME_DIR and an unlocked
// gnome-keyring (the recipe of TOOLCHAIN.md) and returns that run's exit code.
// Returns -1 when the caller is already inside such a session and should run.
// Missing tools make the test fail, never skip.
int reexecInKeyringSession(int argc, char **argv);

} // namespace occ::test
