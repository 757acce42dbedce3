// Linked into every test program (occ_add_test): the same OpenSSL start-up as the
// programs' main() (see occ::pki::initOpenSsl), before QtTest's main runs.
#include "pki/openssl.h"

namespace {

[[gnu::constructor]] void initOpenSslForTests()
{
    occ::pki::initOpenSsl();
}

} // namespace
