"""incremental.py: which pages a map edit touches (the fast rebuild under `mkdocs serve`).

The central check: for real playbooks and many kinds of edits, every generated
page whose text changes is among the pages `plan` picks, so a fast rebuild can
never leave a page stale. Pages are compared after generating the whole site twice.
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import FIXTURES, ROOT

from mkdocs_cjm.core.freshness import ReviewPolicy
from mkdocs_cjm.core.loader import ReadCache, load_playbook
from mkdocs_cjm.core.model import Playbook
from mkdocs_cjm.core.pages import PageRef
from mkdocs_cjm.render.diagrams import Backend, DiagramRenderer
from mkdocs_cjm.site.generate import (
    GeneratedAsset,
    GeneratedPage,
    LazyPage,
    SiteGenerator,
    SiteOptions,
)
from mkdocs_cjm.site.i18n import labels_for
from mkdocs_cjm.site.incremental import (
    FullRebuild,
    Generation,
    changed_journeys,
    front_matter,
    plan,
    rebuilt,
)

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


def change_channel(data: dict[str, Any]) -> None:
    """Step 0 moves to another channel the journey uses (or to the first step's
    channel from the last step's), keeping the journey's set of channels."""
    used = sorted({step["channel"] for step in data["steps"]})
    current = first_step(data)["channel"]
    others = [channel for channel in used if channel != current]
    if others:
        set_step(data, 0, channel=others[0])
    else:
        set_step(data, 0, touchpoint=f"{first_step(data).get('touchpoint', '')} (moved)")


def change_kpi(data: dict[str, Any]) -> None:
    """The first KPI's actual value changes (or a KPI is added to the first stage)."""
    for index, stage in enumerate(data["stages"]):
        if stage.get("kpis"):
            kpi = dict(stage["kpis"][0])
            kpi["actual"] = "1%" if str(kpi.get("actual")) != "1%" else "99%"
            data["stages"][index] = {**stage, "kpis": [kpi, *stage["kpis"][1:]]}
            return
    data["stages"][0] = {
        **data["stages"][0],
        "kpis": [{"name": "Visits", "target": "10", "actual": "5"}],
    }


def toggle(key: str) -> Edit:
    return lambda data: set_step(data, 0, **{key: not first_step(data).get(key, False)})


def change_personas(data: dict[str, Any], available: list[str]) -> None:
    """The journey's personas: another one first (its navigation group, the reviews)."""
    current = data.pop("personas", None) or [data.pop("persona")]
    others = [p for p in available if p not in current]
    data["personas"] = [others[0], *current] if others else list(reversed(current))


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
    "channel": change_channel,
    "kpi": change_kpi,
    "milestone": toggle("milestone"),
    "touchpoint": lambda data: set_step(data, 1, touchpoint="A new touchpoint"),
    "thought": lambda data: set_step(data, 1, thought="Will it fit?", feeling="unsure"),
    "opportunity": lambda data: set_step(data, 1, opportunities=["Call back within the hour"]),
    "evidence": lambda data: set_step(
        data, 0, evidence="assumed" if first_step(data).get("evidence") != "assumed" else "observed"
    ),
    "reviewed": lambda data: data.__setitem__(
        "reviewed", "2020-01-01" if str(data.get("reviewed")) != "2020-01-01" else "2026-11-01"
    ),
    "personas": change_personas,  # given the playbook's persona ids by the test
    "evidence source": lambda data: set_step(
        data, 0, evidence="observed", source=f"Interview notes {first_step(data).get('id', '')}"
    ),
    "summary": lambda data: data.__setitem__("summary", "A shorter story."),
    "phase": lambda data: data["stages"].__setitem__(
        0,
        {
            **data["stages"][0],
            "phase": "after" if data["stages"][0].get("phase") != "after" else "before",
        },
    ),
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
    for edit in (
        EDITS
        if journey_id == journey_ids(maps)[0]
        else ["action", "emotion", "owner", "channel", "kpi", "pain point"]
    )
]


@pytest.mark.parametrize(
    ("name", "maps", "journey_id", "edit"),
    CASES,
    ids=[f"{case[0]}-{case[2]}-{case[3]}" for case in CASES],
)
def test_every_page_an_edit_changes_is_planned(
    tmp_path: Path,
    diagram_renderer: DiagramRenderer,
    name: str,
    maps: Path,
    journey_id: str,
    edit: str,
) -> None:
    copy = shutil.copytree(maps, tmp_path / "maps")
    renderer = diagram_renderer
    cache = ReadCache()
    old_playbook = load(copy, cache)
    old, _ = generation(old_playbook, renderer)
    change = EDITS[edit]
    if change is change_personas:
        personas = sorted(path.stem for path in (copy / "personas").iterdir())
        change = functools.partial(change_personas, available=personas)
    edit_journey(copy, journey_id, change)
    new_playbook = load(copy, cache)
    new, lazy = generation(new_playbook, renderer)

    changed = changed_journeys(old_playbook, new_playbook, {}, {})
    differ = {uri for uri, page in new.pages.items() if page != old.pages.get(uri)}
    if changed == set():
        # The edit changed nothing the pages show (a metrics file overrides `actual`).
        assert differ == set()
        return
    assert changed == {journey_id}
    candidates = plan(old, lazy, changed, new_playbook)
    if isinstance(candidates, FullRebuild):
        # Only when the site's pages are no longer the same (a team's first or last moment).
        assert list(new.pages) != list(old.pages), candidates
        return
    planned = {page.src_uri for page in candidates}
    assert differ, "the edit must change some page"
    assert differ <= planned, f"changed but not planned: {sorted(differ - planned)}"
    # ...and the plan is a fraction of the site, not all of it.
    assert len(planned) < len(new.pages)


