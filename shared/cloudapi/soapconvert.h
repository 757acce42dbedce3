#pragma once

// Conversions between cloudtypes.h and the classes kdwsdl2cpp generates. The
// client (namespace OccSoap, in occ_shared) and the server (OccSoapServer, in the
// cloud) are generated separately but have the same shape, so one set of templates
// serves both: the caller names the generated type, the rest is deduced.

#include "cloudapi/cloudtypes.h"

namespace occ::cloudapi::soap {

template <typename SoapMeasurement> SoapMeasurement toSoap(const protocol::Measurement &m)
{
    using SoapValue = typename std::remove_cvref_t<decltype(SoapMeasurement().value())>::value_type;
    using SoapStatus = std::remove_cvref_t<decltype(SoapMeasurement().status())>;
    SoapMeasurement out;
    out.setSeq(m.seq);
    out.setSensor(m.sensor);
    out.setTs(m.ts);
    out.setStatus(SoapStatus(typename SoapStatus::Type(int(m.status))));
    QList<SoapValue> values;
    values.reserve(m.values.size());
    for (auto it = m.values.cbegin(); it != m.values.cend(); ++it) {
        SoapValue value;
        value.setName(it.key());
        value.setNumber(it.value());
        values.append(value);
    }
    if (!values.isEmpty())
        out.setValue(values);
    if (!m.text.isEmpty())
        out.setText(m.text);
    return out;
}

template <typename SoapMeasurement> protocol::Measurement fromSoap(const SoapMeasurement &in)
{
    protocol::Measurement m;
    m.seq = in.seq();
    m.sensor = in.sensor();
    m.ts = in.ts();
    m.status = protocol::Status(int(in.status().type()));
    const auto values = in.value();
    for (const auto &value : values)
        m.values.insert(value.name(), value.number());
    m.text = in.text();
    return m;
}

template <typename SoapBatch> SoapBatch batchToSoap(const HubBatch &batch)
{
    using SoapMeasurement = typename std::remove_cvref_t<decltype(SoapBatch().measurement())>::value_type;
    SoapBatch out;
    out.setHubId(batch.hubId);
    QList<SoapMeasurement> measurements;
    measurements.reserve(batch.measurements.size());
    for (const protocol::Measurement &m : batch.measurements)
        measurements.append(toSoap<SoapMeasurement>(m));
    out.setMeasurement(measurements);
    return out;
}

template <typename SoapBatch> HubBatch batchFromSoap(const SoapBatch &in)
{
    HubBatch batch;
    batch.hubId = in.hubId();
    const auto measurements = in.measurement();
    batch.measurements.reserve(measurements.size());
    for (const auto &m : measurements)
        batch.measurements.append(fromSoap(m));
    return batch;
}

template <typename SoapHubSeq> SoapHubSeq hubSeqToSoap(const HubSeq &seq)
{
    SoapHubSeq out;
    out.setHubId(seq.hubId);
    out.setHighestSeq(seq.highestSeq);
    out.setStored(seq.stored);
    return out;
}

template <typename SoapHubSeq> HubSeq hubSeqFromSoap(const SoapHubSeq &in)
{
    return HubSeq{in.hubId(), in.highestSeq(), in.stored()};
}

template <typename SoapHubState> SoapHubState stateToSoap(const HubState &state)
{
    using SoapPath = std::remove_cvref_t<decltype(SoapHubState().path())>;
    SoapHubState out;
    out.setHubId(state.hubId);
    for (int i = 0; i < int(std::size(kPathNames)); ++i) {
        if (state.path == QLatin1StringView(kPathNames[i]))
            out.setPath(SoapPath(typename SoapPath::Type(i)));
    }
    if (!state.connectorId.isEmpty())
        out.setConnectorId(state.connectorId);
    if (!state.hostname.isEmpty())
        out.setHostname(state.hostname);
    if (!state.os.isEmpty())
        out.setOs(state.os);
    if (!state.agentVersion.isEmpty())
        out.setAgentVersion(state.agentVersion);
    out.setQueueDepth(state.queueDepth);
    out.setDropped(state.dropped);
    return out;
}

template <typename SoapHubState> HubState stateFromSoap(const SoapHubState &in)
{
    HubState state;
    state.hubId = in.hubId();
    state.path = in.path().stringValue();
    state.connectorId = in.connectorId();
    state.hostname = in.hostname();
    state.os = in.os();
    state.agentVersion = in.agentVersion();
    state.queueDepth = in.queueDepth();
    state.dropped = in.dropped();
    return state;
}

template <typename SoapConnectorInfo> SoapConnectorInfo connectorToSoap(const ConnectorInfo &info)
{
    SoapConnectorInfo out;
    out.setConnectorId(info.connectorId);
    out.setHostname(info.hostname);
    out.setAddress(info.addresses);
    out.setPort(info.port);
    out.setFingerprint(info.fingerprint);
    if (!info.version.isEmpty())
        out.setVersion(info.version);
    return out;
}

template <typename SoapConnectorInfo> ConnectorInfo connectorFromSoap(const SoapConnectorInfo &in)
{
    return ConnectorInfo{in.connectorId(), in.hostname(),    in.address(),
                         in.port(),        in.fingerprint(), in.version()};
}

template <typename SoapCommand> SoapCommand commandToSoap(const Command &command)
{
    SoapCommand out;
    out.setId(command.id);
    out.setHubId(command.hubId);
    out.setKind(command.kind);
    out.setArg(command.args);
    out.setExpires(command.expires);
    return out;
}

template <typename SoapCommand> Command commandFromSoap(const SoapCommand &in)
{
    return Command{in.id(), in.hubId(), in.kind(), in.arg(), in.expires()};
}

} // namespace occ::cloudapi::soap
