"""polaris-tracking: keys create/list/revoke and serve --demo."""

import asyncio
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from server.app import create_app
from server.cli import main
from server.config import Settings

QUERY = {"query": '{ message(msgUid: "x") { msgUid } }'}


def run(capsys, *argv: str) -> tuple[int, list[str], str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


async def arun(capsys, *argv: str) -> tuple[int, list[str], str]:
    """The CLI next to a running app: in a thread, since it runs its own event loop."""
    return await asyncio.to_thread(run, capsys, *argv)


@asynccontextmanager
async def running(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
            yield client


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def test_keys_lifecycle_on_a_running_app(capsys, store_url: str):
    create = ("keys", "create", "--app", "app-a", "--role", "read", "--store", store_url)
    code, lines, _ = await arun(capsys, *create)
    assert code == 0
    key = lines[-1]
    assert re.fullmatch(r"ptk_[0-9a-f]+_[A-Za-z0-9_\-]+", key)
    key_id = key.split("_")[1]

    async with running(create_app(Settings(store_url=store_url))) as client:
        assert (await client.post("/graphql", json=QUERY, headers=bearer(key))).status_code == 200

        code, lines, _ = await arun(capsys, "keys", "list", "--store", store_url)
        assert code == 0
        assert lines[0].split() == ["KEY", "ID", "APP", "ROLE", "CREATED", "REVOKED"]
        row = lines[1].split()
        assert row[:3] == [key_id, "app-a", "read"] and row[-1] == "-"
        listing = "\n".join(lines)
        assert key not in listing and key.split("_", 2)[2] not in listing

        assert (await arun(capsys, "keys", "revoke", key_id, "--store", store_url))[0] == 0
        assert (await client.post("/graphql", json=QUERY, headers=bearer(key))).status_code == 401

    _, lines, _ = await arun(capsys, "keys", "list", "--store", store_url)
    assert lines[1].split()[-1] != "-"
    code, _, err = await arun(capsys, "keys", "revoke", key_id, "--store", store_url)
    assert code == 1 and "no active key" in err


def test_ingest_key_for_every_app(capsys, store_url: str):
    code, lines, _ = run(
        capsys, "keys", "create", "--app", "*", "--role", "ingest", "--store", store_url
    )
    assert code == 0 and lines[-1].startswith("ptk_") and "every app" in lines[0]


def test_read_key_for_every_app_is_refused(capsys, store_url: str):
    with pytest.raises(SystemExit) as exit_info:
        main(["keys", "create", "--app", "*", "--role", "read", "--store", store_url])
    assert exit_info.value.code == 2
    assert "ingest keys only" in capsys.readouterr().err


def test_store_from_environment(capsys, store_url: str, monkeypatch):
    monkeypatch.setenv("TRACKING_STORE", store_url)
    assert run(capsys, "keys", "create", "--app", "a", "--role", "ingest")[0] == 0
    assert len(run(capsys, "keys", "list", "--store", store_url)[1]) == 2


def test_bad_store_url(capsys):
    code, _, err = run(capsys, "keys", "list", "--store", "postgres://x")
    assert code == 2 and "unsupported store URL" in err


async def test_serve_demo(capsys, store_url: str, monkeypatch):
    served = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: served.append((app, kw)))
    code, lines, _ = await arun(capsys, "serve", "--demo", "--store", store_url, "--port", "8123")
    assert code == 0
    [(app, options)] = served
    assert options == {"host": "127.0.0.1", "port": 8123, "log_level": "info"}
    read = next(line for line in lines if line.startswith("Read key")).split()[-1]
    ingest = next(line for line in lines if line.startswith("Ingest key")).split()[-1]
    assert any("Loaded" in line and "(0 rejected)" in line for line in lines)
    assert f"Console:  http://127.0.0.1:8123/console#key={read}" in "\n".join(lines)
    assert f"http://127.0.0.1:8123/graphql#key={read}" in "\n".join(lines)

    async with running(app) as client:
        page = (await client.get("/graphql", headers={"Accept": "text/html"})).text
        assert read not in page  # the key reaches the page only through the fragment
        console = (await client.get("/console")).text
        assert read not in console and 'type="module"' in console
        query = {"query": '{ user(id: "alice") { connections { totalCount } } }'}
        user = await client.post("/graphql", json=query, headers=bearer(read))
        assert user.json()["data"]["user"]["connections"]["totalCount"] > 20
        events = await client.post("/v1/events", content=b"", headers=bearer(ingest))
        assert events.json()["accepted"] == 0

    _, lines, _ = await arun(capsys, "serve", "--demo", "--store", store_url)
    assert any("already" in line for line in lines)
