"""Graphviz under a size guard and a time limit (issue 9).

The reproduction: a legal 118 KB journey (800 steps, 40 stages, 5 `next` each)
rendered for 167 s with no output and no limit, and `mkdocs serve` was blocked
that long. Past either limit the page now shows a notice in place of the
diagram and the build warns; both backends stop at the time limit.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import BuildResult, small_journey, small_maps, text_of
from test_config_parity import with_options

from mkdocs_cjm.core.loader import load_playbook
from mkdocs_cjm.render import diagrams
from mkdocs_cjm.render.diagrams import Backend, DiagramRenderer, DiagramTimeout
from mkdocs_cjm.render.flow import flow_dot
from mkdocs_cjm.site.i18n import labels_for

pytestmark = pytest.mark.xdist_group("graphviz-limits")

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="no Graphviz `dot` on PATH")


def crossing_journey(steps: int, stages: int = 40, nexts: int = 5) -> str:
    """A legal journey whose `next` arrows cross everywhere: Graphviz's worst case."""
    lines = ["title: Big", "persona: lan", "stages:"]
    for stage in range(stages):
        lines += [f"  - id: s{stage}", f"    name: Stage {stage}"]
    lines.append("steps:")
    chosen = random.Random(1)
    for index in range(steps):
        targets = sorted({chosen.randrange(steps) for _ in range(nexts * 3)})[:nexts]
        lines += [
            f"  - id: p{index}",
            f"    stage: s{index * stages // steps}",
            "    channel: web",
            f"    action: Does thing number {index} of the journey",
            "    emotion: 3",
            "    next: [" + ", ".join(f"p{target}" for target in targets) + "]",
        ]
    return "\n".join(lines) + "\n"


def test_the_reproduction_is_what_the_issue_describes() -> None:
    text = crossing_journey(800)
    assert 110_000 < len(text.encode()) < 125_000
    assert text.count("next: [p") == 800 and text.count("- id: s") == 40


@pytest.mark.slow  # Graphviz on a 40-step, 800-branch journey
def test_an_oversized_journey_gets_a_notice_and_a_warning(
    build: Callable[..., BuildResult],
) -> None:
    files = small_maps({"big": crossing_journey(800), "alpha": small_journey("Alpha")})
    result = build(files, strict=False)
    assert (
        "WARNING -  mkdocs_cjm: maps/journeys/big.yml: the flow diagram of journey 'big' is not drawn: "
        "800 steps and 4000 arrows make 4800, more than graphviz_max_size (1000)"
    ) in result.output
    page = result.page("playbook/journeys/big/")
    notice = page.css_first("article p.cjm-flow-notice")
    assert notice is not None and notice.attributes["role"] == "note"
    assert "800 steps and 4000 arrows" in text_of(notice)
    assert page.css_first("article figure.cjm-flow") is None
    assert not (result.site / "assets/cjm/flows/big.svg").exists()
    # The rest of the page, and the other journeys, are whole.
    assert len(page.css("article tr.cjm-step-row")) == 800
    assert result.page("playbook/journeys/alpha/").css_first("figure.cjm-flow svg") is not None
    strict = build(files, expect_ok=False)
    assert strict.returncode != 0


def test_the_notice_speaks_the_sites_language(build: Callable[..., BuildResult]) -> None:
    config = with_options("graphviz_max_size: 2\n").replace(
        "  name: material\n", "  name: material\n  language: vi\n"
    )
    result = build(small_maps({"alpha": small_journey("Alpha")}), config, strict=False)
    notice = result.page("playbook/journeys/alpha/").css_first("p.cjm-flow-notice")
    assert notice is not None
    assert text_of(notice).startswith("Sơ đồ luồng của hành trình này không được vẽ: 2 bước")


@pytest.mark.slow  # Graphviz on a 40-step, 800-branch journey
def test_validate_warns_about_the_same_journey(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from conftest import write_project

    from mkdocs_cjm.glue.cli import main

    project = write_project(tmp_path / "p", small_maps({"big": crossing_journey(800)}))
    monkeypatch.chdir(project)
    assert main(["validate"]) == 0
    captured = capsys.readouterr()
    assert "the flow diagram of journey 'big' is not drawn" in captured.err
    assert captured.out == "ok: 1 journeys, 1 personas, 2 channels\n"


def slow_source(tmp_path: Path) -> str:
    """DOT of a journey that takes Graphviz tens of seconds (about 40 s with `dot`)."""
    files = small_maps({"slow": crossing_journey(200)})
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    playbook = load_playbook(tmp_path / "maps").raise_for_errors()
    return flow_dot(playbook.journeys[0], playbook, labels_for("en"))


SMALL = "digraph { a -> b }"


@pytest.mark.parametrize(
    "backend", [pytest.param(Backend.DOT, marks=needs_dot), Backend.WASM], ids=["dot", "wasm"]
)
def test_a_render_past_the_time_limit_is_stopped(
    tmp_path: Path, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(diagrams, "PROGRESS_EVERY", 0.2)
    told: list[str] = []
    renderer = DiagramRenderer(
        backend, tmp_path / "cache", timeout=1.5, workers=1, progress=told.append
    )
    results = renderer.render_each([slow_source(tmp_path), SMALL])
    assert isinstance(results[0], DiagramTimeout)
    assert str(results[0]) == "Graphviz did not finish within 1.5 s"
    assert isinstance(results[1], str) and "<svg" in results[1]
    assert told and told[0].startswith("Graphviz is still drawing flow diagrams: ")
    assert "(limit 1.5 s per diagram)" in told[0]
    # The renderer still works after an interrupted render, and the timeout is
    # remembered (not tried again at the same limit) rather than cached on disk.
    assert "<svg" in renderer.render("digraph { x -> y }")
    assert renderer.render_each([slow_source(tmp_path)])[0] is results[0]
    with pytest.raises(DiagramTimeout):
        renderer.render_all([slow_source(tmp_path)])


def test_a_timed_out_diagram_gets_a_notice_in_the_build(
    build: Callable[..., BuildResult],
) -> None:
    config = with_options("graphviz_max_size: 100000\ngraphviz_timeout: 1\n")
    files = small_maps({"slow": crossing_journey(200), "alpha": small_journey("Alpha")})
    result = build(files, config, strict=False)
    assert (
        "maps/journeys/slow.yml: the flow diagram of journey 'slow' is not drawn: Graphviz did "
        "not finish within 1 s (plugin option graphviz_timeout)"
    ) in result.output
    notice = result.page("playbook/journeys/slow/").css_first("p.cjm-flow-notice")
    assert notice is not None and "within 1 seconds" in text_of(notice)
    assert result.page("playbook/journeys/alpha/").css_first("figure.cjm-flow svg") is not None
