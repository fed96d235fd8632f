"""A validated playbook -> the Markdown pages and assets of the generated section.

Pure apart from Graphviz (through `DiagramRenderer`): no MkDocs here, so the
plugin, `mkdocs-cjm export` and the tests all produce the same pages.
"""

from __future__ import annotations

import functools
import json
import re
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from mkdocs_cjm.core import text
from mkdocs_cjm.core.compare import Comparison
from mkdocs_cjm.core.compare import compare
from mkdocs_cjm.render.diagrams import DEFAULT_MAX_SIZE
from mkdocs_cjm.render.diagrams import DiagramRenderer
from mkdocs_cjm.render.diagrams import DiagramTimeout
from mkdocs_cjm.core.evidence import count_evidence
from mkdocs_cjm.core.freshness import FileChange
from mkdocs_cjm.core.freshness import Review
from mkdocs_cjm.core.freshness import ReviewPolicy
from mkdocs_cjm.core.freshness import needing_review
from mkdocs_cjm.core.freshness import resolve_today
from mkdocs_cjm.core.freshness import reviews
from mkdocs_cjm.core.index import CrossIndex
from mkdocs_cjm.core.index import build_index
from mkdocs_cjm.core.loader import suggest_id
from mkdocs_cjm.core.model import Channel
from mkdocs_cjm.core.model import Journey
from mkdocs_cjm.core.model import Persona
from mkdocs_cjm.core.model import Playbook
from mkdocs_cjm.core.model import Stage
from mkdocs_cjm.core.model import Step
from mkdocs_cjm.core.model import stage_data
from mkdocs_cjm.core.pages import (
    ASSETS_DIR,
    SCRIPT,
    STYLESHEET,
    Layout,
    PageKind,
    PageRef,
    channel_anchor,
    journey_anchor,
    kpis_anchor,
    persona_anchor,
    relative_url,
    section_anchor,
    stage_anchor,
    step_anchor,
)
from mkdocs_cjm.core.problems import Problem
from mkdocs_cjm.render import chart
from mkdocs_cjm.render import flow
from mkdocs_cjm.render import trend
from mkdocs_cjm.render.canvas import build_canvas
from mkdocs_cjm.render.canvas import key_moments
from mkdocs_cjm.render.canvas import steps_in_map_order
from mkdocs_cjm.render.emotion import SCALE
from mkdocs_cjm.render.emotion import average
from mkdocs_cjm.render.emotion import emotion_class
from mkdocs_cjm.render.emotion import emotion_word
from mkdocs_cjm.render.emotion import face_svg
from mkdocs_cjm.render.matrix import build_matrix
from mkdocs_cjm.sections import SECTIONS
from mkdocs_cjm.sections import VIEWS
from mkdocs_cjm.sections import View
from mkdocs_cjm.sections import teams as teams_view
from mkdocs_cjm.sections.snippets import Snippets


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
    # What the page shows of one of its `journeys` (a comparable value): a journey
    # whose value is the same before and after an edit leaves the page unchanged.
    # None: the whole journey.
    shows: Callable[[Journey], object] | None = None


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


_BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def _htmlblock(value: str) -> Markup:
    """A raw HTML block for Markdown: no blank or indented lines, which would end or alter it."""
    lines = (line.strip() for line in str(value).splitlines())
    return Markup("\n".join(line for line in lines if line) + "\n")


# Around a block in ready-HTML mode while a page renders. No map can hold the
# character (YAML refuses control characters), and templates have no reason to.
_BLOCK_MARK = "\x00"
_MARKED_BLOCK = re.compile(f"{_BLOCK_MARK}([^{_BLOCK_MARK}]*){_BLOCK_MARK}")
# Late blocks (the `lateblock` filter): the big derived tables of the cross-journey
# pages. Their placeholders stay in the page until the plugin's `on_post_page`, so
# the search plugin does not parse them: they repeat, row by row, text that the
# journey pages hold (and search finds there), and parsing them was most of their
# build time at scale. The pages are still indexed by their titles, headings and
# the blocks around.
_LATE_MARK = "\x01"
_MARKED_LATE = re.compile(f"{_LATE_MARK}([^{_LATE_MARK}]*){_LATE_MARK}")
# Late cells (the `latecells` filter): HTML inside a block (a table) that goes in late
# like a late block, but whose text search still indexes: until `on_post_page` its
# placeholder holds what Material's search parser keeps of it (`search_text`), the
# same index entries for a fraction of the tags to parse. Used for the tables of a
# channel page (a row per step, with its pain points, opportunities and stage KPIs).
_LATE_CELLS_MARK = "\x02"
_MARKED_LATE_CELLS = re.compile(f"{_LATE_CELLS_MARK}([^{_LATE_CELLS_MARK}]*){_LATE_CELLS_MARK}")
_PLACEHOLDER = re.compile(
    r'<div data-cjm-(html|late)="([^":]+):(\d+)">((?:[^<]|<(?!/?div[\s>]))*)</div>'
)
# Python-Markdown passes a block through untouched only if it starts with one of
# these tags (its own list); anything else it would read as a paragraph.
_BLOCK_START = re.compile(
    r"<(?:address|article|aside|blockquote|details|dialog|div|dl|fieldset|figure|footer|"
    r"form|h[1-6]|header|hr|main|nav|ol|p|pre|section|table|ul)[\s>]"
)


