#pragma once

#include "cloudapi/cloudtypes.h"
#include "core/clock.h"
#include "core/result.h"
#include "identity/cloudpki.h"
#include "pki/identity.h"
#include "storage/registry.h"

namespace occ::cloud {

struct NewCustomer
{
    QString id;
    QString enrolmentKey; // shown once; only a salted hash is stored
};

// Customers and the certificates of their hubs and connectors (ARCHITECTURE §3).
class Enrolment
{
public:
    Enrolment(Registry &registry, CloudPki &pki, const Clock &clock, int validityDays);

    Result<NewCustomer> createCustomer(const QString &name);
    // Customer id + enrolment key + CSR -> a new id and its certificate.
    Result<cloudapi::Certificates> enrol(const cloudapi::EnrolRequest &request);
    // A fresh certificate for an authenticated caller, same id, customer and role.
    Result<cloudapi::Certificates> renew(const pki::Identity &caller, const QByteArray &csrPem);

private:
    Result<cloudapi::Certificates> issue(const QString &id, const QString &customerId, pki::Role role,
                                         const QByteArray &csrPem, std::optional<NodeRecord> newNode);

    Registry &m_registry;
    CloudPki &m_pki;
    const Clock &m_clock;
    int m_validityDays;
};

QByteArray hashEnrolmentKey(const QByteArray &salt, const QString &key);

} // namespace occ::cloud
