// The read key (sessionStorage only) and the one way the console talks to the service:
// POST /graphql on this origin with a named operation. Errors come back in words.

const KEY_ITEM = "nexconn.readKey";
const VIEWER_ITEM = "nexconn.viewer";
const FEATURES_ITEM = "nexconn.features";

export const session = {
  get key() {
    return sessionStorage.getItem(KEY_ITEM);
  },
  get viewer() {
    try {
      return JSON.parse(sessionStorage.getItem(VIEWER_ITEM) || "null");
    } catch {
      return null;
    }
  },
  signIn(key, viewer) {
    sessionStorage.setItem(KEY_ITEM, key);
    sessionStorage.setItem(VIEWER_ITEM, JSON.stringify(viewer));
  },
  signOut() {
    sessionStorage.removeItem(KEY_ITEM);
    sessionStorage.removeItem(VIEWER_ITEM);
    sessionStorage.removeItem(FEATURES_ITEM);
  },
  /** Moves a `#key=…` fragment (from `serve --demo`) into sessionStorage and off the
   * address bar. Returns the key, or null when the fragment has none. */
  takeKeyFromFragment() {
    const params = new URLSearchParams(location.hash.slice(1));
    const key = params.get("key");
    if (!key) return null;
    history.replaceState(history.state, "", location.pathname + location.search);
    return key.trim();
  },
};

/** Optional schema fields (another release may not have them yet), remembered per tab. */
export const features = {
  has(name) {
    const known = JSON.parse(sessionStorage.getItem(FEATURES_ITEM) || "{}");
    return known[name] !== false;
  },
  lacks(name) {
    const known = JSON.parse(sessionStorage.getItem(FEATURES_ITEM) || "{}");
    known[name] = false;
    sessionStorage.setItem(FEATURES_ITEM, JSON.stringify(known));
  },
};

export class ApiError extends Error {
  constructor(message, { status = 0, code = "", missingField = "" } = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.missingField = missingField;
  }
}

const CODE_WORDS = {
  QUERY_TOO_COMPLEX: "The request asks for too much at once.",
  INTERNAL_SERVER_ERROR: "The service hit an internal error.",
  STORE_UNAVAILABLE: "The service cannot reach its store right now. Try again in a few seconds.",
};

function inWords(errors, status) {
  const first = errors[0] || {};
  const ext = first.extensions || first; // a GraphQL error, or the service's {"error": …}
  const code = ext.code || "";
  const missing = /Cannot query field ['"](\w+)['"]/.exec(first.message || "");
  let text = first.message || `The service answered HTTP ${status}.`;
  if (CODE_WORDS[code]) text = CODE_WORDS[code];
  if (code === "INTERNAL_SERVER_ERROR" && ext.requestId) {
    text += ` Quote request id ${ext.requestId} when you report it.`;
  }
  return new ApiError(text, { status, code, missingField: missing ? missing[1] : "" });
}

/** Runs one named operation; resolves to `data`, rejects with an ApiError in words. */
export async function graphql(operation, variables = {}, { key = session.key, signal } = {}) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      headers: {
        Authorization: `Bearer ${key}`,
        "Content-Type": "application/json",
        Accept: "application/graphql-response+json, application/json",
      },
      body: JSON.stringify({
        query: operation.document,
        operationName: operation.name,
        variables,
      }),
      signal,
      credentials: "omit",
      referrerPolicy: "no-referrer",
    });
  } catch (e) {
    if (e.name === "AbortError") throw e;
    throw new ApiError("The service could not be reached. Check that it is running and try again.");
  }
  const status = response.status;
  if (status === 401) {
    throw new ApiError("This key is not accepted: it is unknown or has been revoked.", {
      status,
      code: "UNAUTHENTICATED",
    });
  }
  if (status === 403) {
    throw new ApiError("This key cannot read: the console needs a read key, not an ingest key.", {
      status,
      code: "FORBIDDEN",
    });
  }
  if (status === 429) {
    const wait = response.headers.get("Retry-After") || "a few";
    throw new ApiError(`Too many requests with this key. Try again in ${wait} s.`, {
      status,
      code: "RATE_LIMITED",
    });
  }
  let body;
  try {
    body = await response.json();
  } catch (e) {
    if (e.name === "AbortError") throw e; // the page moved on while the body was read
    throw new ApiError(`The service answered HTTP ${status} with something that is not GraphQL.`, {
      status,
    });
  }
  const errors = body.errors || (body.error ? [body.error] : []);
  if (errors.length) throw inWords(errors, status);
  if (!response.ok || !body.data) throw new ApiError(`The service answered HTTP ${status}.`, { status });
  return body.data;
}
