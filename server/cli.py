"""``polaris-tracking``: serve the API, manage API keys, export a window."""

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

from server import export_cli
from server.auth import ALL_APPS, create_key
from server.config import ConfigError, Settings
from store.factory import open_store
from store.interface import Store
from store.model import KeyRole

PROG = "polaris-tracking"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description="Nexconn Data Tracking")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    store_help = "store URL (env TRACKING_STORE; default sqlite:///./data/tracking.db)"

    serve = commands.add_parser("serve", help="run the HTTP API (ingest, GraphQL, GraphiQL)")
    serve.add_argument("--host", help="interface to bind (env TRACKING_HOST; default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (env TRACKING_PORT; default 8000)")
    serve.add_argument("--store", help=store_help)
    serve.add_argument(
        "--demo",
        action="store_true",
        help="fill the store with demo traffic for app 'demo' (once), create a read and an "
        "ingest key, and serve GraphiQL with the read key filled in",
    )

    keys = commands.add_parser("keys", help="create, list and revoke API keys")
    key_commands = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    create = key_commands.add_parser(
        "create", help="create a key; prints it once, on the last line"
    )
    create.add_argument(
        "--app", required=True, help=f"the app ('{ALL_APPS}': every app, ingest only)"
    )
    create.add_argument("--role", required=True, choices=[r.value for r in KeyRole])
    create.add_argument("--store", help=store_help)
    listing = key_commands.add_parser("list", help="list keys (never their secrets)")
    listing.add_argument("--store", help=store_help)
    revoke = key_commands.add_parser("revoke", help="revoke a key at once")
    revoke.add_argument("key_id", metavar="KEY_ID")
    revoke.add_argument("--store", help=store_help)
    export_cli.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env().with_overrides(
            store_url=getattr(args, "store", None),
            host=getattr(args, "host", None),
            port=getattr(args, "port", None),
        )
        if args.command == "serve":
            return _serve(settings, demo=args.demo)
        if args.command == "export":
            return export_cli.run(args)
        if args.keys_command == "create":
            role = KeyRole(args.role)
            if args.app == ALL_APPS and role is not KeyRole.INGEST:
                parser.error(
                    f"--app '{ALL_APPS}' is allowed for ingest keys only: "
                    "a read key sees exactly one app"
                )
            return _with_store(settings, lambda store: _create(store, args.app, role))
        if args.keys_command == "list":
            return _with_store(settings, _list)
        return _with_store(settings, lambda store: _revoke(store, args.key_id))
    except (ConfigError, ValueError) as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2


def _with_store(settings: Settings, action: Callable[[Store], Awaitable[int]]) -> int:
    async def run() -> int:
        store = open_store(settings.store_url, settings.retention_days)
        await store.open()
        try:
            return await action(store)
        finally:
            await store.close()

    return asyncio.run(run())


async def _create(store: Store, app: str, role: KeyRole) -> int:
    record, clear = await create_key(store, app, role)
    scope = "every app" if app == ALL_APPS else f"app '{app}'"
    print(f"Created {role.value} key {record.key_id} for {scope}.")
    print("Copy it now: it is shown only once and stored hashed.")
    print(clear)
    return 0


async def _list(store: Store) -> int:
    rows = [("KEY ID", "APP", "ROLE", "CREATED", "REVOKED")]
    for key in await store.list_keys():
        revoked = _when(key.revoked_at) if key.revoked_at is not None else "-"
        rows.append((key.key_id, key.app, key.role.value, _when(key.created_at), revoked))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return 0


async def _revoke(store: Store, key_id: str) -> int:
    if await store.revoke_key(key_id):
        print(f"Revoked key {key_id}.")
        return 0
    print(f"{PROG}: error: no active key with id {key_id!r}", file=sys.stderr)
    return 1


def _when(ms: int) -> str:
    return (
        datetime.fromtimestamp(ms / 1000, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    )


def _serve(settings: Settings, *, demo: bool) -> int:
    import uvicorn

    from server.app import create_app

    graphiql_key = None
    if demo:
        graphiql_key = asyncio.run(prepare_demo(settings))
    app = create_app(settings, graphiql_key=graphiql_key)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="info")
    return 0


async def prepare_demo(settings: Settings) -> str:
    """Load the demo traffic unless present, create and print the demo keys.

    Returns the read key, for GraphiQL."""
    from server.demo import DEMO_APP, SHOWCASE_USER, create_demo_keys, has_demo_data, load_demo

    store = open_store(settings.store_url, settings.retention_days)
    await store.open()
    try:
        if await has_demo_data(store):
            print(f"Demo data for app '{DEMO_APP}' is already in {settings.store_url}.")
        else:
            print(f"Loading demo traffic for app '{DEMO_APP}' into {settings.store_url} ...")
            accepted, rejected = await load_demo(store)
            print(f"Loaded {accepted} events ({rejected} rejected).")
        read, ingest = await create_demo_keys(store)
    finally:
        await store.close()
    url = f"http://{_display_host(settings.host)}:{settings.port}/graphql"
    print(f"Read key   (app '{DEMO_APP}'): {read}")
    print(f"Ingest key (app '{DEMO_APP}'): {ingest}")
    print(f"GraphiQL: {url} (the read key is filled in; try user '{SHOWCASE_USER}')")
    return read


def _display_host(host: str) -> str:
    if host in ("0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


if __name__ == "__main__":
    sys.exit(main())
