"""The web console (SPEC §9): one HTML shell for every console route, and its own
scripts and styles under ``/console/assets``. The pages are plain ES modules that
call the public GraphQL API with the read key the user signs in with; the server
never sees that key here and no page it sends contains one."""

from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

STATIC = Path(__file__).with_name("static")
SHELL = STATIC / "index.html"

SECURITY_HEADERS = {
    # Every script, style, image and request stays on this origin (SPEC §9).
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


async def shell(request: Request) -> Response:
    """The same page for every console route: the modules route on the client."""
    headers = {**SECURITY_HEADERS, "Cache-Control": "no-cache"}
    return FileResponse(SHELL, media_type="text/html; charset=utf-8", headers=headers)


async def to_console(request: Request) -> Response:
    return RedirectResponse("/console", status_code=307)


class _Assets(StaticFiles):
    """Static files with the console's security headers and revalidation on every load
    (no build step means no hashed file names to cache forever)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                extra = [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                extra.append((b"cache-control", b"no-cache"))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await super().__call__(scope, receive, send_with_headers)


def console_routes() -> list[BaseRoute]:
    return [
        Route("/", to_console, methods=["GET"]),
        Mount("/console/assets", app=_Assets(directory=STATIC), name="console-assets"),
        Route("/console", shell, methods=["GET"]),
        Route("/console/{path:path}", shell, methods=["GET"]),
    ]
