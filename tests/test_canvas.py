"""The journey map canvas: its layout as pure functions, and the markup of real builds
checked against the YAML (read with plain PyYAML) through the public hooks."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import (
    FIXTURES,
    ROOT,
    BuildResult,
    copy_project,
    run_build,
    small_journey,
    small_maps,
    text_of,
    write_project,
)
from selectolax.lexbor import LexborNode as Node

from mkdocs_cjm.model import Journey, Kpi, Stage, Step
from mkdocs_cjm.render.canvas import (
    EMOTION_LANE_HEIGHT,
    LANES,
    build_canvas,
    key_moments,
    lanes_filled,
    point_centre,
    steps_in_map_order,
)
from mkdocs_cjm.render.emotion import face_svg

BLIND20 = FIXTURES / "blind20"


# ----------------------------------------------------------------- pure layout


def _step(step_id: str, index: int, stage: str, **fields: Any) -> Step:
    return Step(step_id, index, stage, "web", "Web", f"does {step_id}", **fields)


def _journey(steps: tuple[Step, ...], stages: tuple[Stage, ...] | None = None) -> Journey:
    stages = stages or (Stage("a", "A"), Stage("b", "B"), Stage("c", "C"))
    return Journey("j", "J", (), stages, steps)


def test_columns_follow_stages_then_list_order_and_keep_empty_stages() -> None:
    # Listed out of stage order: b's step first, then a's two.
    journey = _journey((_step("x", 1, "b"), _step("y", 2, "a"), _step("z", 3, "a")))
    canvas = build_canvas(journey)
    assert [column.step.id if column.step else None for column in canvas.columns] == [
        "y",
        "z",
        "x",
        None,  # stage c has no step: one empty column keeps it on the map
    ]
    assert [(span.stage.id, span.first, span.count) for span in canvas.stages] == [
        ("a", 0, 2),
        ("b", 2, 1),
        ("c", 3, 1),
    ]
    assert [column.opens_stage for column in canvas.columns] == [True, False, True, True]
    assert [step.id for step in steps_in_map_order(journey)] == ["y", "z", "x"]


def test_lanes_are_those_the_journey_fills() -> None:
    bare = _journey((_step("x", 1, "a"),))
    assert lanes_filled(bare) == ("steps",)
    full = _journey(
        (
            _step(
                "x",
                1,
                "a",
                emotion=2,
                thought="hm",
                pain_points=("slow",),
                opportunities=("faster",),
                owner="Team",
            ),
        ),
        (Stage("a", "A", goals=("g",), kpis=(Kpi("k", "1", "2"),)),),
    )
    assert lanes_filled(full) == LANES
    feeling_only = _journey((_step("x", 1, "a", feeling="calm"),))
    assert "thoughts" in lanes_filled(feeling_only)


def test_phone_rows_order_a_stage_then_its_step_cards() -> None:
    journey = _journey(
        (_step("x", 1, "a", emotion=3), _step("y", 2, "b", owner="T")),
        (Stage("a", "A", goals=("g",)), Stage("b", "B", kpis=(Kpi("k"),))),
    )
    canvas = build_canvas(journey)
    rows = canvas.phone_rows
    assert sorted(rows.values()) == list(range(1, len(rows) + 1))  # each row once, no gap
    order = sorted(rows, key=rows.__getitem__)
    assert order == [
        ("stage", "a"),
        ("goals", "a"),
        ("steps", 0),
        ("emotion", 0),
        ("owners", 0),
        ("kpis", "a"),
        ("stage", "b"),
        ("goals", "b"),
        ("steps", 1),
        ("emotion", 1),
        ("owners", 1),
        ("kpis", "b"),
    ]


def test_curve_vertices_sit_at_column_centres_and_break_at_unrated_steps() -> None:
    journey = _journey(
        (
            _step("a1", 1, "a", emotion=5),
            _step("a2", 2, "a", emotion=1),
            _step("b1", 3, "b"),
            _step("b2", 4, "b", emotion=3),
            _step("c1", 5, "c", emotion=4),
        )
    )
    curve = build_canvas(journey).curve
    lines = re.findall(r'<polyline class="cjm-map-line" points="([^"]*)"', curve)
    runs = [[tuple(map(float, pair.split(","))) for pair in line.split()] for line in lines]
    assert runs == [
        [(50.0, point_centre(5)), (150.0, point_centre(1))],
        [(350.0, point_centre(3)), (450.0, point_centre(4))],
    ]
    assert f'viewBox="0 0 500 {EMOTION_LANE_HEIGHT}"' in curve
    assert point_centre(5) < point_centre(4) < point_centre(1) < EMOTION_LANE_HEIGHT


def test_key_moments() -> None:
    journey = _journey(
        (
            _step("a1", 1, "a", emotion=4),
            _step("a2", 2, "a", emotion=1, pain_points=("p", "q")),
            _step("b1", 3, "b", emotion=2, pain_points=("r",)),
            _step("b2", 4, "b", emotion=1),
        ),
        (
            Stage("a", "A", kpis=(Kpi("wait", "3 min", "5 min", higher_is_better=False),)),
            Stage("b", "B", kpis=(Kpi("nps", "40", "52"),)),
        ),
    )
    moments = key_moments(journey)
    assert [step.id for step in moments.lowest] == ["a2", "b2", "b1"]
    assert [(item.stage.id, [k.name for k in item.kpis]) for item in moments.below_target] == [
        ("a", ["wait"])
    ]
    assert (moments.pain_points, moments.steps_with_pain) == (3, 2)
    # Nothing below neutral: the lowest moments are still shown.
    happy = _journey((_step("x", 1, "a", emotion=4), _step("y", 2, "a", emotion=5)))
    assert [step.id for step in key_moments(happy).lowest] == ["x", "y"]


def test_faces_are_svg_and_bend_with_the_score() -> None:
    mouths = [re.search(r'<path d="([^"]*)"', face_svg(score)) for score in range(1, 6)]
    assert all(mouths) and len({m.group(1) for m in mouths if m}) == 5
    assert face_svg(None) == ""
    assert all(ord(char) < 0x2000 for char in face_svg(3))


# ----------------------------------------------------------------- built pages


def _canvas(page: Any, journey_id: str) -> Node:
    nodes = page.css(f'[data-cjm-map="{journey_id}"]')
    assert len(nodes) == 1
    return nodes[0]


def _style(node: Node, name: str) -> int:
    match = re.search(rf"--{name}: (\d+)", node.attributes.get("style") or "")
    assert match, node.html
    return int(match.group(1))


def journey_steps(journey: dict[str, Any]) -> list[dict[str, Any]]:
    """The YAML's steps in list order, with the ids the loader gives unnamed ones."""
    return [
        {**raw, "id": raw.get("id", f"step-{n}")} for n, raw in enumerate(journey["steps"], start=1)
    ]


