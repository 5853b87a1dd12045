"""A wheel built from the repository serves the whole console (SPEC §9): every file of
``server/console/static`` is in it, and a server run from a fresh virtual environment
with the wheel installed (not from the work tree) serves each one."""

import site
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import httpx

from server.console import STATIC
from tests.e2e.conftest import ROOT, start_server

PREFIX = "server/console/static/"


def _run(*command: str, cwd: Path | None = None) -> str:
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=cwd)
    return done.stdout


def _fresh_venv(folder: Path, wheel: Path) -> Path:
    """A new virtual environment with the wheel installed (without its dependencies:
    those come from this environment's site-packages, listed after the venv's own, so
    that nothing of the work tree is importable there). Returns its python."""
    venv.EnvBuilder(with_pip=False).create(folder)
    python = folder / "bin" / "python"
    own = Path(
        _run(str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))").strip()
    )
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (own / "dependencies.pth").write_text("".join(f"{p}\n" for p in deps))
    _run(sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
         "--no-deps", "--no-index", str(wheel))  # fmt: skip
    return python


def test_the_built_wheel_serves_every_console_asset(tmp_path: Path) -> None:
    _run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path),
         str(ROOT))  # fmt: skip
    [wheel] = tmp_path.glob("polaris_tracking-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = {n.removeprefix(PREFIX) for n in archive.namelist() if n.startswith(PREFIX)}
    assert shipped == {p.relative_to(STATIC).as_posix() for p in STATIC.rglob("*") if p.is_file()}

    python = _fresh_venv(tmp_path / "venv", wheel)
    elsewhere = tmp_path / "run"
    elsewhere.mkdir()
    where = _run(str(python), "-c", "import server.console as c; print(c.STATIC)", cwd=elsewhere)
    installed = Path(where.strip())
    assert installed.is_relative_to(tmp_path / "venv"), f"imported from {installed}"

    log = tmp_path / "server.log"
    server = start_server(f"sqlite:///{tmp_path / 't.db'}", log, cwd=elsewhere, python=str(python))
    try:
        page = httpx.get(f"{server.url}/console/messages/x")
        assert page.status_code == 200 and "/console/assets/js/main.js" in page.text
        for name in sorted(shipped):
            response = httpx.get(f"{server.url}/console/assets/{name}")
            assert response.status_code == 200, name
            assert response.content == (installed / name).read_bytes(), name
    finally:
        server.stop()
