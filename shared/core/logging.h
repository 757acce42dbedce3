#pragma once

#include <QLoggingCategory>
#include <QString>

// Logging categories of the shared library, one per module. The programs declare
// their own (occ.hub.*, occ.connector.*, occ.cloud.*) next to their code.
Q_DECLARE_LOGGING_CATEGORY(lcProtocol) // occ.protocol
Q_DECLARE_LOGGING_CATEGORY(lcPki)      // occ.pki
Q_DECLARE_LOGGING_CATEGORY(lcSecrets)  // occ.secrets
Q_DECLARE_LOGGING_CATEGORY(lcQueue)    // occ.queue
Q_DECLARE_LOGGING_CATEGORY(lcSettings) // occ.settings
Q_DECLARE_LOGGING_CATEGORY(lcSsdp)     // occ.ssdp
Q_DECLARE_LOGGING_CATEGORY(lcCloudApi) // occ.cloudapi
Q_DECLARE_LOGGING_CATEGORY(lcNet)      // occ.net

namespace occ {

// Sends every log line to stderr and to DIR/logs/<program>.log (rotated at
// maxBytes, keeping three old files). Qt's message handler is process-wide, so
// this is called once from main(); it never logs secrets because no caller does.
// Debug lines are off unless QT_LOGGING_RULES asks for them.
void installLogFile(const QString &dataDir, const QString &program, qint64 maxBytes = 5 * 1024 * 1024);

} // namespace occ
