"""Hostile maps: every string field carries markup, Markdown, Jinja, DOT or table syntax.

The fixture (tests/fixtures/hostile, written by its regenerate.py) is built for real
with --strict. Every produced HTML page, the search index and every standalone flow
SVG are then read back: nothing an author wrote may become an element, an attribute
or a URL, and the text must read literally wherever it is shown.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest
from conftest import FIXTURES, BuildResult, copy_project, run_build
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from mkdocs_cjm.core.text import wrap
from mkdocs_cjm.render.flow import WRAP_WIDTH

pytestmark = pytest.mark.xdist_group("hostile")

HOSTILE = FIXTURES / "hostile"
SITE_NAME = "Hostile playbook"
SVG_NS = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
XLINK_TITLE = "{http://www.w3.org/1999/xlink}title"


def _load_regenerate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("hostile_regenerate", HOSTILE / "regenerate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REGENERATE = _load_regenerate()
PAYLOADS: dict[str, str] = REGENERATE.PAYLOADS
NUMBER = {name: number for number, name in enumerate(PAYLOADS)}

# Payloads that CommonMark leaves as they are, so Markdown fields must show them
# literally too. The others mean something in Markdown (code spans, emphasis,
# entities, backslash escapes, paragraphs), which Markdown fields are allowed to do.
MARKDOWN_LITERAL = {
    "script", "img", "iframe", "style", "svg", "links", "attr", "title", "pipes", "dot-html",
    "comment",
}  # fmt: skip

# Elements that no page of this site may hold anywhere: Material does not use them,
# so any one of them came from a map.
FORBIDDEN = {
    "iframe", "frame", "frameset", "object", "embed", "img", "applet", "base", "audio",
    "video", "source", "track", "math", "template", "noscript", "foreignobject", "use",
    "animate", "set", "animatetransform", "animatemotion", "image", "marquee", "portal",
    "param", "textarea", "select", "dialog",
}  # fmt: skip
# What author Markdown may legitimately produce inside the content.
MARKDOWN_TAGS = {
    "p", "em", "strong", "s", "code", "pre", "a", "ul", "ol", "li", "blockquote", "hr", "br",
    "h1", "h2", "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
MARKDOWN_ATTRIBUTES = {"href", "style", "start", "class"}
URL_ATTRIBUTES = {
    "href", "src", "xlink:href", "action", "formaction", "data", "poster", "background",
    "cite", "srcset", "ping", "codebase", "longdesc", "manifest", "dynsrc", "lowsrc",
}  # fmt: skip
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")


def one_line(text: str) -> str:
    return " ".join(text.split())


def text_of(node: Node) -> str:
    """What a reader sees of an element, whitespace collapsed, permalinks (¶) left out."""
    return one_line(node.text(deep=True).replace("¶", ""))


def pages(site: Path) -> Iterator[tuple[str, HTMLParser]]:
    for path in sorted(site.rglob("*.html")):
        yield path.relative_to(site).as_posix(), HTMLParser(path.read_text(encoding="utf-8"))


def article(tree: HTMLParser) -> Node:
    node = tree.css_first("article.md-content__inner")
    assert node is not None
    return node


_RELATIVE = re.compile(r"(?:\.\./)+")
_BASE = re.compile(r'"(?:\.\./)*\.\.?"')


def script_signature(node: Node) -> str:
    """A script with the page's depth taken out, so the same script on any page compares equal."""
    source = node.attributes.get("src")
    if source:
        return "src:" + _RELATIVE.sub("", source)
    return "inline:" + _RELATIVE.sub("", _BASE.sub('"BASE"', node.text() or ""))


def unsafe_url(value: str) -> bool:
    # Browsers drop ASCII whitespace and control characters before reading a scheme.
    squeezed = re.sub(r"[\x00-\x20]", "", value).lower()
    return squeezed.startswith(BAD_SCHEMES)


def own_rows(table: Node) -> list[Node]:
    """The rows of this table, not of tables nested in its cells (Markdown descriptions)."""
    rows = []
    for row in table.css("tr"):
        parent = row.parent
        while parent is not None and parent.tag != "table":
            parent = parent.parent
        if parent is not None and parent.mem_id == table.mem_id:
            rows.append(row)
    return rows


