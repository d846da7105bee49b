"""config.example.toml is the documentation of every key: it must load and name them all."""

from __future__ import annotations

import re
from pathlib import Path

from weekly.config import (
    BetsFileSection,
    CheckSection,
    DeliverySection,
    GitHubSection,
    HillSection,
    JiraFields,
    JiraSection,
    MetricDefinition,
    MetricsSection,
    ReportSection,
    ScheduleSection,
    SmtpSection,
    load_config,
)

EXAMPLE = Path(__file__).resolve().parent.parent / "config.example.toml"


def test_example_config_loads_without_warnings(tmp_path):
    copy = tmp_path / "weekly.toml"
    copy.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    config, warnings = load_config(copy)
    assert warnings == []
    assert config.metrics.nsm == "active_payers"


def test_example_config_documents_every_key():
    text = EXAMPLE.read_text(encoding="utf-8")
    documented = set(re.findall(r"^#?\s*(\w+) =", text, flags=re.M))
    documented |= set(re.findall(r"^\[(?:[\w.]+\.)?(\w+)\]", text, flags=re.M))  # [a.b.fields]
    sections = (ReportSection, MetricsSection, MetricDefinition, BetsFileSection)
    more = (JiraSection, JiraFields, GitHubSection, DeliverySection, SmtpSection, ScheduleSection)
    more += (HillSection, CheckSection)
    for section in (*sections, *more):
        missing = set(section.model_fields) - documented
        assert not missing, f"{section.__name__} keys not in config.example.toml: {missing}"
