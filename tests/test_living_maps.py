"""Issue 12, living maps: review dates, git history, evidence, KPI data from CSV files,
and current vs future state. Every test builds a real site (or runs the loader or the
CLI on real files) and reads what it wrote; "today" is always injected."""

from __future__ import annotations

import itertools
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from conftest import (
    ROOT,
    SMALL_CHANNELS,
    BuildResult,
    copy_project,
    run_build,
    text_of,
    write_project,
)
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from mkdocs_cjm.core.freshness import ReviewPolicy, ReviewState, map_history, review_of
from mkdocs_cjm.core.loader import load_playbook
from mkdocs_cjm.glue import cli

TODAY = "2026-12-01"
ENV = {"MKDOCS_CJM_TODAY": TODAY}

# The small playbook's channels, the store with an owner (the default step owner).
CHANNELS = SMALL_CHANNELS + "  owner: Store team\n"

# The current journey: reviewed 214 days before TODAY (overdue at 180), evidence of
# every kind, two KPIs fed by the metrics file (one by id, one by name).
BUY = """\
title: Buy sunglasses
persona: lan
owner: Retail CX
reviewed: 2026-05-01
stages:
  - id: look
    name: Look
    kpis:
      - name: Ad click-through rate
        id: ctr
        target: 2%
  - id: buy
    name: Buy
    kpis:
      - name: Wait time
        target: 5 min
        higher_is_better: false
      - name: Basket size
        target: 3
        actual: 2
steps:
  - id: browse
    stage: look
    channel: web
    action: Browses the catalogue
    emotion: 4
    evidence: observed
    source: 12 interviews, Oct 2026
  - id: compare
    stage: look
    channel: web
    action: Compares two frames
    emotion: 2
    evidence: reported
    pain_points: [Filters miss UV protection]
  - id: pay
    stage: buy
    channel: store
    action: Pays at the till
    emotion: 3
    evidence: assumed
    pain_points: [Reads her phone number aloud]
  - id: pickup
    stage: buy
    channel: store
    action: Picks the glasses up
    emotion: 2
    pain_points: [Waits 15 minutes]
"""

# Its future: `compare` changed, `pay` removed, `chat` added, the others the same.
BUY_FUTURE = """\
title: Buy sunglasses 2027
persona: lan
owner: Retail CX
reviewed: 2026-11-20
future_of: buy
stages:
  - id: look
    name: Look
    kpis:
      - name: Ad click-through rate
        id: ctr
        target: 3%
  - id: buy
    name: Buy
    kpis:
      - name: Wait time
        target: 1 min
        higher_is_better: false
steps:
  - id: browse
    stage: look
    channel: web
    action: Browses the catalogue
    emotion: 4
    evidence: observed
    source: 12 interviews, Oct 2026
  - id: compare
    stage: look
    channel: web
    action: Compares two frames
    emotion: 4
    evidence: reported
  - id: chat
    stage: buy
    channel: web
    action: Reserves a pair in chat
    emotion: 5
    evidence: assumed
  - id: pickup
    stage: buy
    channel: store
    action: Picks the glasses up
    emotion: 2
    pain_points: [Waits 15 minutes]
"""

SOLO = """\
title: Window shopping
persona: minh
owner: Store team
stages:
  - id: walk
    name: Walk by
steps:
  - id: look
    stage: walk
    channel: store
    action: Looks at the window
  - id: leave
    stage: walk
    channel: store
    action: Walks on
"""

CTR = [1.1, 1.2, 1.1, 1.3, 1.2, 1.4, 1.5, 1.4, 1.3, 1.5, 1.7, 1.6]
WAIT = [18, 17, 17, 16, 15, 15, 14, 14, 13, 13, 12, 12]
MONTHS = ["2025-12-01", *(f"2026-{month:02d}-01" for month in range(1, 12))]


def metrics_csv() -> bytes:
    """A BI export: BOM, CRLF line ends, rows in no particular order, KPIs by id and name."""
    rows = ["journey,stage,kpi,date,value"]
    rows += [f"buy,look,ctr,{day},{value}%" for day, value in zip(MONTHS, CTR, strict=True)]
    rows += [f"buy,buy,Wait time,{day},{value}" for day, value in zip(MONTHS, WAIT, strict=True)]
    body = [rows[0], *reversed(rows[1:])]
    return ("\ufeff" + "\r\n".join(body) + "\r\n").encode("utf-8")


