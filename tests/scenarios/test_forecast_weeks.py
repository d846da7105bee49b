"""A bet turns at risk by forecast before its target moves, week by week through the real
pipeline: a fake Jira served to the real `jira` client, the draft, the check, the page.

The bet's target stays Fri 18 Dec all along. Its team finishes two stories a week, then
one, then none: by W47 its 85% date is past the target, so the page says "at risk by
forecast", the draft asks the PM for an answer and `weekly check` warns until the PM
gives one (W48).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from testing import workspace as toml
from testing.clock import friday_of
from testing.fake_jira import CLOUD_FIELDS, FakeJira, field, issue
from weekly import workflow
from weekly.config import Config, load_config
from weekly.draft import WeekFolder
from weekly.draft.document import render, yaml
from weekly.weeks import IsoWeek

TOKEN = "forecast-token"
WEEKS = [IsoWeek(2026, n) for n in (45, 46, 47, 48)]
TARGET = "2026-12-18"
# Story number -> the day it was finished: two a week, then one, then none.
FINISHED = {
    1: "2026-11-03",
    2: "2026-11-04",
    3: "2026-11-10",
    4: "2026-11-11",
    5: "2026-11-17",
}
ANSWER = "Two engineers from Payouts join on Mon 30 Nov; the target holds"


def site(week: IsoWeek) -> list[dict]:
    """The Jira site on the Friday of `week`: one bet, twelve stories."""
    cutoff = friday_of(week).date()
    stories = []
    for n in range(1, 13):
        day = FINISHED.get(n)
        done = day is not None and dt.date.fromisoformat(day) <= cutoff
        stories.append(
            issue(
                f"PAY-{100 + n}",
                f"Story {n}",
                parent="PAY-1",
                status="Done" if done else "To Do",
                category="done" if done else "new",
                resolved=f"{day}T10:00:00.000+0000" if done else None,
            )
        )
    bet = issue(
        "PAY-1",
        "Payouts dashboard",
        issuetype="Epic",
        status="In Progress",
        category="indeterminate",
        assignee="Ana Ruiz",
        custom={"customfield_10051": TARGET, "customfield_10050": {"value": "High"}},
    )
    return [bet, *stories]


def workspace(tmp_path: Path, url: str) -> Config:
    toml.metrics_csv(tmp_path, "2026-11-03,payers,1000\n2026-11-10,payers,1100\n")
    fields = '[sources.jira.fields]\nconfidence = "Confidence"\ntarget_date = "Target end"\n'
    return load_config(toml.team_config(tmp_path, toml.jira(url, extra=fields), team="Payouts"))[0]


@pytest.fixture(scope="module")
def weeks(tmp_path_factory):
    """Each Friday's draft, page text and check findings, the PM answering in W48."""
    tmp_path = tmp_path_factory.mktemp("forecast-weeks")
    fields = [
        *CLOUD_FIELDS,
        field("customfield_10050", "Confidence", schema={"type": "option"}),
        field("customfield_10051", "Target end", schema={"type": "date"}),
    ]
    seen = {}
    with FakeJira(site(WEEKS[0]), fields, email="pm@example.com", token=TOKEN) as jira:
        config = workspace(tmp_path, jira.url)
        for week in WEEKS:
            jira.replace_issues(site(week))
            workflow.draft(config, friday_of(week, 14), {"JIRA_TOKEN": TOKEN}, week)
            draft = WeekFolder.of(config, week).draft
            text = draft.read_text(encoding="utf-8")
            if week.week == 48:
                document = yaml().load(text)
                document["bets"][0]["forecast"] = ANSWER
                draft.write_text(render(document), encoding="utf-8")
            report, _ = workflow.page(config, week)
            findings = workflow.check(config, week).findings
            page = workflow.preview(config, week)[0].html.read_text(encoding="utf-8")
            seen[week.week] = (report.bets[0], text, [str(f) for f in findings], page)
    return seen


def words(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_bet_turns_at_risk_by_forecast_before_its_target_moves(weeks):
    flagged = {n: bet.at_risk_by_forecast for n, (bet, *_) in weeks.items()}
    assert flagged == {45: False, 46: False, 47: True, 48: True}
    assert {bet.target_date for bet, *_ in weeks.values()} == {dt.date(2026, 12, 18)}
    assert all(bet.slip is None for bet, *_ in weeks.values())
    w47 = weeks[47][0].forecast
    assert w47.safe > dt.date(2026, 12, 18) and w47.likely <= w47.safe
    assert "At risk by forecast" in words(weeks[47][3])
    assert "at risk by forecast" not in words(weeks[46][3]).lower()


def test_the_draft_asks_the_pm_and_check_warns_until_they_answer(weeks):
    asked = [n for n, (_, draft, *_) in weeks.items() if re.search(r"^\s+forecast:", draft, re.M)]
    assert asked == [47, 48]
    warned = {
        n: any("at risk by forecast" in f for f in findings)
        for n, (_, _, findings, _) in weeks.items()
    }
    assert warned == {45: False, 46: False, 47: True, 48: False}
    assert weeks[48][0].forecast_answer == ANSWER
    assert ANSWER in words(weeks[48][3])


def test_the_forecast_states_its_basis(weeks):
    page = words(weeks[47][3])
    assert re.search(r"from 3 weeks, 1\.7 items a week", page), page
