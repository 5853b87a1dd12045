"""The console in a real browser: sign-in, the three screens, URLs, keyboard, origin."""

import re
from typing import TYPE_CHECKING

import httpx
import pytest

from tests.console.browser import INSTALL_HINT, Site, shot
from tests.console.data import GROUP_RECIPIENTS, PAGED_MESSAGES

expect = pytest.importorskip("playwright.sync_api", reason=INSTALL_HINT).expect
if TYPE_CHECKING:
    from playwright.sync_api import Page

CONNECTION_COLUMNS = [
    "Connected",
    "Disconnected",
    "Status",
    "SDK version",
    "Platform",
    "Device model",
    "System",
    "IP address",
    "Reason",
]
MESSAGE_COLUMNS = [
    "Message ID",
    "Sender user ID",
    "Target ID",
    "Send time",
    "Channel type",
    "Message type",
    "Message source",
    "Result",
    "Receive status",
]


def headers(page: "Page", scope: str = "main") -> list[str]:
    return [t.strip() for t in page.locator(f"{scope} table thead th").all_text_contents()]


def message_ids(page: "Page", scope: str = "main") -> set[str]:
    cells = page.locator(f"{scope} table tbody tr td:first-child").all_inner_texts()
    return {c.strip() for c in cells}


def search_messages(page: "Page", **fields: str) -> None:
    """Fills the message status form by its labels and searches."""
    for label, value in fields.items():
        control = page.get_by_label(label.replace("_", " "), exact=True)
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(label=value)
        else:
            control.fill(value)
    page.get_by_role("button", name="Search").click()
    page.locator("main .count, main .empty, main [role=alert]").first.wait_for()


def test_sign_in_refuses_a_wrong_key_then_signs_in_and_out(page: "Page", site: Site):
    page.goto(f"{site.url}/")  # redirects to /console
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    key = page.get_by_label("Read key")
    assert key.get_attribute("type") == "password"
    key.fill("ptk_nope_wrong")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("not accepted")
    shot(page, "1-sign-in-wrong-key")
    key.fill(site.ingest_key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("needs a read key")
    key.fill(site.read_key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_role("heading", name="Message status")).to_be_visible()  # the start page
    assert page.evaluate("sessionStorage.getItem('nexconn.readKey')") == site.read_key
    assert page.evaluate("localStorage.length") == 0
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Read key")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('nexconn.readKey')") is None


def test_the_fragment_key_moves_to_session_storage(signed_in: "Page", site: Site):
    assert "#" not in signed_in.url and site.read_key not in signed_in.url
    assert signed_in.evaluate("sessionStorage.getItem('nexconn.readKey')") == site.read_key
    html = httpx.get(f"{site.url}/console/connections").text
    assert "ptk_" not in html


def test_connection_status_shows_every_column(signed_in: "Page"):
    page = signed_in
    page.get_by_label("User ID").fill("alice")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("main .count")).to_have_text("Showing 3 of 3 connections")
    assert headers(page)[: len(CONNECTION_COLUMNS)] == CONNECTION_COLUMNS
    assert re.search(r"/console/connections\?userId=alice$", page.url)
    rows = page.locator("main table tbody tr")
    online, rejected, closed = (rows.nth(i).inner_text() for i in range(3))
    assert "Online" in online and "still open" in online and "Android API 34" in online
    assert "Pixel 8" in online and "203.0.113.7" in online and "5.12.0" in online
    assert "Rejected" in rejected and "TOKEN_INVALID" in rejected
    assert "token expired or invalid" in rejected and "2001:db8::1" in rejected
    assert "Closed" in closed and "Signed in on another device" in closed
    assert "iOS 17.4" in closed and "iPhone15,2" in closed and "iOS" in closed
    assert re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+UTC[+\u2212]\d\d:\d\d", closed)
    shot(page, "2-connection-status")


