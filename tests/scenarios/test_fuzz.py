"""Property tests: whatever text lands in the metrics CSV or the draft, `weekly` answers with a
value or with one clear error naming the file, never with a traceback.

Each example found to break that promise is kept below as an `@example`, so it stays checked
after it is fixed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from testing import workspace as toml
from testing.clock import BERLIN, WEEK, at
from weekly import workflow
from weekly.config import Config, load_config
from weekly.draft import DraftError, Edits, WeekFolder, read_draft
from weekly.errors import InputError, WeeklyError
from weekly.sources.metrics_table import MetricRows, read_rows

METRICS = ("payers", "conversion")
DRAFTED = at(14)
AGAIN = at(15)

PARSING = settings(max_examples=100, deadline=None)
DRAFTING = settings(max_examples=30, deadline=None)

# --- the metrics CSV ------------------------------------------------------------------------

HEADER_NAMES = st.sampled_from(
    [
        "date",
        "metric",
        "value",
        *METRICS,
        "Date",
        " date ",
        "VALUE",
        "payers ",
        "comment",
        "exported_at",
        "line",
        "",
        "date;metric;value",
    ]
)
OFFSETS = st.sampled_from(["", "Z", "+01:00", "-05:30", "+0100", "+14:00", "-12:00"])
DATES = st.one_of(
    st.dates().map(str),
    st.builds(
        lambda moment, offset: moment.isoformat() + offset,
        st.datetimes(min_value=dt.datetime(1600, 1, 1), max_value=dt.datetime(2400, 1, 1)),
        OFFSETS,
    ),
)
NUMBERS = st.one_of(
    st.integers().map(str),
    st.floats().map(repr),
    st.integers(min_value=1_000, max_value=10**12).map(lambda n: f"{n:,}"),  # 12,310
    st.decimals(allow_nan=False, places=2).map(str),
)
ODD_CELLS = st.sampled_from(
    [
        "",
        " ",
        "n/a",
        "N/A",
        "-",
        "–",
        "nan",
        "inf",
        "-inf",
        "1e400",
        "3,5",
        "12.310,5",
        "1 234",
        "0x1F",
        "2026-11-23",
        "2026-11-22T23:30:00Z",
        "2026-10-25T02:30:00",
        "2026-13-45",
        "2026-02-30",
        "23.11.2026",
        "2026-W48",
        "payers",
        "conversion",
        "line",
        '"',
        '""',
        "a;b",
        ";",
        "\ufeff",
        "\r",
        "\x00",
    ]
)
RAW_CELLS = st.one_of(DATES, NUMBERS, ODD_CELLS, st.text(max_size=6))


@st.composite
def cells(draw: st.DrawFn, raw: st.SearchStrategy[str] = RAW_CELLS) -> str:
    """A cell as an export writes it: bare, or quoted (which makes `12,310` one cell)."""
    text = draw(raw)
    if draw(st.integers(0, 3)) == 0:
        return '"' + text.replace('"', '""') + '"'
    return text


@st.composite
def almost_csvs(draw: st.DrawFn) -> str:
    """A CSV of random headers and cells: often wrong in one way or another."""
    separator = draw(st.sampled_from([",", ",", ",", ";"]))
    header = draw(st.lists(HEADER_NAMES, min_size=1, max_size=5))
    width = len(header)
    rows = draw(
        st.lists(st.lists(cells(), min_size=max(0, width - 1), max_size=width + 1), max_size=6)
    )
    return _joined(draw, [header, *rows], separator)


@st.composite
def nearly_valid_csvs(draw: st.DrawFn) -> str:
    """A well-formed long or wide CSV, sometimes with one cell gone wrong: reaches the checks
    past the header (dates, numbers, duplicates, missing metrics) and the happy path."""
    dates = draw(st.lists(DATES, min_size=1, max_size=5))
    if draw(st.booleans()):  # long: date,metric,value
        table = [["date", "metric", "value"]]
        table += [[d, m, draw(cells(NUMBERS))] for d in dates for m in METRICS]
    else:  # wide: date,<metric>,<metric>
        table = [["date", *METRICS]]
        table += [[d, *(draw(cells(NUMBERS)) for _ in METRICS)] for d in dates]
    if draw(st.booleans()):
        row = draw(st.integers(0, len(table) - 1))
        column = draw(st.integers(0, len(table[row]) - 1))
        table[row][column] = draw(cells())
    if draw(st.booleans()):  # a row one cell short, or one long
        row = draw(st.integers(1, len(table) - 1))
        table[row] = table[row][:-1] if draw(st.booleans()) else [*table[row], draw(cells())]
    return _joined(draw, table, ",")


def _joined(draw: st.DrawFn, table: list[list[str]], separator: str) -> str:
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.sampled_from(["", "", "\ufeff"]))
    end = draw(st.sampled_from(["", newline]))
    return bom + newline.join(separator.join(row) for row in table) + end


@pytest.fixture(scope="module")
def csv_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("csv") / "metrics.csv"


def read_or_refuse(path: Path, data: bytes) -> MetricRows | None:
    """read_rows on `data`: rows of the named metrics, or an InputError naming the file."""
    path.write_bytes(data)
    try:
        rows = read_rows(path, METRICS, "date", BERLIN)
    except InputError as exc:
        assert isinstance(exc, WeeklyError)
        assert exc.message.startswith(str(path)), exc.message
        return None
    assert isinstance(rows, MetricRows)
    assert set(rows.frame["metric"]) == set(METRICS)
    assert rows.frame["value"].map(lambda v: isinstance(v, float) and abs(v) < float("inf")).all()
    return rows


@PARSING
@given(text=st.text())
# Found: a CSV with only its date column; melt has no value columns, `.str` meets floats.
@example(text="date\n2026-11-23\n")  # AttributeError: Can only use .str accessor …
# Found: two columns that are the same once stripped (" date") pass the repeated-column check.
@example(text="date, date,payers\n2026-11-23,2026-11-24,2\n")  # ValueError from melt
def test_metrics_csv_of_any_text_gives_rows_or_an_input_error(csv_path, text):
    read_or_refuse(csv_path, text.encode("utf-8"))


def test_metrics_csv_with_a_cell_over_the_csv_field_limit(csv_path):
    # Found by hand: the csv module's header check runs outside the try, and refuses a cell
    # over 131,072 characters (_csv.Error: field larger than field limit). Not an @example:
    # hypothesis would print all of it.
    read_or_refuse(csv_path, ('"' + "a" * 131_073 + '"\n').encode("utf-8"))


@PARSING
@given(text=st.one_of(almost_csvs(), nearly_valid_csvs()))
# Found: a date pandas cannot hold in nanoseconds (before 1677-09-22 or after 2262-04-11),
# such as the placeholders 0001-01-01 and 9999-12-31 that exports write for "no date".
@example(text="date,payers,conversion\n0001-01-01,1,2\n")  # OutOfBoundsDatetime
@example(text="date,payers,conversion\n2026-11-23,1,2\n9999-12-31,1,2\n")  # OutOfBoundsDatetime
@example(text="date,metric,value\n2263-01-01T00:00:00Z,payers,1\n")  # OutOfBoundsDatetime
# Found: a wide CSV with a column named `value` but no `metric` column.
@example(text="date,value,payers,conversion\n2026-11-23,1,2,3\n")  # ValueError from melt
def test_metrics_csv_almost_valid_gives_rows_or_an_input_error(csv_path, text):
    read_or_refuse(csv_path, text.encode("utf-8"))


@PARSING
@given(data=st.binary())
@example(data=b"date,payers,conversion\n2026-11-23,1,\xff\n")  # not UTF-8
@example(data=b"\xff\xfed\x00a\x00t\x00e\x00")  # UTF-16, as Excel sometimes saves it
def test_metrics_csv_of_any_bytes_gives_rows_or_an_input_error(csv_path, data):
    read_or_refuse(csv_path, data)


def test_the_well_formed_csvs_do_read(csv_path):
    """The strategies above reach the happy path too, not only the errors."""
    long = 'date,metric,value\n2026-11-23,payers,"12310"\n2026-11-23,conversion,3.51\n'
    wide = "\ufeffdate,payers,conversion\r\n2026-11-22T23:30:00Z,12310,3.51\r\n"
    for text in (long, wide):
        rows = read_or_refuse(csv_path, text.encode("utf-8"))
        assert rows is not None and len(rows.frame) == 2


# --- the draft ----------------------------------------------------------------------------------

BETS = """
headline = "Payers up."

