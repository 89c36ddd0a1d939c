// Run graphql-http's server audits against a live GraphQL endpoint and print the results as
// JSON on stdout (one array of {id, name, status, reason}). Usage:
//   node audit.mjs URL [HEADERS_JSON]
// HEADERS_JSON (optional) is merged into every request the audit sends: the caller uses it to
// audit as a logged-in browser (session cookie plus the X-Gongzhi-CSRF header).
import { auditServer } from "graphql-http";

const [url, headersJson] = process.argv.slice(2);
if (!url) {
  console.error("usage: node audit.mjs URL [HEADERS_JSON]");
  process.exit(2);
}
const extra = headersJson ? JSON.parse(headersJson) : {};

function fetchWithHeaders(input, init = {}) {
  const headers = new Headers(init.headers || {});
  for (const [name, value] of Object.entries(extra)) headers.set(name, value);
  return fetch(input, { ...init, headers });
}

const results = await auditServer({ url, fetchFn: fetchWithHeaders });
const rows = results.map((r) => ({
  id: r.id,
  name: r.name,
  status: r.status,
  reason: r.status === "ok" ? null : r.reason,
  http: r.status === "ok" ? null : r.response.status,
}));
process.stdout.write(JSON.stringify(rows));
