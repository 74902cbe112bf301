#include "activitypub/transport/tls_context.hpp"

#include <openssl/ssl.h>

#include <boost/asio/buffer.hpp>

#include "activitypub/transport/tls_session_cache.hpp"

namespace fedblog::transport {

boost::asio::ssl::context make_client_tls_context(std::string_view extra_ca_pem) {
    namespace ssl = boost::asio::ssl;
    ssl::context context{ssl::context::tls_client};
    SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
    context.set_default_verify_paths();
    if (!extra_ca_pem.empty()) context.add_certificate_authority(boost::asio::buffer(extra_ca_pem));
    context.set_verify_mode(ssl::verify_peer);
    TlsSessionCache::install(context.native_handle());
    return context;
}

}  // namespace fedblog::transport