[[bets]]
key = "PAY-1"
title = "SEPA Instant payouts"
owner = "Ana Ruiz"
status = "at risk"
target_date = 2026-12-18
slip = { previous_date = 2026-12-04 }

[[bets]]
key = "PAY-2"
title = "One-click checkout"
status = "on track"

[[decisions]]
key = "PAY-20"
title = "Fallback PSP"
approver = "Dana Schulz"
deadline = 2026-12-02
options = ["Adyen", "Stripe"]
"""


class Drafted:
    """The workspace, its week's folder, and the draft as `weekly draft` wrote it.

    A plain class, not a dataclass: hypothesis prints fixtures with each failing example, and
    would print a dataclass field by field, the whole draft included.
    """

    def __init__(self, config: Config, folder: WeekFolder, valid: bytes) -> None:
        self.config, self.folder, self.valid = config, folder, valid

    def __repr__(self) -> str:
        return f"Drafted({self.folder.draft})"


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> Drafted:
    """A workspace with a metrics CSV and a bets file, and the valid draft `weekly draft` wrote."""
    root = tmp_path_factory.mktemp("draft")
    toml.metrics_csv(root, "2026-11-17,payers,100\n2026-11-24,payers,110\n")
    (root / "bets.toml").write_text(BETS, encoding="utf-8")
    config = load_config(toml.team_config(root, toml.bets_file()))[0]
    workflow.draft(config, DRAFTED, {}, WEEK)
    folder = WeekFolder.of(config, WEEK)
    valid = folder.draft.read_bytes()
    assert isinstance(read_draft(folder, WEEK), Edits)
    return Drafted(config, folder, valid)


def read_or_refuse_draft(drafted: Drafted, data: bytes) -> None:
    """read_draft on `data`: Edits, or a DraftError naming the draft; a refused draft stops
    `weekly draft` too, which leaves the file exactly as it was."""
    config, folder = drafted.config, drafted.folder
    folder.draft.write_bytes(data)
    try:
        edits = read_draft(folder, WEEK)
    except DraftError as exc:
        assert exc.message.startswith(f"{folder.draft}:"), exc.message
        with pytest.raises(DraftError):
            workflow.draft(config, AGAIN, {}, WEEK)
        assert folder.draft.read_bytes() == data
        return
    assert isinstance(edits, Edits)
    workflow.draft(config, AGAIN, {}, WEEK)  # a draft that reads merges fresh facts
    assert isinstance(read_draft(folder, WEEK), Edits)


@DRAFTING
@given(text=st.text())
# Found: YAML that nests deeper than Python's recursion limit.
@example(text="[" * 1_000)  # RecursionError
# Found: a `pulled:` that is not a mapping reaches dict() in read_edits.
@example(text="week: 2026-W48\nbets:\n  - key: PAY-1\n    pulled: x\n")  # ValueError
@example(text="week: 2026-W48\ndecisions:\n  - key: PAY-20\n    pulled: 5\n")  # TypeError
def test_draft_of_any_text_reads_or_names_the_file(drafted, text):
    read_or_refuse_draft(drafted, text.encode("utf-8"))


@DRAFTING
@given(data=st.binary())
@example(data=b"week: 2026-W48\napproved: \xff\n")  # not UTF-8
@example(data=b"week: 2026-W48\x00\n")  # NUL: a binary file saved over the draft
def test_draft_of_any_bytes_reads_or_names_the_file(drafted, data):
    read_or_refuse_draft(drafted, data)


# What a PM might type as a value, and what YAML makes of odd text: tags, anchors, flow
# collections, block scalars, dates that do not exist.
VALUES = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        [
            "",
            "~",
            "green",
            "next friday",
            "yes",
            "2026-12-18",
            "2026-13-45",
            "2026-02-30",
            "2026-11-23 25:00:00",
            "12:30",
            "1e400",
            ".inf",
            "0x1F",
            "[",
            "{",
            "]",
            "[1, 2]",
            "{a: 1}",
            "x: y",
            "- a",
            "&anchor",
            "*anchor",
            "!!int abc",
            "!!float abc",
            "!!bool maybe",
            "!!binary xyz",
            "!!timestamp abc",
            "!!set {a}",
            "!!omap [a]",
            "!!python/object:os.system x",
            "'",
            '"',
            "|",
            ">",
            "@x",
            "`x`",
            "%YAML 1.1",
            "---",
            "...",
            "#",
            "\t",
        ]
    ),
)
# (kind, where, text): `where` is a line index (taken modulo the line count) or, in the
# examples, the first line that starts with that key.
MUTATIONS = st.lists(
    st.tuples(
        st.sampled_from(["delete", "duplicate", "indent", "replace"]),
        st.integers(min_value=0, max_value=500),
        VALUES,
    ),
    min_size=1,
    max_size=3,
)


def mutate(valid: str, mutations: list[tuple[str, int | str, str]]) -> str:
    lines = valid.splitlines()
    for kind, where, text in mutations:
        if isinstance(where, str):
            index = next(n for n, line in enumerate(lines) if line.lstrip().startswith(where))
        else:
            index = where % len(lines)
        line = lines[index]
        if kind == "delete":
            del lines[index]
        elif kind == "duplicate":
            lines.insert(index, line)
        elif kind == "indent":
            spaces = len(text) % 7  # 0–6 spaces: drawn from the text, so examples shrink well
            lines[index] = " " * spaces + line.lstrip(" ")
        else:
            stripped = line.lstrip(" ")
            indent = line[: len(line) - len(stripped)]
            if stripped.startswith("- "):
                lines[index] = f"{indent}- {text}"
            elif ":" in stripped:
                lines[index] = f"{indent}{stripped.split(':', 1)[0]}: {text}"
            else:
                lines[index] = indent + text
        if not lines:
            lines = [""]
    return "\n".join(lines) + "\n"


@DRAFTING
@given(mutations=MUTATIONS)
@example(mutations=[("duplicate", "approved:", "")])  # a duplicate key
@example(mutations=[("indent", "bets:", "  ")])  # `bets:` under `sources:`
@example(mutations=[("replace", "new_eta:", "next friday")])
# Found: a date YAML resolves but that does not exist.
@example(mutations=[("replace", "new_eta:", "2026-02-30")])  # ValueError: day is out of range
@example(mutations=[("replace", "deadline:", "2026-13-45")])  # ValueError: month must be in 1..12
@example(mutations=[("replace", "note:", "2026-11-23 25:00:00")])  # ValueError: hour must be …
# Found: an explicit tag whose value does not convert.
@example(mutations=[("replace", "note:", "!!int abc")])  # ValueError: invalid literal for int()
@example(mutations=[("replace", "note:", "!!float abc")])  # ValueError: could not convert …
@example(mutations=[("replace", "approved:", "!!bool maybe")])  # KeyError: 'maybe'
def test_a_mutated_draft_reads_or_names_the_file(drafted, mutations):
    read_or_refuse_draft(drafted, mutate(drafted.valid.decode("utf-8"), mutations).encode("utf-8"))
