"""Record what the demo's Jira and GitHub answer: `python -m testing.record_demo` (or
`make recordings`) pulls the demo, in each of its languages, through the real clients from
the fakes serving the site builders' data, and writes weekly/demo/recordings/*.json, which
`weekly demo` replays.

Each fake sits behind a recording proxy: a replay server that, instead of looking the request
up, passes it on to the fake and keeps the answer, so what the clients get while recording is
what the replay will give them.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import sys
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from testing import github_site, jira_site
from testing.fake_github import FakeGitHub
from testing.fake_http import LoopbackFake
from testing.fake_jira import FakeJira
from weekly.demo import workspace
from weekly.demo.replay import ORIGIN, Answer, ReplayServer, Request
from weekly.outcome import failed_sources
from weekly.pipeline import build_report
from weekly.weeks import IsoWeek

LANGUAGES = ("en", "zh-CN")  # `weekly demo` and `weekly demo --language zh-CN`
# What the clients read of an answer; the fakes' X-RateLimit-* headers follow the real clock.
KEPT_HEADERS = ("Content-Type", "Link")


class RecordingProxy(ReplayServer):
    """Passes every request on to a fake and records its answer, the fake's own address in
    it replaced by the placeholder the replay fills with its own."""

    def __init__(self, fake: LoopbackFake) -> None:
        super().__init__({})
        self.fake = fake
        self.conflicts: list[Request] = []  # asked twice, answered differently

    def answer(self, request: Request, handler: BaseHTTPRequestHandler, body: bytes) -> Answer:
        port = int(self.fake.origin.rsplit(":", 1)[1])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        asked = {
            k: v for k, v in handler.headers.items() if k.lower() not in ("host", "connection")
        }
        connection.request(handler.command, handler.path, body or None, asked)
        response = connection.getresponse()
        text = response.read().decode().replace(self.fake.origin, ORIGIN)
        headers = {
            name: response.headers[name].replace(self.fake.origin, ORIGIN)
            for name in KEPT_HEADERS
            if name in response.headers
        }
        connection.close()
        answer = Answer(response.status, headers, json.loads(text))
        with self._lock:
            if self.recordings.setdefault(request, answer) != answer:
                self.conflicts.append(request)
        return answer


def dumps(recordings: Mapping[Request, Answer]) -> str:
    """A recordings file: sorted and pretty-printed, so a change reads as a small diff."""
    entries = [
        {"request": asked.fields(), "answer": vars(answer)}
        for asked, answer in sorted(recordings.items(), key=lambda item: repr(item[0]))
    ]
    return json.dumps(entries, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def record(folder: Path) -> list[Path]:
    """Pull the demo from the fakes and write jira.json and github.json into `folder`."""
    # The demo's clock, for the fakes too: Jira's serverInfo says the time.
    now = dt.datetime.fromisoformat(workspace.DEMO_NOW).replace(tzinfo=dt.UTC).timestamp()
    jira_fake = FakeJira(
        jira_site.issues(), jira_site.FIELDS, email=jira_site.EMAIL, token=jira_site.TOKEN, now=now
    )
    github_fake = FakeGitHub(github_site.repositories(), token=github_site.TOKEN, now=now)
    with jira_fake, github_fake:
        proxies = {"jira": RecordingProxy(jira_fake), "github": RecordingProxy(github_fake)}
        with proxies["jira"] as jira, proxies["github"] as github:
            for language in LANGUAGES:
                run = workspace.demo_run(language, jira.url, github.url)
                report = build_report(run.config, run.now, run.env, IsoWeek.of(run.now.date()))
                failed = [f"{s.name}: {s.reason}" for s in failed_sources(report)]
                if failed:
                    raise RuntimeError(f"the demo's pull failed in {language}: {failed}")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, proxy in proxies.items():
        if proxy.conflicts:
            raise RuntimeError(f"{name} answered the same request differently: {proxy.conflicts}")
        path = folder / f"{name}.json"
        path.write_text(dumps(proxy.recordings), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for path in record(Path(sys.argv[1]) if len(sys.argv) > 1 else workspace.RECORDINGS):
        print(path)
