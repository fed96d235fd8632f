"""Raw HTML kept out of Markdown and out of search (see ARCHITECTURE.md).

The templates' `htmlblock`, `lateblock` and `latecells` filters mark HTML blocks
while a page renders; `split_blocks` swaps them for placeholders the plugin puts
back (`expand_blocks`), and `search_text` emulates what Material's search parser
reads of a late fragment. Pure text functions: no Jinja environment, no pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from markupsafe import Markup


def htmlblock(value: str) -> Markup:
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


def marked_htmlblock(value: str, mark: str = _BLOCK_MARK) -> Markup:
    block = htmlblock(value)
    if not _BLOCK_START.match(block):
        return block
    return Markup(f"{mark}{block.rstrip()}{mark}\n")


def marked_lateblock(value: str) -> Markup:
    """A late block (the `lateblock` filter in ready-HTML mode)."""
    return marked_htmlblock(value, _LATE_MARK)


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
        return None  # text at either end joins the text around it (`marked_late_cells`)
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


def marked_late_cells(value: str) -> Markup:
    # Whitespace at either end stays out of the fragment: a fragment starts and ends
    # with a tag, so its placeholder's tags stand where its own first and last were.
    core = value.strip()
    start = value[: len(value) - len(value.lstrip())]
    end = value[len(value.rstrip()) :]
    return Markup(f"{start}{_LATE_CELLS_MARK}{core}{_LATE_CELLS_MARK}{end}")


def split_blocks(src_uri: str, markdown: str) -> tuple[str, tuple[str, ...]]:
    """`markdown` with its marked blocks replaced by placeholders naming `src_uri`, and
    the blocks (see `GeneratedPage.blocks`)."""
    blocks: list[str] = []

    def placeholder(kind: str) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            blocks.append(match.group(1))
            return f'<div data-cjm-{kind}="{src_uri}:{len(blocks) - 1}"></div>'

        return replace

    def late_cells(match: re.Match[str]) -> str:
        cells = match.group(1)
        searched = search_text(cells)
        if searched is None:
            return cells
        blocks.append(cells)
        return f'<div data-cjm-late="{src_uri}:{len(blocks) - 1}">{searched}</div>'

    if _LATE_CELLS_MARK in markdown:
        # First: these are inside HTML blocks, whose text the next step takes out.
        markdown = _MARKED_LATE_CELLS.sub(late_cells, markdown)
    markdown = _MARKED_BLOCK.sub(placeholder("html"), markdown)
    if _LATE_MARK in markdown:
        markdown = _MARKED_LATE.sub(placeholder("late"), markdown)
    return markdown, tuple(blocks)


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
