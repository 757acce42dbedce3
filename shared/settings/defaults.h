#pragma once

// The one table of every setting, its default and its meaning (ARCHITECTURE §14).
// README's configuration reference is written from this table; `--set` refuses keys
// that are not in it.

namespace occ::settings {

struct SettingInfo
{
    const char *key;
    const char *defaultValue;
    const char *help;
};

inline constexpr SettingInfo kSettings[] = {
    // --- cloud access (hub and connector) ---
    {"cloud/url", "", "HTTPS URL of the OCC cloud, e.g. https://occ.example.net:8443 (set by enrol)"},
    {"cloud/caFile", "", "CA certificate for a self-hosted cloud; empty: the system trust store (set by enrol)"},
    {"cloud/timeout", "30", "seconds before a cloud request (other than a long poll) is given up"},
    {"proxy/url", "", "proxy for the cloud: empty = system settings, 'none' = direct, or http://host:port"},
    {"proxy/user", "", "proxy user name; the password is kept in the keychain (set-proxy-password)"},
    // --- path selection (hub) ---
    {"connection/fallbackAfter", "300", "seconds after losing the connector before going directly to the cloud"},
    {"connection/failbackProbe", "60", "seconds between probes of cached connectors while direct"},
    {"connection/heartbeat", "10", "seconds between pings on a connector session"},
    {"connection/connectTimeout", "3", "seconds for one TCP+TLS connection attempt to a connector"},
    {"connection/vpnInterfaces", "tun*,tap*,wg*,ppp*,ipsec*,utun*",
     "interface name patterns that mean 'connected over VPN'"},
    {"connection/backoffMin", "1", "first retry delay in seconds while searching"},
    {"connection/backoffMax", "30", "largest retry delay in seconds while searching"},
    {"connection/interfaceCheck", "5", "seconds between comparisons of the network interface list"},
    {"connection/reportInterval", "60", "seconds between state reports to the cloud"},
    {"connection/pollWait", "25", "seconds a direct hub's command long poll waits in the cloud (at most 25)"},
    {"connection/connectorList", "3600", "seconds between refreshes of the connector cache from the cloud's list"},
    // --- discovery ---
    {"ssdp/enabled", "true", "UPnP discovery: connectors announce themselves, hubs search (false: cache and cloud list only)"},
    {"ssdp/group", "239.255.255.250", "SSDP multicast group address"},
    {"ssdp/port", "1900", "SSDP UDP port of the multicast group"},
    {"ssdp/mx", "2", "MX of M-SEARCH requests (seconds a device may wait before answering)"},
    {"ssdp/interfaces", "", "comma-separated interface names for SSDP; empty: every multicast interface"},
    {"ssdp/maxAge", "1800", "CACHE-CONTROL max-age of announcements (connector)"},
    // --- identity ---
    {"identity/keychain", "system", "where the key passphrase lives: 'system' keychain or 'file' (0600, headless)"},
    {"identity/validityDays", "365", "validity of issued hub and connector certificates (cloud)"},
    // --- connector ---
    {"connector/listen", "0.0.0.0:11002", "address:port of the hub TLS server"},
    {"connector/descriptionPort", "11003", "port of the plain-HTTP UPnP device description"},
    {"connector/advertiseHost", "", "host name advertised to hubs; empty: this machine's FQDN"},
    {"connector/workers", "0", "session worker threads; 0: one per CPU core"},
    {"connector/maxBatch", "500", "largest batch (measurements) a hub may send"},
    {"connector/window", "8", "unacknowledged batches a hub may have in flight"},
    {"connector/handshakeTimeout", "10", "seconds a hub has to complete TLS and hello"},
    {"connector/maxHandshakesPerAddress", "64",
     "TLS handshakes one source address may have under way; its further connections are closed at once"},
    {"connector/revocationInterval", "300", "seconds between revocation list fetches"},
    {"connector/uplinkBatch", "500", "measurements per SubmitBatch call to the cloud"},
    {"spool/maxBytes", "1073741824", "bound of the connector spool; when full, hubs are not acknowledged"},
    {"spool/fullSync", "true", "fsync the spool at every commit (group commit keeps this cheap)"},
    // --- hub ---
    {"outbox/maxBytes", "104857600", "bound of the hub outbox; beyond it the oldest results are dropped and counted"},
    {"outbox/fullSync", "true", "fsync the outbox at every commit"},
    {"hub/batchSize", "200", "measurements per batch to a connector or the cloud"},
    {"hub/hostname", "", "host name the hub reports; empty: this machine's"},
    {"sensors/interval", "60", "default seconds between sensor runs"},
    {"sensors/heartbeatInterval", "30", "seconds between heartbeat measurements"},
    {"sensors/cpuWarn", "80", "CPU usage in percent from which the cpu sensor warns"},
    {"sensors/cpuError", "95", "CPU usage in percent from which the cpu sensor reports an error"},
    {"sensors/memoryWarn", "85", "memory use in percent from which the memory sensor warns"},
    {"sensors/memoryError", "95", "memory use in percent from which the memory sensor reports an error"},
    // --- cloud server ---
    {"server/listen", "0.0.0.0:8443", "address:port of occ-cloud serve"},
    {"server/certificate", "", "server certificate PEM; empty: made on first start with its own CA"},
    {"server/key", "", "server key PEM (encrypted PKCS#8, passphrase in server/keyPassphraseFile)"},
    {"server/keyPassphraseFile", "", "file holding the passphrase of server/key"},
    {"server/hostnames", "", "extra DNS names for the generated server certificate"},
    {"server/threads", "4", "SOAP worker threads"},
    {"server/maxBodyBytes", "8388608", "largest accepted SOAP request body"},
    {"server/offlineAfter", "180", "seconds without contact after which a hub is shown offline"},
    {"server/commandTtl", "3600", "seconds a queued command stays valid"},
    {"server/pollWakeup", "500", "milliseconds between command checks of waiting long polls"},
    {"server/caPassphraseFile", "", "file with the passphrase of the CA keys; empty: DATA/ca-passphrase (made on first use)"},
    {"server/db", "", "database URL: empty = SQLite in the data folder, or postgresql://user:pw@host:port/db"},
};

} // namespace occ::settings