def living_files() -> dict[str, str | bytes]:
    return {
        "maps/channels.yml": CHANNELS,
        "maps/personas/lan.yml": "name: Lan\nreviewed: 2026-10-01\n",
        "maps/personas/minh.yml": "name: Minh\n",
        "maps/journeys/buy.yml": BUY,
        "maps/journeys/buy-future.yml": BUY_FUTURE,
        "maps/journeys/solo.yml": SOLO,
        "maps/metrics/sales.csv": metrics_csv(),
    }


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    project = write_project(tmp_path_factory.mktemp("living") / "project", living_files())
    result = run_build(project, env=ENV)
    assert result.returncode == 0, result.output
    return result


def journey_url(journey_id: str) -> str:
    return f"playbook/journeys/{journey_id}/"


def article(page: HTMLParser) -> Node:
    node = page.css_first("article")
    assert node is not None
    return node


# --- 1. Freshness ------------------------------------------------------------------


def test_review_banner_appears_exactly_for_overdue_or_undated_maps(site: BuildResult) -> None:
    expected = {
        journey_url("buy"): "overdue",
        journey_url("buy-future"): None,
        journey_url("solo"): "undated",
        "playbook/personas/lan/": None,
        "playbook/personas/minh/": "undated",
    }
    for url, state in expected.items():
        banners = site.page(url).css("[data-cjm-review]")
        assert [b.attributes["data-cjm-review"] for b in banners] == ([state] if state else [])


def test_overdue_banner_is_an_admonition_at_the_top_with_date_and_owner(site: BuildResult) -> None:
    page = article(site.page(journey_url("buy")))
    banner = page.css_first("[data-cjm-review]")
    assert banner is not None
    assert {"admonition", "warning"} <= set(banner.attributes["class"].split())
    assert text_of(banner.css_first(".admonition-title")) == "Review overdue"
    text = text_of(banner)
    assert "2026-05-01" in text and "214 days ago" in text and "every 180 days" in text
    assert "Owner: Retail CX" in text
    # At the top: right after the title, before the journey's facts.
    html = page.html or ""
    assert html.index("<h1") < html.index("data-cjm-review") < html.index("cjm-meta")


def test_undated_banner_names_the_owner(site: BuildResult) -> None:
    banner = site.page(journey_url("solo")).css_first("[data-cjm-review]")
    assert banner is not None
    assert text_of(banner.css_first(".admonition-title")) == "Never reviewed"
    assert "Owner: Store team" in text_of(banner)
    # A persona has no owner key: the owners of the journeys that follow it stand in.
    persona = site.page("playbook/personas/minh/").css_first("[data-cjm-review]")
    assert persona is not None and "Owner: Store team" in text_of(persona)


def test_overview_lists_maps_needing_review_oldest_first_with_owners(site: BuildResult) -> None:
    rows = site.page("playbook/").css(".cjm-stale tbody tr")
    listed = [
        (
            row.attributes["data-map"],
            row.attributes["data-review-state"],
            text_of(row.css("td")[1]),
            text_of(row.css("td")[2]),
        )
        for row in rows
    ]
    assert listed == [
        ("journey:solo", "undated", "never", "Store team"),
        ("persona:minh", "undated", "never", "Store team"),
        ("journey:buy", "overdue", "2026-05-01 (214 days ago)", "Retail CX"),
    ]


def test_review_interval_and_today_are_inputs() -> None:
    policy = ReviewPolicy(date(2026, 5, 31), after_days=30)
    assert review_of("journey", "j", "J", "f", date(2026, 5, 1), None, policy).state is (
        ReviewState.FRESH
    )
    later = ReviewPolicy(date(2026, 6, 1), after_days=30)
    review = review_of("journey", "j", "J", "f", date(2026, 5, 1), None, later)
    assert (review.state, review.days_since) == (ReviewState.OVERDUE, 31)
    assert review_of("persona", "p", "P", "f", None, None, later).state is ReviewState.UNDATED


