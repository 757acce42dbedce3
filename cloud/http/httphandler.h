#pragma once

#include "http/httpmessage.h"

#include <functional>
#include <memory>

namespace occ::cloud::http {

class HttpWorker;

// The way back to the connection a request came on: answer exactly once, in the
// worker thread that handled the request (asserted). A request whose connection
// ended is answered into the void; alive() tells beforehand (a long poll drops
// its waiter).
class HttpResponder
{
public:
    HttpResponder() = default;
    HttpResponder(HttpWorker *worker, quint64 connectionId, quint64 request)
        : m_worker(worker)
        , m_connection(connectionId)
        , m_request(request)
    {}
    void respond(HttpResponse response) const;
    bool alive() const;
    quint64 connectionId() const { return m_connection; }

private:
    HttpWorker *m_worker = nullptr;
    quint64 m_connection = 0;
    quint64 m_request = 0;
};

// What serves requests. One per worker thread (made there by the factory), so
// that its caches and timers belong to that thread; the state of a request lives
// in the request and its responder, never in the handler.
class HttpHandler
{
public:
    virtual ~HttpHandler() = default;
    virtual void handle(HttpRequest request, HttpResponder responder) = 0;
};

using HttpHandlerFactory = std::function<std::unique_ptr<HttpHandler>()>;

} // namespace occ::cloud::http
