#pragma once

#include <QHostAddress>
#include <QNetworkInterface>
#include <QStringList>

namespace occ::hub {

// Rule 5 of ARCHITECTURE §6: the interface of the socket's local address decides.
// A PPP or virtual interface (tun), or a name matching one of the patterns
// (connection/vpnInterfaces: tun*, tap*, wg*, ppp*, ipsec*, utun*), is a VPN.
class VpnClassifier
{
public:
    explicit VpnClassifier(QStringList patterns)
        : m_patterns(std::move(patterns))
    {}

    bool isVpn(const QNetworkInterface &interface) const;
    // The interface that holds a local address (invalid when none does).
    static QNetworkInterface interfaceOf(const QHostAddress &local);
    bool isVpnAddress(const QHostAddress &local) const { return isVpn(interfaceOf(local)); }

private:
    QStringList m_patterns;
};

} // namespace occ::hub
