// A real OpenID provider for the single sign-on tests (issue 22): panva's oidc-provider on a
// loopback port, with one test client and a plain login form whose fields become the account's
// claims. Started by tests/sso/conftest.py; not part of peerdiag itself.
//
//   node tests/sso/provider.mjs --port 0 \
//     --redirect-uri http://testserver/sign-in/sso/test/callback/ \
//     --post-logout-redirect-uri http://testserver/ \
//     [--client-id peerdiag-test] [--client-secret ...] [--id-token-ttl 3600]
//
// --port 0 picks a free port. When listening it prints one line, `READY <issuer>`, on stdout.
// Redirect URIs on 127.0.0.1 or localhost match whatever their port (the live server's port is
// not known in advance), as long as the rest of the URI is registered. A post-logout redirect
// URI may be any page on the origin of a registered one (on loopback, any port).
// OIDC_TEST_JWKS (environment) may hold a JSON JWK set with the private signing key(s), so tests
// can sign their own tokens (for example an expired one) with the provider's key.

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
    'client-id': { type: 'string', default: 'peerdiag-test' },
    'client-secret': { type: 'string', default: 'peerdiag-test-secret' },
    'redirect-uri': { type: 'string', multiple: true, default: [] },
    'post-logout-redirect-uri': { type: 'string', multiple: true, default: [] },
    'id-token-ttl': { type: 'string', default: '3600' },
  },
  strict: true,
});

if (args['redirect-uri'].length === 0) {
  console.error('provider.mjs: give at least one --redirect-uri');
  process.exit(2);
}

// accountId (the e-mail address typed in) -> the claims typed in with it.
const accounts = new Map();

const escapeHtml = (value) => String(value).replace(/[&<>"']/g, (c) => ({
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
}[c]));

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body>
<main>
<h1>${escapeHtml(title)}</h1>
${body}
</main>
</body>
</html>
`;
}

function loginForm(uid, clientId) {
  return page('Sign in to the test identity provider', `
<p>Signing in to <code>${escapeHtml(clientId)}</code>. Type the details the provider should vouch for.</p>
<form method="post" action="/interaction/${escapeHtml(uid)}">
  <p><label for="email">Email address</label><br>
  <input id="email" name="email" type="email" required autocomplete="off"></p>
  <p><input id="email_verified" name="email_verified" type="checkbox" value="true" checked>
  <label for="email_verified">Email address verified</label></p>
  <p><label for="name">Full name</label><br>
  <input id="name" name="name" type="text" value="Test Person"></p>
  <p><label for="amr">Authentication methods (amr), comma separated</label><br>
  <input id="amr" name="amr" type="text" value="pwd"></p>
  <p><button type="submit">Sign in</button></p>
