// The GraphQL-over-HTTP server audit of graphql-http, run against one URL.
// Usage: node audit.mjs URL [HEADERS_JSON]. HEADERS_JSON (optional) is added to every request the
// audit sends, as a client of this gateway adds its preflight header. Prints one JSON array:
// [{id, name, status: "ok" | "error" (MUST) | "warn" (SHOULD) | "notice" (MAY), reason}].
import { serverAudits } from 'graphql-http';

const [url, headersJson] = process.argv.slice(2);
const extra = headersJson ? JSON.parse(headersJson) : {};

function withHeaders(input, init = {}) {
  const headers = new Headers(init.headers || {});
  for (const [name, value] of Object.entries(extra)) {
    if (!headers.has(name)) headers.set(name, value);
  }
  return fetch(input, { ...init, headers, signal: AbortSignal.timeout(10000) });
}

const results = [];
for (const audit of serverAudits({ url, fetchFn: withHeaders })) {
  const result = await audit.fn();
  results.push({ id: result.id, name: result.name, status: result.status, reason: result.reason || null });
}
process.stdout.write(JSON.stringify(results));
