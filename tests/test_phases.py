"""Phases are the playbook's own (`maps/playbook.yml`), before/during/after by default."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, BuildResult, copy_project, run_build, text_of
from test_incremental import OPTIONS, generation, load

from mkdocs_cjm.core.loader import LoadOptions, ReadCache, load_playbook
from mkdocs_cjm.core.model import DEFAULT_PHASES, Phase
from mkdocs_cjm.render.diagrams import Backend, DiagramRenderer
from mkdocs_cjm.sections.heatmap import build_heatmap
from mkdocs_cjm.site.generate import SiteGenerator
from mkdocs_cjm.site.incremental import FullRebuild, changed_journeys, plan

PHASES = FIXTURES / "phases"


def copy_maps(tmp_path: Path) -> Path:
    return shutil.copytree(PHASES / "maps", tmp_path / "maps")


def problems(maps: Path, options: LoadOptions | None = None) -> list[str]:
    result = load_playbook(maps, display_root=maps.parent, options=options)
    return [str(problem) for problem in result.problems]


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture(scope="module")
def phases_site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    project = copy_project(PHASES, tmp_path_factory.mktemp("phases") / "project")
    result = run_build(project)
    assert result.returncode == 0, result.output
    return result


def test_the_playbook_lists_its_phases_in_order() -> None:
    playbook = load(PHASES / "maps")
    assert playbook.phases == (
        Phase("discover", "Tìm hiểu", "Khách so sánh các ngân hàng."),
        Phase("open", "Mở tài khoản"),
        Phase("use", "Sử dụng"),
        Phase("grow", "Gắn bó"),
    )
    journey = playbook.journey_by_id["mo-tai-khoan"]
    assert [phase for phase, _ in journey.phase_bands] == ["discover", "open", "use"]
    # The heatmap's phases follow the playbook, not the alphabet; "" is the stage without one.
    assert build_heatmap(playbook).phases == ("discover", "open", "use", "grow", "")


def test_without_playbook_yml_the_default_phases_stay(tmp_path: Path) -> None:
    maps = copy_maps(tmp_path)
    (maps / "playbook.yml").unlink()
    replace_in(maps / "journeys/mo-tai-khoan.yml", "phase: discover", "phase: before")
    replace_in(maps / "journeys/mo-tai-khoan.yml", "phase: open", "phase: during")
    replace_in(maps / "journeys/mo-tai-khoan.yml", "phase: use", "phase: after")
    replace_in(maps / "journeys/gui-tiet-kiem.yml", "phase: grow", "phase: after")
    playbook = load(maps)
    assert playbook.phases == DEFAULT_PHASES
    generator = SiteGenerator(playbook, OPTIONS, DiagramRenderer(Backend.AUTO, tmp_path / "c"))
    assert generator.phase_name("during") == "During purchase"
    assert generator.phase_name(None) == "No phase"


def test_an_unknown_phase_is_an_error_with_the_nearest_id(tmp_path: Path) -> None:
    maps = copy_maps(tmp_path)
    replace_in(maps / "journeys/mo-tai-khoan.yml", "phase: open", "phase: opne")
    assert problems(maps) == [
        "maps/journeys/mo-tai-khoan.yml:10:12: error: stages[1].phase: unknown phase 'opne'; "
        "expected a phase id from playbook.yml (discover, grow, open, use) "
        "(did you mean 'open'?)"
    ]


def test_without_playbook_yml_an_unknown_phase_names_the_defaults(tmp_path: Path) -> None:
    maps = copy_maps(tmp_path)
    (maps / "playbook.yml").unlink()
    [first, *_] = problems(maps)
    assert first == (
        "maps/journeys/gui-tiet-kiem.yml:7:12: error: stages[0].phase: unknown phase 'grow'; "
        "expected a phase id (maps/playbook.yml can list the playbook's own phases) "
        "(after, before, during) (use before, during or after, or list your phases in "
        "maps/playbook.yml)"
    )


def test_a_duplicate_phase_id_is_an_error(tmp_path: Path) -> None:
    maps = copy_maps(tmp_path)
    replace_in(maps / "playbook.yml", "id: grow", "id: use")
    found = problems(maps)
    assert (
        "maps/playbook.yml:10:9: error: phases[3].id: duplicate phase id 'use' (also phases[2]) "
        "(give each phase a unique id)"
    ) in found
    # The stage naming the phase that is gone is reported, not a traceback.
    assert any("unknown phase 'grow'" in problem for problem in found)


def test_playbook_yml_keys_are_checked_like_every_map(tmp_path: Path) -> None:
    maps = copy_maps(tmp_path)
    replace_in(maps / "playbook.yml", "  - id: use\n", "  - id: use\n    lable: x\n")
    [warning] = problems(maps)
    assert warning.startswith("maps/playbook.yml:9:5: warning: phases[2].lable: unknown key")
    assert "did you mean 'label'?" in warning
    [error] = problems(maps, LoadOptions(strict=True))
    assert ": error: phases[2].lable: unknown key" in error


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("phases: before\n", "phases: expected a list of phases, found the text 'before'"),
        ("phases:\n  - id: a\n", "phases[0].label: missing required key 'label' in a phase"),
        ("phases:\n  - id: Mở\n    label: Mở\n", "phases[0].id: 'Mở' is not a valid id"),
        ("- before\n", "expected a mapping (key: value) describing a playbook, found a list"),
    ],
)
def test_a_broken_playbook_yml_is_a_clear_error(tmp_path: Path, text: str, expected: str) -> None:
    maps = copy_maps(tmp_path)
    (maps / "playbook.yml").write_text(text, encoding="utf-8")
    found = problems(maps)
    assert any(p.startswith("maps/playbook.yml:") and expected in p for p in found), found
    # A playbook.yml that cannot be read does not add an error at every stage.
    assert not any("unknown phase" in problem for problem in found), found


def test_playbook_yml_and_playbook_yaml_are_one_too_many(tmp_path: Path) -> None:
    maps = copy_maps(tmp_path)
    shutil.copy(maps / "playbook.yml", maps / "playbook.yaml")
    assert any("both playbook.yaml and playbook.yml exist" in problem for problem in problems(maps))


def test_an_edit_of_playbook_yml_renders_every_page_it_changes(tmp_path: Path) -> None:
    maps = copy_maps(tmp_path)
    renderer = DiagramRenderer(Backend.AUTO, tmp_path / "cache")
    cache = ReadCache()
    old_playbook = load(maps, cache)
    old, _ = generation(old_playbook, renderer)
    replace_in(maps / "playbook.yml", "label: Mở tài khoản", "label: Mở tài khoản mới")
    new_playbook = load(maps, cache)
    new, lazy = generation(new_playbook, renderer)
    changed = changed_journeys(old_playbook, new_playbook, {}, {})
    assert changed is None  # like a channel's edit: any page may show a phase
    differ = {uri for uri, page in new.pages.items() if page != old.pages.get(uri)}
    assert "playbook/journeys/mo-tai-khoan.md" in differ
    planned = plan(old, lazy, changed, new_playbook)
    assert not isinstance(planned, FullRebuild), planned
    assert differ <= {page.src_uri for page in planned}
    # A cached journey is not reused once the phase it names is gone.
    replace_in(maps / "playbook.yml", "id: grow", "id: keep")
    result = load_playbook(maps, display_root=maps.parent, cache=cache)
    assert any("unknown phase 'grow'" in str(problem) for problem in result.errors)


def test_pages_name_the_playbook_phases(phases_site: BuildResult) -> None:
    page = phases_site.page("playbook/journeys/mo-tai-khoan/")
    stage = page.css_first('.cjm-map-stage[data-stage="dang-ky"]')
    assert stage is not None and stage.attributes["data-phase"] == "open"
    assert "Mở tài khoản" in text_of(stage)
    channels = phases_site.page("playbook/channels/")
    rows = channels.css("[data-cjm-heatmap-phases] tbody th")
    assert [text_of(row) for row in rows] == [
        "Tìm hiểu",
        "Mở tài khoản",
        "Sử dụng",
        "Gắn bó",
        "Chưa xếp giai đoạn",
    ]


@pytest.mark.parametrize("reserved", ["none", "start"])
def test_a_phase_id_the_pages_use_is_refused(tmp_path: Path, reserved: str) -> None:
    maps = copy_maps(tmp_path)
    replace_in(maps / "playbook.yml", "id: grow", f"id: {reserved}")
    replace_in(maps / "journeys/gui-tiet-kiem.yml", "phase: grow", f"phase: {reserved}")
    found = problems(maps)
    assert found[-1].startswith(
        f"maps/playbook.yml:10:9: error: phases[3].id: the phase id '{reserved}' is reserved"
    )
    assert found[-1].endswith(f"(choose another id, e.g. '{reserved}-phase')")
