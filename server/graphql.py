"""``/graphql``: Strawberry's ASGI view behind read-key authentication, and GraphiQL."""

import json
from typing import Any

import orjson
from cross_web import HTTPException
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData
from strawberry.types import ExecutionResult

from resolvers.context import Context, build_context
from resolvers.cost import cost_extension
from resolvers.errors import BadRequest, RateLimited
from resolvers.limits import CONNECTIONS_FIRST, MESSAGES_FIRST, RECEIPTS_FIRST
from resolvers.schema import schema
from server.auth import AuthError, FailedAuthThrottle, authenticate
from server.config import DEFAULT_BODY_TIMEOUT_S
from server.errors import GRAPHQL_RESPONSE_TYPE, HttpError, retry_after
from server.ingest import BodyError, read_body
from server.persisted import PersistedQueries, PersistedQueryError
from server.ratelimit import RateLimiter
from store.interface import Store
from store.model import KeyRole

TITLE = "Nexconn Data Tracking"
HEADERS_HINT = "Bearer <a read key: polaris-tracking keys create --app APP --role read>"
MAX_BODY_BYTES = 1024 * 1024
"""A GraphQL request body (document and variables) larger than this is refused with 413."""


DIAGNOSIS_FIELDS = "verdict summary"
"""What GraphiQL's example asks of each diagnosis."""


def console_query(
    user_id: str,
    *,
    connections: int = CONNECTIONS_FIRST,
    messages: int = MESSAGES_FIRST,
    receipts: int = RECEIPTS_FIRST,
    diagnosis: str = "",
) -> str:
    """The console query (SPEC §6): a user's connections, what was sent on each, and
    what happened to every message for every recipient; every field, the page sizes
    as given (GraphiQL's example, and what the benchmarks and tests run). ``diagnosis``
    is a selection of ``Diagnosis`` (e.g. :data:`DIAGNOSIS_FIELDS`) asked for on every
    message and receipt; empty: none."""
    asked = f"diagnosis {{ {diagnosis} }}" if diagnosis else ""
    on_message = f"\n            {asked}" if asked else ""
    on_receipt = f"\n                {asked}" if asked else ""
    return f"""# {TITLE}: a user's connections, the messages sent on each,
# and what happened to every message for every recipient.
# Run it with the ▶ button (or Ctrl-Enter).
query Console {{
  user(id: {json.dumps(user_id)}) {{
    id
    connections(first: {connections}) {{
      totalCount
      pageInfo {{ hasNextPage endCursor }}
      nodes {{
        id connectionId userId status connectedAt disconnectedAt disconnectReason
        rejectCode rejectDescription sdkVersion platform deviceModel osVersion ip
        sentMessages(first: {messages}) {{
          totalCount
          nodes {{
            id msgUid senderId targetId channelType messageType builtinType source
            sentAt result muteScope prompt statusSettled{on_message}
            receiptSummary {{
              total delivered notDelivered offline pending pushSucceeded pushFailed
            }}
            receipts(first: {receipts}) {{
              nodes {{
                recipientId status statusAt pushSkipped
                history {{ status at }}
                pushAttempts {{ provider sentAt success errorCode errorDescription }}{on_receipt}
              }}
            }}
          }}
        }}
      }}
    }}
  }}
}}
"""


def _js(value: str) -> str:
    """A JavaScript string literal that is safe inside a <script> element."""
    return json.dumps(value).replace("</", "<\\/")


