"""The demo's Jira and GitHub replay recorded answers (weekly/demo/replay.py): the demo asks
nothing they lack, a request they lack is refused and named, and the recordings are what the
fakes in testing/ answer today."""

from __future__ import annotations

import json

import pytest
import requests
from click.testing import CliRunner

from testing.record_demo import record
from weekly.cli import cli
from weekly.demo import workspace
from weekly.demo.replay import ORIGIN, Answer, ReplayServer, Request, load

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def started(monkeypatch):
    """The replay servers the demo starts, kept to look at after the run."""
    servers: list[ReplayServer] = []

    class Watched(ReplayServer):
        def __enter__(self):
            servers.append(self)
            return super().__enter__()

    monkeypatch.setattr(workspace, "ReplayServer", Watched)
    return servers


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_the_demo_asks_nothing_the_recordings_lack(started, tmp_path, language):
    result = CliRunner().invoke(cli, ["demo", "--language", language, "--out", str(tmp_path)])
    assert len(started) == 2  # Jira and GitHub
    for server in started:
        assert server.misses == []  # first: it names what the recordings lack
        assert server.served, "the demo pulled nothing from this server"
    assert result.exit_code == 0, result.output
    assert (tmp_path / "payments-weekly-2026-W48.html").is_file()
    assert (tmp_path / "payments-weekly-2026-W48.eml").is_file()


def test_a_request_without_a_recording_is_refused_with_404_and_named():
    recorded = Request.of("GET", "/rest/api/2/search/jql?jql=a&maxResults=100", b"")
    with ReplayServer({recorded: Answer(200, JSON, {"issues": []})}) as server:
        asked = requests.get(f"{server.url}/rest/api/2/search/jql?jql=b&maxResults=100")
        assert asked.status_code == 404
        named = asked.json()["request"]
        assert named["path"] == "/rest/api/2/search/jql"
        assert named["query"] == {"jql": ["b"], "maxResults": ["100"]}
        assert server.misses == [
            Request.of("GET", "/rest/api/2/search/jql?jql=b&maxResults=100", b"")
        ]
        assert server.served == []


def test_the_query_matches_in_any_order():
    recorded = Request.of("GET", "/repos/o/r/issues?state=open&per_page=100", b"")
    with ReplayServer({recorded: Answer(200, JSON, [])}) as server:
        asked = requests.get(f"{server.url}/repos/o/r/issues?per_page=100&state=open")
        assert asked.status_code == 200 and server.misses == []


def test_a_body_matches_by_its_json():
    recorded = Request.of("POST", "/rest/api/3/search/jql", b'{"jql": "a", "maxResults": 50}')
    with ReplayServer({recorded: Answer(200, JSON, {"issues": []})}) as server:
        same = requests.post(
            f"{server.url}/rest/api/3/search/jql", json={"maxResults": 50, "jql": "a"}
        )
        other = requests.post(
            f"{server.url}/rest/api/3/search/jql", json={"jql": "b", "maxResults": 50}
        )
        assert same.status_code == 200
        assert other.status_code == 404 and other.json()["request"]["body"]["jql"] == "b"
        assert len(server.misses) == 1


def test_recorded_links_name_the_replay_servers_own_address():
    recorded = Request.of("GET", "/repos/o/r/pulls?per_page=1", b"")
    link = f'<{ORIGIN}/repos/o/r/pulls?per_page=1&page=2>; rel="next"'
    answer = Answer(200, {**JSON, "Link": link}, [{"url": f"{ORIGIN}/repos/o/r/pulls/1"}])
    with ReplayServer({recorded: answer}) as server:
        asked = requests.get(f"{server.url}/repos/o/r/pulls?per_page=1")
        assert asked.links["next"]["url"] == f"{server.url}/repos/o/r/pulls?per_page=1&page=2"
        assert asked.json() == [{"url": f"{server.url}/repos/o/r/pulls/1"}]


def test_a_recordings_file_loads_as_it_was_recorded():
    for name in ("jira.json", "github.json"):
        path = workspace.RECORDINGS / name
        recordings = load(path)
        assert len(recordings) == len(json.loads(path.read_text(encoding="utf-8")))
        assert all(answer.status == 200 for answer in recordings.values())


def test_the_recordings_are_what_the_fakes_answer_today(tmp_path):
    written = record(tmp_path)
    assert [p.name for p in written] == ["jira.json", "github.json"]
    for path in written:
        committed = (workspace.RECORDINGS / path.name).read_text(encoding="utf-8")
        assert path.read_text(encoding="utf-8") == committed, "run `make recordings`"
