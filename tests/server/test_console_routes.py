"""The console's routes over HTTP: one shell for every console URL, its assets from the
package, a same-origin Content-Security-Policy, and no key in anything served."""

import re
from pathlib import Path

import pytest

from server.console import STATIC

sqlite_only = pytest.mark.parametrize("backend_name", ["sqlite"])

ASSETS = sorted(p.relative_to(STATIC).as_posix() for p in STATIC.rglob("*") if p.is_file())


@sqlite_only
async def test_root_redirects_to_the_console(client):
    response = await client.get("/", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/console"


@sqlite_only
@pytest.mark.parametrize(
    "path",
    [
        "/console",
        "/console/connections?userId=alice",
        "/console/messages?senderId=a",
        "/console/messages/msg-1",
        "/console/no-such-page",
    ],
)
async def test_every_console_route_serves_the_shell(client, path: str):
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert '<script type="module" src="/console/assets/js/main.js">' in response.text
    policy = response.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    assert "script-src 'self';" in policy  # no inline script, no other origin
    assert response.headers["referrer-policy"] == "no-referrer"


@sqlite_only
async def test_every_asset_is_served_and_stays_on_the_origin(client):
    assert {"index.html", "console.css", "icon.svg", "js/main.js", "js/operations.js"} <= set(
        ASSETS
    )
    for asset in ASSETS:
        response = await client.get(f"/console/assets/{asset}")
        assert response.status_code == 200, asset
        text = response.text
        if asset.endswith(".js"):
            assert "javascript" in response.headers["content-type"], asset
        # Nothing is loaded from elsewhere: no absolute URL in an import, src, href or url().
        assert not re.search(r"""(import|from|src=|href=|url\()\s*["']?(https?:)?//""", text), asset
        assert "ptk_" not in text


def test_the_wheel_ships_every_asset():
    config = (Path(__file__).parents[2] / "pyproject.toml").read_text()
    patterns = re.search(r"server = \[(.*?)\]", config)
    assert patterns is not None
    globs = [g.strip().strip('"').removeprefix("console/static/") for g in patterns[1].split(",")]
    shipped = [p for g in globs for p in STATIC.glob(g) if p.is_file()]
    covered = {p.relative_to(STATIC).as_posix() for p in shipped}
    assert covered == set(ASSETS)
