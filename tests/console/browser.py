"""What the browser tests and their fixtures share: the running site, the requests a
page made, and screenshots."""

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tests.e2e.conftest import Server

if TYPE_CHECKING:
    from playwright.sync_api import Page

SHOTS = Path(os.environ.get("TRACKING_CONSOLE_SHOTS", "/tmp/console-shots"))

INSTALL_HINT = (
    "browser tests need Debian's chromium and Playwright for Python: "
    "`apt-get install -y chromium` (as root; ./tasks test does it) and "
    "`.venv/bin/pip install -e '.[test]'`"
)


@dataclass
class Site:
    url: str
    read_key: str
    ingest_key: str
    server: Server


@dataclass
class Requests:
    """Every URL the browser asked for in one test, and those refused as off-origin."""

    seen: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


def shot(page: "Page", name: str) -> None:
    """A screenshot of a page as a user sees it, for people to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