def test_unchanged_maps_change_nothing_and_reuse_the_journeys(tmp_path: Path) -> None:
    copy = shutil.copytree(ROOT / "maps", tmp_path / "maps")
    cache = ReadCache()
    first, second = load(copy, cache), load(copy, cache)
    assert changed_journeys(first, second, {}, {}) == set()
    # Files unchanged are neither parsed nor built again: the very same journeys, but
    # for those a metrics file gives data to (merged again on every load).
    with_metrics = {
        line.split(",", 1)[0]
        for csv in (copy / "metrics").glob("*.csv")
        for line in csv.read_text(encoding="utf-8").splitlines()[1:]
    }
    same = [a.id for a, b in zip(first.journeys, second.journeys, strict=True) if a is b]
    assert same == [j.id for j in first.journeys if j.id not in with_metrics]
    assert same


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
        {uri: _lazy(uri, text) for uri, text in pages.items()},
        assets or {},
    )


def _lazy(uri: str, text: str, journeys: frozenset[str] | None = frozenset()) -> LazyPage:
    return LazyPage(uri, lambda: GeneratedPage(uri, text), journeys)


def test_plan_picks_pages_showing_a_changed_journey_before_or_after() -> None:
    old = _generation({"a.md": "", "b.md": "", "c.md": "", "d.md": ""})
    old.lazy["b.md"] = _lazy("b.md", "", frozenset({"j"}))  # showed j; no longer does
    lazy = [
        _lazy("a.md", "", frozenset({"j", "k"})),
        _lazy("b.md", ""),
        _lazy("c.md", "", frozenset({"k"})),
        _lazy("d.md", "", None),
    ]
    nothing = Playbook((), (), ())
    planned = plan(old, lazy, {"j"}, nothing)
    assert not isinstance(planned, FullRebuild)
    assert [page.src_uri for page in planned] == ["a.md", "b.md", "d.md"]
    assert len(plan(old, lazy, None, nothing)) == 4  # type: ignore[arg-type]
    assert plan(old, lazy[:3], {"j"}, nothing) == FullRebuild("generated pages removed d.md")


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


@pytest.fixture(scope="module")
def synthetic(
    tmp_path_factory: pytest.TempPathFactory, diagram_renderer: DiagramRenderer
) -> tuple[Path, Generation, Playbook]:
    """The benchmark's synthetic playbook at a size where the register and the KPI
    board are split into pages per team and per status."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from generate import generate  # type: ignore[import-not-found]

    project = generate(240, tmp_path_factory.mktemp("synthetic") / "project")
    maps = project / "maps"
    playbook = load(maps)
    old, _ = generation(playbook, diagram_renderer)
    assert any("/pain-points/" in uri and not uri.endswith("index.md") for uri in old.pages)
    assert any("/kpis/" in uri and not uri.endswith("index.md") for uri in old.pages)
    return maps, old, playbook


@pytest.mark.slow  # a 240-journey site generated once, then again after each edit
@pytest.mark.parametrize("edit", ["pain point", "kpi", "owner", "action", "emotion"])
def test_split_views_are_planned_at_scale(
    tmp_path: Path,
    diagram_renderer: DiagramRenderer,
    synthetic: tuple[Path, Generation, Playbook],
    edit: str,
) -> None:
    maps, old, old_playbook = synthetic
    copy = shutil.copytree(maps, tmp_path / "maps")
    edit_journey(copy, "journey-0007", EDITS[edit])
    new_playbook = load(copy)
    new, lazy = generation(new_playbook, diagram_renderer)
    changed = changed_journeys(old_playbook, new_playbook, {}, {})
    assert changed == {"journey-0007"}
    candidates = plan(old, lazy, changed, new_playbook)
    if isinstance(candidates, FullRebuild):
        assert list(new.pages) != list(old.pages), candidates
        return
    planned = {page.src_uri for page in candidates}
    differ = {uri for uri, page in new.pages.items() if page != old.pages[uri]}
    assert differ and differ <= planned, sorted(differ - planned)
    assert len(planned) < len(new.pages) / 4  # a few pages of hundreds


def test_every_cross_journey_page_declares_its_rows(tmp_path: Path) -> None:
    """Each page but a journey's or a persona's (which show whole journeys) says what
    each journey contributes to it: hashable rows, equal for the same maps loaded
    twice, and none of the hand-kept `shown` functions are left."""
    from mkdocs_cjm import sections
    from mkdocs_cjm.core.pages import PageKind

    copy = shutil.copytree(ROOT / "maps", tmp_path / "maps")
    first, second = load(copy), load(copy)
    renderer = DiagramRenderer(Backend.AUTO, tmp_path / "cache")
    pages = SiteGenerator(first, OPTIONS, renderer).lazy_pages()
    layout = OPTIONS.layout
    whole = {
        layout.src_uri(PageRef(kind, item.id))
        for kind, items in ((PageKind.JOURNEY, first.journeys), (PageKind.PERSONA, first.personas))
        for item in items
    }
    assert {page.src_uri for page in pages if page.rows is None} == whole
    for page in pages:
        if page.rows is None:
            continue
        for before, after in zip(first.journeys, second.journeys, strict=True):
            hash(page.rows(before))
            assert page.rows(before) == page.rows(after), page.src_uri
    for view in sections.VIEWS:
        assert view.rows is not None, view.name
    for module in vars(sections).values():
        names = set(vars(module)) if isinstance(module, type(sections)) else set()
        assert not {name for name in names if "shown" in name}, module
