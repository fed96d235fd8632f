"""Issue 21 (reliability round 3), the data side: KPI values shown right, only documented
numbers in metrics files, dates after today, bounded `cjm` blocks, and clear errors
where a traceback, a silent misreading or a code block used to be."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import markdown
import pytest
from conftest import SMALL_CHANNELS, run_build, write_project

from mkdocs_cjm.core.loader import LoadOptions, load_playbook
from mkdocs_cjm.core.measure import KpiStatus, kpi_status, value_in_target_unit
from mkdocs_cjm.core.metrics import parse_value
from mkdocs_cjm.core.model import Kpi, Measurement
from mkdocs_cjm.glue import cli, fence
from mkdocs_cjm.glue.config import load_options, read_mkdocs_config
from mkdocs_cjm.render.trend import trend_svg
from mkdocs_cjm.site.views import BlockError, parse_block

TODAY = date(2026, 12, 4)
ENV = {"MKDOCS_CJM_TODAY": TODAY.isoformat()}

JOURNEY = """\
title: Mua kính
persona: lan
reviewed: 2026-11-01
stages:
  - id: look
    name: Tìm hiểu
    kpis:
      - name: Tỷ lệ chuyển đổi
        id: conv
        target: "{target}"
      - name: Thời gian chờ
        id: wait
        target: 3-5 min
        higher_is_better: false
steps:
  - id: browse
    stage: look
    channel: web
    action: Xem kính trên web
    emotion: 4
