#include "cloudlink.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcUplink, "occ.connector.uplink")

namespace occ::connector {

CloudLink::CloudLink(const cloudapi::CloudEndpoint &endpoint, const Clock &clock, QObject *parent)
    : QObject(parent)
    , m_clock(clock)
    , m_client(std::make_unique<cloudapi::CloudClient>(endpoint, this))
{}

void CloudLink::setEndpoint(const cloudapi::CloudEndpoint &endpoint)
{
    // The same client object (the renewer and the uplink tasks hold it); calls in
    // flight still answer.
    m_client->setEndpoint(endpoint);
}

void CloudLink::succeeded()
{
    if (m_consecutiveFailures > 0)
        qCInfo(lcUplink) << "cloud reachable again after" << m_consecutiveFailures << "failed calls";
    m_consecutiveFailures = 0;
    m_lastSuccess = m_clock.epochMs();
}

void CloudLink::failed(const Error &error)
{
    if (m_consecutiveFailures == 0 || error.message != m_lastError)
        qCWarning(lcUplink).noquote() << "cloud call failed:" << error.message;
    ++m_consecutiveFailures;
    m_lastFailure = m_clock.epochMs();
    m_lastError = error.message;
}

} // namespace occ::connector
