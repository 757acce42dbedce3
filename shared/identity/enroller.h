#pragma once

#include "identity/identity.h"

#include <functional>

namespace occ::identity {

struct EnrolOptions
{
    QString dataDir;
    QUrl cloudUrl;
    QString cloudCaFile; // empty: the system trust store
    QString customerId;
    QString enrolmentKey;
    pki::Role role = pki::Role::Hub;
    QString hostname;
};

// Enrolment (ARCHITECTURE §3): a fresh RSA-2048 key made here, its random
// passphrase put into the secret store first, the key written encrypted, a CSR sent
// with the customer id and enrolment key, and the answer saved under the names of
// §14. cloud/url, cloud/caFile and identity/keychain are recorded in the settings
// file, so that later runs find the cloud and the passphrase without options.
// Runs a local event loop until done (command-line use).
Result<Identity> enrol(const EnrolOptions &options, secrets::SecretStore &secrets,
                       settings::Settings &settings);

} // namespace occ::identity