def test_view_lists_what_was_sent_during_that_connection(signed_in: "Page"):
    page = signed_in
    page.goto(page.url.split("/console")[0] + "/console/connections?userId=alice")
    row = page.locator("main table tbody tr", has_text="iPhone15,2")
    row.get_by_role("link", name="View").click()
    monitor = page.locator(".monitoring")
    expect(monitor.get_by_role("heading")).to_contain_text("Message monitoring: sent by alice")
    expect(monitor.locator(".count")).to_have_text("Showing 1 of 1 message")
    assert headers(page, ".monitoring") == MESSAGE_COLUMNS
    assert message_ids(page, ".monitoring") == {"msg-g1"}
    assert "connection=" in page.url
    shot(page, "3-message-monitoring")


def test_message_status_conditions(signed_in: "Page", site: Site):
    page = signed_in
    page.goto(f"{site.url}/console/messages")
    labels = [
        "Sender user ID",
        "Message ID",
        "Target ID",
        "Channel type",
        "Message type",
        "Message source",
        "From",
        "To",
    ]
    for label in labels:
        expect(page.get_by_label(label, exact=True)).to_be_visible()
    assert page.get_by_label("Channel type").input_value() == "DIRECT"
    assert page.get_by_label("Message source").input_value() == ""
    assert page.get_by_label("From").input_value().endswith("T00:00")  # midnight today

    search_messages(page, Sender_user_ID="alice")  # defaults: Direct, today so far
    assert headers(page) == MESSAGE_COLUMNS
    assert message_ids(page) == {"msg-d1", "msg-d2", ""}  # "" is the blocked message
    shot(page, "4-message-status")
    search_messages(page, Channel_type="Group")
    assert message_ids(page) == {"msg-g1", "msg-g2"}
    assert "channelType=GROUP" in page.url
    search_messages(page, Channel_type="Direct", Message_type="Text (NX:TxtMsg)")
    assert message_ids(page) == {"msg-d1", ""}  # the blocked one was a text too
    page.get_by_label("Message type").select_option(label="Custom")
    search_messages(page, ObjectName="Shop:Order")
    assert message_ids(page) == {"msg-d2"}
    assert "objectName=Shop%3AOrder" in page.url
    search_messages(page, Message_type="All types", Message_source="Server API")
    assert message_ids(page) == {"msg-d2"}
    search_messages(page, Message_source="All sources", Target_ID="bob")
    assert message_ids(page) == {"msg-d1"}
    page.get_by_role("button", name="Last 24 hours").click()  # searches at once
    page.locator("main .count").wait_for()
    assert message_ids(page) == {"msg-d1"}  # msg-old is 30 hours old
    page.get_by_role("button", name="Last 3 days").click()
    page.locator("main .count").wait_for()
    assert message_ids(page) == {"msg-d1", "msg-old"}
    search_messages(page, Target_ID="", Message_ID="msg-old")
    assert message_ids(page) == {"msg-old"}
    page.goto(f"{site.url}/console/messages?senderId=alice&msgUid=msg-old")
    page.locator("main .count").wait_for()
    assert message_ids(page) == {"msg-old"}  # a message ID alone: the whole retention window


def test_an_api_error_shows_in_words(signed_in: "Page", site: Site):
    page = signed_in
    page.goto(f"{site.url}/console/messages?senderId=alice&messageType=CUSTOM&objectName=bad")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("The search did not run")
    text = alert.inner_text()
    assert "ObjectName" in text or "messageType" in text
    assert '"errors"' not in text and "extensions" not in text and "Traceback" not in text


def test_a_blocked_message_shows_its_prompt(signed_in: "Page", site: Site):
    page = signed_in
    page.goto(f"{site.url}/console/messages?senderId=alice&targetId=mallory")
    row = page.locator("main table tbody tr.blocked")
    expect(row).to_contain_text("Blocked: blocklist")
    expect(row).to_contain_text("The sender is on the target user's blocklist")
    assert row.locator("td").first.inner_text().strip() == ""
    row.get_by_role("link", name="View").click()
    expect(page.get_by_role("note")).to_contain_text("blocklist; the message was not sent")
    expect(page.locator("main")).to_contain_text("A blocked message reaches no recipient.")