"""


def maps(target: str = "Q4: 80%", journey: str = JOURNEY) -> dict[str, str | bytes]:
    return {
        "maps/channels.yml": SMALL_CHANNELS,
        "maps/personas/lan.yml": "name: Lan\n",
        "maps/journeys/kinh.yml": journey.replace("{target}", target),
    }


def load(
    tmp_path: Path, files: dict[str, str | bytes], today: date | None = TODAY
) -> tuple[list[str], list[Kpi]]:
    project = write_project(tmp_path / "project", files)
    result = load_playbook(project / "maps", display_root=project, options=LoadOptions(today=today))
    kpis = (
        [kpi for journey in result.playbook.journeys for s in journey.stages for kpi in s.kpis]
        if result.playbook
        else []
    )
    return [str(problem) for problem in result.problems], kpis


def csv(*rows: str) -> bytes:
    return ("\n".join(["journey,stage,kpi,date,value", *rows]) + "\n").encode()


# --- 1. A metrics value is shown in the target's unit, never written into its text ---


@pytest.mark.parametrize(
    ("value", "target", "shown"),
    [
        ("72", "Q4: 80%", "72%"),
        ("72", "Tier 1: 95%", "72%"),
        ("72", "≥ 80%", "72%"),
        ("4", "3-5 min", "4 min"),
        ("4", "3–5 phút", "4 phút"),
        ("1.200.000", "1.000.000 đ", "1.200.000 đ"),
        ("72%", "Q4: 80%", "72%"),  # a value with its own unit stays as written
        ("3", "Mục tiêu", "3"),  # a target without a number gives no unit
    ],
)
def test_a_value_takes_the_targets_unit_only(value: str, target: str, shown: str) -> None:
    assert value_in_target_unit(value, target) == shown


@pytest.mark.parametrize(
    ("target", "actual", "higher_is_better", "status"),
    [
        ("Q4: 80%", "72%", True, KpiStatus.BELOW),
        ("Q4: 80%", "85%", True, KpiStatus.MET),
        ("Tier 1: 95%", "96%", True, KpiStatus.MET),
        ("≥ 80%", "72%", True, KpiStatus.BELOW),
        # A range: inside it (ends included) is on target, whichever way is better.
        ("3-5 min", "4 min", False, KpiStatus.MET),
        ("3-5 min", "5 min", True, KpiStatus.MET),
        ("3-5 min", "6 min", False, KpiStatus.BELOW),
        ("3-5 min", "2 min", True, KpiStatus.BELOW),
        ("3 – 5 phút", "4 min", True, KpiStatus.MET),
        ("3-5 min", "4%", True, KpiStatus.INCOMPARABLE),
    ],
)
def test_status_is_judged_from_the_numbers(
    target: str, actual: str, higher_is_better: bool, status: KpiStatus
) -> None:
    assert kpi_status(target, actual, higher_is_better) is status


def test_a_data_value_shows_with_the_unit_and_the_right_status(tmp_path: Path) -> None:
    files = maps() | {
        "maps/metrics/kinh.csv": csv("kinh,look,conv,2026-11-01,72", "kinh,look,wait,2026-11-01,4")
    }
    problems, (conversion, wait) = load(tmp_path, files)
    assert problems == []
    assert (conversion.actual, conversion.status) == ("72%", KpiStatus.BELOW)
    assert (wait.actual, wait.status) == ("4 min", KpiStatus.MET)


# --- 5. Only the documented number forms are values --------------------------------


@pytest.mark.parametrize(
    "text", ["1e999", "1e308", "1e5", "1_5", "+.5", ".5", "nan", "inf", "-inf", "9" * 400, "1..2"]
)
def test_float_syntax_is_not_a_value(text: str) -> None:
    assert parse_value(text) is None


@pytest.mark.parametrize(
    ("text", "value"),
    [("72", 72.0), ("1.5", 1.5), ("1,5", 1.5), ("1.000.000", 1e6), ("-3", -3.0), ("72 %", 72.0)],
)
def test_documented_number_forms_are_values(text: str, value: float) -> None:
    assert parse_value(text) == value


def test_float_syntax_in_a_metrics_file_is_an_error_at_its_column(tmp_path: Path) -> None:
    files = maps() | {
        "maps/metrics/kinh.csv": csv(
            "kinh,look,conv,2026-10-01,1e999", "kinh,look,conv,2026-11-01,1_5"
        )
    }
    problems, _ = load(tmp_path, files)
    assert problems == [
        "maps/metrics/kinh.csv:2:27: error: value: '1e999' is not a number; expected a number"
        " such as 1.4, 1,4 or 72%",
        "maps/metrics/kinh.csv:3:27: error: value: '1_5' is not a number; expected a number"
        " such as 1.4, 1,4 or 72%",
    ]


def test_no_svg_attribute_holds_nan_or_inf() -> None:
    series = (
        Measurement(date(2026, 10, 1), 1e308, "1e308"),
        Measurement(date(2026, 11, 1), -1e308, "-1e308"),
    )
    for target in ("9" * 400 + "%", "1e308", "80%"):
        svg = trend_svg(Kpi("Tỷ lệ", target=target, series=series), {"trend_desc": "{kpi}"})
        assert svg.startswith("<svg")
        attributes = " ".join(re.findall(r'="([^"]*)"', svg)).lower()
        assert "nan" not in attributes and "inf" not in attributes, svg


# --- 7. Dates after today ------------------------------------------------------------


def test_dates_after_today_are_warnings_naming_file_and_line(tmp_path: Path) -> None:
    journey = JOURNEY.replace("reviewed: 2026-11-01", "reviewed: 2099-01-01")
    files = maps(journey=journey) | {
        "maps/metrics/kinh.csv": csv("kinh,look,conv,2026-11-01,72", "kinh,look,conv,9999-12-31,90")
    }
    problems, (conversion, _) = load(tmp_path, files)
    assert problems == [
        "maps/journeys/kinh.yml:3:11: warning: reviewed: 2099-01-01 is after today"
        " (2026-12-04); expected the day of the last review (check the year; today is the"
        " option today, else $MKDOCS_CJM_TODAY, else the clock)",
        "maps/metrics/kinh.csv:3:16: warning: date: 9999-12-31 is after today (2026-12-04);"
        " the row is left out (check the year; today is the option today, else"
        " $MKDOCS_CJM_TODAY, else the clock)",
    ]
    assert conversion.actual == "72%"  # the row dated after today is left out
    # Today is an input: the same files on a later day have no warning.
    assert load(tmp_path / "later", files, date(9999, 12, 31))[0] == []


def test_today_for_the_check_comes_from_the_option_or_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_project(tmp_path / "project", maps())
    monkeypatch.setenv("MKDOCS_CJM_TODAY", "2026-01-02")
    _, options = read_mkdocs_config(project / "mkdocs.yml", echo=False)
    assert load_options(options).today == date(2026, 1, 2)


# --- 10 and 12. Options: clear errors, never an OverflowError ----------------------


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("max_file_size: 99999999999999999999999", "max_file_size"),
        ("review_after_days: -1", "review_after_days"),
    ],
)
def test_out_of_range_options_are_clear_errors(
    tmp_path: Path, option: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    config = f"site_name: T\ntheme:\n  name: material\nplugins:\n  - cjm:\n      {option}\n"
    project = write_project(tmp_path / "project", maps(), config)
    result = run_build(project, env=ENV)
    assert result.returncode == 1
    assert "Traceback" not in result.output and "OverflowError" not in result.output
    expected = rf"{message}.*(too (large|small)|at (most|least))"
    assert re.search(expected, result.output), result.output
    # `validate` reads the options the same way: the same message, no traceback.
    assert cli.main(["validate", str(project)]) == 1
    printed = capsys.readouterr()
    assert re.search(expected, printed.out + printed.err), printed


# --- 3, 10, 12. Bounded `cjm` blocks with one-line errors ----------------------------

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{name}: &{name} [*{previous}, *{previous}, *{previous}, *{previous}, *{previous}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=False)
)


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (BOMB + "view: map\n", "alias bomb"),
        ("[" * 2000, "nested more than"),
        (
            "view: map\nview: flow\njourney: kinh\n",
            "duplicate key 'view' (first given on line 1 of the block)",
        ),
        ("view: map\njourney: " + "x" * 100_000 + "\n", "unknown journey"),
    ],
)
def test_a_bad_block_is_a_short_error(block: str, message: str) -> None:
    with pytest.raises(BlockError) as caught:
        parse_block(block, generator_for_blocks())
    assert message in caught.value.message
    assert len(caught.value.message) < 400


def generator_for_blocks() -> object:
    """Just enough of a generator for `parse_block`: a playbook with one journey."""
    from types import SimpleNamespace

    journey = SimpleNamespace(id="kinh")
    playbook = SimpleNamespace(journeys=[journey], channels=[])
    return SimpleNamespace(playbook=playbook, index=SimpleNamespace(teams={}))


@pytest.mark.parametrize(
    "block",
    ["[" * 2000, "view: map\njourney: 2026-13-01", "view: map\nview: flow\njourney: kinh"],
    ids=["nested", "bad-date", "view-twice"],
)
def test_a_bad_block_fails_the_strict_build(tmp_path: Path, block: str) -> None:
    docs = {"index.md": "# Home\n", "guide.md": f"# Guide\n\n```cjm\n{block}\n```\n"}
    project = write_project(tmp_path / "project", maps(), docs=docs)
    result = run_build(project, env=ENV)
    assert result.returncode == 1, result.output
    errors = [line for line in result.output.splitlines() if "docs/guide.md:" in line]
    assert len(errors) == 1 and len(errors[0]) < 400, result.output
    assert "Traceback" not in result.output


# --- 4. The formatter without the plugin: its cache covers every file the loader reads --

SUPERFENCES_ONLY = """\
site_name: Fence without the plugin
theme:
  name: material
