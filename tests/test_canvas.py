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

from mkdocs_cjm.core.model import Journey, Kpi, Stage, Step
from mkdocs_cjm.render.branches import layout_branches
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


# ----------------------------------------------------------------- branches


def _flow(*edges: str, stages: str = "") -> Journey:
    """A journey from lines "step -> target target" (a step listed with no arrow
    ends its path); `stages` maps steps to stages as "a:x y b:z", else one stage."""
    stage_of: dict[str, str] = {}
    for group in stages.split():
        if ":" in group:
            current, first = group.split(":")
            group = first
        stage_of[group] = current
    steps = []
    for index, line in enumerate(edges, start=1):
        source, _, targets = line.partition("->")
        step_id = source.strip()
        stage = stage_of.get(step_id, "a")
        steps.append(_step(step_id, index, stage, next=tuple(targets.split()), emotion=3))
    used = list(dict.fromkeys(["a", *stage_of.values()]))
    return _journey(tuple(steps), tuple(Stage(s, s.upper()) for s in used))


def _cells(journey: Journey) -> dict[str, Any]:
    return {
        cell.step.id: cell for cell in layout_branches(journey.stages, journey.steps).placements
    }


def test_a_journey_without_branches_is_one_track_a_column_per_step() -> None:
    journey = _flow("a -> b", "b -> c", "c", stages="a:a b:b c:c")
    layout = layout_branches(journey.stages, journey.steps)
    assert layout.tracks == 1 and layout.stage_widths == (1, 1, 1)
    assert [(p.column, p.track, p.fills, p.branch) for p in layout.placements] == [
        (0, 0, True, None),
        (1, 0, True, None),
        (2, 0, True, None),
    ]
    canvas = build_canvas(journey)
    assert canvas.gaps == () and "data-branch" not in canvas.curve
    assert canvas.curve.count("<polyline") == 1


def test_fork_and_join_share_columns_on_parallel_tracks() -> None:
    journey = _flow("f -> x y", "x -> j", "y -> j", "j")
    cells = _cells(journey)
    assert cells["f"].fork and not cells["x"].fork
    assert [a.id for a in cells["f"].alternatives] == ["x", "y"]
    assert (cells["x"].column, cells["y"].column) == (1, 1)
    assert {cells["x"].track, cells["y"].track} == {0, 1}
    assert cells["x"].branch == cells["y"].branch == "f"
    assert (cells["x"].choice, cells["y"].choice) == (0, 1)
    # The join is on every path again: no branch, the whole column.
    assert (cells["j"].column, cells["j"].branch, cells["j"].fills) == (2, None, True)
    assert cells["f"].fills and not cells["x"].fills
    # One emotion line per branch, the second leaving the fork and meeting the join.
    canvas = build_canvas(journey)
    lines = re.findall(r'<polyline class="([^"]*)" points="([^"]*)"', canvas.curve)
    assert len(lines) == 2
    main, branch = (points.split() for _, points in lines)
    assert main[0] == branch[0] and main[-1] == branch[-1]  # fork and join shared
    assert "cjm-map-line-branch" in lines[1][0] and "branch" not in lines[0][0]
    # The two points of column 1 stand side by side, where the curve's vertices are.
    assert main[1].split(",")[0] == "125" and branch[1].split(",")[0] == "175"
    offsets = {cell.step.id: canvas.offset(cell) for cell in canvas.cells}
    assert offsets == {"f": "", "x": "; --dx: -0.25; --n: 2", "y": "; --dx: 0.25; --n: 2", "j": ""}


