// Kith's GraphiQL: the explorer plugin, an example query and a sign-in that fills the
// Authorization header. Everything it needs is in this bundle, served by the kith binary:
// it loads nothing from anywhere else.
import { useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { explorerPlugin } from '@graphiql/plugin-explorer';
import 'graphiql/style.css';
import '@graphiql/plugin-explorer/dist/style.css';
import './kith.css';
import { ExampleQuery } from './example.js';
import { beginOIDC, finishOIDC } from './oidc.js';

const tokenKey = 'kith.graphiql.token';
const config = JSON.parse(document.getElementById('kith-config')?.textContent || '{}');

function SignIn({ token, setToken }) {
  const [devTokens, setDevTokens] = useState(null);
  const [pasted, setPasted] = useState('');
  const [role, setRole] = useState('');
  useEffect(() => {
    if (!config.devTokens) return;
    fetch('/dev/tokens', { headers: { Accept: 'application/json' } })
      .then((r) => (r.ok ? r.json() : null))
      .then((body) => {
        if (body && body.tokens) {
          setDevTokens(body.tokens);
          setRole(body.tokens[0]?.role || '');
        }
      })
      .catch(() => setDevTokens(null));
  }, []);
  if (token) {
    return (
      <div className="kith-signin" data-state="signed-in">
        <span>Signed in: requests carry your token in the Authorization header.</span>
        <button type="button" onClick={() => setToken('')}>Sign out</button>
      </div>
    );
  }
  return (
    <div className="kith-signin" data-state="signed-out">
      {devTokens && devTokens.length > 0 && (
        <form
          className="kith-dev"
          onSubmit={(e) => {
            e.preventDefault();
            const t = devTokens.find((d) => d.role === role);
            if (t) setToken(t.token);
          }}
        >
          <label>
            Development role{' '}
            <select name="role" value={role} onChange={(e) => setRole(e.target.value)}>
              {devTokens.map((d) => (
                <option key={d.role} value={d.role} title={d.about}>
                  {d.role}
                </option>
              ))}
            </select>
          </label>
          <button type="submit" name="dev-sign-in">Sign in</button>
        </form>
      )}
      <form
        className="kith-paste"
        onSubmit={(e) => {
          e.preventDefault();
          if (pasted.trim()) setToken(pasted.trim().replace(/^Bearer\s+/i, ''));
        }}
      >
        <label>
          Token{' '}
          <input name="token" type="password" autoComplete="off" value={pasted} onChange={(e) => setPasted(e.target.value)} placeholder="paste a bearer token" />
        </label>
        <button type="submit" name="paste-sign-in">Use token</button>
      </form>
      {config.oidc && (
        <button type="button" name="oidc-sign-in" onClick={() => beginOIDC(config.oidc)}>
          Sign in with {config.oidc.name || 'your organisation'}
        </button>
      )}
    </div>
  );
}

function App() {
  const [token, setTokenState] = useState(() => sessionStorage.getItem(tokenKey) || '');
  const setToken = (t) => {
    if (t) sessionStorage.setItem(tokenKey, t);
    else sessionStorage.removeItem(tokenKey);
    setTokenState(t);
  };
  useEffect(() => {
    if (config.oidc) finishOIDC(config.oidc).then((t) => t && setToken(t)).catch(() => {});
  }, []);
  const fetcher = useMemo(() => createGraphiQLFetcher({ url: config.endpoint || '/graphql' }), []);
  const explorer = useMemo(() => explorerPlugin(), []);
  const headers = token ? JSON.stringify({ Authorization: 'Bearer ' + token }, null, 2) : '';
  return (
    <div className="kith-app">
      <SignIn token={token} setToken={setToken} />
      <div className="kith-graphiql">
        <GraphiQL
          key={token || 'signed-out'}
          fetcher={fetcher}
          plugins={[explorer]}
          defaultQuery={ExampleQuery}
          headers={headers}
          shouldPersistHeaders={false}
          defaultEditorToolsVisibility={token ? 'headers' : false}
        >
          <GraphiQL.Logo>Kith</GraphiQL.Logo>
        </GraphiQL>
      </div>
    </div>
  );
}

createRoot(document.getElementById('root')).render(<App />);
