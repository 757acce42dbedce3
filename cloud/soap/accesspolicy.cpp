#include "accesspolicy.h"

namespace occ::cloud {

Result<void> AccessPolicy::mayActFor(const pki::Identity &caller, const QString &hubId)
{
    if (hubId.isEmpty())
        return fail(ErrorCategory::Input, QStringLiteral("hubId is missing"));
    if (caller.role == pki::Role::Hub) {
        if (hubId != caller.id)
            return fail(ErrorCategory::Auth,
                        QStringLiteral("hub %1 may not act for hub %2").arg(caller.id, hubId));
        return {};
    }
    if (caller.role != pki::Role::Connector)
        return fail(ErrorCategory::Auth, QStringLiteral("only hubs and connectors may do this"));
    auto it = m_hubCustomer.constFind(hubId);
    if (it == m_hubCustomer.cend()) {
        Result<std::optional<NodeRecord>> node = m_registry.node(hubId);
        if (!node)
            return node.error();
        if (!*node || (*node)->role != QLatin1StringView("hub"))
            return fail(ErrorCategory::Auth, QStringLiteral("no enrolled hub %1").arg(hubId));
        if (m_hubCustomer.size() > 200000)
            m_hubCustomer.clear();
        it = m_hubCustomer.insert(hubId, (*node)->customerId);
    }
    if (it.value() != caller.customerId)
        return fail(
            ErrorCategory::Auth,
            QStringLiteral("hub %1 belongs to another customer than connector %2").arg(hubId, caller.id));
    return {};
}

} // namespace occ::cloud
