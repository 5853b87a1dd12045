"""GraphQL over HTTP: graphql-http's server audits against the real server.

The audits (npm package ``graphql-http``, pinned in ``tests/conformance/``) are
installed by ``./tasks test`` with ``npm ci``; without Node.js they cannot run,
and the test says what to install (it is skipped, never passed).
"""

import json
import shutil
import subprocess
from collections.abc import Callable

import pytest

from store.interface import Store
from store.model import KeyRole
from tests.e2e.conftest import ROOT, Server, make_key

AUDITS = ROOT / "tests" / "conformance"
LEVELS = ("MUST", "SHOULD", "MAY")
MISSING = (
    "the GraphQL-over-HTTP audits need Node.js and npm (Debian: apt-get install nodejs npm)"
    " and `npm ci --prefix tests/conformance`; ./tasks test does both when it can"
)


def _audit(url: str, key: str) -> list[dict[str, str]]:
    node = shutil.which("node")
    if node is None or not (AUDITS / "node_modules" / "graphql-http").is_dir():
        pytest.skip(MISSING)
    done = subprocess.run(
        [node, str(AUDITS / "audit.mjs"), url, key],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


async def test_every_must_and_should_audit_passes(
    servers: Callable[..., Server], store: Store
) -> None:
    server = servers()
    key = await make_key(store, "app-a", KeyRole.READ)
    results = _audit(f"{server.url}/graphql", key)
    levels = {level: [r for r in results if r["name"].startswith(level)] for level in LEVELS}
    assert sum(map(len, levels.values())) == len(results) > 50, "the whole audit ran"
    failed = [r for r in levels["MUST"] + levels["SHOULD"] if r["status"] != "ok"]
    assert failed == [], "\n".join(f"{r['name']}: {r.get('reason')}" for r in failed)
    passed = {k: f"{sum(r['status'] == 'ok' for r in v)}/{len(v)}" for k, v in levels.items()}
    print(f"graphql-http audits passed: {passed}")
