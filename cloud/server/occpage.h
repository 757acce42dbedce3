#pragma once

#include "core/clock.h"
#include "core/result.h"
#include "storage/measurementstore.h"
#include "storage/registry.h"

#include <QByteArray>

class QTranslator;

namespace occ::cloud {

// "de-DE,de;q=0.9,en;q=0.8" -> true when German is the caller's first choice.
bool prefersGerman(const QByteArray &acceptLanguage);

// The OCC status page (ARCHITECTURE §11): every hub with host name, path, connector,
// last contact, queue depth, dropped count and the latest value of each sensor;
// server-rendered HTML without external assets that refreshes itself. The same
// whichever path delivered the data.
class OccPage
{
public:
    OccPage(Registry &registry, MeasurementStore &measurements, const Clock &clock, qint64 offlineAfterMs);

    // german: the translator for German, used when the caller prefers German.
    Result<QByteArray> render(const QTranslator *german) const;

    // The path shown for a hub: its reported path, or "Offline" when it has not
    // been in contact for offlineAfterMs.
    static QString effectivePath(const HubRecord &hub, qint64 now, qint64 offlineAfterMs);

private:
    Registry &m_registry;
    MeasurementStore &m_measurements;
    const Clock &m_clock;
    qint64 m_offlineAfterMs;
};

} // namespace occ::cloud
