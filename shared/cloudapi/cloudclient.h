#pragma once

#include "cloudapi/cloudtypes.h"
#include "cloudapi/proxysettings.h"
#include "core/result.h"

#include <functional>
#include <optional>
#include <QList>
#include <QObject>
#include <QSslCertificate>
#include <QSslKey>
#include <QUrl>

namespace OccSoap {
class OccService;
}
class KDSoapMessage;

namespace occ::cloudapi {

struct CloudEndpoint
{
    QUrl url;                          // https://host:port or https://host:port/soap
    QList<QSslCertificate> trustedCas; // empty: the system trust store
    QSslCertificate clientCertificate; // empty only for Enrol
    QSslKey clientKey;
    ProxySettings proxy;
    int timeoutMs = 30000;
};

// Turns a SOAP fault or transport failure into an occ::Error: transport problems
// are Network errors, the cloud's refusals keep the cloud's message.
Error faultToError(const KDSoapMessage &fault);

// The cloud API over HTTPS (mutual TLS) with the KDSoap client generated from the
// WSDL. Every call is asynchronous; the callback runs in this object's thread.
class CloudClient : public QObject
{
    Q_OBJECT
public:
    template <typename T> using Callback = std::function<void(Result<T>)>;

    explicit CloudClient(const CloudEndpoint &endpoint, QObject *parent = nullptr);
    ~CloudClient() override;

    void enrol(const EnrolRequest &request, Callback<Certificates> done);
    void renewCertificate(const QByteArray &csrPem, Callback<Certificates> done);
    void submitBatch(const QList<HubBatch> &batches, Callback<QList<HubSeq>> done);
    void reportState(const std::optional<ConnectorInfo> &connector, const QList<HubState> &hubs,
                     Callback<StateAnswer> done);
    void pollCommands(const QStringList &hubIds, int waitSeconds, Callback<QList<Command>> done);
    void completeCommand(const QString &commandId, const QString &hubId, bool ok, const QString &detail,
                         Callback<bool> done);
    void listConnectors(Callback<ConnectorList> done);
    void getRevocations(Callback<QStringList> done);

    // Forgets every call in flight: their callbacks never run (path switch, shutdown).
    void cancelAll();

    const CloudEndpoint &endpoint() const { return m_endpoint; }
    // A renewed certificate or new settings: calls from now on use them; calls in
    // flight still answer.
    void setEndpoint(const CloudEndpoint &endpoint);

private:
    template <typename Job, typename Params, typename Convert, typename T>
    void run(OccSoap::OccService *service, const Params &params, Convert convert, Callback<T> done);
    OccSoap::OccService *makeService(int timeoutMs);

    CloudEndpoint m_endpoint;
    OccSoap::OccService *m_service = nullptr;
    OccSoap::OccService *m_pollService = nullptr; // long polls need a longer timeout
    quint64 m_generation = 0;
};

} // namespace occ::cloudapi
