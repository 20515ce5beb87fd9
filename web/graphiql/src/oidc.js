// OpenID Connect sign-in from the page: the authorization-code flow with PKCE (RFC 7636),
// for a public client. The server names the provider's endpoints and the client id
// (KITH_OIDC_*); the access token it returns is the bearer token, checked by Kith as any
// other (KITH_JWKS).
const verifierKey = 'kith.oidc.verifier';
const stateKey = 'kith.oidc.state';

function base64url(bytes) {
  let s = '';
  for (const b of new Uint8Array(bytes)) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function random() {
  const b = new Uint8Array(32);
  crypto.getRandomValues(b);
  return base64url(b);
}

function redirectURI() {
  return window.location.origin + window.location.pathname;
}

export async function beginOIDC(oidc) {
  const verifier = random();
  const state = random();
  sessionStorage.setItem(verifierKey, verifier);
  sessionStorage.setItem(stateKey, state);
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  const u = new URL(oidc.authorizationEndpoint);
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('client_id', oidc.clientId);
  u.searchParams.set('redirect_uri', redirectURI());
  u.searchParams.set('scope', oidc.scope || 'openid');
  u.searchParams.set('state', state);
  u.searchParams.set('code_challenge', challenge);
  u.searchParams.set('code_challenge_method', 'S256');
  window.location.assign(u.toString());
}

// finishOIDC exchanges the code the provider sent back for a token, or returns null when
// the page was not opened by the provider's redirect.
export async function finishOIDC(oidc) {
  const params = new URLSearchParams(window.location.search);
  const code = params.get('code');
  if (!code) return null;
  const verifier = sessionStorage.getItem(verifierKey);
  const state = sessionStorage.getItem(stateKey);
  sessionStorage.removeItem(verifierKey);
  sessionStorage.removeItem(stateKey);
  window.history.replaceState(null, '', redirectURI());
  if (!verifier || params.get('state') !== state) return null;
  const resp = await fetch(oidc.tokenEndpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectURI(),
      client_id: oidc.clientId,
      code_verifier: verifier,
    }),
  });
  if (!resp.ok) return null;
  const body = await resp.json();
  return body.access_token || null;
}