def test_option_today_and_review_after_days_decide_the_banner(tmp_path: Path) -> None:
    config = (
        "site_name: T\ntheme:\n  name: material\nplugins:\n  - cjm:\n"
        "      today: '2026-05-31'\n      review_after_days: 30\n"
    )
    files = living_files()
    # Nothing dated after that day: a date after today is a warning (issue 21).
    del files["maps/metrics/sales.csv"]
    files["maps/journeys/buy-future.yml"] = BUY_FUTURE.replace("2026-11-20", "2026-05-20")
    files["maps/personas/lan.yml"] = "name: Lan\nreviewed: 2026-05-01\n"
    project = write_project(tmp_path / "project", files, config)
    # The option wins over the environment.
    result = run_build(project, env={"MKDOCS_CJM_TODAY": "2030-01-01"})
    assert result.returncode == 0, result.output
    assert result.page(journey_url("buy")).css("[data-cjm-review]") == []
    assert "every map was reviewed" not in result.html("playbook/").lower()


def test_a_bad_today_is_a_clear_error(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project", living_files())
    result = run_build(project, env={"MKDOCS_CJM_TODAY": "1 Dec 2026"})
    assert result.returncode != 0
    assert (
        "the environment variable MKDOCS_CJM_TODAY is '1 Dec 2026'; expected a date written "
        "YYYY-MM-DD" in result.output
    )
    assert "Traceback" not in result.output


def git(project: Path, *args: str, author: str = "", when: str = "") -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": author or "Robot",
        "GIT_AUTHOR_EMAIL": "a@example.com",
        "GIT_COMMITTER_NAME": "Robot",
        "GIT_COMMITTER_EMAIL": "r@example.com",
        "GIT_AUTHOR_DATE": when or "2026-01-01T09:00:00+07:00",
        "GIT_COMMITTER_DATE": when or "2026-01-01T09:00:00+07:00",
    }
    subprocess.run(["git", *args], cwd=project, env=env, check=True, capture_output=True)