markdown_extensions:
  - pymdownx.superfences:
      custom_fences:
        - name: cjm
          class: cjm
          format: !!python/name:mkdocs_cjm.fence.format
"""


def test_the_formatter_sees_edited_metrics_and_upper_case_map_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = maps() | {"maps/metrics/kinh.csv": csv("kinh,look,conv,2026-11-01,72")}
    project = write_project(tmp_path / "project", files, SUPERFENCES_ONLY)
    monkeypatch.chdir(project)
    monkeypatch.setenv("MKDOCS_CJM_TODAY", TODAY.isoformat())

    def convert(view: str = "kpis", journey: str = "kinh") -> str:
        md = markdown.Markdown(
            extensions=["pymdownx.superfences"],
            extension_configs={"pymdownx.superfences": {"custom_fences": [fence.fence_entry()]}},
        )
        return md.convert(f"```cjm\nview: {view}\njourney: {journey}\n```\n")

    assert "72%" in convert()
    (project / "maps/metrics/kinh.csv").write_bytes(csv("kinh,look,conv,2026-11-01,91"))
    assert "91%" in convert()
    (project / "maps/journeys/kinh.yml").rename(project / "maps/journeys/kinh.YML")
    text = (project / "maps/journeys/kinh.YML").read_text(encoding="utf-8")
    (project / "maps/journeys/kinh.YML").write_text(text.replace("Mua kính", "Mua kính mới"))
    assert "Mua kính mới" in convert("map")


# --- 12. Clear errors for duplicates, quotes, file names and missing pairs ----------


def test_metrics_file_errors(tmp_path: Path) -> None:
    files = maps() | {
        "maps/metrics/a.CSV": csv("kinh,look,conv,2026-10-01,70"),
        "maps/metrics/b.csv": csv("kinh,look,conv,2026-10-01,71"),
        "maps/metrics/c.csv": b"journey,stage,kpi,date,value,value\nkinh,look,conv,2026-09-01,1,2\n",
        "maps/metrics/d.csv": b'journey,stage,kpi,date,value\nkinh,look,conv,2026-08-01,"7\n',
    }
    problems, _ = load(tmp_path, files)
    assert problems == [
        "maps/metrics/b.csv:2:16: error: date: a second value for 'conv' on 2026-10-01; the"
        " first is in maps/metrics/a.CSV, line 2 (keep one row per KPI and date)",
        "maps/metrics/c.csv:1:30: error: the header names the column 'value' twice;"
        " expected each of journey,stage,kpi,date,value once (remove or rename one of them)",
        'maps/metrics/d.csv:2:27: error: a quote (") opened here is never closed; the file'
        " ends inside it (add the closing quote)",
    ]


def test_duplicate_kpi_names_and_a_source_without_evidence(tmp_path: Path) -> None:
    journey = JOURNEY.replace("      - name: Thời gian chờ\n", "      - name: Tỷ lệ chuyển đổi\n")
    journey = journey.replace("    emotion: 4\n", "    emotion: 4\n    source: Phỏng vấn 5 khách\n")
    problems, _ = load(tmp_path, maps(journey=journey))
    assert problems == [
        "maps/journeys/kinh.yml:11:15: error: stages[0].kpis[1].name: a second KPI named"
        " 'Tỷ lệ chuyển đổi' in the stage 'look' (the first is stages[0].kpis[0]) (give each"
        " KPI of a stage its own name)",
        "maps/journeys/kinh.yml:21:13: warning: steps[0].source: a source without 'evidence:';"
        " the source is shown only with an evidence badge (add 'evidence: observed', 'reported'"
        " or 'assumed')",
    ]


def test_error_lines_quote_only_an_excerpt_of_a_long_value(tmp_path: Path) -> None:
    long_value, long_id = "9x" * 50_000, "kính-" * 2_000
    files = maps() | {
        "maps/metrics/kinh.csv": csv(
            f"kinh,look,conv,2026-10-01,{long_value}", f"{long_id},look,conv,2026-10-01,1"
        ),
        # YAML's plain keys are at most 1024 characters long.
        "maps/personas/an.yml": f"name: An\n{long_id[:900]}: 1\n{long_id[:900]}: 2\n",
    }
    problems, _ = load(tmp_path, files)
    assert len(problems) == 3, problems
    for problem in problems:
        assert len(problem) < 400 and "…" in problem, problem


def test_validate_strict_fails_on_a_date_after_today(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    journey = JOURNEY.replace("reviewed: 2026-11-01", "reviewed: 2099-01-01")
    project = write_project(tmp_path / "project", maps(journey=journey))
    monkeypatch.setenv("MKDOCS_CJM_TODAY", TODAY.isoformat())
    assert cli.main(["validate", "--strict", str(project)]) == 1
    assert "maps/journeys/kinh.yml:3:11: warning: reviewed: 2099-01-01 is after today" in (
        capsys.readouterr().err
    )
