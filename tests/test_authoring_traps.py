"""Small traps a new author fell into, each with the exact message that now catches it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from conftest import ROOT, run_build, small_journey, small_maps, write_project
from test_errors import J, journey, make_project

from mkdocs_cjm.core.index import build_index
from mkdocs_cjm.core.loader import load_playbook
from mkdocs_cjm.core.schema import FILE_KINDS, json_schema
from mkdocs_cjm.glue import cli


def test_validate_with_no_maps_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["validate"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        "mkdocs-cjm: no journey maps found: journeys/ holds no .yml file; nothing to check "
        "(give the project folder, its mkdocs.yml or its maps folder as PATH, "
        "or start one with `mkdocs-cjm new`)\n"
    )


def test_validate_of_a_project_whose_maps_folder_has_no_journeys(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path / "project", {}, remove=("maps/journeys/buy-sunglasses.yml",))
    monkeypatch.chdir(project)
    assert cli.main(["validate"]) == 1
    assert capsys.readouterr().err.startswith(
        "mkdocs-cjm: no journey maps found: maps/journeys/ holds no .yml file; nothing to check"
    )


KPI_AT_STAGE = journey(
    (
        "  - id: awareness\n    name: Awareness\n",
        "  - id: awareness\n    name: Awareness\n    higher_is_better: false\n"
        "    kpis:\n      - name: Cost per visit\n        target: 3\n        actual: 2\n",
    )
)
MISPLACED = (
    "maps/journeys/j.yml:6:5: error: stages[0].higher_is_better: unknown key"
    " 'higher_is_better' in a stage, where it is ignored; it belongs one level down"
    " (did you mean 'kpis[].higher_is_better'?)"
)


def test_a_key_one_level_too_high_says_where_it_belongs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path / "project", {J: KPI_AT_STAGE})
    monkeypatch.chdir(project)
    # An error even without `strict`: ignored, it would show a wrong "on target" status.
    assert cli.main(["validate"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        MISPLACED,
        "mkdocs-cjm: 1 error in the journey maps",
    ]
    result = run_build(project, strict=False)
    assert result.returncode == 1
    assert MISPLACED in result.output
    assert "Traceback" not in result.output


def test_a_typo_is_still_a_warning_outside_strict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path / "project", {J: journey(("emotion: 4", "emotoin: 4"))})
    monkeypatch.chdir(project)
    assert cli.main(["validate"]) == 0
    assert (
        "warning: steps[0].emotoin: unknown key 'emotoin' in a step (did you mean 'emotion'?)"
        in (capsys.readouterr().err)
    )


def test_bare_schema_prints_one_json_document(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["schema"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document == {kind: json_schema(kind) for kind in FILE_KINDS}


def test_schema_into_a_closed_pipe_ends_quietly() -> None:
    # `mkdocs-cjm schema | head -1`
    command = f"{sys.executable} -m mkdocs_cjm.glue.cli schema | head -1"
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "0"},
        timeout=60,
        check=False,
    )
    assert result.stdout == "{\n"
    assert result.stderr == ""
    assert result.returncode == 0


def test_no_strict_build_in_the_tests_runs_quiet() -> None:
    """`-q` drops the warnings `--strict` counts: a quiet strict build proves nothing."""
    offenders = []
    for folder in ("tests", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            text = path.read_text(encoding="utf-8")
            for match in re.finditer(r"\[[^\[\]]*\"build\"[^\[\]]*\]", text, re.DOTALL):
                if '"--strict"' in match.group() and re.search(r'"(-q|--quiet)"', match.group()):
                    offenders.append(f"{path.relative_to(ROOT)}: {match.group()}")
    assert offenders == []


def test_the_docs_warn_about_the_quiet_flag_and_the_banner() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "NO_MKDOCS_2_WARNING=1" in readme
    recipe = (ROOT / "docs" / "setup.md").read_text(encoding="utf-8")
    assert "mkdocs build --strict" in recipe
    assert "NO_MKDOCS_2_WARNING=1" in recipe
    assert "Never add `-q`" in recipe


def test_a_generic_key_is_not_sent_one_level_down(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(
        tmp_path / "project",
        {J: journey(("title: Buy sunglasses", "title: Buy sunglasses\nid: j"))},
    )
    monkeypatch.chdir(project)
    assert cli.main(["validate"]) == 0
    assert capsys.readouterr().err.splitlines() == [
        "maps/journeys/j.yml:2:1: warning: id: unknown key 'id' in a journey (expected one of:"
        " title, persona, personas, owner, summary, stages, steps, reviewed, future_of)"
    ]


def test_a_step_key_on_the_journey_says_where_it_belongs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(
        tmp_path / "project",
        {J: journey(("title: Buy sunglasses", "title: Buy sunglasses\nemotion: 4"))},
    )
    monkeypatch.chdir(project)
    assert cli.main(["validate"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == (
        "maps/journeys/j.yml:2:1: error: emotion: unknown key 'emotion' in a journey, where it is"
        " ignored; it belongs one level down (did you mean 'steps[].emotion'?)"
    )


# Issue 21 item 14: a chain of futures (a is the future of b, b of c) pairs both rows of
# every pair, and an unknown `future_of` never suggests the journey itself.
def test_a_chain_of_futures_marks_both_rows_of_every_pair(tmp_path: Path) -> None:
    journeys = {
        "c": small_journey("Hôm nay"),
        "b": small_journey("Năm sau") + "future_of: c\n",
        "a": small_journey("Mười năm nữa") + "future_of: b\n",
        "solo": small_journey("Một mình"),
    }
    result = run_build(write_project(tmp_path / "site", small_maps(journeys)))
    assert result.returncode == 0, result.output
    rows = result.page("playbook/journeys/").css(".cjm-index tbody tr")
    pairs = {row.attributes["data-journey"]: row.attributes.get("data-cjm-pair") for row in rows}
    assert pairs == {"c": "c", "b": "c b", "a": "b", "solo": None}
    assert [row.attributes["data-journey"] for row in rows] == ["c", "b", "a", "solo"]
    for current, future in [("c", "b"), ("b", "a")]:
        paired = [
            row for row in rows if current in (row.attributes.get("data-cjm-pair") or "").split()
        ]
        assert [row.attributes["data-journey"] for row in paired] == [current, future]
    middle = " ".join(rows[1].text().split())
    assert "future of Hôm nay" in middle and "Mười năm nữa" in middle


def test_an_unknown_future_of_does_not_suggest_the_journey_itself(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    journeys = {
        "buy-future": small_journey("Future") + "future_of: buy-futur\n",
        "other": small_journey("Other"),
    }
    project = write_project(tmp_path / "site", small_maps(journeys))
    monkeypatch.chdir(project)
    assert cli.main(["validate"]) == 1
    [line] = [line for line in capsys.readouterr().err.splitlines() if "future_of" in line]
    assert "unknown journey 'buy-futur'; expected a journey id from journeys/ (other)" in line
    assert "buy-future" not in line.split("'buy-futur'", 1)[1]


# Issue 21 items 9 and 13: one team is one team, however its name is typed.
CARE_NFC = unicodedata.normalize("NFC", "Chăm sóc khách hàng")
CARE_NFD = unicodedata.normalize("NFD", CARE_NFC)


def owned(journey_owner: str, step_owner: str, channel_owner: str) -> dict[str, str]:
    """Small maps whose journey, first step and store channel each name an owner."""
    text = small_journey("Mua kính").replace(
        "persona: lan\n", f'persona: lan\nowner: "{journey_owner}"\n'
    )
    text = text.replace("    emotion: 4\n", f'    emotion: 4\n    owner: "{step_owner}"\n')
    files = small_maps({"mua": text})
    files["maps/channels.yml"] += f'  owner: "{channel_owner}"\n'
    return files


def test_names_that_differ_in_composition_or_spacing_are_one_team(tmp_path: Path) -> None:
    assert CARE_NFC != CARE_NFD
    project = write_project(tmp_path / "site", owned(CARE_NFC, CARE_NFD, "Chăm sóc  khách hàng "))
    result = load_playbook(project / "maps", display_root=project)
    assert [str(problem) for problem in result.problems] == []
    assert result.playbook is not None
    teams = build_index(result.playbook).teams
    assert list(teams) == [CARE_NFC]
    team = teams[CARE_NFC]
    assert (len(team.journeys), len(team.channels), len(team.steps)) == (1, 1, 2)
    built = run_build(project)
    assert built.returncode == 0, built.output
    pages = sorted(p.parent.name for p in (built.site / "playbook" / "teams").glob("*/index.html"))
    assert pages == ["cham-soc-khach-hang"]


def test_names_that_differ_only_in_case_are_a_warning_naming_both_places(tmp_path: Path) -> None:
    project = write_project(
        tmp_path / "site", owned("Customer Care", "Customer care", "Customer Care")
    )
    result = load_playbook(project / "maps", display_root=project)
    assert [str(problem) for problem in result.problems] == [
        "maps/journeys/mua.yml:15:12: warning: steps[0].owner: the team 'Customer care' differs"
        " only in case from 'Customer Care' (maps/channels.yml:7:10): they make two teams, each"
        " with its own page (write the name the same way everywhere, e.g. 'Customer Care')"
    ]


def team_block(team: str) -> dict[str, str]:
    return {
        "index.md": "# Home\n",
        "guide.md": f"# Guide\n\n```cjm\nview: team\nteam: {team}\n```\n",
    }


def test_a_team_named_by_its_page_name_never_switches_team(tmp_path: Path) -> None:
    """`team: care` meant 'Care' (by its page name); a team 'Care!' makes the same page
    name: the block would silently show whichever sorts first. It is an error."""
    files = owned("Care", "Care!", "Care")
    project = write_project(tmp_path / "site", files, docs=team_block("care"))
    built = run_build(project)
    assert built.returncode != 0
    assert "Traceback" not in built.output
    assert (
        "docs/guide.md:5: cjm block: the team 'care' is ambiguous: it is the page name of"
        " 'Care', and 'Care!' makes the same page name (name the team as the maps write it:"
        " 'Care' or 'Care!')"
    ) in built.output, built.output


# Issue 21 item 13: the last step of one branch of a fork, without `next`, falls
# through (in list order) into the fork's other branch: a path nobody takes.
FORK = """\
title: Đặt lịch hẹn
persona: lan
stages:
  - id: look
    name: Tìm hiểu
  - id: buy
    name: Mua