def _marked_htmlblock(value: str, mark: str = _BLOCK_MARK) -> Markup:
    block = _htmlblock(value)
    if not _BLOCK_START.match(block):
        return block
    return Markup(f"{mark}{block.rstrip()}{mark}\n")


# Tags Material's search parser writes into an entry's text (`Parser.keep`); it keeps
# the text of every other tag and drops the tag.
_SEARCH_KEPT_TAGS = frozenset({"p", "code", "pre", "li", "ol", "ul", "sub", "sup"})
_TAG = re.compile(
    r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)"
    r"""(?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*\s*/?>"""
)
# What the parser treats specially (content skipped, sections, whitespace kept as
# it is, excluded elements): fragments with any of these are not rewritten.
_SEARCH_SPECIAL = re.compile(
    r"<(?:[!?]|/?(?:script|style|object|pre|h[1-6]|textarea|title)\b)"
    r"|data-search-exclude|linenodiv",
    re.IGNORECASE,
)


def search_text(fragment: str) -> str | None:
    """What Material's search parser reads of `fragment`, written with as few tags as
    it takes to read the same: the tags it keeps (without attributes) and the text.

    The parser adds to the entry each run of text between two tags, but a run of
    whitespace only as one space, and not at all after another such run. So the runs
    between two kept tags are written as one run, whitespace-only ones as that space
    or nothing; one that follows what came before the fragment (unknown here) and
    one that ends it are kept apart by a bare `<br>` (void: the parser does not even
    put it on its stack). None where the parser could read the fragment differently
    (see `_SEARCH_SPECIAL`; a `<` that is not a tag; a tab, which Markdown expands by
    its column in the whole line), so it is not rewritten.
    """
    if "\t" in fragment or _SEARCH_SPECIAL.search(fragment):
        return None
    if not (fragment.startswith("<") and fragment.endswith(">")):
        return None  # text at either end joins the text around it (`_marked_late_cells`)
    out: list[str] = []
    run_parts: list[str] = []  # the run being joined up (since the last kept tag)
    blank_last: bool | None = None  # whether the parser's last item is a space; None: unknown
    blank_tail = False  # the joined run ends with a whitespace-only run's space

    def close() -> None:
        nonlocal blank_tail
        if blank_tail and any(not part.isspace() for part in run_parts[:-1]):
            run_parts[-1:] = ["<br>", " "]  # stays an item of its own, as after a tag
        out.extend(run_parts)
        run_parts.clear()
        blank_tail = False

    def add(run: str) -> None:
        nonlocal blank_last, blank_tail
        if run.isspace():
            if blank_last is None:  # after the unknown: as it is, and apart from the rest
                out.append(run)
                run_parts.append("<br>")
                blank_last = True
            elif not blank_last:
                run_parts.append(" ")
                blank_last = blank_tail = True
            return
        run_parts.append(run)
        blank_last, blank_tail = False, False

    position = 0
    for tag in _TAG.finditer(fragment):
        run = fragment[position : tag.start()]
        position = tag.end()
        if "<" in run:
            return None
        if run:
            add(run)
        name = tag[2].lower()
        if name in _SEARCH_KEPT_TAGS:
            close()
            out.append(f"<{tag[1]}{name}>")
            blank_last = False
    run = fragment[position:]
    if "<" in run:
        return None
    if run:
        add(run)
    close()
    return "".join(out)


def _marked_late_cells(value: str) -> Markup:
    # Whitespace at either end stays out of the fragment: a fragment starts and ends
    # with a tag, so its placeholder's tags stand where its own first and last were.
    core = value.strip()
    start = value[: len(value) - len(value.lstrip())]
    end = value[len(value.rstrip()) :]
    return Markup(f"{start}{_LATE_CELLS_MARK}{core}{_LATE_CELLS_MARK}{end}")


