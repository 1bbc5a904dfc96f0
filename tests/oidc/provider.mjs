// tests/oidc/provider.mjs: a real OpenID Provider (panva/node-oidc-provider) on 127.0.0.1 for
// tests/login_oidc.sh. Usage: node provider.mjs PORT REDIRECT_URI [REDIRECT_URI...]
// Clients: "gatekeep" (RS256 ID tokens) and "gatekeep-es" (ES256), secret "test-client-secret",
// PKCE required. Dev interactions: POST login=<account>&password=<anything>, then consent.
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const [port, ...redirects] = process.argv.slice(2);
if (!port || redirects.length === 0) {
  console.error('usage: node provider.mjs PORT REDIRECT_URI...');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;

// Accounts: verified e-mail with groups (one invalid), unverified, foreign domain, and a name
// that clashes with a local password user in the test database.
const accounts = {
  alice: { email: 'Alice@Example.com', email_verified: true, name: 'Alice Liddell',
    preferred_username: 'alice', groups: ['dev', 'ops', 'bad group', 'dev'] },
  eve: { email: 'eve@example.com', email_verified: false, name: 'Eve', groups: [] },
  mallory: { email: 'mallory@evil.test', email_verified: true, name: 'Mallory', groups: ['admins'] },
  bob: { email: 'bob@example.com', email_verified: true, name: 'Bob', groups: ['admins'] },
  carol: { email: 'carol@example.com', email_verified: true, name: 'Carol', groups: 'dev qa' },
};

function key(type, opts, alg, kid) {
  const { privateKey } = generateKeyPairSync(type, opts);
  return { ...privateKey.export({ format: 'jwk' }), alg, use: 'sig', kid };
}

const clients = [
  { client_id: 'gatekeep', id_token_signed_response_alg: 'RS256' },
  { client_id: 'gatekeep-es', id_token_signed_response_alg: 'ES256' },
].map((c) => ({
  ...c,
  client_secret: 'test-client-secret',
  redirect_uris: redirects,
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
}));

const provider = new Provider(issuer, {
  clients,
  jwks: {
    keys: [
      key('rsa', { modulusLength: 2048 }, 'RS256', 'rsa-1'),
      key('ec', { namedCurve: 'P-256' }, 'ES256', 'ec-1'),
    ],
  },
  cookies: { keys: ['gatekeep-test-cookie-key-0123456789'] },
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username', 'groups'],
  },
  async findAccount(ctx, id) {
    const a = accounts[id];
    if (!a) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...a }; } };
  },
});
// Plain http on loopback: tell the provider not to insist on TLS-only cookies.
provider.proxy = true;
provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
