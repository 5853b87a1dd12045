"""A wheel built from the repository serves the whole console (SPEC §9): every file of
``server/console/static`` is in it, and a server run from the unpacked wheel (not from
the work tree) serves each one."""

import subprocess
import sys
import zipfile
from pathlib import Path

import httpx

from server.console import STATIC
from tests.e2e.conftest import ROOT, start_server

PREFIX = "server/console/static/"


def test_the_built_wheel_serves_every_console_asset(tmp_path: Path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("polaris_tracking-*.whl")
    unpacked = tmp_path / "unpacked"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(unpacked)
        shipped = {n.removeprefix(PREFIX) for n in archive.namelist() if n.startswith(PREFIX)}
    assert shipped == {p.relative_to(STATIC).as_posix() for p in STATIC.rglob("*") if p.is_file()}

    # `python -m server.cli` from the unpacked wheel's folder imports the wheel's package.
    server = start_server(f"sqlite:///{tmp_path / 't.db'}", tmp_path / "server.log", cwd=unpacked)
    try:
        page = httpx.get(f"{server.url}/console/messages/x")
        assert page.status_code == 200 and "/console/assets/js/main.js" in page.text
        for name in sorted(shipped):
            response = httpx.get(f"{server.url}/console/assets/{name}")
            assert response.status_code == 200, name
            assert response.content == (unpacked / PREFIX / name).read_bytes(), name
    finally:
        server.stop()
