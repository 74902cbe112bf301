'use strict';
// Cross-checks fedblog's draft-cavage signatures against an independent implementation: Joyent's
// reference `http-signature` package. Driven by tests/keys/cavage_interop_test.cpp; Node 18+.
//
//   node cavage.js verify <file.json>   {method, target, headers: [[name, value], ...], public_key_pem}
//     prints {"verified": true|false, "signing_string": "..."} or {"verified": false, "error": "..."}
//   node cavage.js sign <file.json>     {method, target, headers, private_key_pem, key_id, covered: [...]}
//     prints {"signature": "<Signature header value>", "signing_string": "..."}

const fs = require('fs');
const httpSignature = require('http-signature');

// Node's http module hands over lower-cased names, repeated fields joined with ", ".
function headerMap(pairs) {
  const map = {};
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    map[key] = key in map ? map[key] + ', ' + value : value;
  }
  return map;
}

function verify(input) {
  const request = { method: input.method, url: input.target, httpVersion: '1.1', headers: headerMap(input.headers) };
  let parsed;
  try {
    parsed = httpSignature.parseRequest(request, {
      authorizationHeaderName: 'signature',
      headers: [],  // which headers must be covered is fedblog's policy, not under test here
      clockSkew: Number.MAX_SAFE_INTEGER,  // vectors carry their own dates; the clock window is tested in C++
    });
  } catch (error) {
    return { verified: false, error: error.name + ': ' + error.message };
  }
  return { verified: httpSignature.verifySignature(parsed, input.public_key_pem), signing_string: parsed.signingString };
}

function sign(input) {
  const headers = headerMap(input.headers);
  const request = {
    method: input.method,
    path: input.target,
    getHeader: (name) => headers[name.toLowerCase()],
    setHeader: (name, value) => { headers[name.toLowerCase()] = value; },
    _stringToSign: null,  // http-signature fills it in when the property exists
  };
  httpSignature.signRequest(request, {
    key: input.private_key_pem,
    keyId: input.key_id,
    algorithm: 'rsa-sha256',
    headers: input.covered,
    authorizationHeaderName: 'Signature',
  });
  return { signature: headers.signature, signing_string: request._stringToSign };
}

const [command, file] = process.argv.slice(2);
const commands = { verify, sign };
if (!commands[command] || !file) {
  process.stderr.write('usage: node cavage.js verify|sign <file.json>\n');
  process.exit(2);
}
process.stdout.write(JSON.stringify(commands[command](JSON.parse(fs.readFileSync(file, 'utf8')))) + '\n');
