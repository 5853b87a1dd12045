// Runs graphql-http's GraphQL-over-HTTP server audits against URL with a read key,
// and prints one JSON line per audit: {"id", "name", "status", "reason"}.
// Usage: node audit.mjs URL KEY
import { auditServer } from "graphql-http";

const [url, key] = process.argv.slice(2);
if (!url || !key) {
  console.error("usage: node audit.mjs URL KEY");
  process.exit(2);
}

function fetchWithKey(input, init = {}) {
  const headers = new Headers(init.headers || {});
  headers.set("Authorization", `Bearer ${key}`);
  return fetch(input, { ...init, headers });
}

const results = await auditServer({ url, fetchFn: fetchWithKey });
for (const result of results) {
  const line = { id: result.id, name: result.name, status: result.status };
  if (result.status !== "ok") {
    line.reason = result.reason;
  }
  console.log(JSON.stringify(line));
}
