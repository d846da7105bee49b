"""The page and the mail in a real browser, as a reader meets them: on a phone and by axe-core.

One demo run and one Debian Chromium for the module. Playwright drives the system Chromium
(never a downloaded one); axe-core's script comes inside the axe-playwright-python wheel.
"""

from __future__ import annotations

import email
import email.policy
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from click.testing import CliRunner
from playwright.sync_api import Browser, BrowserContext, Page

from testing.browser import chromium
from weekly.cli import cli

# Every visible text node's line boxes, and the pairs from different nodes that cross by more than
# a pixel each way: text drawn over text. Rects are in page coordinates, so scrolling is moot.
OVERLAPS_JS = """
() => {
  const boxes = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node, index = 0;
  while ((node = walker.nextNode())) {
    const text = node.textContent.trim();
    const parent = node.parentElement;
    if (!text || !parent) continue;
    if (!parent.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const r of range.getClientRects()) {
      if (r.width < 1 || r.height < 1) continue;
      boxes.push({index, text: text.slice(0, 40), left: r.left + scrollX, top: r.top + scrollY,
                  right: r.right + scrollX, bottom: r.bottom + scrollY});
    }
    index++;
  }
  const overlaps = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      if (a.index === b.index) continue;
      const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (w > 1 && h > 1) overlaps.push([a.text, b.text, Math.round(w), Math.round(h)]);
    }
  }
  return overlaps;
}
"""
SIDEWAYS_JS = "[document.documentElement.scrollWidth, window.innerWidth]"


@dataclass
class Written:
    """What `weekly demo` wrote: the page, and the mail's HTML part saved beside it."""

    page: Path
    mail: Path


@dataclass
class Opened:
    """A file open in the browser, and every URL it asked for."""

    page: Page
    requests: list[str] = field(default_factory=list)

    def fetched_from_outside(self) -> list[str]:
        """Requests other than the opened file itself: a page read offline must need none."""
        return [url for url in self.requests if not url.startswith(("file:", "data:"))]


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Written:
    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(cli, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output or repr(result.exception)
    (page,) = out.glob("*-weekly-*.html")
    (eml,) = out.glob("*-weekly-*.eml")
    return Written(page=page, mail=mail_as_shown(eml, out / "mail"))


def mail_as_shown(eml: Path, folder: Path) -> Path:
    """The mail's HTML part as a mail client shows it: its cid: images are the inline parts."""
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    body = message.get_body(("html",))
    assert body is not None, f"{eml.name} has no text/html part"
    html = body.get_content()
    folder.mkdir()
    for n, part in enumerate(message.walk()):
        cid = (part["Content-ID"] or "").strip("<>")
        if cid:
            image = folder / f"part{n}-{part.get_filename() or 'inline'}"
            image.write_bytes(part.get_content())
            html = html.replace(f"cid:{cid}", image.name)
    mail = folder / "mail.html"
    mail.write_text(html, encoding="utf-8")
    return mail


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as browser:
        yield browser


@pytest.fixture
def open_at(browser: Browser) -> Iterator[Callable[[Path, int], Opened]]:
    """open_at(path, width): the file loaded, fonts and all, in a window that wide."""
    contexts: list[BrowserContext] = []

    def open_at(path: Path, width: int) -> Opened:
        # A narrow desktop window, not mobile emulation: with is_mobile Chromium zooms out to fit
        # wide content, which would hide the very sideways scroll we look for.
        context = browser.new_context(viewport={"width": width, "height": 800})
        contexts.append(context)
        page = context.new_page()
        opened = Opened(page)
        page.on("request", lambda request: opened.requests.append(request.url))
        page.goto(path.as_uri(), wait_until="load")
        page.evaluate("document.fonts.ready.then(() => true)")
        return opened

    yield open_at
    for context in contexts:
        context.close()


def sideways(page: Page) -> str | None:
    scroll_width, window_width = page.evaluate(SIDEWAYS_JS)
    if scroll_width <= window_width:
        return None
    return f"the document is {scroll_width} px wide in a {window_width} px window"


@pytest.mark.parametrize("width", [375, 320])
def test_page_reflows_on_a_phone_without_sideways_scroll_or_text_over_text(written, open_at, width):
    page = open_at(written.page, width).page
    overlaps = page.evaluate(OVERLAPS_JS)
    problems = [sideways(page)] if sideways(page) else []
    if overlaps:
        problems.append(f"{len(overlaps)} text boxes overlap at {width} px:")
        problems += [f"  {a!r} over {b!r} ({w}×{h} px)" for a, b, w, h in overlaps[:8]]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", [600, 375, 320])
def test_mail_fits_the_window_without_sideways_scroll(written, open_at, width):
    page = open_at(written.mail, width).page
    assert sideways(page) is None, sideways(page)


def test_page_has_a_main_landmark_and_the_mail_section_titles_are_headings(written, open_at):
    main = open_at(written.page, 1024).page.get_by_role("main")
    assert main.count() == 1, "the page has no main landmark to skip to"
    for title in ("Bets in flight", "Decisions needed this week"):
        assert main.get_by_role("heading", name=re.compile(title)).count() == 1, title
    mail = open_at(written.mail, 600).page
    for title in ("Bets in flight", "Decisions needed this week"):
        heading = mail.get_by_role("heading", name=re.compile(title))
        assert heading.count() == 1, f"the mail's {title!r} is not a heading a screen reader lists"


def axe_violations(page: Page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): " + ", ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in violations
    ]


@pytest.mark.parametrize(("which", "width"), [("page", 1024), ("page", 375), ("mail", 600)])
def test_axe_core_finds_no_accessibility_violations(written, open_at, which, width):
    opened = open_at(getattr(written, which), width)
    violations = axe_violations(opened.page)
    assert not violations, f"axe-core on the {which}:\n  " + "\n  ".join(violations)
    outside = opened.fetched_from_outside()
    assert not outside, f"the {which} (or axe-core) fetched from outside its file: {outside}"