def _split_blocks(page: GeneratedPage) -> GeneratedPage:
    blocks: list[str] = []

    def placeholder(kind: str) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            blocks.append(match.group(1))
            return f'<div data-cjm-{kind}="{page.src_uri}:{len(blocks) - 1}"></div>'

        return replace

    def late_cells(match: re.Match[str]) -> str:
        cells = match.group(1)
        searched = search_text(cells)
        if searched is None:
            return cells
        blocks.append(cells)
        return f'<div data-cjm-late="{page.src_uri}:{len(blocks) - 1}">{searched}</div>'

    markdown = page.markdown
    if _LATE_CELLS_MARK in markdown:
        # First: these are inside HTML blocks, whose text the next step takes out.
        markdown = _MARKED_LATE_CELLS.sub(late_cells, markdown)
    markdown = _MARKED_BLOCK.sub(placeholder("html"), markdown)
    if _LATE_MARK in markdown:
        markdown = _MARKED_LATE.sub(placeholder("late"), markdown)
    return GeneratedPage(page.src_uri, markdown, page.source, tuple(blocks))


def expand_blocks(
    text: str,
    blocks: Mapping[str, Sequence[str]],
    used: Callable[[str], None] | None = None,
    *,
    late: bool | None = None,
) -> str:
    """`text` (Markdown, or the HTML Markdown made of it) with its placeholders replaced:
    of late blocks only (`late=True`), of the others only (`False`), or all (`None`).

    A placeholder names its page, so a page's content copied elsewhere by another
    plugin still finds its blocks. One pass: a block's text is never searched for
    placeholders. `used` is called with each block put in.
    """
    kinds = {None: ("html", "late"), False: ("html",), True: ("late",)}[late]
    if not any(f"data-cjm-{kind}=" in text for kind in kinds):
        return text

    def block(match: re.Match[str]) -> str:
        page_blocks = blocks.get(match.group(2), ())
        number = int(match.group(3))
        if match.group(1) not in kinds or number >= len(page_blocks):
            return match.group()
        if used is not None:
            used(page_blocks[number])
        return page_blocks[number]

    return _PLACEHOLDER.sub(block, text)


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and not isinstance(value, Markup):
        return _escape(value)
    return value


# Author text is rendered many times over (a step's action shows in the matrix, the
# step list, the emotion table and its channel's page), and these are pure functions
# of it: memoised, they cost a dictionary lookup after the first time.
_MEMO_SIZE = 1 << 16


@functools.lru_cache(maxsize=_MEMO_SIZE)
def _escape(value: str) -> Markup:
    return text.escape(value)


