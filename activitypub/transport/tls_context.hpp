#pragma once
// The client TLS configuration: TLS 1.2 or newer, peers verified against the system store plus any extra CAs.
// There is deliberately no way to turn verification off; tests trust a test CA instead. Sessions go to the
// TlsSessionCache each connection is tied to (none is kept by the context itself).
#include <boost/asio/ssl/context.hpp>
#include <string_view>

namespace fedblog::transport {

// Throws when extra_ca_pem is not empty and holds no valid PEM certificate.
boost::asio::ssl::context make_client_tls_context(std::string_view extra_ca_pem);

}  // namespace fedblog::transport
