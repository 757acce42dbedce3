// A foreign SOAP client of occ-cloud, as an integrator would write one: its proxy
// is generated at test time from the WSDL the running cloud serves (wsdl2h +
// soapcpp2 from Debian's gsoap), so this file only uses what the WSDL promises.
// No endpoint is passed anywhere: every call goes to the WSDL's soap:address.
//
//   occclient enrol  CA CUSTOMER KEY HOSTNAME CSR CERT_OUT   -> "id=ID"
//   occclient submit CA KEY_AND_CERT HUB_ID FIRST_SEQ COUNT  -> "hub=ID highestSeq=N stored=N"
// A SOAP fault prints "fault code=QNAME string=TEXT" and exits 1.
#include "OccBinding.nsmap"
#include "soapOccBindingProxy.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace {

std::string readFile(const char *path)
{
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

int failure(OccBindingProxy &proxy)
{
    const char *code = proxy.soap->fault ? proxy.soap->fault->faultcode : nullptr;
    const char *text = proxy.soap->fault ? proxy.soap->fault->faultstring : nullptr;
    std::cout << "fault code=" << (code ? code : "-") << " string=" << (text ? text : "-")
              << " error=" << proxy.soap->error << std::endl;
    proxy.soap_stream_fault(std::cerr);
    return 1;
}

bool secure(OccBindingProxy &proxy, const char *ca, const char *keyAndCert)
{
    // SOAP_SSL_DEFAULT: verify the server's chain against CA and its host name.
    if (soap_ssl_client_context(proxy.soap, SOAP_SSL_DEFAULT, keyAndCert, nullptr, ca, nullptr, nullptr) !=
        SOAP_OK) {
        proxy.soap_stream_fault(std::cerr);
        return false;
    }
    return true;
}

int enrol(char **argv)
{
    OccBindingProxy proxy;
    if (!secure(proxy, argv[2], nullptr))
        return 2;
    _ns1__Enrol request;
    request.customerId = argv[3];
    request.enrolmentKey = argv[4];
    request.role = ns1__Role__hub;
    request.hostname = argv[5];
    request.csr = readFile(argv[6]);
    _ns1__EnrolResponse response;
    if (proxy.Enrol(&request, response) != SOAP_OK)
        return failure(proxy);
    std::ofstream(argv[7], std::ios::binary) << response.certificate;
    std::cout << "id=" << response.id << std::endl;
    return 0;
}

int submit(char **argv)
{
    OccBindingProxy proxy;
    if (!secure(proxy, argv[2], argv[3]))
        return 2;
    const long long first = std::atoll(argv[5]);
    const int count = std::atoi(argv[6]);
    _ns1__SubmitBatch request;
    ns1__HubBatch batch;
    batch.hubId = argv[4];
    for (int i = 0; i < count; ++i) {
        auto *m = soap_new_ns1__Measurement(proxy.soap);
        m->seq = first + i;
        m->sensor = "foreign";
        m->ts = (long long)std::time(nullptr) * 1000;
        m->status = ns1__Status__ok;
        auto *v = soap_new_ns1__Value(proxy.soap);
        v->name = "n";
        v->number = double(first + i);
        m->value.push_back(v);
        batch.measurement.push_back(m);
    }
    request.batch.push_back(&batch);
    _ns1__SubmitBatchResponse response;
    if (proxy.SubmitBatch(&request, response) != SOAP_OK)
        return failure(proxy);
    for (const ns1__HubSeq *r : response.result)
        std::cout << "hub=" << r->hubId << " highestSeq=" << r->highestSeq << " stored=" << r->stored
                  << std::endl;
    return 0;
}

} // namespace

int main(int argc, char **argv)
{
    soap_ssl_init();
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "enrol" && argc == 8)
        return enrol(argv);
    if (mode == "submit" && argc == 7)
        return submit(argv);
    std::cerr << "usage: occclient enrol CA CUSTOMER KEY HOSTNAME CSR CERT_OUT\n"
                 "       occclient submit CA KEY_AND_CERT HUB_ID FIRST_SEQ COUNT\n";
    return 2;
}