def row_widths(table: Node) -> list[int]:
    """The number of grid columns each row fills, counting cells spanned from rows above."""
    widths = []
    carried: Counter[int] = Counter()  # column -> rows it is still covered for
    for row in own_rows(table):
        column, width = 0, 0
        for cell in (child for child in row.iter() if child.tag in ("td", "th")):
            while carried[column] > 0:
                carried[column] -= 1
                column, width = column + 1, width + 1
            span = int(cell.attributes.get("colspan") or 1)
            rows = int(cell.attributes.get("rowspan") or 1)
            for offset in range(span):
                if rows > 1:
                    carried[column + offset] = rows - 1
            column, width = column + span, width + span
        while carried[column] > 0:
            carried[column] -= 1
            column, width = column + 1, width + 1
        widths.append(width)
    return widths


@pytest.fixture(scope="module")
def clean_site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The hostile project's own mkdocs.yml and docs with harmless maps: what Material adds."""
    project = copy_project(HOSTILE, tmp_path_factory.mktemp("clean") / "project")
    shutil.rmtree(project / "maps")
    shutil.copytree(FIXTURES / "minimal" / "maps", project / "maps")
    result = run_build(project)
    assert result.returncode == 0, result.output
    return result


@pytest.fixture(scope="module")
def journey_pages(hostile_site: BuildResult) -> dict[str, HTMLParser]:
    return {name: hostile_site.page(f"playbook/journeys/j-{n}/") for name, n in NUMBER.items()}


def test_fixture_maps_are_what_regenerate_writes() -> None:
    """The payload list in regenerate.py is the one truth the assertions below rely on."""
    expected = REGENERATE.files()
    maps = HOSTILE / "maps"
    written = {path.relative_to(maps).as_posix() for path in maps.rglob("*.yml")}
    assert written == set(expected), "run tests/fixtures/hostile/regenerate.py"
    for name, content in expected.items():
        assert (maps / name).read_text(encoding="utf-8") == content, name


def test_every_string_field_carries_a_payload() -> None:
    """Walk the loaded model: a field added to the format without a payload fails here."""
    from dataclasses import fields, is_dataclass

    from mkdocs_cjm.core.loader import load_playbook

    result = load_playbook(HOSTILE / "maps", display_root=HOSTILE)
    assert not result.problems, [str(problem) for problem in result.problems]
    assert result.playbook is not None
    values = set(PAYLOADS.values())
    # Owners are team names, read composed and single-spaced (one team however typed).
    values |= {" ".join(payload.split()) for payload in values}
    # Ids and KPI numbers are validated or numeric: every other string is free text.
    not_text = re.compile(r"^(?:[a-z0-9-]+|\d+%)$")
    seen: set[str] = set()

    def visit(value: object, path: str) -> None:
        if is_dataclass(value) and not isinstance(value, type):
            for field in fields(value):
                if field.name not in ("source", "type", "index"):
                    visit(getattr(value, field.name), f"{path}.{field.name}")
        elif isinstance(value, tuple):
            for number, item in enumerate(value):
                visit(item, f"{path}[{number}]")
        elif isinstance(value, str) and not not_text.match(value):
            assert value in values or value.removeprefix("Age ") in values, path
            seen.add(path.split(".")[-1].split("[")[0])

    visit(result.playbook, "playbook")
    assert seen >= {
        "name", "owner", "description", "tagline", "goals", "frustrations", "traits", "title",
        "summary", "target", "actual", "touchpoint", "action", "services", "feeling",
        "thought", "pain_points", "opportunities",
    }  # fmt: skip