def _has_diagnosis(site: Site) -> bool:
    query = {"query": '{ message(msgUid: "msg-g1") { diagnosis { verdict } } }'}
    response = httpx.post(
        f"{site.url}/graphql", json=query, headers={"Authorization": f"Bearer {site.read_key}"}
    )
    return "errors" not in response.json()


def test_receive_status_with_push_error_advice(signed_in: "Page", site: Site):
    page = signed_in
    page.goto(f"{site.url}/console/messages?senderId=alice&channelType=GROUP")
    page.locator("main tr", has_text="msg-g1").get_by_role("link", name="View").click()
    expect(page).to_have_url(re.compile(r"/console/messages/msg-g1$"))
    expect(page.locator(".stats")).to_contain_text("Recipients4")
    columns = [
        "Recipient",
        "Status",
        "Status time",
        "Push provider",
        "Push time",
        "Push result",
        "Error",
    ]
    diagnosis = _has_diagnosis(site)
    assert headers(page) == columns + (["Diagnosis"] if diagnosis else [])
    carol = page.locator("main table tbody tr", has_text="carol")
    text = carol.inner_text()
    assert "Offline" in text and "APNs" in text and "Failed" in text
    assert "BadDeviceToken" in text and "Remove the token" in text
    assert "Meaning: APNs rejected the device token" in text
    assert "check the environment" in text
    assert "no push token" in page.locator("main tr", has_text="erin").inner_text()
    assert "Not fetched" in page.locator("main tr", has_text="dave").inner_text()
    if diagnosis:
        expect(page.get_by_role("region", name="Diagnosis")).to_be_visible()
    carol.get_by_role("link", name="carol").click()
    expect(page).to_have_url(re.compile(r"/console/connections\?userId=carol$"))
    page.go_back()
    expect(page.locator("main table tbody tr", has_text="carol")).to_contain_text("BadDeviceToken")
    shot(page, "5-receive-status")


def test_receive_status_filters_by_recipient_and_status(signed_in: "Page", site: Site):
    page = signed_in
    page.goto(f"{site.url}/console/messages/msg-g1")
    page.get_by_label("Status", exact=True).select_option(label="Offline")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("main .count")).to_have_text("Showing 2 of 2 recipients")
    assert "status=OFFLINE" in page.url
    page.get_by_label("Recipient ID").fill("erin")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("main .count")).to_have_text("Showing 1 of 1 recipient")


def test_paging_with_load_more(signed_in: "Page", site: Site):
    page = signed_in
    page.goto(f"{site.url}/console/messages?senderId=paula")
    expect(page.locator("main .count")).to_have_text(f"Showing 20 of {PAGED_MESSAGES} messages")
    page.get_by_role("button", name="Load more").click()
    expect(page.locator("main .count")).to_have_text(
        f"Showing {PAGED_MESSAGES} of {PAGED_MESSAGES} messages"
    )
    assert len(message_ids(page)) == PAGED_MESSAGES
    expect(page.get_by_role("button", name="Load more")).to_have_count(0)
    page.goto(f"{site.url}/console/messages/msg-g2")
    count = page.locator("main .count")
    expect(count).to_have_text(f"Showing 50 of {GROUP_RECIPIENTS} recipients")
    page.get_by_role("button", name="Load more").click()
    expect(count).to_have_text(f"Showing {GROUP_RECIPIENTS} of {GROUP_RECIPIENTS} recipients")
    assert page.locator("main table tbody tr").count() == GROUP_RECIPIENTS


def test_a_link_copied_after_load_more_opens_with_as_many_rows(signed_in: "Page", site: Site):
    page = signed_in
    page.goto(f"{site.url}/console/messages?senderId=paula")
    count = page.locator("main .count")
    expect(count).to_have_text(f"Showing 20 of {PAGED_MESSAGES} messages")
    entries = page.evaluate("history.length")
    page.get_by_role("button", name="Load more").click()
    expect(count).to_have_text(f"Showing {PAGED_MESSAGES} of {PAGED_MESSAGES} messages")
    assert f"shown={PAGED_MESSAGES}" in page.url
    assert page.evaluate("history.length") == entries, "loading more is no navigation"
    before = message_ids(page)
    page.goto(page.url)  # the link as pasted into a ticket
    expect(count).to_have_text(f"Showing {PAGED_MESSAGES} of {PAGED_MESSAGES} messages")
    assert message_ids(page) == before
    expect(page.get_by_role("button", name="Load more")).to_have_count(0)


