"""incremental.py: which pages a map edit touches (the fast rebuild under `mkdocs serve`).

The central check: for real playbooks and many kinds of edits, every generated
page whose text changes is among the pages `plan` picks, so a fast rebuild can
never leave a page stale. Pages are compared after generating the whole site twice.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FIXTURES, ROOT

from mkdocs_cjm.diagrams import Backend, DiagramRenderer
from mkdocs_cjm.freshness import ReviewPolicy
from mkdocs_cjm.generate import GeneratedAsset, GeneratedPage, LazyPage, SiteGenerator, SiteOptions
from mkdocs_cjm.i18n import labels_for
from mkdocs_cjm.incremental import (
    FullRebuild,
    Generation,
    changed_journeys,
    front_matter,
    plan,
    rebuilt,
)
from mkdocs_cjm.loader import ReadCache, load_playbook
from mkdocs_cjm.model import Playbook

OPTIONS = SiteOptions(
    labels=labels_for("en"),
    ready_html=True,
    tags=True,
    heading_ids=True,
    review_policy=ReviewPolicy(__import__("datetime").date(2026, 12, 1)),
)
Edit = Callable[[dict[str, Any]], None]


def load(maps: Path, cache: ReadCache | None = None) -> Playbook:
    return load_playbook(maps, display_root=maps.parent, cache=cache).raise_for_errors()


def generation(playbook: Playbook, renderer: DiagramRenderer) -> tuple[Generation, list[LazyPage]]:
    generator = SiteGenerator(playbook, OPTIONS, renderer)
    pages, assets = generator.generate()
    return Generation.of(playbook, {}, generator.lazy, pages, assets), generator.lazy


def edit_journey(maps: Path, journey_id: str, change: Edit) -> None:
    (path,) = [p for p in (maps / "journeys").iterdir() if p.stem == journey_id]
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")


def first_step(data: dict[str, Any]) -> dict[str, Any]:
    return dict(data["steps"][0])


def set_step(data: dict[str, Any], index: int, **values: Any) -> None:
    data["steps"][index] = {**data["steps"][index], **values}


def other_owner(data: dict[str, Any]) -> str:
    owners = {step.get("owner") for step in data["steps"]} - {None}
    return "Đội mới nhận" if not owners else f"{sorted(owners)[0]} (B)"


def change_next(data: dict[str, Any]) -> None:
    """Step 0 leads to the last step (given an id if it has none), or no longer does."""
    last = data["steps"][-1]
    if not last.get("id"):
        set_step(data, len(data["steps"]) - 1, id="the-last-step")
    target = data["steps"][-1]["id"]
    if first_step(data).get("next") == [target]:
        data["steps"][0] = {k: v for k, v in first_step(data).items() if k != "next"}
    else:
        set_step(data, 0, next=[target])


EDITS: dict[str, Edit] = {
    "action": lambda data: set_step(data, 0, action=f"{first_step(data)['action']} again"),
    "emotion": lambda data: set_step(
        data,
        len(data["steps"]) // 2,
        emotion=1 if data["steps"][len(data["steps"]) // 2].get("emotion") != 1 else 5,
    ),
    "owner": lambda data: (
        set_step(
            data,
            0,
            owner=sorted({s.get("owner") for s in data["steps"] if s.get("owner")} or {"x"})[0],
        )
        if first_step(data).get("owner") is None
        else set_step(data, 0, owner=None)
    ),
    "pain point": lambda data: set_step(
        data, 0, pain_points=[*(first_step(data).get("pain_points") or []), "The queue is long"]
    ),
    "next": lambda data: change_next(data),
    "stage name": lambda data: data["stages"].__setitem__(
        0, {**data["stages"][0], "name": f"{data['stages'][0]['name']} (new)"}
    ),
}


def playbooks() -> list[tuple[str, Path]]:
    return [("example", ROOT / "maps"), ("blind20", FIXTURES / "blind20" / "maps")]


def journey_ids(maps: Path) -> list[str]:
    return sorted(path.stem for path in (maps / "journeys").iterdir())


CASES = [
    (name, maps, journey_id, edit)
    for name, maps in playbooks()
    for journey_id in journey_ids(maps)
    for edit in (EDITS if journey_id == journey_ids(maps)[0] else ["action", "emotion", "owner"])
]


@pytest.mark.parametrize(
    ("name", "maps", "journey_id", "edit"),
    CASES,
    ids=[f"{case[0]}-{case[2]}-{case[3]}" for case in CASES],
)
def test_every_page_an_edit_changes_is_planned(
    tmp_path: Path, name: str, maps: Path, journey_id: str, edit: str
) -> None:
    copy = shutil.copytree(maps, tmp_path / "maps")
    renderer = DiagramRenderer(Backend.AUTO, tmp_path / "cache")
    cache = ReadCache()
    old_playbook = load(copy, cache)
    old, _ = generation(old_playbook, renderer)
    edit_journey(copy, journey_id, EDITS[edit])
    new_playbook = load(copy, cache)
    new, lazy = generation(new_playbook, renderer)

    changed = changed_journeys(old_playbook, new_playbook, {}, {})
    assert changed == {journey_id}
    candidates = plan(old, lazy, changed)
    if isinstance(candidates, FullRebuild):
        # Only when the site's pages are no longer the same (a team's first or last moment).
        assert list(new.pages) != list(old.pages), candidates
        return
    planned = {page.src_uri for page in candidates}
    differ = {uri for uri, page in new.pages.items() if page != old.pages[uri]}
    assert differ, "the edit must change some page"
    assert differ <= planned, f"changed but not planned: {sorted(differ - planned)}"
    # ...and the plan is a fraction of the site, not all of it.
    assert len(planned) < len(new.pages)


def test_unchanged_maps_change_nothing_and_reuse_the_journeys(tmp_path: Path) -> None:
    copy = shutil.copytree(ROOT / "maps", tmp_path / "maps")
    cache = ReadCache()
    first, second = load(copy, cache), load(copy, cache)
    assert changed_journeys(first, second, {}, {}) == set()


def test_a_persona_edit_may_show_anywhere(tmp_path: Path) -> None:
    copy = shutil.copytree(ROOT / "maps", tmp_path / "maps")
    cache = ReadCache()
    before = load(copy, cache)
    persona = copy / "personas" / "lan.yml"
    data = yaml.safe_load(persona.read_text(encoding="utf-8"))
    persona.write_text(yaml.safe_dump({**data, "tagline": "Busy"}, allow_unicode=True), "utf-8")
    assert changed_journeys(before, load(copy, cache), {}, {}) is None


def test_a_metrics_row_changes_its_journey(tmp_path: Path) -> None:
    copy = shutil.copytree(ROOT / "maps", tmp_path / "maps")
    cache = ReadCache()
    before = load(copy, cache)
    (csv,) = (copy / "metrics").glob("*.csv")
    lines = csv.read_text(encoding="utf-8").splitlines()
    header, last = lines[0].split(","), lines[-1].split(",")
    row = dict(zip(header, last, strict=True))
    after_text = (
        csv.read_text(encoding="utf-8")
        + ",".join({**row, "date": "2026-11-30"}.get(column, "") for column in header)
        + "\n"
    )
    csv.write_text(after_text, encoding="utf-8")
    after = load(copy, cache)
    changed = changed_journeys(before, after, {}, {})
    assert changed == {row["journey"]}


def test_added_or_removed_journeys_need_a_full_rebuild(tmp_path: Path) -> None:
    copy = shutil.copytree(ROOT / "maps", tmp_path / "maps")
    before = load(copy)
    (path,) = [p for p in (copy / "journeys").iterdir() if p.stem == "corporate-eye-care"]
    path.rename(path.with_name("corporate-care.yml"))
    outcome = changed_journeys(before, load(copy), {}, {})
    assert outcome == FullRebuild("journeys added corporate-care; removed corporate-eye-care")


def _generation(pages: dict[str, str], assets: dict[str, str] | None = None) -> Generation:
    return Generation(
        Playbook((), (), ()),
        {},
        {uri: GeneratedPage(uri, text) for uri, text in pages.items()},
        {uri: frozenset() for uri in pages},
        assets or {},
    )


def _lazy(uri: str, text: str, journeys: frozenset[str] | None = frozenset()) -> LazyPage:
    return LazyPage(uri, lambda: GeneratedPage(uri, text), journeys)


def test_plan_picks_pages_showing_a_changed_journey_before_or_after() -> None:
    old = _generation({"a.md": "", "b.md": "", "c.md": "", "d.md": ""})
    old.journeys_shown["b.md"] = frozenset({"j"})  # showed j; no longer does
    lazy = [
        _lazy("a.md", "", frozenset({"j", "k"})),
        _lazy("b.md", ""),
        _lazy("c.md", "", frozenset({"k"})),
        _lazy("d.md", "", None),
    ]
    planned = plan(old, lazy, {"j"})
    assert not isinstance(planned, FullRebuild)
    assert [page.src_uri for page in planned] == ["a.md", "b.md", "d.md"]
    assert len(plan(old, lazy, None)) == 4  # type: ignore[arg-type]
    assert plan(old, lazy[:3], {"j"}) == FullRebuild("generated pages removed d.md")


def test_rebuilt_keeps_changed_pages_and_refuses_new_titles_and_files() -> None:
    old = _generation(
        {"a.md": "---\ntitle: A\n---\nold\n", "b.md": "---\ntitle: B\n---\nsame\n"},
        {"flows/a.svg": "<svg/>"},
    )

    def run(pages: list[LazyPage], assets: list[GeneratedAsset]) -> object:
        return rebuilt(old, pages, lambda page: page.build(), lambda: assets)

    result = run(
        [_lazy("a.md", "---\ntitle: A\n---\nnew\n"), _lazy("b.md", "---\ntitle: B\n---\nsame\n")],
        [GeneratedAsset("flows/a.svg", "<svg>2</svg>")],
    )
    assert not isinstance(result, FullRebuild)
    assert [page.src_uri for page in result.pages] == ["a.md"]  # type: ignore[attr-defined]
    assert [asset.path for asset in result.assets] == ["flows/a.svg"]  # type: ignore[attr-defined]
    assert run([_lazy("a.md", "---\ntitle: A2\n---\nold\n")], []) == FullRebuild(
        "the title or front matter of a.md changed"
    )
    assert run([], [GeneratedAsset("flows/b.svg", "")]) == FullRebuild(
        "a new generated file: flows/b.svg"
    )
    gone = LazyPage(
        "a.md", lambda: GeneratedPage("a.md", "---\ntitle: A\n---\nold\n"), asset="flows/a.svg"
    )
    assert run([gone], []) == FullRebuild("flows/a.svg is no longer drawn")


def test_front_matter() -> None:
    assert front_matter("---\ntitle: A\ntags: [x]\n---\n# A\n") == "---\ntitle: A\ntags: [x]\n---\n"
    assert front_matter("# A\n") == ""