def test_no_injected_element_attribute_or_url(
    hostile_site: BuildResult, clean_site: BuildResult
) -> None:
    clean_scripts = set()
    clean_content_tags: set[str] = set()
    clean_content_attributes: set[str] = set()
    for _, tree in pages(clean_site.site):
        clean_scripts |= {script_signature(node) for node in tree.css("script")}
        clean_scripts |= {"style:" + (node.text() or "") for node in tree.css("style")}
        for node in article(tree).traverse(include_text=False):
            clean_content_tags.add(node.tag)
            clean_content_attributes |= set(node.attributes)
        assert not FORBIDDEN & {node.tag for node in tree.root.traverse()}, (
            "Material now uses an element this test forbids: review FORBIDDEN"
        )
    allowed_tags = clean_content_tags | MARKDOWN_TAGS
    allowed_attributes = clean_content_attributes | MARKDOWN_ATTRIBUTES

    failures = []
    checked = 0
    for name, tree in pages(hostile_site.site):
        checked += 1
        for node in tree.css("script"):
            if script_signature(node) not in clean_scripts:
                failures.append(f"{name}: script {node.html[:120]}")
        for node in tree.css("style"):
            if "style:" + (node.text() or "") not in clean_scripts:
                failures.append(f"{name}: style {node.html[:120]}")
        for node in tree.root.traverse(include_text=False):
            if node.tag in FORBIDDEN:
                failures.append(f"{name}: <{node.tag}> {node.html[:120]}")
            for attribute, value in node.attributes.items():
                if attribute.lower().startswith("on"):
                    failures.append(f"{name}: {attribute}= on <{node.tag}>")
                if attribute.lower() in URL_ATTRIBUTES and value and unsafe_url(value):
                    failures.append(f"{name}: {attribute}={value[:60]!r} on <{node.tag}>")
        for node in article(tree).traverse(include_text=False):
            if node.tag not in allowed_tags:
                failures.append(f"{name}: <{node.tag}> in the content")
            unexpected = set(node.attributes) - allowed_attributes
            if unexpected:
                failures.append(f"{name}: attributes {sorted(unexpected)} on <{node.tag}>")
    assert checked > 3 * len(PAYLOADS)
    assert not failures, "\n".join(failures[:40])


def test_search_index_holds_text_not_markup(hostile_site: BuildResult) -> None:
    """Material's search shows titles and text as HTML: they must parse to text only."""
    index = json.loads((hostile_site.site / "search" / "search_index.json").read_text("utf-8"))
    docs = {doc["location"]: doc for doc in index["docs"]}
    failures = []
    for doc in index["docs"]:
        for key in ("title", "text"):
            tree = HTMLParser(f"<div>{doc[key]}</div>")
            for node in tree.body.traverse(include_text=False) if tree.body else []:
                if node.tag not in MARKDOWN_TAGS | {"div", "body", "span", "small"}:
                    failures.append(f"{doc['location']} {key}: <{node.tag}>")
                for attribute, value in node.attributes.items():
                    if attribute.startswith("on") or (
                        attribute in URL_ATTRIBUTES and value and unsafe_url(value)
                    ):
                        failures.append(f"{doc['location']} {key}: {attribute}={value!r}")
    assert not failures, "\n".join(failures[:40])
    for name, number in NUMBER.items():
        doc = docs[f"playbook/journeys/j-{number}/"]
        title = HTMLParser(f"<div>{doc['title']}</div>").css_first("div")
        assert title is not None
        assert text_of(title) == one_line(PAYLOADS[name]), name


def test_titles_headings_and_nav_read_literally(
    hostile_site: BuildResult, journey_pages: dict[str, HTMLParser]
) -> None:
    home = hostile_site.page("")
    for name, tree in journey_pages.items():
        expected = one_line(PAYLOADS[name])
        title = tree.css_first("title")
        assert title is not None and text_of(title) == f"{expected} - {SITE_NAME}", name
        h1 = article(tree).css_first("h1")
        assert h1 is not None and text_of(h1) == expected, name
        link = home.css_first(f'a.md-nav__link[href="playbook/journeys/j-{NUMBER[name]}/"]')
        assert link is not None and text_of(link) == expected, name
    for kind, prefix in (("personas", "p"), ("channels", "c")):
        for name, number in NUMBER.items():
            tree = hostile_site.page(f"playbook/{kind}/{prefix}-{number}/")
            title = tree.css_first("title")
            expected = one_line(PAYLOADS[name])
            assert title is not None and text_of(title) == f"{expected} - {SITE_NAME}"
            h1 = article(tree).css_first("h1")
            assert h1 is not None and text_of(h1) == expected, (kind, name)


def test_tags_read_literally(hostile_site: BuildResult) -> None:
    tags = hostile_site.page("tags/")
    shown = {text_of(node) for node in article(tags).css("h2 .md-tag")}
    assert shown == {one_line(payload) for payload in PAYLOADS.values()}


