#pragma once

#include "core/result.h"
#include "pki/identity.h"
#include "storage/registry.h"

#include <QHash>

namespace occ::cloud {

// Who may act for which hub (ARCHITECTURE §8): a hub only for itself, a connector
// for any hub of its own customer. One instance per worker thread (it caches).
class AccessPolicy
{
public:
    explicit AccessPolicy(Registry &registry)
        : m_registry(registry)
    {}

    Result<void> mayActFor(const pki::Identity &caller, const QString &hubId);

private:
    Registry &m_registry;
    QHash<QString, QString> m_hubCustomer; // hub id -> customer id (enrolments never move)
};

} // namespace occ::cloud
