"""What the generator produces, and the options it is given: pages (rendered or lazy),
assets, and the page-level text helpers (front matter, the wide layout).

No Jinja, no registry: every site module and the glue can import it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from markupsafe import Markup

from mkdocs_cjm.core import text
from mkdocs_cjm.core.freshness import ReviewPolicy
from mkdocs_cjm.core.model import Journey
from mkdocs_cjm.core.pages import ASSETS_DIR, SCRIPT, STYLESHEET, Layout
from mkdocs_cjm.render.diagrams import DEFAULT_MAX_SIZE
from mkdocs_cjm.site.blocks import expand_blocks


@dataclass(frozen=True)
class SiteOptions:
    layout: Layout = field(default_factory=Layout)
    labels: Mapping[str, str] = field(default_factory=dict)
    allow_html: bool = False
    # Front-matter tags (persona and channel names) for Material's tags plugin.
    tags: bool = False
    custom_templates: Path | None = None
    # Explicit heading ids through attr_list (which the plugin enables): readable,
    # language-independent anchors instead of slugs that drop letters such as "đ".
    heading_ids: bool = False
    # Keep the pages' raw HTML blocks out of the Markdown (see `GeneratedPage.blocks`):
    # for the plugin, which puts them back into the converted page. Export leaves it off.
    ready_html: bool = False
    # Journey pages hide Material's navigation and table of contents ("wide") so the
    # map gets the whole grid, or keep the site's standard layout.
    journey_layout: str = "wide"
    # The same for the section's other pages, except persona pages (a profile reads
    # best at a line length): its home, lists, channels, teams, register, KPI board.
    playbook_layout: str = "wide"
    # When maps are due for review; None: every 180 days, judged on today's date
    # (the option `today` or $MKDOCS_CJM_TODAY fixes the day).
    review_policy: ReviewPolicy | None = None
    # Journeys with more steps plus arrows get a notice instead of a flow diagram.
    diagram_max_size: int = DEFAULT_MAX_SIZE


@dataclass(frozen=True)
class GeneratedPage:
    src_uri: str
    markdown: str
    source: str | None = None  # the map file it comes from, for edit links
    # With `SiteOptions.ready_html`: the page's raw HTML blocks, each replaced in
    # `markdown` by a `<div data-cjm-html="SRC_URI:N"></div>` placeholder (an element, not
    # a comment: extensions such as pymdownx.striphtml drop comments). Markdown would pass them
    # through unchanged, but only after parsing every tag twice (MkDocs' anchor scan
    # and the HTML block parser), which is most of a big generated page's build time.
    blocks: tuple[str, ...] = ()

    def full_markdown(self) -> str:
        """The page as Markdown that builds on its own, blocks in place."""
        blocks = {self.src_uri: self.blocks}
        # Late cells sit inside HTML blocks: in once those are.
        return expand_blocks(expand_blocks(self.markdown, blocks, late=False), blocks, late=True)


@dataclass(frozen=True)
class GeneratedAsset:
    path: str
    content: str


@dataclass(frozen=True)
class LazyPage:
    """A page of the section before it is rendered, and what its content shows.

    `journeys` are the ids of the journeys whose maps the page shows (None: it may
    show any, like the overview). `mkdocs serve`'s fast rebuild renders again only
    the pages that show a journey that changed (see `incremental.py`): a page that
    reads another journey's data must name it here.
    """

    src_uri: str
    build: Callable[[], GeneratedPage]
    journeys: frozenset[str] | None = None
    asset: str | None = None  # the file its build may add to `SiteGenerator.assets`
    # The page's rows: what one of its `journeys` contributes to it (pure, hashable,
    # compared with ==), from which the page is rendered. A journey whose rows are the
    # same before and after an edit leaves the page unchanged. None: the whole journey.
    rows: Callable[[Journey], Hashable] | None = None


def static_assets() -> list[GeneratedAsset]:
    """The stylesheet and script every generated page links to."""
    package = resources.files("mkdocs_cjm.site") / "assets"
    return [
        GeneratedAsset(STYLESHEET, (package / "cjm.css").read_text("utf-8")),
        GeneratedAsset(SCRIPT, (package / "cjm.js").read_text("utf-8")),
    ]


# What a wide journey page hides of Material's layout: both sidebars.
JOURNEY_HIDE = ("navigation", "toc")
# The hook on a wide page's content that lifts Material's grid max-width (cjm.css:
# `.md-main:has([data-cjm-wide]) .md-grid`), so the page, and no other, spans the window.
# At the end of the page: first, it would hide the page's `# title` from MkDocs.
WIDE_HOOK = "<div data-cjm-wide hidden></div>"


def flow_asset(journey_id: str) -> str:
    return f"{ASSETS_DIR}/flows/{journey_id}.svg"


# Characters YAML refuses to read even inside quotes; as `\u` escapes it reads them.
_YAML_UNPRINTABLE = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")


def yaml_string(value: str) -> str:
    """A YAML scalar that keeps any character literal: JSON strings are valid YAML."""
    quoted = json.dumps(value, ensure_ascii=False)
    return _YAML_UNPRINTABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", quoted)


def front_matter(title: str, tags: list[str], hide: Sequence[str] = ()) -> Markup:
    # MkDocs reads a page title from its first heading as HTML, and Material's
    # <title> unescapes that (`striptags`), so `</title><script>` in a heading
    # would run. A front-matter title and tag names are printed as they are given
    # (as HTML, in <title>, nav, tag lists), so they are given escaped.
    lines = ["---", f"title: {yaml_string(text.html_text(title))}"]
    names = list(dict.fromkeys(text.html_text(tag) for tag in tags))
    if names:
        lines += ["tags:", *(f"  - {yaml_string(name)}" for name in names)]
    if hide:
        # Material's own front matter: these parts of the page are not shown.
        lines += ["hide:", *(f"  - {part}" for part in hide)]
    lines.append("---")
    return Markup("\n".join(lines) + "\n")


def wide(markdown: str) -> str:
    """`markdown` as a wide page: Material's sidebars hidden through its front matter
    (added to the page's own front matter, if it has one), the wide hook at the end."""
    hide = "".join(f"  - {part}\n" for part in JOURNEY_HIDE)
    if markdown.startswith("---\n") and (end := markdown.find("\n---\n", 3)) != -1:
        if "\nhide:" not in markdown[: end + 1]:
            markdown = f"{markdown[: end + 1]}hide:\n{hide}{markdown[end + 1 :]}"
    else:
        markdown = f"---\nhide:\n{hide}---\n{markdown}"
    return f"{markdown.rstrip()}\n\n{WIDE_HOOK}\n"


def diagram_size(journey: Journey) -> int:
    """What the size guard counts: boxes plus arrows, which drive Graphviz's layout time."""
    return len(journey.steps) + len(journey.edges)


def oversized_diagram_warning(journey: Journey, limit: int) -> str | None:
    """The build warning for a journey too large to draw, or None."""
    size = diagram_size(journey)
    if size <= limit:
        return None
    return (
        f"{journey.source.path}: the flow diagram of journey '{journey.id}' is not drawn: "
        f"{len(journey.steps)} steps and {len(journey.edges)} arrows make {size}, more than "
        f"graphviz_max_size ({limit}); the page shows a notice instead (split the journey, "
        f"or raise the plugin option graphviz_max_size)"
    )


@dataclass(frozen=True)
class FlowNotice:
    """Why a journey's page shows a notice in place of its flow diagram."""

    text: str