def test_plain_fields_fill_their_table_cells_literally(
    journey_pages: dict[str, HTMLParser], hostile_site: BuildResult
) -> None:
    for name, tree in journey_pages.items():
        expected = one_line(PAYLOADS[name])
        content = article(tree)
        stages = content.css(".cjm-matrix thead th[id^='stage-']")
        assert [text_of(node) for node in stages] == [expected] * 2, name
        touchpoints = content.css(".cjm-matrix th.cjm-touchpoint")
        assert touchpoints and {text_of(node) for node in touchpoints} == {expected}, name
        kpis = content.css_first(".cjm-kpis table")
        assert kpis is not None
        measures = []
        for row in own_rows(kpis)[1:]:
            cells = [cell for cell in row.iter() if cell.tag == "td"]
            measures.append((text_of(cells[-3]), text_of(cells[-2])))  # target, actual
        assert measures == [(expected, expected), ("10%", "5%")] * 2, name
        owners = [text_of(row.css("td")[5]) for row in content.css(".cjm-steps tbody tr")]
        assert owners == [expected] * 3, name
        meta = dict(
            zip(
                (text_of(node) for node in content.css(".cjm-meta dt")),
                (text_of(node) for node in content.css(".cjm-meta dd")),
                strict=True,
            )
        )
        assert meta["Owner"] == expected, name
        if name in MARKDOWN_LITERAL:
            actions = {text_of(node) for node in content.css(".cjm-matrix .cjm-action")}
            assert actions == {expected}, name
            summary = content.css_first(".cjm-summary")
            assert summary is not None and text_of(summary) == expected, name
    for name, number in NUMBER.items():
        persona = article(hostile_site.page(f"playbook/personas/p-{number}/"))
        rows = [
            (text_of(row.css_first("th")), text_of(row.css_first("td")))
            for row in persona.css(".cjm-traits tbody tr")
        ]
        expected = one_line(PAYLOADS[name])
        assert rows == [(expected, expected), (f"Age {expected}", "28")], name


def test_tables_keep_their_shape(hostile_site: BuildResult) -> None:
    """Pipes and line breaks in cells never add, drop or split a cell or a row."""
    checked = 0
    for name, tree in pages(hostile_site.site):
        for table in article(tree).css("table"):
            widths = row_widths(table)
            assert len(set(widths)) <= 1, f"{name}: rows of {widths} cells\n{table.html[:300]}"
            checked += 1
    assert checked > 6 * len(PAYLOADS)
    for name, number in NUMBER.items():
        content = article(hostile_site.page(f"playbook/journeys/j-{number}/"))
        for selector, rows in ((".cjm-steps", 3), (".cjm-kpis", 4)):
            table = content.css_first(f"{selector} table")
            assert table is not None
            body = [row for row in own_rows(table) if row.parent and row.parent.tag == "tbody"]
            assert len(body) == rows, (name, selector)


def test_jinja_syntax_is_never_evaluated(hostile_site: BuildResult) -> None:
    number = NUMBER["jinja"]
    for url in (
        f"playbook/journeys/j-{number}/",
        f"playbook/personas/p-{number}/",
        f"playbook/channels/c-{number}/",
    ):
        content = text_of(article(hostile_site.page(url)))
        assert "49" not in content, url
        assert "{{ 7*7 }}" in content and "{% if true %}jinja-if{% endif %}" in content, url


def test_snippet_and_fence_lines_in_text_do_nothing(hostile_site: BuildResult) -> None:
    for path in hostile_site.site.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".svg"):
            assert "CANARY-SNIPPET" not in path.read_text(encoding="utf-8"), path
    number = NUMBER["newlines"]
    content = article(hostile_site.page(f"playbook/journeys/j-{number}/"))
    touchpoint = content.css_first(".cjm-matrix th.cjm-touchpoint")
    assert touchpoint is not None and text_of(touchpoint) == one_line(PAYLOADS["newlines"])
    assert touchpoint.css_first("pre") is None


def _flow_graph(svg: ET.Element) -> tuple[list[ET.Element], int, int]:
    groups = list(svg.iter(f"{SVG_NS}g"))
    classes = [set((group.get("class") or "").split()) for group in groups]
    nodes = [group for group, names in zip(groups, classes, strict=True) if "node" in names]
    edges = sum("edge" in names for names in classes)
    clusters = sum("cluster" in names for names in classes)
    return nodes, edges, clusters


def _texts(element: ET.Element) -> list[str]:
    return ["".join(text.itertext()) for text in element.iter(f"{SVG_NS}text")]