def counting_git(folder: Path) -> tuple[Path, Path]:
    """A `git` on PATH that logs each call, then runs the real one; and the log."""
    real = shutil.which("git")
    assert real is not None
    folder.mkdir()
    log = folder / "calls.log"
    wrapper = folder / "git"
    wrapper.write_text(f'#!/bin/sh\necho "$@" >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IEXEC)
    return folder, log


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_line_shows_the_last_change_from_one_walk(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project", living_files())
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "first", author="An Nguyễn", when="2026-03-01T10:00:00+07:00")
    with (project / "maps/journeys/buy.yml").open("a", encoding="utf-8") as file:
        file.write("# reviewed the pickup step\n")
    git(project, "commit", "-qam", "second", author="Bình Trần", when="2026-04-02T10:00:00+07:00")
    bin_dir, log = counting_git(tmp_path / "bin")
    path = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    result = run_build(project, env={**ENV, "PATH": path})
    assert result.returncode == 0, result.output
    changed = {
        journey: text_of(result.page(journey_url(journey)).css_first(".cjm-last-change"))
        for journey in ("buy", "buy-future", "solo")
    }
    assert changed == {
        "buy": "2026-04-02 by Bình Trần",
        "buy-future": "2026-03-01 by An Nguyễn",
        "solo": "2026-03-01 by An Nguyễn",
    }
    calls = log.read_text().splitlines()
    assert len([call for call in calls if " log " in f" {call} "]) == 1, calls


def test_no_git_line_outside_a_repository_or_without_git(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project", living_files())
    assert map_history(project / "maps", ["journeys/buy.yml"]) == {}
    result = run_build(project, env=ENV)
    assert result.returncode == 0, result.output
    assert result.page(journey_url("buy")).css(".cjm-last-change") == []
    # And with no git program at all: only Graphviz on PATH.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    dot = shutil.which("dot")
    if dot:
        (bin_dir / "dot").symlink_to(dot)
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "first")
    result = run_build(project, tmp_path / "site2", env={**ENV, "PATH": str(bin_dir)})
    assert result.returncode == 0, result.output
    assert result.page(journey_url("buy")).css(".cjm-last-change") == []


def test_validate_stale_lists_overdue_maps_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = write_project(tmp_path / "project", living_files())
    monkeypatch.chdir(project)
    monkeypatch.setenv("MKDOCS_CJM_TODAY", TODAY)
    assert cli.main(["validate", "--stale"]) == 1
    out = capsys.readouterr()
    assert out.out.splitlines() == [
        "maps/journeys/solo.yml: journey 'Window shopping' has no review date "
        "(reviewed: YYYY-MM-DD); owner: Store team",
        "maps/personas/minh.yml: persona 'Minh' has no review date (reviewed: YYYY-MM-DD); "
        "owner: Store team",
        "maps/journeys/buy.yml: journey 'Buy sunglasses' was last reviewed on 2026-05-01, "
        "214 days ago; owner: Retail CX",
    ]
    assert "3 maps need review (every 180 days; today is 2026-12-01)" in out.err
    # Reviewed maps only, and a day on which none is overdue: exit 0.
    for name in ("solo.yml",):
        (project / "maps/journeys" / name).unlink()
    (project / "maps/personas/minh.yml").write_text("name: Minh\nreviewed: 2026-05-01\n")
    assert cli.main(["validate", "--stale", "--today", "2026-06-01"]) == 0
    assert capsys.readouterr().out.startswith("ok: every map was reviewed in the last 180 days")


# --- 2. Evidence -------------------------------------------------------------------

EVIDENCE = {"browse": "observed", "compare": "reported", "pay": "assumed"}


def test_evidence_badge_sits_inside_its_step_everywhere(site: BuildResult) -> None:
    page = site.page(journey_url("buy"))
    places = {
        "matrix": ".cjm-matrix [data-step]",
        "map": '[data-cjm-map] [data-lane="steps"] [data-step]',
        "steps": ".cjm-steps [data-step]",
    }
    for place, selector in places.items():
        steps = page.css(selector)
        assert sorted(s.attributes["data-step"] for s in steps) == sorted(
            ["browse", "compare", "pay", "pickup"]
        ), place
        for step in steps:
            badges = step.css("[data-evidence]")
            expected = EVIDENCE.get(step.attributes["data-step"] or "")
            assert [b.attributes["data-evidence"] for b in badges] == (
                [expected] if expected else []
            ), (place, step.attributes["data-step"])
            for badge in badges:  # never colour alone: the level is written out
                assert str(expected).capitalize() in text_of(badge)
    channel = site.page("playbook/channels/web/")
    browse = [
        s
        for s in channel.css("[data-step]")
        if s.attributes["data-step"] == "browse" and s.attributes.get("data-journey") == "buy"
    ]
    assert len(browse) == 1
    assert [b.attributes["data-evidence"] for b in browse[0].css("[data-evidence]")] == ["observed"]


def test_evidence_source_is_shown_with_the_step(site: BuildResult) -> None:
    row = site.page(journey_url("buy")).css_first('.cjm-steps [data-step="browse"]')
    assert row is not None
    assert "Observed: 12 interviews, Oct 2026" in " ".join(row.text().split())
    badge = row.css_first("[data-evidence]")
    assert badge is not None and "12 interviews, Oct 2026" in badge.attributes["title"]


def test_journey_page_counts_steps_resting_on_evidence(site: BuildResult) -> None:
    summary = site.page(journey_url("buy")).css_first(".cjm-evidence-summary")
    assert summary is not None
    assert text_of(summary) == (
        "2 of 4 steps rest on evidence (1 observed, 1 reported); 1 assumed, 1 not stated."
    )
    assert summary.attributes["data-evidence-steps"] == "2"


def test_overview_ranks_journeys_by_share_of_weak_evidence(site: BuildResult) -> None:
    rows = site.page("playbook/").css(".cjm-evidence-ranking tbody tr")
    ranking = [(row.attributes["data-journey"], row.attributes["data-weak-share"]) for row in rows]
    # solo: 2/2 unstated; buy: 1 assumed + 1 unstated of 4; buy-future: 1 assumed + 1 of 4 too,
    # ties in id order.
    assert ranking == [("solo", "100"), ("buy", "50"), ("buy-future", "50")]
    assert "100% (2/2)" in text_of(rows[0])


# --- 3. KPI values from data files -------------------------------------------------


def kpi_row(site: BuildResult, journey: str, name: str) -> Node:
    rows = [
        row
        for row in site.page(journey_url(journey)).css(".cjm-kpis tbody tr")
        if name in text_of(row)
    ]
    assert len(rows) == 1
    return rows[0]


def test_latest_value_becomes_actual_as_of_its_date(site: BuildResult) -> None:
    row = kpi_row(site, "buy", "Ad click-through rate")
    data = row.css_first("[data-kpi-as-of]")
    assert data is not None
    assert data.attributes["data-kpi-as-of"] == "2026-11-01"
    assert text_of(data.css_first(".cjm-kpi-value")) == "1.6%"
    assert "as of 2026-11-01" in text_of(data)
    assert "Below target" in text_of(row)
    # A unitless value takes the target's unit, and the status follows the data.
    wait = kpi_row(site, "buy", "Wait time")
    value = wait.css_first("[data-kpi-as-of] .cjm-kpi-value")
    assert value is not None and text_of(value) == "12 min"
    # A KPI without data keeps its YAML actual, without a date.
    basket = kpi_row(site, "buy", "Basket size")
    assert basket.css("[data-kpi-as-of]") == [] and "2" in text_of(basket)


def test_trend_chart_has_a_point_per_value_in_date_order(site: BuildResult) -> None:
    svg = kpi_row(site, "buy", "Ad click-through rate").css_first("svg.cjm-trend")
    assert svg is not None
    assert svg.attributes["data-points"] == "12"
    line = svg.css_first("polyline")
    assert line is not None
    points = [tuple(map(float, pair.split(","))) for pair in line.attributes["points"].split()]
    assert len(points) == 12
    xs = [x for x, _ in points]
    assert xs == sorted(xs)
    # Higher values are drawn higher (smaller y), in the CSV's date order, not file order.
    ys = [y for _, y in points]
    for (value_a, y_a), (value_b, y_b) in itertools.pairwise(zip(CTR, ys, strict=True)):
        if value_a != value_b:
            assert (value_a < value_b) == (y_a > y_b), (value_a, value_b, y_a, y_b)
        else:
            assert y_a == y_b
    assert "12 values, from 1.1% on 2025-12-01 to 1.6% on 2026-11-01" in text_of(svg)
    assert "<script" not in site.html(journey_url("buy")).split("cjm-trend")[1].split("</svg>")[0]


BAD_ROWS = [
    ("buyy,look,ctr,2026-01-01,1", "unknown journey 'buyy'"),
    ("buy,lok,ctr,2026-01-01,1", "unknown stage"),
]


def write_metrics(tmp_path: Path, rows: list[str]) -> Path:
    project = write_project(tmp_path / "project", living_files())
    (project / "maps/metrics/sales.csv").write_bytes(
        ("\r\n".join(["journey,stage,kpi,date,value", *rows]) + "\r\n").encode()
    )
    return project


def test_each_bad_csv_row_gets_an_exact_message(tmp_path: Path) -> None:
    project = write_metrics(
        tmp_path,
        [
            "buy,look,ctr,2026-01-01,1.2%",
            "buyy,look,ctr,2026-01-01,1",
            "buy,lok,ctr,2026-01-01,1",
            "buy,look,crt,2026-01-01,1",
            "buy,look,ctr,2026-13-01,1",
            "buy,look,ctr,2026-02-01,n/a",
            "buy,look,ctr,2026-01-01,1.3",
            "buy,look",
        ],
    )
    result = load_playbook(project / "maps", display_root=project)
    assert [str(problem) for problem in result.problems] == [
        "maps/metrics/sales.csv:3:1: error: journey: unknown journey 'buyy'; expected a journey"
        " id from journeys/ (did you mean 'buy'?)",
        "maps/metrics/sales.csv:4:5: error: stage: unknown stage 'lok' in the journey 'buy';"
        " expected one of: look, buy (did you mean 'look'?)",
        "maps/metrics/sales.csv:5:10: error: kpi: unknown KPI 'crt'; expected the id or name of"
        " a KPI of the stage 'look' ('ctr', 'Ad click-through rate') (did you mean 'ctr'?)",
        "maps/metrics/sales.csv:6:14: error: date: '2026-13-01' is not a date; expected a date"
        " written YYYY-MM-DD (write it like 2026-10-01)",
        "maps/metrics/sales.csv:7:25: error: value: 'n/a' is not a number; expected a number"
        " such as 1.4, 1,4 or 72%",
        "maps/metrics/sales.csv:8:14: error: date: a second value for 'ctr' on 2026-01-01; the"
        " first is on line 2 (keep one row per KPI and date)",
        "maps/metrics/sales.csv:9:5: error: expected 5 values (journey,stage,kpi,date,value),"
        " found 2 (check the separators: values are separated by commas; quote a value that"
        " contains one)",
    ]


def test_csv_header_errors_and_encoding(tmp_path: Path) -> None:
    project = write_project(tmp_path / "project", living_files())
    metrics = project / "maps/metrics/sales.csv"
    metrics.write_text("journey,stage,kpi,day,value\nbuy,look,ctr,2026-01-01,1\n")
    problems = [str(p) for p in load_playbook(project / "maps", display_root=project).problems]
    assert problems == [
        "maps/metrics/sales.csv:1:19: error: the header has no column 'date'; expected the"
        " columns journey,stage,kpi,date,value (rename the column 'day' to 'date')",
    ]
    metrics.write_bytes(b"journey,stage,kpi,date,value\nbuy,look,ctr,2026-01-01,1\xff\n")
    problems = [str(p) for p in load_playbook(project / "maps", display_root=project).problems]
    assert problems == [
        "maps/metrics/sales.csv:2:26: error: the file is not UTF-8 text (export it again as"
        " CSV UTF-8)"
    ]


def test_a_bad_row_fails_the_build_with_its_message_and_no_page(tmp_path: Path) -> None:
    project = write_metrics(tmp_path, ["buy,look,ctr,2026-01-01,lots"])
    result = run_build(project, env=ENV)
    assert result.returncode != 0
    assert "maps/metrics/sales.csv:2:25: error: value: 'lots' is not a number" in result.output
    assert "Traceback" not in result.output
    assert not (result.site / "playbook").exists()


def test_data_replacing_a_yaml_actual_warns_once(tmp_path: Path) -> None:
    files = living_files()
    files["maps/journeys/buy.yml"] = BUY.replace(
        "        target: 2%\n", "        target: 2%\n        actual: 1.4%\n"
    )
    project = write_project(tmp_path / "project", files)
    result = run_build(project, strict=False, env=ENV)
    assert result.returncode == 0, result.output
    warnings = [line for line in result.output.splitlines() if "also 'actual: 1.4%'" in line]
    assert len(warnings) == 1, result.output
    assert "maps/metrics/sales.csv" in warnings[0] and "maps/journeys/buy.yml" in warnings[0]
    row = kpi_row(result, "buy", "Ad click-through rate")
    assert "1.6%" in text_of(row) and "1.4%" not in text_of(row)
    assert run_build(project, tmp_path / "strict-site", env=ENV).returncode != 0


# --- 4. Current and future state ---------------------------------------------------


def test_comparison_lists_steps_added_removed_and_changed(site: BuildResult) -> None:
    compare = site.page(journey_url("buy-future")).css_first("[data-cjm-compare]")
    assert compare is not None
    changes = {
        node.attributes["data-step"]: node.attributes["data-change"]
        for node in compare.css("[data-step]")
    }
    assert changes == {
        "browse": "same",
        "compare": "changed",
        "chat": "added",
        "pay": "removed",
        "pickup": "same",
    }
    changed = compare.css_first('[data-step="compare"]')
    assert changed is not None and "Emotion" in text_of(changed)
    assert "2/5" in text_of(changed) and "4/5" in text_of(changed)
    # Each change is written, not only coloured.
    removed = compare.css_first('[data-step="pay"]')
    assert removed is not None and "Removed" in text_of(removed)
    assert site.page(journey_url("buy")).css("[data-cjm-compare]") == []


def test_comparison_chart_draws_both_curves_aligned_by_stage(site: BuildResult) -> None:
    compare = site.page(journey_url("buy-future")).css_first("[data-cjm-compare]")
    assert compare is not None
    chart = compare.css_first("svg.cjm-compare-chart")
    assert chart is not None
    curves = {line.attributes["data-state"]: line for line in chart.css("polyline")}
    assert set(curves) == {"current", "future"}
    points = {
        (node.attributes["data-state"], node.attributes["data-point"]): node
        for node in chart.css("g.cjm-point")
    }
    assert len(points) == 8
    # Aligned by stage: both journeys' steps of one stage share that stage's band.
    bands = [
        (float(rect.attributes["x"]), float(rect.attributes["x"]) + float(rect.attributes["width"]))
        for rect in chart.css("rect.cjm-band")
    ]
    assert len(bands) == 2

    def x_of(state: str, step: str) -> float:
        shape = points[state, step].css_first("circle, rect")
        assert shape is not None
        if shape.tag == "circle":
            return float(shape.attributes["cx"])
        return float(shape.attributes["x"]) + 8

    for state, step, band in [
        ("current", "browse", 0),
        ("future", "browse", 0),
        ("current", "pay", 1),
        ("future", "chat", 1),
    ]:
        low, high = bands[band]
        assert low < x_of(state, step) < high
    assert "Reads her phone number aloud" in text_of(compare)


def test_removed_pain_points_and_kpi_targets_side_by_side(site: BuildResult) -> None:
    compare = site.page(journey_url("buy-future")).css_first("[data-cjm-compare]")
    assert compare is not None
    removed = [text_of(li) for li in compare.css(".cjm-removed-pain-points li")]
    assert [text.split(" (")[0] for text in removed] == [
        "Filters miss UV protection",
        "Reads her phone number aloud",
    ]
    rows = {
        text_of(row.css_first("th")): [text_of(cell) for cell in row.css("td")]
        for row in compare.css(".cjm-compare-kpis tbody tr")
    }
    assert rows["Ad click-through rate"][0] == "Look"
    assert rows["Ad click-through rate"][1] == "2%"
    assert rows["Ad click-through rate"][2].startswith("1.6% as of 2026-11-01")
    assert rows["Ad click-through rate"][3] == "3%"
    assert rows["Wait time"][1::2] == ["5 min", "1 min"]
    assert rows["Basket size"][1:] == ["3", "2", "—"]


def test_current_and_future_pages_link_each_other_and_the_index_pairs_them(
    site: BuildResult,
) -> None:
    current = site.page(journey_url("buy"))
    future = site.page(journey_url("buy-future"))
    assert any(a.attributes["href"] == "../buy-future/" for a in current.css(".cjm-meta a"))
    assert any(a.attributes["href"] == "../buy/" for a in future.css(".cjm-meta a"))
    rows = site.page("playbook/journeys/").css(".cjm-index tbody tr")
    order = [row.attributes["data-journey"] for row in rows]
    assert order.index("buy-future") == order.index("buy") + 1
    pairs = {row.attributes["data-journey"]: row.attributes.get("data-cjm-pair") for row in rows}
    assert pairs == {"buy": "buy", "buy-future": "buy", "solo": None}
    assert "Future: future of Buy sunglasses" in " ".join(
        rows[order.index("buy-future")].text().split()
    )


@pytest.mark.parametrize(
    ("future_of", "expected"),
    [
        (
            "buyy",
            "maps/journeys/buy-future.yml:5:12: error: future_of: unknown journey 'buyy';"
            " expected a journey id from journeys/ (buy, solo) (did you mean 'buy'?)",
        ),
        (
            "buy-future",
            "maps/journeys/buy-future.yml:5:12: error: future_of: the journey 'buy-future' names"
            " itself as the journey it is the future of (name the current journey's id, or remove"
            " future_of)",
        ),
    ],
)
def test_future_of_unknown_or_self_is_an_error(
    tmp_path: Path, future_of: str, expected: str
) -> None:
    files = living_files()
    files["maps/journeys/buy-future.yml"] = BUY_FUTURE.replace(
        "future_of: buy\n", f"future_of: {future_of}\n"
    )
    project = write_project(tmp_path / "project", files)
    result = load_playbook(project / "maps", display_root=project)
    assert [str(p) for p in result.errors] == [expected]


def test_future_of_cycle_is_an_error(tmp_path: Path) -> None:
    files = living_files()
    files["maps/journeys/buy.yml"] = BUY.replace(
        "owner: Retail CX\n", "owner: Retail CX\nfuture_of: buy-future\n"
    )
    project = write_project(tmp_path / "project", files)
    errors = [str(p) for p in load_playbook(project / "maps", display_root=project).errors]
    assert errors == [
        "maps/journeys/buy.yml:4:12: error: future_of: future_of goes round in a circle:"
        " buy -> buy-future -> buy (a future journey cannot also be the current state of"
        " its own current journey; remove future_of from one of them)"
    ]
    result = run_build(project, env=ENV)
    assert result.returncode != 0 and "goes round in a circle" in result.output


def test_existing_maps_without_the_new_keys_build_unchanged(
    build: Callable[..., BuildResult],
) -> None:
    from conftest import small_journey, small_maps

    result = build(small_maps({"plain": small_journey("Plain")}))
    page = result.page(journey_url("plain"))
    assert page.css("[data-evidence]") == [] and page.css("[data-kpi-as-of]") == []
    assert page.css("[data-cjm-compare]") == []


# --- The example playbook ----------------------------------------------------------


def test_example_playbook_shows_every_living_map_feature(tmp_path: Path) -> None:
    project = copy_project(ROOT, tmp_path / "example")
    maps = project / "maps"
    csv_rows = (maps / "metrics/ban-le-2026.csv").read_text(encoding="utf-8").splitlines()[1:]
    by_kpi: dict[str, list[str]] = {}
    for row in csv_rows:
        journey, _stage, kpi, day, _value = row.split(",")
        by_kpi.setdefault(f"{journey}/{kpi}", []).append(day)
    assert any(len(days) == 12 and len({d[:7] for d in days}) == 12 for days in by_kpi.values())
    result = run_build(project, env=ENV)
    assert result.returncode == 0, result.output
    overdue = []
    for page_file in sorted((result.site / "playbook").glob("*/*/index.html")):
        page = HTMLParser(page_file.read_text(encoding="utf-8"))
        overdue += [b.attributes["data-cjm-review"] for b in page.css("[data-cjm-review]")]
    assert overdue == ["overdue"]
    futures = [
        path.stem
        for path in (maps / "journeys").iterdir()
        if re.search(r"^future_of: ", path.read_text(encoding="utf-8"), re.M)
    ]
    assert len(futures) == 1
    future = result.page(journey_url(futures[0]))
    assert {n.attributes["data-change"] for n in future.css("[data-cjm-compare] [data-step]")} == {
        "added",
        "removed",
        "changed",
        "same",
    }
    assert len(result.page("playbook/").css("[data-evidence]")) > 0
    kpis = result.page(journey_url("mua-kinh-ram-da-kenh")).css("[data-kpi-as-of]")
    assert kpis and all(k.css_first("svg.cjm-trend") is not None for k in kpis)


def test_flow_diagram_nodes_say_their_evidence(site: BuildResult) -> None:
    nodes = site.page(journey_url("buy")).css("figure.cjm-flow svg g.node")
    by_action = {
        action: [text_of(node) for node in nodes if action in text_of(node)]
        for action in ("Browses the catalogue", "Pays at the till", "Picks the glasses up")
    }
    assert all(len(found) == 1 for found in by_action.values()), by_action
    assert "Evidence: Observed" in by_action["Browses the catalogue"][0]
    assert "Evidence: Assumed" in by_action["Pays at the till"][0]
    assert "Evidence" not in by_action["Picks the glasses up"][0]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_export_writes_the_same_living_map_pages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    project = write_project(tmp_path / "project", living_files())
    git(project, "init", "-q")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "first", author="An Nguyễn", when="2026-03-01T10:00:00+07:00")
    monkeypatch.chdir(project)
    monkeypatch.setenv("MKDOCS_CJM_TODAY", TODAY)
    assert cli.main(["export", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    page = (tmp_path / "out/playbook/journeys/buy.md").read_text(encoding="utf-8")
    assert 'data-cjm-review="overdue"' in page
    assert "2026-03-01 by An Nguyễn" in page
    assert 'data-kpi-as-of="2026-11-01"' in page
    future = (tmp_path / "out/playbook/journeys/buy-future.md").read_text(encoding="utf-8")
    assert 'data-step="pay" data-change="removed"' in future