steps:
  - id: ask
    stage: look
    channel: web
    action: Hỏi còn hàng không
    next: [online, in-store]
  - id: online
    stage: buy
    channel: web
    action: Đặt hàng trực tuyến
  - id: pay-online
    stage: buy
    channel: web
    action: Thanh toán trực tuyến
  - id: in-store
    stage: buy
    channel: store
    action: Đến cửa hàng mua
"""


def fork_warnings(tmp_path: Path, text: str) -> list[str]:
    project = write_project(tmp_path / "site", small_maps({"hen": text}))
    result = load_playbook(project / "maps", display_root=project)
    return [str(problem) for problem in result.problems]


def test_a_branch_falling_through_into_the_other_branch_is_a_warning(tmp_path: Path) -> None:
    assert fork_warnings(tmp_path, FORK) == [
        "maps/journeys/hen.yml:18:5: warning: steps[2]: the step 'pay-online' ends the"
        " branch 'online' of the fork at 'ask' without next, so the flow goes on to"
        " 'in-store', the fork's other branch: a path nobody takes (say where it leads:"
        " next: [<step id>], or next: [] if the journey ends here)"
    ]
    project = tmp_path / "site"
    built = run_build(project, strict=False)
    assert built.returncode == 0
    assert "steps[2]: the step 'pay-online' ends the branch 'online'" in built.output


@pytest.mark.parametrize(
    "fix",
    [
        (
            "    action: Thanh toán trực tuyến\n",
            "    action: Thanh toán trực tuyến\n    next: []\n",
        ),
        # Meant: the online branch leads on to the store (said, so not a fall-through).
        (
            "    action: Thanh toán trực tuyến\n",
            "    action: Thanh toán trực tuyến\n    next: [in-store]\n",
        ),
    ],
    ids=["ends", "leads-on"],
)
def test_a_branch_that_says_where_it_goes_is_no_warning(
    tmp_path: Path, fix: tuple[str, str]
) -> None:
    assert fork_warnings(tmp_path, FORK.replace(*fix)) == []


def test_the_last_branch_may_end_the_list_without_next(tmp_path: Path) -> None:
    """The store branch written first, ended; the online branch last: it falls off the
    end of the list, which is the journey's end, not another branch."""
    store = FORK[FORK.index("  - id: in-store\n") :]
    reordered = FORK.replace(store, "").replace(
        "    next: [online, in-store]\n",
        "    next: [online, in-store]\n" + store + "    next: []\n",
    )
    assert reordered.index("id: in-store") < reordered.index("id: online")
    assert fork_warnings(tmp_path, reordered) == []


def test_the_byte_for_byte_claim_names_what_serve_itself_changes() -> None:
    """Issue 21 item 15: a fast rebuild is a full rebuild's bytes but for the two things
    `mkdocs serve` adds to any build, fast or not: its live-reload script and a
    canonical link (and sitemap) made from the dev server's own address."""
    for name in ("README.md", "docs/setup.md"):
        text = " ".join((ROOT / name).read_text(encoding="utf-8").split())
        claim = text.index("byte for byte")
        around = text[claim - 400 : claim + 700]
        assert "live-reload script" in around, name
        assert "canonical link" in around, name