def _expected(project: Path, journey_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    maps = project / "maps"
    channels = yaml.safe_load((maps / "channels.yml").read_text(encoding="utf-8"))
    journey = yaml.safe_load(
        next((maps / "journeys").glob(f"{journey_id}.y*ml")).read_text("utf-8")
    )
    order = [stage["id"] for stage in journey["stages"]]
    steps = [
        {
            **raw,
            "id": raw.get("id", f"step-{n}"),
            "owner": raw.get("owner", channels[raw["channel"]].get("owner")),
        }
        for n, raw in enumerate(journey["steps"], start=1)
    ]
    return journey, sorted(steps, key=lambda step: order.index(step["stage"]))


@pytest.fixture(scope="module")
def blind20_site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    project = copy_project(BLIND20, tmp_path_factory.mktemp("blind20") / "project")
    result = run_build(project)
    assert result.returncode == 0, result.output
    return result


CASES = [
    ("example", ROOT, "kinh-da-trong-cho-bo"),
    ("example", ROOT, "corporate-eye-care"),
    ("blind20", BLIND20, "mua-xe-tay-ga"),
    ("blind20", BLIND20, "kich-hoat-bao-hanh"),
]


@pytest.mark.parametrize(("site", "project", "journey_id"), CASES)
def test_canvas_markup_follows_the_yaml(
    request: pytest.FixtureRequest, site: str, project: Path, journey_id: str
) -> None:
    built: BuildResult = request.getfixturevalue(f"{site}_site")
    page = built.page(f"playbook/journeys/{journey_id}/")
    journey, steps = _expected(project, journey_id)
    canvas = _canvas(page, journey_id)
    # The canvas comes before every table and every h2 of the page.
    html = page.css_first("article").html or ""
    assert html.index("data-cjm-map") < min(html.index("<table"), html.index("<h2"))
    headers = canvas.css("[data-stage]")
    assert [node.attributes["data-stage"] for node in headers] == [
        s["id"] for s in journey["stages"]
    ]
    spans = {
        node.attributes["data-stage"]: range(
            _style(node, "c"), _style(node, "c") + _style(node, "s")
        )
        for node in headers
    }
    lanes = [node.attributes["data-lane"] for node in canvas.css("[data-lane]")]
    filled = {
        "goals": any(stage.get("goals") for stage in journey["stages"]),
        "steps": True,
        "emotion": any("emotion" in step for step in steps),
        "thoughts": any(step.get("thought") or step.get("feeling") for step in steps),
        "pain-points": any(step.get("pain_points") for step in steps),
        "opportunities": any(step.get("opportunities") for step in steps),
        "owners": any(step.get("owner") for step in steps),
        "kpis": any(stage.get("kpis") for stage in journey["stages"]),
    }
    assert lanes == [lane for lane, present in filled.items() if present]
    for lane in canvas.css("[data-lane]"):
        assert len(lane.css("[data-lane-label]")) == 1
    step_cells = canvas.css('[data-lane="steps"] [data-step]')
    assert [cell.attributes["data-step"] for cell in step_cells] == [step["id"] for step in steps]
    columns = [_style(cell, "c") for cell in step_cells]
    # Columns follow the flow, not the list: a step's `next` targets (the following
    # step when it has none) stand in later columns, unless its card draws the
    # target as a return; steps sharing a column are alternatives (data-branch).
    column_of = dict(zip((step["id"] for step in steps), columns, strict=True))
    listed = [step["id"] for step in journey_steps(journey)]
    for cell, step in zip(step_cells, steps, strict=True):
        position = listed.index(step["id"])
        default = listed[position + 1 : position + 2]
        for target in step.get("next", default):
            if column_of[target] <= column_of[step["id"]]:
                back = rf"↩ (back to step|quay lại bước) {listed.index(target) + 1}\b"
                assert re.search(back, text_of(cell)), (step["id"], target)
        if columns.count(column_of[step["id"]]) > 1:
            assert "data-branch" in cell.attributes, step["id"]
    for cell, step in zip(step_cells, steps, strict=True):
        assert _style(cell, "c") in spans[step["stage"]]
        link = cell.css_first("a.cjm-map-action")
        assert link is not None and link.attributes["href"] == f"#step-{step['id']}"
        assert page.css_first(f'tr[id="step-{step["id"]}"]') is not None
    for lane in ("thoughts", "pain-points", "opportunities", "owners"):
        if lane in lanes:
            ids = [
                c.attributes["data-step"] for c in canvas.css(f'[data-lane="{lane}"] [data-step]')
            ]
            assert ids == [step["id"] for step in steps], lane
    points = {
        node.attributes["data-step"]: node
        for node in canvas.css('[data-lane="emotion"] [data-step]')
    }
    rated = {step["id"]: step["emotion"] for step in steps if "emotion" in step}
    assert set(points) == set(rated)
    by_step = {cell.attributes["data-step"]: _style(cell, "c") for cell in step_cells}
    for step_id, score in rated.items():
        assert _style(points[step_id], "c") == by_step[step_id]  # under its own column
        assert _style(points[step_id], "lvl") == 5 - score
        assert re.search(rf"(?<!\d){score}\s*/5", text_of(points[step_id]))
    # No emoji faces anywhere on the page.
    assert not re.search("[\U0001f300-\U0001faff]", built.html(f"playbook/journeys/{journey_id}/"))


def test_matrix_marks_cells_with_pain_points(example_site: BuildResult) -> None:
    _, steps = _expected(ROOT, "kinh-da-trong-cho-bo")
    page = example_site.page("playbook/journeys/kinh-da-trong-cho-bo/")
    marks = page.css(".cjm-matrix a.cjm-pain-mark")
    assert sorted(a.attributes["href"] for a in marks) == sorted(
        f"#step-{step['id']}" for step in steps if step.get("pain_points")
    )
    for mark in marks:
        cell = mark.parent
        while cell is not None and cell.tag != "td":
            cell = cell.parent
        assert cell is not None and "cjm-has-pain" in (cell.attributes.get("class") or "")
        assert re.search(r"\d", text_of(mark)), "the mark says how many, not colour alone"


@pytest.mark.parametrize(("layout", "hidden"), [(None, True), ("wide", True), ("standard", False)])
def test_journey_layout_option(tmp_path: Path, layout: str | None, hidden: bool) -> None:
    config = "site_name: T\ntheme:\n  name: material\nplugins:\n  - cjm"
    if layout:
        config += f":\n      journey_layout: {layout}"
    project = write_project(tmp_path, small_maps({"j": small_journey("J")}), config + "\n")
    result = run_build(project)
    assert result.returncode == 0, result.output
    page = result.page("playbook/journeys/j/")
    sidebars = page.css(".md-sidebar--primary, .md-sidebar--secondary")
    assert sidebars and all(("hidden" in node.attributes) == hidden for node in sidebars)
    # Other generated pages keep the site's layout.
    persona = result.page("playbook/personas/lan/")
    assert all("hidden" not in node.attributes for node in persona.css(".md-sidebar--primary"))


def test_journey_layout_rejects_other_values(tmp_path: Path) -> None:
    config = (
        "site_name: T\ntheme:\n  name: material\nplugins:\n  - cjm:\n      journey_layout: full\n"
    )
    project = write_project(tmp_path, small_maps({"j": small_journey("J")}), config)
    result = run_build(project)
    assert result.returncode != 0
    assert "journey_layout" in result.output and "Traceback" not in result.output


def test_canvas_marks_milestones_and_phases(example_site: BuildResult) -> None:
    for journey_file in sorted((ROOT / "maps" / "journeys").glob("*.y*ml")):
        journey_id = journey_file.stem
        journey, steps = _expected(ROOT, journey_id)
        canvas = _canvas(example_site.page(f"playbook/journeys/{journey_id}/"), journey_id)
        marked = [
            cell.attributes["data-step"]
            for cell in canvas.css('[data-lane="steps"] [data-step]')
            if "data-milestone" in cell.attributes
        ]
        assert marked == [step["id"] for step in steps if step.get("milestone")], journey_id
        for cell in canvas.css("[data-milestone]"):
            assert "★" in text_of(cell) and "milestone" in text_of(cell).lower()
        phases = {
            node.attributes["data-stage"]: node.attributes.get("data-phase")
            for node in canvas.css("[data-stage]")
        }
        assert phases == {stage["id"]: stage.get("phase") for stage in journey["stages"]}
