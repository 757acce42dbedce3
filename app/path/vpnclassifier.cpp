#include "vpnclassifier.h"

#include <QRegularExpression>

namespace occ::hub {

bool VpnClassifier::isVpn(const QNetworkInterface &interface) const
{
    if (!interface.isValid())
        return false;
    if (interface.type() == QNetworkInterface::Ppp || interface.type() == QNetworkInterface::Virtual)
        return true;
    for (const QString &pattern : m_patterns) {
        const QRegularExpression glob(QRegularExpression::wildcardToRegularExpression(pattern));
        if (glob.match(interface.name()).hasMatch())
            return true;
    }
    return false;
}

QNetworkInterface VpnClassifier::interfaceOf(const QHostAddress &local)
{
    QHostAddress address = local;
    bool mapped = false;
    const quint32 v4 = address.toIPv4Address(&mapped);
    if (mapped)
        address = QHostAddress(v4);
    const QList<QNetworkInterface> all = QNetworkInterface::allInterfaces();
    for (const QNetworkInterface &interface : all) {
        const QList<QNetworkAddressEntry> entries = interface.addressEntries();
        for (const QNetworkAddressEntry &entry : entries) {
            if (entry.ip().isEqual(address, QHostAddress::ConvertV4MappedToIPv4))
                return interface;
        }
    }
    return {};
}

} // namespace occ::hub
