"""Browser tests of the console (SPEC §9): Debian's headless Chromium driven by
Playwright, against the real server (a subprocess on 127.0.0.1) on traffic
ingested through ``POST /v1/events``. One browser for the module, a fresh
context (fresh sessionStorage) a test; every request the browser makes is
recorded and any that leaves the server's origin is refused and fails the test.
A failing test leaves a screenshot in :data:`SHOTS`."""

import asyncio
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from server.auth import create_key
from store.factory import open_store
from store.model import KeyRole
from tests.console.browser import INSTALL_HINT, SHOTS, Requests, Site
from tests.console.data import APP, events
from tests.e2e.conftest import start_server

CHROMIUM = os.environ.get("TRACKING_CHROMIUM", "/usr/bin/chromium")

try:
    from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
except ImportError:  # reported as skipped below, with what to install
    sync_playwright = None


def _missing() -> str | None:
    if sync_playwright is None:
        return "Playwright for Python is not installed"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM}"
    return None


# Module scope, not session: Playwright's sync API keeps an event loop running on this
# thread while it is open, which pytest-asyncio's tests after this folder cannot share.
@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if problem := _missing():
        pytest.skip(f"{problem}: {INSTALL_HINT}")
    root = tmp_path_factory.mktemp("console")
    store_url = f"sqlite:///{root / 'tracking.db'}"

    async def keys() -> tuple[str, str]:
        store = open_store(store_url, 7)
        await store.open()
        try:
            read = (await create_key(store, APP, KeyRole.READ))[1]
            ingest = (await create_key(store, APP, KeyRole.INGEST))[1]
            return read, ingest
        finally:
            await store.close()

    read, ingest = asyncio.run(keys())
    server = start_server(store_url, root / "server.log")
    try:
        response = httpx.post(
            f"{server.url}/v1/events",
            json=events(),
            headers={"Authorization": f"Bearer {ingest}"},
            timeout=30,
        )
        assert response.status_code == 200 and not response.json()["rejected"], response.text
        yield Site(server.url, read, ingest, server)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser(site: Site) -> Iterator["Browser"]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"]
        )
        yield browser
        browser.close()


def _midday_zone() -> str:
    """A fixed-offset zone where it is about noon now: "midnight today → now" then holds
    the test data of the last hours whatever the hour in UTC, and times show an offset."""
    offset = (12 - datetime.now(UTC).hour + 12) % 24 - 12
    return "Etc/GMT" + ("" if offset == 0 else f"{-offset:+d}")


@pytest.fixture
def requests_seen() -> Requests:
    return Requests()


@pytest.fixture
def context(browser: "Browser", site: Site, requests_seen: Requests) -> Iterator["BrowserContext"]:
    context = browser.new_context(
        viewport={"width": 1440, "height": 900}, timezone_id=_midday_zone(), locale="en-GB"
    )
    context.set_default_timeout(5_000)

    def guard(route, request) -> None:  # type: ignore[no-untyped-def]
        requests_seen.seen.append(request.url)
        if request.url.startswith(site.url + "/"):
            route.continue_()
        else:
            requests_seen.refused.append(request.url)
            route.abort()

    context.route("**/*", guard)
    yield context
    context.close()
    assert requests_seen.seen, "the browser made no request at all"
    assert not requests_seen.refused, f"requests left the origin: {requests_seen.refused}"


@pytest.fixture
def page(context: "BrowserContext", request: pytest.FixtureRequest) -> Iterator["Page"]:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"failed-{request.node.name}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"screenshot of the failure: {path}")
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture
def signed_in(page: "Page", site: Site) -> "Page":
    """A page signed in the way `serve --demo`'s link does it: the key in the fragment."""
    page.goto(f"{site.url}/console/connections#key={site.read_key}")
    page.get_by_role("button", name="Sign out").wait_for()
    return page


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report
