"""`weekly preview --serve` in Debian's Chromium: the PM edits in the page and in the file at
once, and the page, draft.yaml and `weekly check` agree; requests from anywhere but the
preview's own page are refused."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from testing.browser import chromium
from testing.clock import WEEK, at
from testing.workspace import edit, friday_team
from weekly import workflow
from weekly.config import Config
from weekly.draft import WeekFolder
from weekly.live.server import LiveServer
from weekly.live.session import LiveDraft

NOTE = "    note: # yours: one line shown under the bet"


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def served(tmp_path: Path, inbox) -> Iterator[tuple[Config, LiveServer]]:
    config = friday_team(tmp_path, inbox[1])
    workflow.draft(config, at(14), {}, WEEK)
    server = LiveServer(LiveDraft(config, WEEK))
    server.start()
    yield config, server
    server.stop()


def in_file(draft: Path, line: str) -> bool:
    return line in draft.read_text(encoding="utf-8").splitlines()


def until(server: LiveServer, holds, what: str) -> None:
    """Wait on the preview's renders until `holds()`; fail after 10 s of renders."""
    generation = server.live.shown.generation
    for _ in range(200):
        if holds():
            return
        generation = server.live.wait(generation, 0.05)
    raise AssertionError(f"never: {what}")


def bet(page: Page, key: str):
    return page.locator(f"fieldset[data-key='{key}']")


def test_edits_in_the_page_and_in_the_file_agree(served, browser):
    config, server = served
    draft = WeekFolder.of(config, WEEK).draft
    page = browser.new_page()
    page.goto(server.url)
    sepa = bet(page, "PAY-1")
    expect(sepa.locator("select[name=status]")).to_be_visible()

    # In the page: a status and a slip cause.
    sepa.locator("select[name=status]").select_option("off track")
    until(
        server,
        lambda: in_file(draft, "    status: off track # yours: overrides the pulled status"),
        "status",
    )
    sepa.locator("input[name=slip_cause]").fill("Partner bank moved the slot to 9 Dec")
    sepa.locator("input[name=slip_cause]").press("Tab")
    until(
        server,
        lambda: "slip_cause: Partner bank moved the slot to 9 Dec" in draft.read_text(),
        "cause",
    )

    # Meanwhile in the editor: a note, saved to the file.
    edit(draft, NOTE, "    note: Bank sandbox down six days")
    frame = page.frame_locator("#page")
    expect(frame.locator("body")).to_contain_text("Bank sandbox down six days")
    expect(frame.locator("body")).to_contain_text("Partner bank moved the slot to 9 Dec")

    # The three agree: the file has all three edits, the page shows them, and the panel
    # lists what `weekly check` finds.
    text = draft.read_text(encoding="utf-8")
    assert "    status: off track" in text and "Bank sandbox down six days" in text
    report, _ = workflow.page(config, WEEK)
    assert report.bets[0].status.value == "off track"
    assert report.bets[0].note == "Bank sandbox down six days"
    checked = [f.what for f in workflow.check(config, WEEK).findings if f.about]
    shown = [
        line.split(": ", 1)[1]
        for line in page.locator("#findings li.error, #findings li.warning").all_inner_texts()
        if ": " in line
    ]
    assert shown == checked
    # The fitted page is the one `weekly preview` writes, the PDF one click away.
    expect(page.locator("#fit")).to_contain_text("Fits on one page")
    assert page.request.get(server.url + "page.pdf").body().startswith(b"%PDF")


def test_a_value_the_draft_refuses_is_refused_with_its_message(served, browser):
    config, server = served
    draft = WeekFolder.of(config, WEEK).draft
    before = draft.read_bytes()
    page = browser.new_page()
    page.goto(server.url)
    hill = bet(page, "PAY-1").locator("input[name=hill]")
    hill.fill("150")
    hill.press("Tab")
    expect(page.locator("#message")).to_contain_text("150 is not a hill position")
    assert draft.read_bytes() == before


def request(server: LiveServer, method: str, path: str, headers: dict[str, str], body=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request(method, path, body, headers)
    answer = conn.getresponse()
    return answer.status, answer.read()


def test_a_request_without_the_secret_or_from_elsewhere_is_refused(served):
    config, server = served
    draft = WeekFolder.of(config, WEEK).draft
    before = draft.read_bytes()
    host = {"Host": f"127.0.0.1:{server.port}"}
    secret = f"/{server.secret}/"
    assert request(server, "GET", secret + "state", host)[0] == 200
    assert request(server, "GET", "/state", host)[0] == 404
    assert request(server, "GET", "/" + "x" * len(server.secret) + "/state", host)[0] == 404
    # A page on another site that resolves its own name to 127.0.0.1 (DNS rebinding).
    assert (
        request(server, "GET", secret + "state", {"Host": f"evil.example:{server.port}"})[0] == 403
    )
    change = json.dumps(
        {
            "where": "bet",
            "key": "PAY-1",
            "field": "status",
            "value": "done",
            "version": server.live.shown.version,
        }
    )
    json_type = {"Content-Type": "application/json"}
    foreign = {**host, **json_type, "Origin": "http://evil.example"}
    assert request(server, "POST", secret + "edit", foreign, change)[0] == 403
    assert request(server, "POST", secret + "edit", {**host, **json_type}, change)[0] == 403
    assert draft.read_bytes() == before
    # A page read before the editor saved may not overwrite the editor's save.
    own = {**host, **json_type, "Origin": f"http://127.0.0.1:{server.port}"}
    edit(draft, NOTE, "    note: From the editor")
    saved = draft.read_bytes()
    status, body = request(server, "POST", secret + "edit", own, change)
    assert status == 409 and b"changed in your editor" in body
    assert draft.read_bytes() == saved
    # Nothing beyond the week's page: no other file, no sending.
    for path in ("../weekly.toml", "send", "draft.yaml", "page.html/../../weekly.toml"):
        assert request(server, "GET", secret + path, host)[0] == 404


def test_two_quick_changes_in_the_page_are_both_written(served, browser):
    """The second change is sent with the version the first wrote, not refused as stale."""
    config, server = served
    draft = WeekFolder.of(config, WEEK).draft
    page = browser.new_page()
    page.goto(server.url)
    checkout = bet(page, "PAY-2")
    checkout.locator("select[name=status]").select_option("at risk")
    checkout.locator("input[name=note]").fill("Payment sheet redesign")
    checkout.locator("input[name=note]").press("Tab")
    until(server, lambda: "note: Payment sheet redesign" in draft.read_text(), "the note")
    expect(page.locator("#message")).to_be_hidden()
    assert "    status: at risk # yours: overrides the pulled status" in draft.read_text()
