"""Guards tested by breaking them: each test here fails when its guard is removed or loosened.

- The PDF renderer's fetcher: only `data:` URIs and files under our templates or the
  report's folder; no server, no other local file, no `..` out of an allowed folder.
- A sparkline's accessible title is escaped: a metric label is untrusted text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from testing.reports import bet, metric
from weekly.render.html import templates_dir
from weekly.render.pdf import local_fetcher
from weekly.render.sparkline import sparkline


@pytest.fixture
def fetcher(tmp_path: Path):
    return local_fetcher([tmp_path])


def test_the_fetcher_reads_our_templates_and_the_report_folder(fetcher, tmp_path):
    (tmp_path / "logo.svg").write_text("<svg/>")
    for url in ((tmp_path / "logo.svg").as_uri(), (templates_dir() / "report.css").as_uri()):
        response = fetcher.fetch(url)
        try:
            assert response.read()
        finally:
            response.close()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.png",
        "https://example.com/x.png",
        "ftp://example.com/x",
    ],
)
def test_the_fetcher_refuses_servers_and_other_files(fetcher, url):
    with pytest.raises(ValueError, match="weekly fetches nothing"):
        fetcher.fetch(url)


def test_the_fetcher_refuses_a_path_that_climbs_out_of_an_allowed_folder(fetcher, tmp_path):
    climbing = f"{tmp_path.as_uri()}/week/../../../../../etc/passwd"
    with pytest.raises(ValueError, match="weekly fetches nothing"):
        fetcher.fetch(climbing)
    encoded = f"{tmp_path.as_uri()}/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd"
    with pytest.raises(ValueError, match="weekly fetches nothing"):
        fetcher.fetch(encoded)


def test_a_sparkline_title_escapes_the_metric_label():
    label = 'Payers</title><script>alert(1)</script><title x="'
    svg = str(sparkline(metric("p", label)))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg


def test_the_scrubber_masks_secrets_inside_the_model_and_keeps_status_words():
    import datetime as dt

    from weekly.model import SourceState, SourceStatus, Status
    from weekly.scrub import scrub

    token = "TOKEN-abcdef123"
    status = SourceStatus("Jira", SourceState.FAILED, None, reason=f"answered 400: {token}")
    scrubbed = scrub([status, bet("PAY-1", f"title {token}", note=f"{token}!")], (token,))
    assert scrubbed[0].reason == "answered 400: ***"
    assert scrubbed[1].title == "title ***" and scrubbed[1].note == "***!"
    assert scrubbed[1].status is Status.ON_TRACK and scrubbed[0].state is SourceState.FAILED
    assert isinstance(scrubbed[1].target_date, dt.date)