def test_flow_svgs_keep_their_graph_and_show_labels_literally(hostile_site: BuildResult) -> None:
    """3 steps, 4 edges (first->second, first->third, second->third, third->first), 2 stages."""
    flows = hostile_site.site / "assets" / "cjm" / "flows"
    for name, number in NUMBER.items():
        svg = ET.fromstring((flows / f"j-{number}.svg").read_text(encoding="utf-8"))
        for element in svg.iter():
            tag = element.tag.removeprefix(SVG_NS).lower()
            assert tag not in FORBIDDEN | {"script", "style"}, (name, tag)
            for attribute, value in element.attrib.items():
                local = attribute.rsplit("}", 1)[-1]
                assert not local.lower().startswith("on"), (name, attribute)
                if attribute in (XLINK_HREF, "href"):
                    assert value.startswith("#step-"), (name, value)
        nodes, edges, clusters = _flow_graph(svg)
        assert (len(nodes), edges, clusters) == (3, 4, 2), name
        lines = wrap(PAYLOADS[name], WRAP_WIDTH)
        for node in nodes:
            assert _texts(node)[: len(lines)] == lines, name
            link = next(node.iter(f"{SVG_NS}a"))
            tooltip = link.get(XLINK_TITLE) or ""
            assert tooltip.startswith(one_line(PAYLOADS[name])), name


def test_inline_svgs_show_text_literally(journey_pages: dict[str, HTMLParser]) -> None:
    for name, tree in journey_pages.items():
        expected = one_line(PAYLOADS[name])
        flow = article(tree).css_first("figure.cjm-flow svg")
        assert flow is not None
        flow_title = flow.css_first("title")
        assert flow_title is not None and expected in text_of(flow_title), name
        assert len(flow.css("g.node")) == 3, name
        canvas = article(tree).css_first("[data-cjm-map]")
        assert canvas is not None
        tips = [
            " ".join((point.attributes.get("title") or "").split())
            for point in canvas.css("a.cjm-map-point")
        ]
        assert len(tips) == 2 and all(f". {expected}: " in tip for tip in tips), name
        stages = [
            text_of(node.css_first(".cjm-map-stage-name")) for node in canvas.css("[data-stage]")
        ]
        assert stages == [expected, expected], name
        owners = [text_of(node) for node in canvas.css("[data-lane=owners] .cjm-team")]
        assert owners == [expected] * 3, name


def _allow_html_maps(description: str) -> dict[str, str]:
    minimal = FIXTURES / "minimal" / "maps"
    files = {
        f"maps/{path.relative_to(minimal).as_posix()}": path.read_text(encoding="utf-8")
        for path in minimal.rglob("*.yml")
    }
    files["maps/personas/lan.yml"] = f"name: Lan\ndescription: {json.dumps(description)}\n"
    return files


TRUSTED = (
    "Plain **bold** <b>raw</b> [bad](javascript:alert(1)) [ok](https://example.com/)"
    " <span onclick=\"alert('x')\">span</span>"
)


@pytest.mark.parametrize("allow_html", [False, True], ids=["default", "allow_html"])
def test_allow_html_option(build: Callable[..., BuildResult], allow_html: bool) -> None:
    config = "site_name: Trust\ntheme:\n  name: material\nplugins:\n  - search\n  - cjm"
    if allow_html:
        config += ":\n      allow_html: true"
    result = build(_allow_html_maps(TRUSTED), config + "\n")
    description = result.page("playbook/personas/lan/").css_first(".cjm-description")
    assert description is not None
    strong = description.css_first("strong")
    assert strong is not None and strong.text() == "bold"
    ok = description.css_first('a[href="https://example.com/"]')
    assert ok is not None and ok.text() == "ok"
    raw = description.css_first("b")
    span = description.css_first("span")
    if allow_html:
        assert raw is not None and raw.text() == "raw"
        assert span is not None and span.attributes.get("onclick") == "alert('x')"
        # Trusted maps keep any link scheme, as the option's documentation says.
        assert description.css_first('a[href="javascript:alert(1)"]') is not None
    else:
        assert raw is None and span is None
        shown = text_of(description)
        assert "<b>raw</b>" in shown and "[bad](javascript:alert(1))" in shown
        assert """<span onclick="alert('x')">span</span>""" in shown
        assert all(not unsafe_url(a.attributes.get("href") or "") for a in description.css("a"))
        assert len(description.css("a")) == 1
