"""Which pages the playbook has, where they live and how they link: the only place URLs
and anchors (HTML ids) are built.

Ids are namespaced by what they name, so that no author id can collide with a
generated one: `journey-<id>`, `persona-<id>` and `channel-<id>` on page titles,
`step-<id>` and `stage-<id>` on a journey's rows and columns, and section headings
that never start with one of those prefixes. `index` is refused as an id by the
loader: it is the file name of the listing pages.
"""

from __future__ import annotations

import functools
import posixpath
from dataclasses import dataclass


class PageKind:
    """Kinds of generated pages. A section's index page has the section's name as its
    kind and lives in the folder of that name (`teams` -> `<prefix>/teams/index.md`),
    as do its item pages (`PageRef("teams", "crm")` -> `<prefix>/teams/crm.md`).
    The first item kinds were named in the singular; `ITEM_FOLDERS` keeps their URLs."""

    OVERVIEW = "overview"
    JOURNEYS = "journeys"
    PERSONAS = "personas"
    CHANNELS = "channels"
    JOURNEY = "journey"
    PERSONA = "persona"
    CHANNEL = "channel"


ITEM_FOLDERS = {
    PageKind.JOURNEY: "journeys",
    PageKind.PERSONA: "personas",
    PageKind.CHANNEL: "channels",
}


def folder_of(kind: str) -> str:
    """The folder under the prefix holding pages of this kind ("" for the overview)."""
    if kind == PageKind.OVERVIEW:
        return ""
    return ITEM_FOLDERS.get(kind, kind)


ASSETS_DIR = "assets/cjm"
STYLESHEET = f"{ASSETS_DIR}/cjm.css"
SCRIPT = f"{ASSETS_DIR}/cjm.js"


@dataclass(frozen=True)
class PageRef:
    kind: str  # a `PageKind`, or a view's name
    id: str = ""


@dataclass(frozen=True)
class Layout:
    """Source paths and URLs of generated pages, mirroring how MkDocs maps files to URLs."""

    prefix: str = "playbook"
    use_directory_urls: bool = True

    def src_uri(self, page: PageRef) -> str:
        name = f"{page.id}.md" if page.id else "index.md"
        parts = [self.prefix, folder_of(page.kind), name]
        return posixpath.join(*[part for part in parts if part])

    @functools.lru_cache(maxsize=1 << 16)  # noqa: B019 (a few small frozen layouts per process)
    def url(self, page: PageRef) -> str:
        """Site-relative URL, as MkDocs gives it to the page."""
        return self.url_of_src(self.src_uri(page))

    def url_of_src(self, src_uri: str) -> str:
        folder, name = posixpath.split(src_uri)
        stem = name.rsplit(".", 1)[0]
        if not self.use_directory_urls:
            return posixpath.join(folder, f"{stem}.html")
        if stem in ("index", "README"):
            return f"{folder}/" if folder else ""
        return posixpath.join(folder, stem) + "/"

    def link(self, source: PageRef, target: PageRef, anchor: str = "") -> str:
        """Relative URL from the page `source` to `target` (and an anchor on it)."""
        return relative_url(self.url(source), self.url(target)) + (f"#{anchor}" if anchor else "")

    def asset_link(self, source: PageRef, asset: str) -> str:
        return relative_url(self.url(source), asset)


@functools.lru_cache(maxsize=1 << 16)  # every page links to the same few dozen others
def relative_url(from_url: str, to_url: str) -> str:
    """Relative link between two site-relative URLs; a URL ending in '/' is a folder."""
    base = from_url if from_url.endswith("/") or not from_url else posixpath.dirname(from_url) + "/"
    relative = posixpath.relpath(to_url or ".", base.rstrip("/") or ".")
    if to_url.endswith("/") or not to_url:
        relative = relative.rstrip("/") + "/"
        if relative == "./":
            return "./"
    return relative


# File names the generated section uses for itself; no journey, persona or channel
# id may take them (the loader refuses them).
RESERVED_IDS = frozenset({"index"})


def step_anchor(step_id: str) -> str:
    return f"step-{step_id}"


def stage_anchor(stage_id: str) -> str:
    return f"stage-{stage_id}"


def kpis_anchor(stage_id: str) -> str:
    """A stage's row in the goals and KPIs table."""
    return f"kpis-{stage_id}"


def journey_anchor(journey_id: str) -> str:
    return f"journey-{journey_id}"


def persona_anchor(persona_id: str) -> str:
    return f"persona-{persona_id}"


def channel_anchor(channel_id: str) -> str:
    return f"channel-{channel_id}"


# Prefixes of the anchors above, and the one `section_anchor` adds.
_ITEM_PREFIXES = (
    "step-",
    "stage-",
    "kpis-",
    "journey-",
    "persona-",
    "channel-",
    "cjm-",
    "section-",
)


def section_anchor(slug: str) -> str:
    """The id of a section heading (from its label's slug), distinct from every item anchor.

    Slugs such as `flow` or `emotions` stay as they are (links to them keep
    working); one that starts like an item anchor (`stage-notes`) or is empty gets
    `section-` in front. That is one-to-one: only such slugs ever start with it.
    """
    return f"section-{slug}" if slug.startswith(_ITEM_PREFIXES) else slug