def test_unequal_branches_across_a_stage_boundary() -> None:
    # x's branch is one step, y's three, two of them in the next stage.
    journey = _flow(
        "f -> x y", "x -> j", "y -> y2", "y2 -> y3", "y3 -> j", "j", stages="a:f x y b:y2 y3 j"
    )
    layout = layout_branches(journey.stages, journey.steps)
    cells = {p.step.id: p for p in layout.placements}
    assert layout.stage_widths == (2, 3)  # stage b: y2, y3, then the join
    assert [cells[s].column for s in ("f", "x", "y", "y2", "y3", "j")] == [0, 1, 1, 2, 3, 4]
    # The longer branch keeps the main track; the short one waits for the join on its own.
    assert cells["y"].track == cells["y2"].track == cells["y3"].track == 0
    assert cells["x"].track == 1
    assert all(cells[s].branch == "f" for s in ("x", "y", "y2", "y3"))
    assert cells["j"].branch is None
    # The short branch's line passes the columns of y2 and y3 on its track.
    canvas = build_canvas(journey)
    assert [(g.column.position, g.track, g.passing) for g in canvas.gaps] == [
        (2, 1, True),
        (3, 1, True),
    ]
    # Either / or follows the tracks, top first; on a phone the alternatives follow
    # their fork, and stage b goes on with y's branch, then the join.
    assert (cells["y"].choice, cells["x"].choice) == (0, 1)
    order = sorted(canvas.cells, key=lambda c: canvas.row("steps", c.order))
    assert [c.step.id for c in order] == ["f", "y", "x", "y2", "y3", "j"]


def test_a_loop_is_a_return_mark_not_a_column() -> None:
    journey = _flow("a -> b", "b -> c", "c -> b d", "d")
    cells = _cells(journey)
    assert [s.id for s in cells["c"].returns_to] == ["b"]
    assert not cells["c"].fork  # one way on: d
    assert [cells[s].column for s in "abcd"] == [0, 1, 2, 3]
    assert layout_branches(journey.stages, journey.steps).tracks == 1
    # A next to a step of an earlier stage is a return too, even without a cycle.
    back = _flow("a -> b", "b -> c", "c -> a2", "a2", stages="a:a a2 b:b c:c")
    assert [s.id for s in _cells(back)["c"].returns_to] == ["a2"]


def test_an_alternative_that_loops_back_leaves_the_other_on_the_main_line() -> None:
    # Negotiate returns to the quotation; everyone signs in the end.
    journey = _flow("quote -> negotiate sign", "negotiate -> quote", "sign -> pay", "pay")
    cells = _cells(journey)
    assert cells["quote"].fork
    assert cells["negotiate"].branch == "quote" and cells["sign"].branch == "quote"
    assert cells["pay"].branch is None and cells["pay"].fills
    assert [s.id for s in cells["negotiate"].returns_to] == ["quote"]


def test_nested_fork_names_the_nearest_fork() -> None:
    journey = _flow(
        "f -> x y",
        "x -> j",
        "y -> p q",
        "p -> k",
        "q -> k",
        "k -> j",
        "j",
    )
    layout = layout_branches(journey.stages, journey.steps)
    cells = {p.step.id: p for p in layout.placements}
    assert cells["f"].fork and cells["y"].fork
    assert cells["y"].branch == "f" and cells["x"].branch == "f"
    assert cells["p"].branch == cells["q"].branch == "y"
    assert (cells["p"].depth, cells["k"].depth) == (2, 1)
    assert cells["k"].branch == "f"  # past the inner join, still on f's branch
    assert cells["p"].column == cells["q"].column
    assert len({cells["x"].track, cells["p"].track, cells["q"].track}) == 3
    assert layout.tracks == 3


def test_branches_that_never_rejoin_end_separately() -> None:
    journey = _flow("f -> x y", "x -> x2", "x2", "y", "z")
    cells = _cells(journey)
    assert cells["x2"].branch == "f" and cells["y"].branch == "f"
    assert not cells["x2"].fills  # an alternative never spans the other's track
    assert cells["y"].ends_early and not cells["x2"].ends_early


def test_a_target_another_target_reaches_is_a_skip_not_an_alternative() -> None:
    journey = _flow("a -> b c", "b -> c", "c")
    cells = _cells(journey)
    assert not cells["a"].fork and [s.id for s in cells["a"].skips_to] == ["c"]
    assert [cells[s].column for s in "abc"] == [0, 1, 2]
    assert all(cell.branch is None for cell in cells.values())