def make_environment(options: SiteOptions) -> jinja2.Environment:
    """Templates of the generated pages; a user folder is searched before the built-in ones."""
    loaders: list[jinja2.BaseLoader] = []
    if options.custom_templates is not None:
        loaders.append(jinja2.FileSystemLoader(str(options.custom_templates)))
    builtin = resources.files("mkdocs_cjm.site") / "templates"
    loaders.append(jinja2.FileSystemLoader(str(builtin)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
    )
    labels = options.labels
    env.filters.update(
        inline=functools.partial(_inline, allow_html=options.allow_html),
        block=functools.partial(_block, allow_html=options.allow_html),
        heading=functools.partial(_heading, ids=options.heading_ids),
        plain=text.plain,
        shorten=lambda value, limit: text.shorten(text.plain(value), limit),
        htmlblock=_htmlblock,
        lateblock=_htmlblock,  # see _LATE_MARK
        latecells=lambda value: value,  # see _LATE_CELLS_MARK
        emotion_word=lambda score: emotion_word(score, labels),
        emotion_class=emotion_class,
        face=lambda score: Markup(face_svg(score)),
        slug=suggest_id,
        trend=lambda kpi: Markup(trend.trend_svg(kpi, labels)),
        step_anchor=step_anchor,
        stage_anchor=stage_anchor,
        kpis_anchor=kpis_anchor,
        journey_anchor=journey_anchor,
        persona_anchor=persona_anchor,
        channel_anchor=channel_anchor,
    )
    return env


def _heading(value: str, anchor: str = "", *, ids: bool) -> Markup:
    """A heading line's text and id: `anchor` (an item's, from pages.py) or a section's."""
    shown = text.heading(value)
    slug = (anchor or section_anchor(suggest_id(value))) if ids else ""
    # A label without a letter a slug can keep (all CJK, say) gets no id, as before.
    return Markup(f"{shown} {{: #{slug} }}") if slug else shown


@functools.lru_cache(maxsize=_MEMO_SIZE)
def _inline(value: str, *, allow_html: bool) -> Markup:
    return text.inline(value, allow_html=allow_html)


@functools.lru_cache(maxsize=_MEMO_SIZE)
def _block(value: str, *, allow_html: bool) -> Markup:
    return text.block(value, allow_html=allow_html)


# Characters YAML refuses to read even inside quotes; as `\u` escapes it reads them.
_YAML_UNPRINTABLE = re.compile("[\x7f-\x84\x86-\x9f\ufffe\uffff]")


def _yaml_string(value: str) -> str:
    """A YAML scalar that keeps any character literal: JSON strings are valid YAML."""
    quoted = json.dumps(value, ensure_ascii=False)
    return _YAML_UNPRINTABLE.sub(lambda match: f"\\u{ord(match.group()):04x}", quoted)


def _front_matter(title: str, tags: list[str], hide: Sequence[str] = ()) -> Markup:
    # MkDocs reads a page title from its first heading as HTML, and Material's
    # <title> unescapes that (`striptags`), so `</title><script>` in a heading
    # would run. A front-matter title and tag names are printed as they are given
    # (as HTML, in <title>, nav, tag lists), so they are given escaped.
    lines = ["---", f"title: {_yaml_string(text.html_text(title))}"]
    names = list(dict.fromkeys(text.html_text(tag) for tag in tags))
    if names:
        lines += ["tags:", *(f"  - {_yaml_string(name)}" for name in names)]
    if hide:
        # Material's own front matter: these parts of the page are not shown.
        lines += ["hide:", *(f"  - {part}" for part in hide)]
    lines.append("---")
    return Markup("\n".join(lines) + "\n")


def _wide(markdown: str) -> str:
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


class TemplateProblem(Exception):
    """A page template could not be loaded or rendered; the message names its file and line."""

    def __init__(self, message: str, file: str = "", line: int = 0, what: str = "") -> None:
        super().__init__(message)
        self.file, self.line, self.what = file, line, what or message

    def problem(self) -> Problem:
        """As a map problem is shown (the `mkdocs serve` banner lists these)."""
        return Problem(self.file, self.line, 1 if self.line else 0, "", self.what)


# Errors a template can raise while it renders (an undefined name, a filter given
# the wrong type, a failing include); anything else is a bug of this package.
_TEMPLATE_ERRORS = (
    jinja2.TemplateError,
    TypeError,
    ValueError,
    AttributeError,
    KeyError,
    IndexError,
    ArithmeticError,
    RecursionError,
)


def _template_problem(error: BaseException, template: str, options: SiteOptions) -> TemplateProblem:
    """Where in which template `error` happened, as `file, line N: what`, without a traceback."""
    filename: str | None = None
    line: int | None = None
    if isinstance(error, jinja2.TemplateSyntaxError):
        filename, line = error.filename, error.lineno
    else:
        # Jinja rewrites tracebacks so that template frames carry the template's
        # file and line: the innermost one is where the template failed.
        for frame in traceback.extract_tb(error.__traceback__):
            if frame.filename.endswith(".j2") or "<template>" in frame.filename:
                filename, line = frame.filename, frame.lineno
    shown = _template_display(filename, options) if filename else template
    where = f"{shown}, line {line}" if line else shown
    if isinstance(error, jinja2.TemplateNotFound):
        what = f"template '{error.name}' not found"
    elif isinstance(error, jinja2.TemplateError):
        what = error.message or type(error).__name__
    else:
        what = f"{type(error).__name__}: {error}"
    custom = (
        filename is not None
        and options.custom_templates is not None
        and Path(filename).is_relative_to(options.custom_templates)
    )
    kind = "custom template" if custom else "template"
    return TemplateProblem(f"{kind} {where}: {what}", shown, line or 0, f"{kind}: {what}")


def check_templates(options: SiteOptions) -> list[str]:
    """Syntax errors of the custom templates, each naming its file and line.

    Templates are compiled, not rendered: what only rendering finds (an
    undefined name) is reported by the build.
    """
    if options.custom_templates is None:
        return []
    env = make_environment(options)
    problems = []
    for path in sorted(options.custom_templates.rglob("*.j2")):
        name = path.relative_to(options.custom_templates).as_posix()
        try:
            env.get_template(name)
        except jinja2.TemplateError as error:
            problems.append(str(_template_problem(error, name, options)))
    return problems


def _template_display(filename: str, options: SiteOptions) -> str:
    """A custom template's path from where the build runs, a built-in one's in the package."""
    path = Path(filename)
    if options.custom_templates is not None and path.is_relative_to(options.custom_templates):
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return path.as_posix()
    builtin = Path(str(resources.files("mkdocs_cjm.site") / "templates"))
    try:
        return f"mkdocs_cjm/templates/{path.relative_to(builtin).as_posix()}"
    except ValueError:
        return path.as_posix()


@dataclass(frozen=True)
class FlowNotice:
    """Why a journey's page shows a notice in place of its flow diagram."""

    text: str


class SiteGenerator:
    def __init__(
        self,
        playbook: Playbook,
        options: SiteOptions,
        renderer: DiagramRenderer,
        history: Mapping[str, FileChange] | None = None,
        warn: Callable[[str], None] | None = None,
        env: jinja2.Environment | None = None,
    ) -> None:
        """`env`: the environment of an earlier generator with the same options, whose
        compiled templates are then reused (under `mkdocs serve`)."""
        self.playbook: Playbook = playbook
        self.options = options
        self.renderer = renderer
        # Last change of each map file, by its path as the map's `source` shows it.
        self.history = history or {}
        self.review_policy = options.review_policy or ReviewPolicy(resolve_today())
        self.reviews = reviews(playbook, self.review_policy)
        self.warn = warn or (lambda message: None)
        self.index: CrossIndex = build_index(playbook)
        self.env = env or make_environment(options)
        if options.ready_html:
            self.env.filters["htmlblock"] = _marked_htmlblock
            self.env.filters["lateblock"] = functools.partial(_marked_htmlblock, mark=_LATE_MARK)
            self.env.filters["latecells"] = _marked_late_cells
        self.labels = options.labels
        self.assets: list[GeneratedAsset] = []  # filled while pages are generated
        self._flows: dict[str, str | FlowNotice] = {}  # journey id: its flow SVG, or why none
        self.lazy: list[LazyPage] = []  # the pages `generate` made
        self.snippets = Snippets(self)

    def page_context(self, page: PageRef | str) -> dict[str, Any]:
        """Template context of a generated page, or (given its site-relative URL) of any
        page that embeds a view: links are relative to it."""
        context = self.base_context(page)
        context.update(self.snippets.context(context["link_team"]))
        return context

    def base_context(self, page: PageRef | str) -> dict[str, Any]:
        layout, playbook, index = self.options.layout, self.playbook, self.index

        def link(kind: str, item_id: str = "", anchor: str = "") -> str:
            if isinstance(page, str):
                target = relative_url(page, layout.url(PageRef(kind, item_id)))
                return target + (f"#{anchor}" if anchor else "")
            return layout.link(page, PageRef(kind, item_id), anchor)

        def link_team(name: str | None) -> str:
            """Relative link to a team's page ("" for a name no map gives as an owner)."""
            team = index.teams.get(name) if name else None
            return link(teams_view.KIND, team.slug) if team else ""

        return {
            "labels": self.labels,
            "playbook": playbook,
            "emotion_scale": SCALE,
            "sections": SECTIONS,
            "link_journey": functools.partial(link, PageKind.JOURNEY),
            "link_persona": functools.partial(link, PageKind.PERSONA),
            "link_channel": functools.partial(link, PageKind.CHANNEL),
            "link_team": link_team,
            "link_index": link,
            "channel_of": lambda step: playbook.channel_by_id[step.channel],
            "channels_of": lambda journey: index.channels_of(journey, playbook),
            "personas_of": self.personas_of,
            "journeys_of_persona": lambda persona: index.journeys_by_persona.get(persona.id, ()),
            "journeys_of_channel": lambda channel: index.journeys_by_channel.get(channel.id, ()),
            "steps_of_channel": lambda channel: index.steps_by_channel.get(channel.id, ()),
            "average_emotion": self.average_emotion,
            "review_policy": self.review_policy,
            "review_of": lambda kind, item_id: self.reviews.get((kind, item_id)),
            "evidence_of": count_evidence,
            "current_of": lambda journey: playbook.journey_by_id.get(journey.future_of or ""),
            "futures_of": lambda journey: playbook.futures_of.get(journey.id, ()),
            "format_average": self.format_average,
            "phase_name": self.phase_name,
        }

    def phase_name(self, phase_id: str | None) -> str:
        """A phase's label: the playbook's own, or the site language's for the defaults."""
        phase = self.playbook.phase_by_id.get(phase_id) if phase_id else None
        if phase is not None and phase.label:
            return phase.label
        return str(self.labels.get(f"phase_{phase_id or 'none'}", phase_id))

    def personas_of(self, journey: Journey) -> tuple[Persona, ...]:
        return tuple(self.playbook.persona_by_id[pid] for pid in journey.personas)

    def average_emotion(self, journey: Journey) -> str:
        return self.format_average(average(step.emotion for step in journey.steps))

    def format_average(self, value: float | None) -> str:
        return f"{value:g}/5" if value is not None else str(self.labels["not_given"])

    def render(self, template: str, page: PageRef, **context: Any) -> str:
        try:
            markdown = self.env.get_template(template).render(**self.page_context(page), **context)
        except _TEMPLATE_ERRORS as error:
            raise _template_problem(error, template, self.options) from None
        return _BLANK_LINES.sub("\n\n", markdown).strip() + "\n"

    def render_wide(self, template: str, page: PageRef, *, wide: bool, **context: Any) -> str:
        """`render`, laid out wide when `wide` (see `_wide`)."""
        markdown = self.render(template, page, **context)
        return _wide(markdown) if wide else markdown

    @property
    def playbook_wide(self) -> bool:
        return self.options.playbook_layout == "wide"

    def front_matter(self, title: str, *tags: str, hide: Sequence[str] = ()) -> Markup:
        return _front_matter(title, list(tags) if self.options.tags else [], hide)

    def lazy_pages(self) -> list[LazyPage]:
        """Every page of the section, in order, not rendered yet."""
        layout = self.options.layout
        pages: list[LazyPage] = []
        every_journey = frozenset(journey.id for journey in self.playbook.journeys)
        for view in VIEWS:
            page = PageRef(view.name)
            pages.append(
                LazyPage(
                    layout.src_uri(page),
                    functools.partial(self.view_index, view),
                    every_journey if view.shows is not None else None,
                    shows=view.shows(self) if view.shows is not None else None,
                )
            )
            if view.items is not None:
                pages += view.items(self)
        return pages

    def view_index(self, view: View) -> GeneratedPage:
        page = PageRef(view.name)
        markdown = self.render_wide(
            view.template, page, wide=self.playbook_wide, **view.context(self)
        )
        return GeneratedPage(self.options.layout.src_uri(page), markdown)

    def build(self, page: LazyPage) -> GeneratedPage:
        """`page` rendered (its flow diagram, if any, added to `assets`)."""
        built = page.build()
        return _split_blocks(built) if self.options.ready_html else built

    def generate(self) -> tuple[list[GeneratedPage], list[GeneratedAsset]]:
        self.assets = []
        self.draw_flows(self.playbook.journeys)  # in one batch: `dot` runs them in parallel
        self.lazy = self.lazy_pages()
        pages = [self.build(page) for page in self.lazy]
        return pages, [*self.assets, *static_assets()]

    def stale_reviews(self) -> list[Review]:
        return needing_review(self.reviews.values())

    def paired_journeys(self) -> list[Journey]:
        """Journeys in id order, each current one followed by its futures."""
        playbook = self.playbook
        ordered: list[Journey] = []

        def add(journey: Journey) -> None:
            if journey in ordered:
                return
            ordered.append(journey)
            for future in playbook.futures_of.get(journey.id, ()):
                add(future)

        for journey in playbook.journeys:
            if journey.future_of not in playbook.journey_by_id:
                add(journey)
        return ordered

    def comparison(self, journey: Journey) -> Comparison | None:
        current = self.playbook.journey_by_id.get(journey.future_of or "")
        return compare(current, journey) if current is not None else None

    def draw_flows(self, journeys: Sequence[Journey]) -> None:
        """Render the flow diagrams of `journeys` (each is kept for its page); a journey
        that cannot be drawn gets the notice shown instead, and a warning."""
        limit = self.options.diagram_max_size
        drawn = [journey for journey in journeys if diagram_size(journey) <= limit]
        rendered = self.renderer.render_each(
            [flow.flow_dot(journey, self.playbook, self.labels) for journey in drawn]
        )
        results = dict(zip((journey.id for journey in drawn), rendered, strict=True))
        for journey in journeys:
            result = results.get(journey.id)
            if isinstance(result, str):
                self._flows[journey.id] = result
            elif isinstance(result, DiagramTimeout):
                self.warn(
                    f"{journey.source.path}: the flow diagram of journey '{journey.id}' is not "
                    f"drawn: {result} (plugin option graphviz_timeout); the page shows a notice "
                    "instead (split the journey, or raise graphviz_timeout)"
                )
                notice = self.labels["flow_timed_out"].format(seconds=f"{result.seconds:g}")
                self._flows[journey.id] = FlowNotice(notice)
            else:
                self.warn(oversized_diagram_warning(journey, limit) or "")
                notice = self.labels["flow_too_large"].format(
                    steps=len(journey.steps),
                    arrows=len(journey.edges),
                    size=diagram_size(journey),
                    limit=limit,
                )
                self._flows[journey.id] = FlowNotice(notice)

    def journey_pages(self) -> list[LazyPage]:
        """Every journey's page; each shows its journey, and compares it with the
        journey it is the future of."""
        layout = self.options.layout
        futures_of = self.playbook.futures_of
        return [
            LazyPage(
                layout.src_uri(PageRef(PageKind.JOURNEY, journey.id)),
                functools.partial(self.journey_page_with_flow, journey),
                frozenset(
                    [journey.id, *([journey.future_of] if journey.future_of else [])]
                    + [future.id for future in futures_of.get(journey.id, ())]
                ),
                flow_asset(journey.id),
            )
            for journey in self.playbook.journeys
        ]

    def journey_page_with_flow(self, journey: Journey) -> GeneratedPage:
        """The journey's page; its flow diagram (drawn now unless `draw_flows` did) goes
        to `assets`."""
        if journey.id not in self._flows:
            self.draw_flows([journey])
        svg = self._flows[journey.id]
        if isinstance(svg, str):
            self.assets.append(GeneratedAsset(flow_asset(journey.id), svg))
        return self.journey_page(journey, svg)

    def persona_pages(self) -> list[LazyPage]:
        by_persona = self.index.journeys_by_persona
        return [
            LazyPage(
                self.options.layout.src_uri(PageRef(PageKind.PERSONA, persona.id)),
                functools.partial(self.persona_page, persona),
                frozenset(journey.id for journey in by_persona.get(persona.id, ())),
            )
            for persona in self.playbook.personas
        ]

    def channel_pages(self) -> list[LazyPage]:
        by_channel = self.index.journeys_by_channel
        return [
            LazyPage(
                self.options.layout.src_uri(PageRef(PageKind.CHANNEL, channel.id)),
                functools.partial(self.channel_page, channel),
                frozenset(journey.id for journey in by_channel.get(channel.id, ())),
                shows=functools.partial(_shown_on_channel, channel.id),
            )
            for channel in self.playbook.channels
        ]

    def lazy_item(
        self,
        template: str,
        page: PageRef,
        title: str,
        journeys: frozenset[str] | None,
        context: Callable[[], Mapping[str, Any]],
        shows: Callable[[Journey], object] | None = None,
    ) -> LazyPage:
        """An item page of a view, rendered when built: `context()` gives its variables;
        `journeys` are the journeys it shows, `shows` what of them (see `LazyPage`)."""
        return LazyPage(
            self.options.layout.src_uri(page),
            lambda: self.item_page(template, page, title, **context()),
            journeys,
            shows=shows,
        )

    def item_page(
        self, template: str, page: PageRef, title: str, source: str | None = None, **context: Any
    ) -> GeneratedPage:
        """An item page of a view: `template` rendered with a front-matter title."""
        markdown = self.render_wide(
            template,
            page,
            wide=self.playbook_wide,
            front_matter=self.front_matter(title),
            **context,
        )
        return GeneratedPage(self.options.layout.src_uri(page), markdown, source)

    def flow_figure(self, journey: Journey, svg: str) -> dict[str, Any]:
        """What `partials/flow.html.j2` needs besides the journey (and `flow_file`)."""
        description = " ".join(
            f"{step.index}. {step.touchpoint}: {step.action} ({step.emotion or '–'}/5)."
            for step in journey.steps
        )
        flow_svg = flow.embed_svg(
            svg,
            flow.flow_id(journey.id),
            self.labels["flow_caption"].format(title=journey.title),
            description,
        )
        return {"flow_svg": Markup(flow_svg), "flow_width": flow.natural_width(svg)}

    def chart_svg(self, journey: Journey) -> Markup:
        return Markup(chart.emotion_chart(journey, self.labels, f"cjm-curve-{journey.id}"))

    def journey_page(self, journey: Journey, svg: str | FlowNotice) -> GeneratedPage:
        page = PageRef(PageKind.JOURNEY, journey.id)
        comparison = self.comparison(journey)
        channels = self.index.channels_of(journey, self.playbook)
        if isinstance(svg, FlowNotice):
            # No diagram: the template shows the notice in place of the figure.
            figure: dict[str, Any] = {"flow_notice": svg.text, "flow_file": ""}
        else:
            figure = {
                "flow_notice": None,
                "flow_file": self.options.layout.asset_link(page, flow_asset(journey.id)),
                **self.flow_figure(journey, svg),
            }
        markdown = self.render_wide(
            "journey.md.j2",
            page,
            journey=journey,
            personas=self.personas_of(journey),
            channels=channels,
            matrix=build_matrix(journey, self.playbook),
            **figure,
            canvas=build_canvas(journey),
            key_moments=key_moments(journey),
            steps_in_order=steps_in_map_order(journey),
            step_by_id={step.id: step for step in journey.steps},
            review=self.reviews.get(("journey", journey.id)),
            last_change=self.history.get(journey.source.path),
            comparison=comparison,
            compare_svg=(
                Markup(chart.comparison_chart(comparison, self.labels, f"cjm-compare-{journey.id}"))
                if comparison
                else None
            ),
            front_matter=self.front_matter(
                journey.title,
                *(persona.name for persona in self.personas_of(journey)),
                *(channel.name for channel in channels),
            ),
            wide=self.options.journey_layout == "wide",
        )
        return GeneratedPage(self.options.layout.src_uri(page), markdown, journey.source.path)

    def persona_page(self, persona: Persona) -> GeneratedPage:
        page = PageRef(PageKind.PERSONA, persona.id)
        journeys = self.index.journeys_by_persona.get(persona.id, ())
        markdown = self.render(
            "persona.md.j2",
            page,
            persona=persona,
            journeys=journeys,
            review=self.reviews.get(("persona", persona.id)),
            front_matter=self.front_matter(persona.name, persona.name),
        )
        return GeneratedPage(self.options.layout.src_uri(page), markdown, persona.source.path)

    def channel_context(self, channel: Channel) -> dict[str, Any]:
        """What a channel's page and `partials/channel_uses.html.j2` need besides the channel."""
        uses = self.index.steps_by_channel.get(channel.id, ())

        # Grouped once: scanning every use for each journey is quadratic at playbook scale.
        steps_by_journey: dict[str, list[Step]] = {}
        for ref in uses:
            steps_by_journey.setdefault(ref.journey.id, []).append(ref.step)

        def uses_by_stage(journey: Journey) -> list[tuple[Stage, list[Step]]]:
            mine = steps_by_journey.get(journey.id, [])
            grouped = [
                (stage, [s for s in mine if s.stage == stage.id]) for stage in journey.stages
            ]
            return [(stage, steps) for stage, steps in grouped if steps]

        return {
            "channel": channel,
            "uses": uses,
            "journeys": self.index.journeys_by_channel.get(channel.id, ()),
            "personas": self.index.personas_by_channel.get(channel.id, ()),
            "uses_by_stage": uses_by_stage,
        }

    def channel_page(self, channel: Channel) -> GeneratedPage:
        page = PageRef(PageKind.CHANNEL, channel.id)
        markdown = self.render_wide(
            "channel.md.j2",
            page,
            wide=self.playbook_wide,
            **self.channel_context(channel),
            front_matter=self.front_matter(channel.name, channel.name),
        )
        return GeneratedPage(self.options.layout.src_uri(page), markdown, channel.source.path)


def _shown_on_channel(channel_id: str, journey: Journey) -> object:
    """What a channel's page shows of a journey: its title and personas, and its steps
    on the channel with their stages."""
    stages = tuple(
        (stage_data(stage), steps)
        for stage in journey.stages
        if (
            steps := tuple(
                s for s in journey.steps if s.stage == stage.id and s.channel == channel_id
            )
        )
    )
    return journey.id, journey.title, journey.personas, stages


def generate_site(
    playbook: Playbook,
    options: SiteOptions,
    renderer: DiagramRenderer,
    history: Mapping[str, FileChange] | None = None,
    warn: Callable[[str], None] | None = None,
) -> tuple[list[GeneratedPage], list[GeneratedAsset]]:
    """The section's pages; `history` gives each map file's last change (see
    `freshness.map_history`), keyed by the path its `source` shows; `warn` is told
    what the build should warn about."""
    return SiteGenerator(playbook, options, renderer, history, warn).generate()
