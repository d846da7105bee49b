"""What every source is given: the config, the week, the clock and the environment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from weekly.config import Config
from weekly.weeks import IsoWeek


@dataclass(frozen=True)
class PullContext:
    config: Config
    week: IsoWeek
    now: dt.datetime
    env: Mapping[str, str]
