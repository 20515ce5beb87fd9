// Runs graphql-http's audit of the GraphQL over HTTP specification against a Kith server
// and prints one JSON line per audit: {id, name, status, reason}. Kith answers nothing
// without a token, so every request the audit sends carries KITH_AUDIT_TOKEN's.
//
//   KITH_AUDIT_TOKEN=... node graphql-http-audit.mjs http://127.0.0.1:8080/graphql
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
const token = process.env.KITH_AUDIT_TOKEN;
if (!url || !token) {
  console.error('usage: KITH_AUDIT_TOKEN=<token> node graphql-http-audit.mjs <url>');
  process.exit(2);
}

function withToken(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set('Authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

for (const audit of serverAudits({ url, fetchFn: withToken })) {
  const result = await audit.fn();
  console.log(JSON.stringify({ id: result.id, name: result.name, status: result.status, reason: result.reason ?? '' }));
}