def test_a_deep_link_opens_the_same_view_after_reload_and_sign_in(
    page: "Page", signed_in: "Page", site: Site, context
):
    link = f"{site.url}/console/messages?senderId=alice&channelType=GROUP"
    page.goto(link)
    page.locator("main .count").wait_for()
    page.reload()
    page.locator("main .count").wait_for()
    assert message_ids(page) == {"msg-g1", "msg-g2"}
    assert page.get_by_label("Channel type").input_value() == "GROUP"
    pasted = context.new_page()  # a new tab: no key in its sessionStorage
    pasted.goto(link)
    pasted.get_by_label("Read key").fill(site.read_key)
    pasted.get_by_role("button", name="Sign in").click()
    pasted.locator("main .count").wait_for()
    assert pasted.url == link
    assert message_ids(pasted) == {"msg-g1", "msg-g2"}


def test_back_and_forward(signed_in: "Page", site: Site):
    page = signed_in
    page.get_by_label("User ID").fill("alice")
    page.get_by_role("button", name="Search").click()
    page.locator("main .count").wait_for()
    page.get_by_role("link", name="Messages", exact=True).click()
    search_messages(page, Sender_user_ID="alice", Channel_type="Group")
    page.locator("main tr", has_text="msg-g1").get_by_role("link", name="View").click()
    expect(page.get_by_role("heading", name="Receive status")).to_be_visible()
    page.go_back()
    expect(page.locator("main .count")).to_contain_text("2 messages")
    assert page.get_by_label("Channel type").input_value() == "GROUP"
    page.go_back()
    page.go_back()
    expect(page.locator("main .count")).to_have_text("Showing 3 of 3 connections")
    assert page.get_by_label("User ID").input_value() == "alice"
    page.go_forward()
    page.go_forward()
    expect(page.locator("main .count")).to_contain_text("2 messages")
    page.go_forward()
    expect(page).to_have_url(re.compile(r"/console/messages/msg-g1$"))
    expect(page.locator("main table tbody tr", has_text="carol")).to_be_visible()


def test_no_request_leaves_the_origin(signed_in: "Page", site: Site, requests_seen):
    page = signed_in
    for path in [
        "/console/connections?userId=alice",
        "/console/messages?senderId=alice",
        "/console/messages/msg-g1",
        "/graphql",
    ]:
        page.goto(f"{site.url}{path}")
        page.wait_for_load_state("networkidle")
    assert any(url.endswith("/console/assets/js/main.js") for url in requests_seen.seen)
    assert any(url.endswith("/graphql") for url in requests_seen.seen)
    # GraphiQL's CDN scripts were refused (the guard records them): the page says why.
    assert [u for u in requests_seen.refused if "unpkg.com" not in u] == []
    expect(page.get_by_role("heading", name="GraphiQL cannot load here")).to_be_visible()
    expect(page.get_by_role("link", name="Nexconn Data Tracking console")).to_be_visible()
    shot(page, "6-graphiql-offline")
    requests_seen.refused.clear()  # refused as they should be: the guard's check is done here


def test_keyboard_only_search(signed_in: "Page", site: Site):
    page = signed_in
    page.goto(f"{site.url}/console/messages")
    assert page.evaluate("document.activeElement.name") == "senderId"
    page.keyboard.type("alice")
    for _ in range(3):  # Message ID, Target ID, Channel type
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "channelType"
    page.keyboard.press("ArrowDown")  # Direct → Group
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # submits the form from the Target ID field
    page.locator("main .count").wait_for()
    assert "channelType=GROUP" in page.url
    assert page.evaluate("document.activeElement.id") == "results-title"
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "View":
            break
    else:
        pytest.fail("no View link reachable with Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Receive status")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/console/messages/msg-g[12]$"))
