'use strict';
// Cross-checks fedblog's RFC 9421 code against http-message-signatures (an independent implementation).
//
//   node sign_verify.js verify --method M --url U [--header 'name: value']... [--body-file F] --key-file PUB.pem --alg A
//     Verifies every signature of the request, and its Content-Digest when present; prints "verified".
//   node sign_verify.js sign --method M --url U [--header 'name: value']... [--body-file F] --key-file PRIV.pem
//                            --alg A --keyid K --created SECONDS [--label L] --component C...
//     Signs (adding a sha-256 Content-Digest when there is a body) and prints the added headers, one
//     "name: value" per line.
// Exit status: 0 done, 1 verification failed, 2 bad usage or an exception.
const crypto = require('crypto');
const fs = require('fs');
const { httpbis, createSigner, createVerifier } = require('http-message-signatures');

function parseArguments(argv) {
  const [command, ...rest] = argv;
  const options = { command, headers: {}, components: [] };
  for (let i = 0; i < rest.length; i += 2) {
    const [name, value] = [rest[i], rest[i + 1]];
    if (!name.startsWith('--') || value === undefined) throw new Error(`bad argument ${name}`);
    if (name === '--header') {
      const colon = value.indexOf(':');
      const field = value.slice(0, colon).toLowerCase();
      const fieldValue = value.slice(colon + 1).trim();
      // Repeated fields stay separate; the library joins them with ", " as RFC 9421 §2.1 does.
      options.headers[field] = field in options.headers ? [].concat(options.headers[field], fieldValue) : fieldValue;
    } else if (name === '--component') {
      options.components.push(value);
    } else {
      options[name.slice(2).replace(/-(.)/g, (_, c) => c.toUpperCase())] = value;
    }
  }
  return options;
}

// RFC 9530: every sha-256 and sha-512 member must describe the body, and at least one must be there.
function checkContentDigest(header, body) {
  const algorithms = { 'sha-256': 'sha256', 'sha-512': 'sha512' };
  let checked = 0;
  for (const member of header.split(',')) {
    const match = member.trim().match(/^([a-z0-9-]+)=:([A-Za-z0-9+/=]*):$/);
    if (!match) return `unreadable Content-Digest member ${member}`;
    const hash = algorithms[match[1]];
    if (!hash) continue;
    const expected = crypto.createHash(hash).update(body).digest('base64');
    if (expected !== match[2]) return `Content-Digest ${match[1]} is ${match[2]}, the body's is ${expected}`;
    checked += 1;
  }
  return checked ? null : 'Content-Digest has neither sha-256 nor sha-512';
}

async function verify(options, body) {
  const headers = options.headers;
  if (headers['content-digest'] !== undefined) {
    const problem = checkContentDigest([].concat(headers['content-digest']).join(', '), body);
    if (problem) return problem;
  }
  const key = crypto.createPublicKey(fs.readFileSync(options.keyFile));
  const verified = await httpbis.verifyMessage({
    keyLookup: async () => ({ id: 'key', algs: [options.alg], verify: createVerifier(key, options.alg) }),
  }, { method: options.method, url: options.url, headers });
  return verified === true ? null : `http-message-signatures returned ${verified}`;
}

async function sign(options, body) {
  const headers = { ...options.headers };
  if (body.length > 0) headers['content-digest'] = `sha-256=:${crypto.createHash('sha256').update(body).digest('base64')}:`;
  const key = crypto.createPrivateKey(fs.readFileSync(options.keyFile));
  const signed = await httpbis.signMessage({
    key: createSigner(key, options.alg, options.keyid),
    name: options.label ?? 'sig1',
    fields: options.components,
    params: ['created', 'keyid', 'alg'],
    paramValues: { created: new Date(Number(options.created) * 1000) },
  }, { method: options.method, url: options.url, headers });
  for (const name of ['content-digest', 'signature-input', 'signature']) {
    const value = Object.entries(signed.headers).find(([field]) => field.toLowerCase() === name);
    if (value) console.log(`${name}: ${value[1]}`);
  }
}

async function main() {
  const options = parseArguments(process.argv.slice(2));
  const body = options.bodyFile ? fs.readFileSync(options.bodyFile) : Buffer.alloc(0);
  if (options.command === 'sign') return sign(options, body);
  if (options.command !== 'verify') throw new Error(`unknown command ${options.command}`);
  const problem = await verify(options, body);
  if (problem) {
    console.log(problem);
    process.exitCode = 1;
  } else {
    console.log('verified');
  }
}

main().catch((error) => {
  console.log(`error: ${error.message}`);
  process.exitCode = 2;
});