</form>`);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res, status, html) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(html);
}

const ttlIdToken = Number.parseInt(args['id-token-ttl'], 10);
const jwks = process.env.OIDC_TEST_JWKS ? JSON.parse(process.env.OIDC_TEST_JWKS) : undefined;

let handler = (_req, res) => send(res, 503, page('Starting', '<p>Starting.</p>'));
const server = http.createServer((req, res) => handler(req, res));
server.listen(Number.parseInt(args.port, 10), args.host, () => {
  const { port } = server.address();
  const issuer = `http://${args.host}:${port}`;

  const configuration = {
    clients: [{
      client_id: args['client-id'],
      client_secret: args['client-secret'],
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: args['redirect-uri'],
      post_logout_redirect_uris: args['post-logout-redirect-uri'],
    }],
    ...(jwks ? { jwks } : {}),
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: {
      acr: null,
      sid: null,
      auth_time: null,
      iss: null,
      // amr comes from the login (the form's amr field), and goes in every ID token.
      openid: ['sub', 'amr'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    // email and name go in the ID token itself, not only to the userinfo endpoint.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        // `form` is the provider's own (hidden) form, with its xsrf token.
        async logoutSource(ctx, form) {
          ctx.type = 'html';
          ctx.body = page('Sign out of the test identity provider', `${form}
<p>Do you want to sign out of the test identity provider?</p>
<p><button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button></p>
<p><button type="submit" form="op.logoutForm">No, stay signed in</button></p>`);
        },
        async postLogoutSuccessSource(ctx) {
          ctx.type = 'html';
          ctx.body = page('Signed out', '<p>You have signed out of the test identity provider.</p>');
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: ttlIdToken,
      Interaction: 3600,
      Session: 86400,
      Grant: 86400,
    },
    async findAccount(_ctx, accountId) {
      const claims = accounts.get(accountId);
      if (!claims) return undefined;
      return { accountId, claims: async () => ({ sub: accountId, ...claims }) };
    },
    // Consent is granted without asking: the test client gets what it asked for.
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope(ctx.oidc.params.scope ?? 'openid');
      grant.addOIDCClaims(['email', 'email_verified', 'name']);
      await grant.save();
      return grant;
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Sign-in error', `<pre id="error">${escapeHtml(JSON.stringify(out, null, 2))}</pre>`);
    },
  };

  const provider = new Provider(issuer, configuration);
  // On loopback any port matches, so the live server's callback matches the registered path.
  const isLoopback = (url) => url.protocol === 'http:' && ['127.0.0.1', 'localhost'].includes(url.hostname);
  const sameOrigin = (url, registered) => url.protocol === registered.protocol
    && url.hostname === registered.hostname
    && (url.port === registered.port || isLoopback(url));
  const allowed = (value, uris, wholeUri) => {
    if (uris.includes(value)) return true;
    const url = URL.parse(value);
    if (!url) return false;
    return uris.some((uri) => {
      const registered = URL.parse(uri);
      if (!registered || !sameOrigin(url, registered)) return false;
      if (!wholeUri) return true;
      return isLoopback(url) && registered.pathname === url.pathname && registered.search === url.search;
    });
  };
  // Redirect URIs: exact, or on loopback exact but for the port.
  provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(value) {
    return allowed(value, this.redirectUris, true);
  };
  // Post-logout redirect URIs: any page on a registered origin (loopback: any port).
  provider.Client.prototype.postLogoutRedirectUriAllowed = function postLogoutAllowed(value) {
    return allowed(value, this.postLogoutRedirectUris, false);
  };
  const oidc = provider.callback();

  handler = async (req, res) => {
    const match = /^\/interaction\/([\w-]+)\/?$/.exec(new URL(req.url, issuer).pathname);
    if (!match) {
      oidc(req, res);
      return;
    }
    try {
      const details = await provider.interactionDetails(req, res);
      if (details.uid !== match[1]) {
        send(res, 400, page('Sign-in error', '<p>This sign-in has expired. Start again.</p>'));
        return;
      }
      if (details.prompt.name !== 'login') {
        // Not expected (loadExistingGrant grants consent), but never leave a browser stuck.
        const grant = new provider.Grant({ clientId: details.params.client_id, accountId: details.session.accountId });
        grant.addOIDCScope(details.params.scope ?? 'openid');
        await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, { mergeWithLastSubmission: true });
        return;
      }
      if (req.method === 'GET') {
        send(res, 200, loginForm(details.uid, details.params.client_id));
        return;
      }
      if (req.method !== 'POST') {
        send(res, 405, page('Sign-in error', '<p>Method not allowed.</p>'));
        return;
      }
      const form = new URLSearchParams(await readBody(req));
      const email = (form.get('email') ?? '').trim();
      if (!email) {
        send(res, 400, loginForm(details.uid, details.params.client_id));
        return;
      }
      const amr = (form.get('amr') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      accounts.set(email, {
        email,
        email_verified: form.has('email_verified'),
        name: form.get('name') ?? '',
      });
      await provider.interactionFinished(req, res, {
        login: { accountId: email, ...(amr.length ? { amr } : {}) },
      }, { mergeWithLastSubmission: false });
    } catch (error) {
      send(res, 400, page('Sign-in error', `<pre id="error">${escapeHtml(error.message)}</pre>`));
    }
  };

  console.log(`READY ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
