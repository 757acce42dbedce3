#pragma once

#include <QList>
#include <QStringList>

namespace occ::cloud {

// The cloud's schema as numbered migrations; index i brings version i to i+1.
// The SQL is common to SQLite and PostgreSQL.
const QList<QStringList> &schemaMigrations();

} // namespace occ::cloud
