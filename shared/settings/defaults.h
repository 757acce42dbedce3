#pragma once

// The one table of every setting, its default and its meaning (ARCHITECTURE §14).
// README's configuration reference is written from this table; `--set` refuses keys
// that are not in it.

#include <QtGlobal>

namespace occ::settings {

struct SettingInfo
{
    const char *key;
    const char *defaultValue;
    const char *help;
    // Whole-number settings: the values that work (a 0 s timer or an int that
    // overflows would break the program). min > max: not a number.
    qint64 min = 1;
    qint64 max = 0;
    bool isInteger() const { return min <= max; }
};

inline constexpr SettingInfo kSettings[] = {
    // --- cloud access (hub and connector) ---
    {"cloud/url", "", "HTTPS URL of the OCC cloud, e.g. https://occ.example.net:8443 (set by enrol)"},
    {"cloud/caFile", "",
     "CA certificate for a self-hosted cloud; empty: the system trust store (set by enrol)"},
    {"cloud/timeout", "30", "seconds before a cloud request (other than a long poll) is given up", 1, 3600},
    {"proxy/url", "", "proxy for the cloud: empty = system settings, 'none' = direct, or http://host:port"},
    {"proxy/user", "", "proxy user name; the password is kept in the keychain (set-proxy-password)"},
    // --- path selection (hub) ---
    {"connection/fallbackAfter", "300",
     "seconds after losing the connector before going directly to the cloud", 1, 86400},
    {"connection/failbackProbe", "60", "seconds between probes of cached connectors while direct", 1, 86400},
    {"connection/heartbeat", "10", "seconds between pings on a connector session", 1, 3600},
    {"connection/connectTimeout", "3", "seconds for one TCP+TLS connection attempt to a connector", 1, 120},
    {"connection/vpnInterfaces", "tun*,tap*,wg*,ppp*,ipsec*,utun*",
     "interface name patterns that mean 'connected over VPN'"},
    {"connection/backoffMin", "1", "first retry delay in seconds while searching", 1, 3600},
    {"connection/backoffMax", "30", "largest retry delay in seconds while searching", 1, 86400},
    {"connection/interfaceCheck", "5", "seconds between comparisons of the network interface list", 1, 3600},
    {"connection/reportInterval", "60", "seconds between state reports to the cloud", 1, 86400},
    {"connection/pollWait", "25", "seconds a direct hub's command long poll waits in the cloud (at most 25)",
     1, 25},
    {"connection/connectorList", "3600",
     "seconds between refreshes of the connector cache from the cloud's list", 10, 86400},
    // --- discovery ---
    {"ssdp/enabled", "true",
     "UPnP discovery: connectors announce themselves, hubs search (false: cache and cloud list only)"},
    {"ssdp/group", "239.255.255.250", "SSDP multicast group address"},
    {"ssdp/port", "1900", "SSDP UDP port of the multicast group", 1, 65535},
    {"ssdp/mx", "2", "MX of M-SEARCH requests (seconds a device may wait before answering)", 1, 5},
    {"ssdp/interfaces", "", "comma-separated interface names for SSDP; empty: every multicast interface"},
    {"ssdp/maxAge", "1800", "CACHE-CONTROL max-age of announcements (connector)", 2, 86400},
    // --- identity ---
    {"identity/keychain", "system",
     "where the key passphrase lives: 'system' keychain or 'file' (0600, headless)"},
    {"identity/validityDays", "365", "validity of issued hub and connector certificates (cloud)", 1, 3650},
    // --- connector ---
    {"connector/listen", "0.0.0.0:11002", "address:port of the hub TLS server"},
    {"connector/descriptionPort", "11003", "port of the plain-HTTP UPnP device description", 0, 65535},
    {"connector/advertiseHost", "", "host name advertised to hubs; empty: this machine's FQDN"},
    {"connector/workers", "0", "session worker threads; 0: one per CPU core", 0, 256},
    {"connector/maxBatch", "500", "largest batch (measurements) a hub may send", 1, 10000},
    {"connector/window", "8", "unacknowledged batches a hub may have in flight", 1, 64},
    {"connector/handshakeTimeout", "10", "seconds a hub has to complete TLS and hello", 1, 300},
    {"connector/maxHandshakesPerAddress", "64",
     "TLS handshakes one source address may have under way; its further connections are closed at once", 1,
     100000},
    {"connector/revocationInterval", "300", "seconds between revocation list fetches", 1, 86400},
    {"connector/uplinkBatch", "500", "measurements per SubmitBatch call to the cloud", 1, 20000},
    {"spool/maxBytes", "1073741824", "bound of the connector spool; when full, hubs are not acknowledged",
     4096, qint64(1) << 50},
    {"spool/fullSync", "true", "fsync the spool at every commit (group commit keeps this cheap)"},
    // --- hub ---
    {"outbox/maxBytes", "104857600",
     "bound of the hub outbox; beyond it the oldest results are dropped and counted", 4096, qint64(1) << 50},
    {"outbox/fullSync", "true", "fsync the outbox at every commit"},
    {"hub/batchSize", "200", "measurements per batch to a connector or the cloud", 1, 5000},
    {"hub/hostname", "", "host name the hub reports; empty: this machine's"},
    {"sensors/interval", "60", "default seconds between sensor runs", 1, 86400},
    {"sensors/heartbeatInterval", "30", "seconds between heartbeat measurements", 1, 86400},
    {"sensors/cpuWarn", "80", "CPU usage in percent from which the cpu sensor warns (above 100: never)", 0,
     1000},
    {"sensors/cpuError", "95", "CPU usage in percent from which the cpu sensor reports an error", 0, 1000},
    {"sensors/memoryWarn", "85", "memory use in percent from which the memory sensor warns", 0, 1000},
    {"sensors/memoryError", "95", "memory use in percent from which the memory sensor reports an error", 0,
     100},
    // --- cloud server ---
    {"server/listen", "0.0.0.0:8443", "address:port of occ-cloud serve"},
    {"server/certificate", "", "server certificate PEM; empty: made on first start with its own CA"},
    {"server/key", "", "server key PEM (encrypted PKCS#8, passphrase in server/keyPassphraseFile)"},
    {"server/keyPassphraseFile", "", "file holding the passphrase of server/key"},
    {"server/hostnames", "", "extra DNS names for the generated server certificate"},
    {"server/publicUrl", "",
     "the URL clients use (e.g. https://occ.example.net:8443); the WSDL names it as the address; empty: the "
     "request's Host"},
    {"page/listen", "127.0.0.1:8444",
     "address:port of the OCC page, which shows every customer: for operators only (loopback, reached "
     "through an SSH tunnel, or an internal address chosen on purpose); empty or off: no page"},
    {"server/threads", "4", "front-door worker threads (TLS, HTTP, SOAP)", 1, 256},
    {"server/maxBodyBytes", "8388608", "largest accepted SOAP request body", 4096, qint64(1) << 30},
    {"server/maxAnonymousBodyBytes", "65536",
     "largest request body from a caller without a client certificate (Enrol, the OCC page)", 1024,
     qint64(1) << 30},
    {"server/maxHeaderBytes", "16384",
     "largest request head (request line and headers); larger is refused with 431", 1024, 1048576},
    {"server/maxHeaderFields", "64", "most header fields in one request; more is refused with 431", 8, 1000},
    {"server/handshakeTimeout", "10", "seconds for the TLS handshake of a new connection", 1, 300},
    {"server/headerTimeout", "10", "seconds from the first byte of a request head to its end", 1, 300},
    {"server/bodyTimeout", "30", "seconds from a request head to the end of its body", 1, 3600},
    {"server/idleTimeout", "60",
     "seconds a kept-alive connection may wait for its next request, or for its peer to read its answers", 1,
     3600},
    {"server/refusalTimeout", "10",
     "seconds a refusal (400, 408, 411, 413, 431, 500) may wait for its peer to read more of it before the "
     "connection is closed",
     1, 300},
    {"server/handlerTimeout", "120",
     "seconds a request may be handled before it is answered with 500 (long polls wait at most 25)", 30,
     3600},
    {"server/maxConnections", "10000", "connections open at once (bounded by the descriptor limit)", 16,
     1000000},
    {"server/maxConnectionsPerAddress", "512", "connections one source address may hold", 1, 1000000},
    {"server/ipv6PrefixLength", "64",
     "IPv6 callers share the per-address caps per prefix of this length (one host may hold a whole /64)", 32,
     128},
    {"server/maxAnonymousPerAddress", "32",
     "connections of one address still in TLS or before their first request", 1, 100000},
    {"server/offlineAfter", "180", "seconds without contact after which a hub is shown offline", 10, 2592000},
    {"server/commandTtl", "3600", "seconds a queued command stays valid", 10, 31536000},
    {"server/pollWakeup", "500", "milliseconds between command checks of waiting long polls", 50, 60000},
    {"server/caPassphraseFile", "",
     "file with the passphrase of the CA keys; empty: DATA/ca-passphrase (made on first use)"},
    {"server/db", "",
     "database URL: empty = SQLite in the data folder, or postgresql://user:pw@host:port/db"},
};

} // namespace occ::settings
