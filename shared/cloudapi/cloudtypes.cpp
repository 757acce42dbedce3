#include "cloudtypes.h"

namespace occ::cloudapi {

bool isPathName(const QString &path)
{
    for (const char *name : kPathNames) {
        if (path == QLatin1StringView(name))
            return true;
    }
    return false;
}

} // namespace occ::cloudapi
