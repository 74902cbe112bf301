#pragma once
// Message digests fetched from OpenSSL's provider once for the whole process. OpenSSL 3 looks an
// algorithm up again on every use of EVP_sha256() (an "implicit fetch"), which costs a noticeable share
// of a signature verification; an explicitly fetched EVP_MD skips that.
#include <openssl/evp.h>

namespace fedblog::keys {

const EVP_MD* sha256_digest();
const EVP_MD* sha512_digest();

}  // namespace fedblog::keys
