"""The bets file: bets and decisions kept by hand, in the shape the connectors produce."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from testing.clock import NOW, WEEK
from testing.workspace import bets_file, team_config
from weekly.config import Config, load_config
from weekly.errors import InputError
from weekly.model import Confidence, DecisionStatus, Slip, Status
from weekly.pipeline import pull_source
from weekly.sources import SOURCES
from weekly.sources.context import PullContext


def pulled(tmp_path: Path, bets_toml: str | None, name: str = "bets.toml"):
    if bets_toml is not None:
        (tmp_path / name).write_text(bets_toml, encoding="utf-8")
    path = team_config(tmp_path, bets_file(name), timezone=None, csv="m.csv", nsm="a")
    config: Config = load_config(path)[0]
    [result] = pull_source(SOURCES["bets_file"], PullContext(config, WEEK, NOW, env={}))
    return result


GOOD = """
headline = "Payouts slipped a week."

[[bets]]
key = "PAY-1"
title = "SEPA Instant payouts"
owner = "Ana Ruiz"
status = "at risk"
confidence = "medium"
progress = { done = 3, total = 8 }
target_date = 2026-12-18
slip = { previous_date = 2026-12-11, cause = "Bank sandbox down" }

  [[bets.blockers]]
  key = "PAY-9"
  title = "Certification slot"
  blocked_since = 2026-11-18

[[decisions]]
key = "PAY-20"
title = "Fallback PSP"
approver = "Dana Schulz"
deadline = 2026-12-02
options = ["Wait", "Switch"]

[[decisions]]
key = "PAY-21"
title = "Chose the bank"
status = "decided"
"""


def test_a_bets_file_becomes_model_bets_and_decisions(tmp_path):
    result = pulled(tmp_path, GOOD)
    (bet,) = result.bets
    assert (bet.status, bet.confidence, bet.progress and bet.progress.ratio) == (
        Status.AT_RISK,
        Confidence.MEDIUM,
        3 / 8,
    )
    assert bet.slip == Slip(dt.date(2026, 12, 11), dt.date(2026, 12, 18), "Bank sandbox down")
    assert bet.blockers[0].bet_key == "PAY-1"
    assert bet.blockers[0].days_blocked(NOW.date()) == 9
    assert [d.status for d in result.decisions] == [DecisionStatus.OPEN, DecisionStatus.DECIDED]
    assert result.decisions[0].options == ("Wait", "Switch")
    assert result.headline == "Payouts slipped a week."


def test_every_problem_is_named_with_its_numbered_entry(tmp_path):
    broken = """
[[bets]]
key = "PAY-1"
title = "One"
status = "green"

[[bets]]
key = "PAY-2"
title = "Two"
progress = { done = 9, total = 4 }

[[bets]]
key = "PAY-3"
title = "Three"
slip = { previous_date = 2026-12-11 }
"""
    with pytest.raises(InputError) as caught:
        pulled(tmp_path, broken)
    message = str(caught.value)
    assert "bets[1].status: Input should be 'on track', 'at risk', 'off track' or 'done'" in message
    assert "bets[2].progress: done (9) is more than total (4)" in message
    assert "bets[3]: a slip needs target_date, the new ETA" in message
    assert caught.value.exit_code == 2


def test_a_missing_or_unreadable_bets_file_is_one_clear_line(tmp_path):
    with pytest.raises(InputError, match=r"bets file not found; check sources\.bets_file\.path"):
        pulled(tmp_path, None)
    (tmp_path / "folder").mkdir()
    with pytest.raises(InputError, match="folder: cannot read the bets file"):
        pulled(tmp_path, None, name="folder")
