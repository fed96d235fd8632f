"""Which generated pages a change to the maps touches: `mkdocs serve`'s fast rebuild.

Pure: given what the last build generated (`Generation`) and the maps as they are
now, `changed_journeys` says which journeys changed and `plan` which pages must
be generated again; `rebuilt` then keeps the pages whose text really changed.
Each step can instead say why only a full rebuild is safe (`FullRebuild`): the
section's set of pages, a page's title, or anything but journeys changed shape.
`fast_serve.py` is the MkDocs side.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from mkdocs_cjm.core.freshness import FileChange
from mkdocs_cjm.core.model import Journey, Playbook
from mkdocs_cjm.site.output import GeneratedAsset, GeneratedPage, LazyPage


@dataclass(frozen=True)
class FullRebuild:
    """Why the fast path cannot prove its result equal to a full build's."""

    reason: str


@dataclass
class Generation:
    """What one build generated from the maps, kept for the next rebuild."""

    playbook: Playbook
    history: Mapping[str, FileChange]
    pages: dict[str, GeneratedPage]  # by src_uri, in the section's order
    lazy: dict[str, LazyPage]  # which journeys each page shows, and its rows, by src_uri
    assets: dict[str, str]  # path: content

    @classmethod
    def of(
        cls,
        playbook: Playbook,
        history: Mapping[str, FileChange],
        lazy: Iterable[LazyPage],
        pages: Iterable[GeneratedPage],
        assets: Iterable[GeneratedAsset],
    ) -> Generation:
        return cls(
            playbook,
            history,
            {page.src_uri: page for page in pages},
            {page.src_uri: page for page in lazy},
            {asset.path: asset.content for asset in assets},
        )


ALL_JOURNEYS = None  # a change that may show on any page (a persona's, a channel's)


def changed_journeys(
    old: Playbook,
    new: Playbook,
    old_history: Mapping[str, FileChange],
    new_history: Mapping[str, FileChange],
) -> set[str] | FullRebuild | None:
    """The ids of the journeys whose maps (or data, or last change) differ; `None`
    when personas, channels or the phases (playbook.yml) changed, which any page may show."""
    old_ids = [journey.id for journey in old.journeys]
    new_ids = [journey.id for journey in new.journeys]
    if old_ids != new_ids:
        return FullRebuild(_difference("journeys", old_ids, new_ids))
    if not (_same_items(old.personas, new.personas) and _same_items(old.channels, new.channels)):
        return ALL_JOURNEYS
    if old.phases != new.phases:
        return ALL_JOURNEYS
    return {
        journey.id
        for before, journey in zip(old.journeys, new.journeys, strict=True)
        if not _same_journey(before, journey)
        or old_history.get(before.source.path) != new_history.get(journey.source.path)
    }


def _same_items(old: tuple[object, ...], new: tuple[object, ...]) -> bool:
    # `source` is left out of equality (a map's place, not its content); it is the edit link.
    return old == new and [getattr(o, "source", None) for o in old] == [
        getattr(n, "source", None) for n in new
    ]


def _same_journey(old: Journey, new: Journey) -> bool:
    if old is new:
        return True
    if old != new or old.source != new.source:
        return False
    # A KPI's data series is left out of equality (see model.Kpi); the pages draw it.
    return all(
        before.series == after.series
        for old_stage, new_stage in zip(old.stages, new.stages, strict=True)
        for before, after in zip(old_stage.kpis, new_stage.kpis, strict=True)
    )


def _difference(what: str, old: Iterable[str], new: Iterable[str]) -> str:
    before, after = list(old), list(new)
    added = [item for item in after if item not in set(before)]
    removed = [item for item in before if item not in set(after)]
    parts = [
        f"added {_names(added)}" if added else "",
        f"removed {_names(removed)}" if removed else "",
    ]
    said = "; ".join(part for part in parts if part)
    return f"{what} {said}" if said else f"the order of the {what} changed"


def _names(items: list[str]) -> str:
    shown = ", ".join(items[:3])
    return shown + (f" and {len(items) - 3} more" if len(items) > 3 else "")


def plan(
    old: Generation, lazy: list[LazyPage], changed: set[str] | None, playbook: Playbook
) -> list[LazyPage] | FullRebuild:
    """The pages to generate again: those that showed, or now show, a changed journey
    whose rows on the page (`LazyPage.rows`: what the journey contributes to it, old
    and new) differ; a page without rows, for any change of a journey it shows."""
    new_uris = [page.src_uri for page in lazy]
    if new_uris != list(old.pages):
        return FullRebuild(_difference("generated pages", old.pages, new_uris))
    if changed is None:
        return list(lazy)
    before = old.playbook.journey_by_id
    after = playbook.journey_by_id

    def touched(page: LazyPage) -> bool:
        previous = old.lazy[page.src_uri]
        if page.journeys is None or previous.journeys is None:
            return True
        for journey_id in changed & (page.journeys | previous.journeys):
            if journey_id not in page.journeys or journey_id not in previous.journeys:
                return True  # the journey comes onto the page, or leaves it
            if page.rows is None or previous.rows is None:
                return True
            if previous.rows(before[journey_id]) != page.rows(after[journey_id]):
                return True
        return False

    return [page for page in lazy if touched(page)]


@dataclass
class Rebuilt:
    """The pages and assets whose content differs from the last build's."""

    pages: list[GeneratedPage] = field(default_factory=list)
    assets: list[GeneratedAsset] = field(default_factory=list)
    generated: int = 0  # pages generated again, changed or not


def rebuilt(
    old: Generation,
    candidates: list[LazyPage],
    build: Callable[[LazyPage], GeneratedPage],
    assets: Callable[[], list[GeneratedAsset]],
) -> Rebuilt | FullRebuild:
    """Generate `candidates` with `build`; keep what changed. `assets()` gives the
    assets their generation made."""
    result = Rebuilt(generated=len(candidates))
    for lazy in candidates:
        page = build(lazy)
        before = old.pages[page.src_uri]
        if (page.markdown, page.blocks, page.source) == (
            before.markdown,
            before.blocks,
            before.source,
        ):
            continue
        if page.source != before.source or front_matter(page.markdown) != front_matter(
            before.markdown
        ):
            # The title is in the navigation of every page; the rest of the front
            # matter may be read by the theme or other plugins on other pages.
            return FullRebuild(f"the title or front matter of {page.src_uri} changed")
        result.pages.append(page)
    made = assets()
    for asset in made:
        if asset.path not in old.assets:
            return FullRebuild(f"a new generated file: {asset.path}")
        if old.assets[asset.path] != asset.content:
            result.assets.append(asset)
    paths = {asset.path for asset in made}
    for lazy in candidates:
        if lazy.asset is not None and lazy.asset in old.assets and lazy.asset not in paths:
            return FullRebuild(f"{lazy.asset} is no longer drawn")
    return result


def front_matter(markdown: str) -> str:
    """The YAML front matter block of a page's Markdown ("" if none)."""
    if not markdown.startswith("---\n"):
        return ""
    end = markdown.find("\n---\n", 3)
    return markdown[: end + 5] if end != -1 else ""


def updated(
    old: Generation,
    playbook: Playbook,
    history: Mapping[str, FileChange],
    lazy: list[LazyPage],
    result: Rebuilt,
) -> Generation:
    """The generation after a fast rebuild."""
    pages = dict(old.pages)
    pages.update((page.src_uri, page) for page in result.pages)
    assets = dict(old.assets)
    assets.update((asset.path, asset.content) for asset in result.assets)
    return Generation(playbook, history, pages, {page.src_uri: page for page in lazy}, assets)
