#pragma once

#include "core/clock.h"
#include "identity/enrolment.h"
#include "soap/callerauth.h"
#include "storage/commandqueue.h"
#include "storage/measurementstore.h"
#include "storage/registry.h"

class QTranslator;

namespace occ::cloud {

struct ServerLimits
{
    qint64 maxBodyBytes = 8 * 1024 * 1024;
    qint64 offlineAfterMs = 180'000;
    qint64 commandTtlMs = 3'600'000;
    int pollWakeupMs = 500;
    int maxMeasurementsPerCall = 20000;
};

// Everything a SOAP worker thread needs; all members are thread-safe.
struct CloudContext
{
    Registry &registry;
    MeasurementStore &measurements;
    CommandQueue &commands;
    Enrolment &enrolment;
    CallerAuthenticator &authenticator;
    const Clock &clock;
    ServerLimits limits;
    const QTranslator *german = nullptr; // OCC page in German
    QString publicUrl;                   // server/publicUrl: what the WSDL names as the address
    QString listenUrl;                   // https://ADDRESS:PORT/soap as the server listens
};

} // namespace occ::cloud