class TrackingGraphQL(GraphQL[Context, None]):
    """Authenticates every operation with a read key before Strawberry parses it;
    serves GraphiQL (no key needed for the page) with an example query filled in, and
    the Authorization header from the browser's own copy of the key (a ``#key=``
    fragment or the console's sign-in), never from the server.

    Before Strawberry sees a request: the key's rate limit (HTTP 429 with
    ``Retry-After`` and a GraphQL error coded ``RATE_LIMITED``; the bucket's
    ``X-RateLimit-*`` headers on every answer to a known key) and the body size
    (413 beyond :data:`MAX_BODY_BYTES`, counted while reading). Batches of
    operations (a JSON array) are refused by Strawberry with 400: batching is off.
    """

    def __init__(
        self,
        store: Store,
        *,
        example_user: str = "alice",
        graphiql: bool = True,
        introspection: bool = True,
        rate_limiter: RateLimiter | None = None,
        auth_throttle: FailedAuthThrottle | None = None,
        body_timeout_s: float = DEFAULT_BODY_TIMEOUT_S,
    ) -> None:
        super().__init__(
            schema, graphql_ide="graphiql" if graphiql else None, multipart_uploads_enabled=False
        )
        self.store = store
        self.introspection = introspection
        self.rate_limiter = rate_limiter or RateLimiter(0, 1)
        self.auth_throttle = auth_throttle or FailedAuthThrottle(0, 1)
        self.body_timeout_s = body_timeout_s
        self.persisted = PersistedQueries()
        self._ide_html = self._build_ide_html(example_user) if graphiql else ""

    def encode_json(self, data: object) -> bytes:
        """Responses through orjson: a few ms less than ``json.dumps`` for a console page."""
        return orjson.dumps(data)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # no subscriptions: nothing to serve over WebSocket
            return
        request = Request(scope, receive)
        if self.graphql_ide and self.should_render_graphql_ide(self.request_adapter_class(request)):
            await HTMLResponse(self._ide_html)(scope, receive, send)
            return
        try:
            key = await authenticate(self.store, request, KeyRole.READ, self.auth_throttle)
        except AuthError as e:
            await e.response()(scope, receive, send)
            return
        quota = self.rate_limiter.take(key.key_id)
        if quota is not None:  # every authenticated answer tells the key's bucket
            send = _with_headers(send, quota.headers())
            if quota.wait_s:
                await _rate_limited(quota.wait_s)(scope, receive, send)
                return
        if request.method == "POST":
            try:
                body = await read_body(request, MAX_BODY_BYTES, self.body_timeout_s)
            except BodyError as e:
                await request_error(e.status, e.message, e.code)(scope, receive, send)
                return
            if problem := _body_problem(request, body):
                await request_error(400, problem)(scope, receive, send)
                return
            receive = _replay(body, receive)
        scope.setdefault("state", {})["app"] = key.app
        try:
            response = await self.run(Request(scope, receive))
        except PersistedQueryError as e:
            response = request_error(e.status_code, e.reason, e.code)
            response.headers.update(e.headers)
        except HTTPException as e:
            response = request_error(e.status_code, e.reason)
            if e.status_code == 405:
                response.headers["Allow"] = "GET, POST"
        if GRAPHQL_RESPONSE_TYPE in request.headers.get("accept", ""):
            response = _as_graphql_response(response)
        await response(scope, receive, send)

    def should_render_graphql_ide(self, request: Any) -> bool:
        """Not for a persisted query sent by GET (no ``query``, but ``extensions``)."""
        return super().should_render_graphql_ide(request) and (
            request.query_params.get("extensions") is None
        )

    async def parse_http_body(self, request: Any) -> GraphQLRequestData | list[GraphQLRequestData]:
        """The request, with the document of its persisted-query hash (``server.persisted``)."""
        data = await super().parse_http_body(request)
        if isinstance(data, GraphQLRequestData):  # batches are refused before Strawberry
            data.query = self.persisted.resolve(data.query, data.extensions)
        return data

    async def execute_single(
        self,
        request: Any,
        request_adapter: Any,
        sub_response: Any,
        context: Context,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        """Runs the operation; a document sent with its hash is remembered once it ran
        past parsing and validation (data is null only for errors before execution)."""
        result = await super().execute_single(
            request, request_adapter, sub_response, context, root_value, request_data
        )
        request.state.operation = context.operation_name  # set once the document validated
        query, extensions = request_data.query, request_data.extensions
        if query is not None and extensions and result.data is not None:
            self.persisted.remember(query, extensions)
        return result

    async def get_context(self, request: Any, response: Response | Any) -> Context:
        return build_context(
            self.store,
            request.state.app,
            request_id=getattr(request.state, "request_id", None),
            introspection=self.introspection,
        )

    def _build_ide_html(self, example_user: str) -> str:
        html = self.graphql_ide_html
        query = _js(console_query(example_user, diagnosis=DIAGNOSIS_FIELDS))
        replacements = {
            "<title>Strawberry GraphiQL</title>": f"<title>{TITLE}</title>",
            '<div id="graphiql" class="graphiql-container">Loading...</div>': IDE_PLACEHOLDER,
            "    <script>\n      const EXAMPLE_QUERY": f"    <script>{IDE_OFFLINE_CHECK}</script>\n"
            "    <script>\n      if (window.GraphiQL) {\n      const EXAMPLE_QUERY",
            "root.render(React.createElement(GraphiQLWithExplorer));\n    </script>": "root.render("
            "React.createElement(GraphiQLWithExplorer));\n      }\n    </script>",
            "parameters.q || EXAMPLE_QUERY": f"parameters.q || {query}",
            # The key stays in the tab's sessionStorage, not in GraphiQL's localStorage.
            "shouldPersistHeaders: true": "shouldPersistHeaders: false",
            "React.useState(parameters.headers)": "React.useState(parameters.headers || "
            f"{IDE_HEADERS.replace('HINT', _js(HEADERS_HINT))})",
        }
        for old, new in replacements.items():
            if old not in html:  # a Strawberry upgrade changed its page: say so loudly in tests
                raise RuntimeError(f"GraphiQL page no longer contains {old!r}")
            html = html.replace(old, new)
        return html


IDE_PLACEHOLDER = """<div id="graphiql" class="graphiql-container"><div style="margin:auto;\
max-width:36em;font:16px/1.5 system-ui,sans-serif;padding:24px">
<h1 style="font-size:1.4em">GraphiQL is loading…</h1>
<p id="ide-offline" hidden>GraphiQL could not load: its scripts come from unpkg.com, which this
browser cannot reach (no internet access, or a proxy blocks it). The API itself works.</p>
<p>The <a href="/console">Nexconn Data Tracking console</a> is served by this service and needs
no internet access.</p></div></div>"""
"""What GraphiQL's element shows until React replaces it; stays when the CDN is unreachable."""

IDE_OFFLINE_CHECK = """
      if (!window.React || !window.ReactDOM || !window.GraphiQL || !window.Cookies
          || !window.GraphiQLPluginExplorer) {
        document.getElementById("ide-offline").hidden = false;
        document.querySelector("#graphiql h1").textContent = "GraphiQL cannot load here";
      }
"""
"""Runs after GraphiQL's CDN scripts: when one did not load, say why instead of a blank page."""

IDE_HEADERS = """(() => {
          // The read key from a #key= fragment (serve --demo) or the console's sign-in:
          // never in the HTML the server sends.
          const fragment = new URLSearchParams(location.hash.slice(1));
          const key = fragment.get("key") || sessionStorage.getItem("nexconn.readKey");
          if (fragment.get("key")) {
            sessionStorage.setItem("nexconn.readKey", key);
            history.replaceState(null, "", location.pathname + location.search);
          }
          const value = key ? "Bearer " + key : HINT;
          return JSON.stringify({ Authorization: value }, null, 2);
        })()"""


def _as_graphql_response(response: Response) -> Response:
    """The response in ``application/graphql-response+json`` (GraphQL over HTTP), for
    a client that accepts it: a request that never reached execution (a document
    that does not parse or validate, variables that do not coerce: every error
    without a ``path``, and no data) is a 400 without a ``data`` entry."""
    if response.headers.get("content-type", "").startswith("text/html"):
        return response
    body = orjson.loads(response.body)
    status = response.status_code
    errors = body.get("errors") if isinstance(body, dict) else None
    if errors and body.get("data") is None and all("path" not in e for e in errors):
        body.pop("data", None)
        status = 400 if status == 200 else status
    headers = {
        k: v for k, v in response.headers.items() if k not in ("content-length", "content-type")
    }
    return Response(orjson.dumps(body), status, headers, media_type=GRAPHQL_RESPONSE_TYPE)


_HTTP_CODES = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}