# A bank account opened on the web: the identity check by video call or at a branch
# (the branch takes two steps), a failed video call goes back to the form, and the
# app is optional before the first deposit.
BRANCHING_VI = """\
title: Mở tài khoản ngân hàng
persona: lan
stages:
  - id: dang-ky
    name: Đăng ký
  - id: xac-minh
    name: Xác minh danh tính
  - id: su-dung
    name: Bắt đầu dùng
steps:
  - id: dien-don
    stage: dang-ky
    channel: web
    action: Điền đơn mở tài khoản trên web
    emotion: 4
    next: [goi-video, den-chi-nhanh]
  - id: goi-video
    stage: xac-minh
    channel: web
    action: Gọi video với nhân viên để xác minh
    emotion: 2
    thought: Mạng yếu quá, có bị rớt cuộc gọi không?
    next: [kich-hoat, dien-don]
  - id: den-chi-nhanh
    stage: xac-minh
    channel: store
    action: Đến chi nhánh xuất trình căn cước
    emotion: 3
  - id: ky-giay
    stage: xac-minh
    channel: store
    action: Ký giấy tờ tại quầy
    emotion: 3
    next: [kich-hoat]
  - id: kich-hoat
    stage: su-dung
    channel: web
    action: Nhận email kích hoạt tài khoản
    emotion: 5
    next: [tai-app, nap-tien]
  - id: tai-app
    stage: su-dung
    channel: web
    action: Tải ứng dụng ngân hàng
    emotion: 4
    next: [nap-tien]
  - id: nap-tien
    stage: su-dung
    channel: store
    action: Nạp tiền lần đầu
    emotion: 4
"""


def test_built_map_draws_alternatives_in_parallel(tmp_path: Path) -> None:
    config = "site_name: T\ntheme:\n  name: material\n  language: vi\nplugins:\n  - cjm\n"
    project = write_project(tmp_path, small_maps({"mo-tai-khoan": BRANCHING_VI}), config)
    result = run_build(project)
    assert result.returncode == 0, result.output
    page = result.page("playbook/journeys/mo-tai-khoan/")
    canvas = _canvas(page, "mo-tai-khoan")
    cells = {
        node.attributes["data-step"]: node for node in canvas.css('[data-lane="steps"] [data-step]')
    }
    assert "data-fork" in cells["dien-don"].attributes
    assert [step for step, node in cells.items() if "data-fork" in node.attributes] == ["dien-don"]
    branch = {step: node.attributes.get("data-branch") for step, node in cells.items()}
    assert branch == {
        "dien-don": None,
        "goi-video": "dien-don",
        "den-chi-nhanh": "dien-don",
        "ky-giay": "dien-don",
        "kich-hoat": None,  # both ways meet again here
        "tai-app": None,  # optional, not an alternative
        "nap-tien": None,
    }
    # The two ways to prove who you are share a column, on two tracks.
    assert _style(cells["goi-video"], "c") == _style(cells["den-chi-nhanh"], "c")
    assert _style(cells["goi-video"], "lane") != _style(cells["den-chi-nhanh"], "lane")
    assert _style(cells["ky-giay"], "c") == _style(cells["den-chi-nhanh"], "c") + 1
    # Marks in the site's language: either / or, the loop back, the optional step.
    # The longer way (the branch, two steps) keeps the top track, so it is named first.
    assert "Sau đó, hoặc 3 hoặc 2" in text_of(cells["dien-don"])
    assert _style(cells["den-chi-nhanh"], "lane") < _style(cells["goi-video"], "lane")
    tags = [
        text_of(node.css_first(".cjm-map-choice"))
        for node in cells.values()
        if node.css_first(".cjm-map-choice")
    ]
    assert tags == ["Hoặc", "Hoặc"]
    assert "↩ quay lại bước 1" in text_of(cells["goi-video"])
    assert "↷ có thể bỏ qua, sang bước 7" in text_of(cells["kich-hoat"])
    assert "tai-app" not in [n.attributes.get("data-branch") for n in cells.values()]
    # Each step still appears once in each lane; the emotion lane has a line per branch.
    for lane in ("steps", "emotion", "thoughts"):
        ids = [n.attributes["data-step"] for n in canvas.css(f'[data-lane="{lane}"] [data-step]')]
        assert sorted(ids) == sorted(cells), lane
    curve = canvas.css_first("svg.cjm-map-curve")
    assert curve is not None
    assert len(curve.css("polyline.cjm-map-line")) == 2
    assert len(curve.css("polyline.cjm-map-line-branch")) == 1
