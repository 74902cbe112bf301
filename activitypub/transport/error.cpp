#include "activitypub/transport/error.hpp"

namespace fedblog::transport {

std::string_view to_string(ErrorKind kind) {
    switch (kind) {
        case ErrorKind::invalid_request:
            return "invalid_request";
        case ErrorKind::plain_http_refused:
            return "plain_http_refused";
        case ErrorKind::dns:
            return "dns";
        case ErrorKind::refused_address:
            return "refused_address";
        case ErrorKind::connect:
            return "connect";
        case ErrorKind::tls:
            return "tls";
        case ErrorKind::timeout:
            return "timeout";
        case ErrorKind::too_large:
            return "too_large";
        case ErrorKind::too_many_redirects:
            return "too_many_redirects";
        case ErrorKind::insecure_redirect:
            return "insecure_redirect";
        case ErrorKind::malformed_response:
            return "malformed_response";
        case ErrorKind::network:
            return "network";
    }
    return "unknown";
}

}  // namespace fedblog::transport