def request_error(status: int, message: str, code: str | None = None) -> Response:
    """A request-level error (before any operation runs) as a GraphQL JSON response."""
    error = HttpError(status, code or _HTTP_CODES.get(status, BadRequest.code), message)
    return error.response(graphql=True, extensions=cost_extension(0))


def _body_problem(request: Request, body: bytes) -> str | None:
    """What makes a JSON body unrunnable before Strawberry reads it: a JSON value
    that is not an object (a batch included), or an ``operationName`` that is not a
    string, or text that is not JSON (``NaN`` and ``Infinity`` included, which the
    standard library's decoder would let through). ``None`` when there is nothing to say."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json":
        return None
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as e:
        return f"the body is not valid JSON: {e}"
    if isinstance(data, list):
        return "batching is not enabled: send one operation as a JSON object"
    if not isinstance(data, dict):
        return "the body must be a JSON object with a 'query' string"
    name = data.get("operationName")
    if name is not None and not isinstance(name, str):
        return "operationName: must be a string or null"
    return None


def _rate_limited(wait_s: float) -> Response:
    headers = retry_after(wait_s)
    message = f"too many requests for this key; retry in {headers['Retry-After']} s"
    error = HttpError(429, RateLimited.code, message, headers=headers)
    return error.response(graphql=True, extensions=cost_extension(0))


def _with_headers(send: Send, headers: dict[str, str]) -> Send:
    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            MutableHeaders(scope=message).update(headers)
        await send(message)

    return send_with_headers


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands over the already read ``body``, then the real channel
    (so that a client disconnect is still seen)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay
