"""Blind acceptance test: a hotel chain in Đà Nẵng, written from the format contract only.

The maps in ``fixtures/blind`` were written from ``journey-format.md`` without reading the
plugin. Every expectation below is computed from those YAML files and checked on the HTML
that ``mkdocs build --strict`` produces, as a reader of the built site would see it.
"""

from __future__ import annotations

import html as htmllib
import itertools
import json
import posixpath
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import pytest
import yaml
from conftest import BuildResult, copy_project, run_build, text_of
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

BLIND = Path(__file__).resolve().parent / "fixtures" / "blind"
MAPS = BLIND / "maps"
PREFIX = "playbook"  # the documented default of the `prefix` option

EN_WORDS = {1: "very negative", 2: "negative", 3: "neutral", 4: "positive", 5: "very positive"}
VI_WORDS = {1: "rất tiêu cực", 2: "tiêu cực", 3: "bình thường", 4: "tích cực", 5: "rất tích cực"}
EN_SECTIONS = [
    "Stages and touchpoints",
    "Flow",
    "Goals and KPIs",
    "Step details",
]
SVG_NS = "{http://www.w3.org/2000/svg}"


# --------------------------------------------------------------------------- the maps


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8-sig"))


def _map_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml"))


CHANNELS: dict[str, dict[str, Any]] = _load(MAPS / "channels.yml")
PERSONAS: dict[str, dict[str, Any]] = {p.stem: _load(p) for p in _map_files(MAPS / "personas")}
JOURNEYS: dict[str, dict[str, Any]] = {p.stem: _load(p) for p in _map_files(MAPS / "journeys")}


def personas_of(journey: dict[str, Any]) -> list[str]:
    return list(journey.get("personas") or [journey["persona"]])


def steps_of(jid: str) -> list[dict[str, Any]]:
    """The journey's steps with every default of the contract applied."""
    raw = JOURNEYS[jid]["steps"]
    steps = []
    for n, step in enumerate(raw, start=1):
        channel = CHANNELS[step["channel"]]
        ids_after = [s.get("id", f"step-{n + 1}") for s in raw[n : n + 1]]
        steps.append(
            {
                **step,
                "n": n,
                "id": step.get("id", f"step-{n}"),
                "touchpoint": step.get("touchpoint", channel["name"]),
                "owner": step.get("owner", channel.get("owner")),
                "next": step.get("next", ids_after),
                "services": step.get("services", []),
                "pain_points": step.get("pain_points", []),
                "opportunities": step.get("opportunities", []),
            }
        )
    return steps


def stage_names(jid: str) -> dict[str, str]:
    return {s["id"]: s["name"] for s in JOURNEYS[jid]["stages"]}


def channels_of(jid: str) -> list[str]:
    return list(dict.fromkeys(s["channel"] for s in steps_of(jid)))


def step_by_id(jid: str) -> dict[str, dict[str, Any]]:
    return {s["id"]: s for s in steps_of(jid)}


def journey_url(jid: str) -> str:
    return f"{PREFIX}/journeys/{jid}/"


def persona_url(pid: str) -> str:
    return f"{PREFIX}/personas/{pid}/"


def channel_url(cid: str) -> str:
    return f"{PREFIX}/channels/{cid}/"


def md_plain(text: str) -> str:
    """What a reader sees of inline Markdown (only `**bold**` is used in the maps)."""
    return " ".join(text.replace("**", "").split())


def md_paragraphs(text: str) -> list[str]:
    return [md_plain(p) for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def md_strongs(text: str) -> list[str]:
    return re.findall(r"\*\*(.+?)\*\*", text)


def kpi_below(kpi: dict[str, Any]) -> bool:
    if kpi.get("target") is None or kpi.get("actual") is None:
        return False

    def number(value: Any) -> float:
        return float(re.sub(r"[^0-9.\-]", "", str(value)))

    target, actual = number(kpi["target"]), number(kpi["actual"])
    if kpi.get("higher_is_better", True):
        return actual < target
    return actual > target


def free_texts(value: Any, skip: frozenset[str] = frozenset()) -> Iterator[str]:
    """Every author string in a map (not ids, references, or non-text scalars)."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in skip:
                continue
            if (
                isinstance(key, str)
                and isinstance(item, (int, float, str))
                and key
                not in {
                    "id",
                    "stage",
                    "channel",
                    "persona",
                    "type",
                    "emotion",
                    "higher_is_better",
                }
            ):
                if isinstance(item, str):
                    yield from md_paragraphs(item)
                else:
                    yield str(item)
            elif isinstance(item, (dict, list)):
                yield from free_texts(item, skip)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, str):
                yield md_plain(item)
            else:
                yield from free_texts(item, skip)


REF_KEYS = frozenset({"next", "personas"})

VI_JOURNEY = next(j for j in JOURNEYS if "personas" in JOURNEYS[j])
EN_JOURNEY = next(j for j in JOURNEYS if j != VI_JOURNEY)
FULL_PERSONA = next(p for p, d in PERSONAS.items() if len(d) > 1)
MINIMAL_PERSONA = next(p for p, d in PERSONAS.items() if list(d) == ["name"])


# --------------------------------------------------------------------------- HTML helpers


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def article(page: HTMLParser) -> Node:
    node = page.css_first("article")
    assert node is not None
    return node


def section(page: HTMLParser, title: str) -> list[Node]:
    """The nodes between the `<h2>` titled `title` and the next `<h2>`."""
    heads = [h for h in article(page).css("h2") if text_of(h) == title]
    assert len(heads) == 1, f"expected one h2 {title!r}, found {[text_of(h) for h in heads]}"
    nodes: list[Node] = []
    node = heads[0].next
    while node is not None and node.tag != "h2":
        if node.tag not in ("-text", "_text", "-comment"):
            nodes.append(node)
        node = node.next
    return nodes


def header_nodes(page: HTMLParser) -> list[Node]:
    """The part of the article before its first `<h2>`."""
    nodes: list[Node] = []
    node = article(page).css_first("h1")
    assert node is not None
    while node is not None and node.tag != "h2":
        if node.tag not in ("-text", "_text", "-comment"):
            nodes.append(node)
        node = node.next
    return nodes


def find(nodes: list[Node], selector: str) -> list[Node]:
    found: list[Node] = []
    for node in nodes:
        found.extend(node.css(selector))  # includes the node itself when it matches
    return found


def inside(node: Node, tag: str) -> bool:
    current = node.parent
    while current is not None:
        if current.tag == tag:
            return True
        current = current.parent
    return False


def texts(nodes: list[Node]) -> str:
    return " ".join(text_of(n) for n in nodes)


def ancestor(node: Node, *tags: str) -> Node:
    current: Node | None = node
    while current is not None and current.tag not in tags:
        current = current.parent
    assert current is not None, f"no {tags} around {node.html}"
    return current


def resolve(page_url: str, href: str) -> str:
    """The site-relative URL (with #fragment) a link on `page_url` points to."""
    parts = urlsplit(urljoin("https://site.invalid/" + page_url, href))
    path = parts.path.lstrip("/")
    return path + (f"#{parts.fragment}" if parts.fragment else "")


def links(nodes: list[Node], page_url: str) -> list[tuple[str, str]]:
    """(resolved target, text) of every link in nodes."""
    return [
        (resolve(page_url, a.attributes.get("href") or ""), text_of(a))
        for a in find(nodes, "a[href]")
    ]


def has_emotion(text: str, score: int | None, words: dict[int, str]) -> bool:
    """The score is shown as a number and a word (never colour alone), and no other score."""
    if score is None:
        return re.search(r"\b[1-5]\s*/\s*5\b", text) is None
    other = [w for s, w in words.items() if s != score and w not in words[score]]
    return (
        f"{score}/5" in text.replace(" ", "")
        and words[score] in text
        and not any(w in text for w in other)
        and not any(f"{s}/5" in text.replace(" ", "") for s in words if s != score)
    )


def column_index(table: Node, label: str) -> int:
    heads = [text_of(th) for th in table.css("thead th")]
    matches = [i for i, h in enumerate(heads) if h.lower().startswith(label.lower())]
    assert matches, f"no column {label!r} in {heads}"
    return matches[0]


def cells(row: Node) -> list[Node]:
    return [c for c in row.iter() if c.tag in ("th", "td")]


def flat(node: Node) -> str:
    """Text as read: inline markup joins without extra spaces (`<strong>x</strong>.`)."""
    return " ".join(node.text(separator="").split())


def flats(nodes: list[Node]) -> str:
    return " ".join(flat(n) for n in nodes)


def single_table(nodes: list[Node]) -> Node:
    tables = find(nodes, "table")
    assert len(tables) == 1, f"expected one table, found {len(tables)}"
    table = tables[0]
    caption = table.css_first("caption")
    assert caption is not None and text_of(caption), "the table has no caption"
    for th in table.css("th"):
        assert th.attributes.get("scope"), f"<th> without scope: {th.html}"
    return table


def step_anchors(page: HTMLParser, jid: str) -> dict[str, str]:
    """step id -> id of the element (row) that holds the step further down the page."""
    anchors: dict[str, str] = {}
    table = single_table(section(page, "Step details"))
    rows = table.css("tbody tr")
    for step in steps_of(jid):
        found = [r for r in rows if step["action"] in text_of(r) and r.attributes.get("id")]
        assert len(found) == 1, f"no anchored row for step {step['id']}"
        anchors[step["id"]] = found[0].attributes["id"] or ""
    return anchors


def ids_in(html: str) -> set[str]:
    return set(re.findall(r"\s(?:id|name)=\"([^\"]+)\"", html))


# --------------------------------------------------------------------------- flow diagram


def numbers(text: str) -> list[tuple[float, float]]:
    values = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", text)]
    return list(zip(values[0::2], values[1::2], strict=False))


def bbox(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def distance(point: tuple[float, float], box: tuple[float, float, float, float]) -> float:
    x, y = point
    dx = max(box[0] - x, 0, x - box[2])
    dy = max(box[1] - y, 0, y - box[3])
    return float((dx * dx + dy * dy) ** 0.5)


def shape_of(group: Node) -> Node:
    for shape in group.css("path, polygon, ellipse, rect"):
        return shape
    raise AssertionError(f"no shape in {group.html}")


def shape_points(shape: Node) -> list[tuple[float, float]]:
    attrs = shape.attributes
    if shape.tag == "ellipse":
        cx, cy = float(attrs["cx"] or 0), float(attrs["cy"] or 0)
        rx, ry = float(attrs["rx"] or 0), float(attrs["ry"] or 0)
        return [(cx - rx, cy - ry), (cx + rx, cy + ry)]
    return numbers(attrs.get("d") or attrs.get("points") or "")


def link_of(group: Node) -> tuple[str, str]:
    anchor = group.css_first("a")
    assert anchor is not None, f"node without link: {group.html[:300]}"
    attrs = anchor.attributes
    href = attrs.get("xlink:href") or attrs.get("href") or ""
    title = attrs.get("xlink:title") or attrs.get("title") or ""
    inner = group.css_first("title")
    if inner is not None:
        title += " " + text_of(inner)
    return href, htmllib.unescape(title)


def flow_svg(page: HTMLParser, heading: str = "Flow") -> Node:
    svgs = [s for s in find(section(page, heading), "svg") if s.css("g.node")]
    assert len(svgs) == 1, "the Flow section has no inline Graphviz SVG"
    return svgs[0]


def flow_nodes(page: HTMLParser, jid: str, heading: str = "Flow") -> dict[str, dict[str, Any]]:
    """step id -> node of the flow diagram (matched by its label)."""
    svg = flow_svg(page, heading)
    steps = steps_of(jid)
    nodes: dict[str, dict[str, Any]] = {}
    for group in svg.css("g.node"):
        label = " ".join(text_of(t) for t in group.css("text"))
        matched = [s for s in steps if s["action"] in label]
        assert len(matched) == 1, f"node {label!r} matches {len(matched)} steps"
        href, title = link_of(group)
        shape = shape_of(group)
        nodes[matched[0]["id"]] = {
            "label": label,
            "href": href,
            "title": title,
            "box": bbox(shape_points(shape)),
            "shape": (
                shape.tag,
                bool(shape.attributes.get("stroke-dasharray")),
                "style" in shape.attributes,
            ),
            "fill": (shape.attributes.get("fill") or "").lower(),
        }
    return nodes


def flow_edges(page: HTMLParser, jid: str) -> list[tuple[str, str]]:
    svg = flow_svg(page)
    nodes = flow_nodes(page, jid)
    edges: list[tuple[str, str]] = []
    for group in svg.css("g.edge"):
        path = group.css_first("path")
        arrow = group.css_first("polygon")
        assert path is not None and arrow is not None, group.html
        line = numbers(path.attributes.get("d") or "")
        head = numbers(arrow.attributes.get("points") or "")
        centre = (sum(p[0] for p in head) / len(head), sum(p[1] for p in head) / len(head))

        def gap(p: tuple[float, float], c: tuple[float, float] = centre) -> float:
            return float(((p[0] - c[0]) ** 2 + (p[1] - c[1]) ** 2) ** 0.5)

        tail = line[0] if gap(line[-1]) < gap(line[0]) else line[-1]
        source = min(nodes, key=lambda s: distance(tail, nodes[s]["box"]))
        assert distance(tail, nodes[source]["box"]) < 3, f"edge tail on no node: {group.html}"
        others = [s for s in nodes if s != source] or [source]
        target = min(others, key=lambda s: min(distance(p, nodes[s]["box"]) for p in head))
        assert min(distance(p, nodes[target]["box"]) for p in head) < 3, group.html
        edges.append((source, target))
    return edges


def flow_clusters(page: HTMLParser) -> list[tuple[str, tuple[float, float, float, float]]]:
    svg = flow_svg(page)
    clusters = []
    for group in svg.css("g.cluster"):
        label = " ".join(text_of(t) for t in group.css("text"))
        clusters.append((label, bbox(shape_points(shape_of(group)))))
    return clusters


# --------------------------------------------------------------------------- builds


def _build(
    factory: pytest.TempPathFactory, name: str, edit: Callable[[dict[str, Any]], None] | None
) -> BuildResult:
    root = factory.mktemp(name)
    project = copy_project(BLIND, root / "project")
    if edit is not None:
        config_path = project / "mkdocs.yml"
        config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
        edit(config)
        config_path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    result = run_build(project, root / "site")
    assert result.returncode == 0, result.output
    return result


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return _build(tmp_path_factory, "blind", None)


@pytest.fixture(scope="module")
def vi_site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    def edit(config: dict[str, Any]) -> None:
        config["theme"]["language"] = "vi"

    return _build(tmp_path_factory, "blind-vi", edit)


@pytest.fixture(scope="module")
def override_site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    def edit(config: dict[str, Any]) -> None:
        config["theme"]["language"] = "vi"
        config["plugins"] = ["search", {"cjm": {"language": "en"}}]

    return _build(tmp_path_factory, "blind-override", edit)


NAV_WITH_PAGES = [
    {"Trang chủ": "index.md"},
    {"Hành trình gia đình": f"{PREFIX}/journeys/{VI_JOURNEY}.md"},
    {"Tất cả kênh": f"{PREFIX}/channels/index.md"},
]


@pytest.fixture(scope="module")
def nav_site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    def edit(config: dict[str, Any]) -> None:
        config["nav"] = NAV_WITH_PAGES

    return _build(tmp_path_factory, "blind-nav", edit)


@pytest.fixture(scope="module")
def nav_home_only_site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    def edit(config: dict[str, Any]) -> None:
        config["nav"] = [{"Trang chủ": "index.md"}]

    return _build(tmp_path_factory, "blind-nav-home", edit)


def team_names() -> set[str]:
    """Every owner the maps name: of a journey, a channel, or a step (else its channel's)."""
    names = {j["owner"] for j in JOURNEYS.values() if j.get("owner")}
    names |= {c["owner"] for c in CHANNELS.values() if c.get("owner")}
    for journey in JOURNEYS.values():
        for step in journey["steps"]:
            owner = step.get("owner") or CHANNELS[step["channel"]].get("owner")
            if owner:
                names.add(owner)
    return names


def generated_urls() -> list[str]:
    from mkdocs_cjm.core.index import team_slugs
    from mkdocs_cjm.sections import SECTIONS

    return [
        f"{PREFIX}/",
        *(f"{PREFIX}/{view.folder}/" for view in SECTIONS),
        *(journey_url(j) for j in JOURNEYS),
        *(persona_url(p) for p in PERSONAS),
        *(channel_url(c) for c in CHANNELS),
        *(f"{PREFIX}/teams/{slug}/" for slug in team_slugs(sorted(team_names())).values()),
    ]


# =========================================================================== the build


def test_the_maps_cover_the_brief() -> None:
    """Guard the fixture itself: it exercises what the brief asks for."""
    assert (MAPS / "journeys" / f"{VI_JOURNEY}.yaml").is_file()
    assert 5 <= len(CHANNELS) <= 6
    assert {c["type"] for c in CHANNELS.values()} == {"online", "offline"}
    assert any("owner" not in c for c in CHANNELS.values())
    assert set(PERSONAS[FULL_PERSONA]) == {
        "name",
        "tagline",
        "description",
        "goals",
        "frustrations",
        "traits",
    }
    vi = JOURNEYS[VI_JOURNEY]
    assert len(vi["personas"]) == 2
    raw = vi["steps"]
    assert any("id" not in s for s in raw)
    assert any("touchpoint" not in s for s in raw)
    assert any("emotion" not in s for s in raw)
    assert any(s.get("next") == [] for s in raw)
    assert any(len(s.get("next", [])) > 1 for s in raw)
    used = {s["stage"] for s in raw}
    assert any(st["id"] not in used for st in vi["stages"])
    kpis = [k for st in vi["stages"] for k in st.get("kpis", [])]
    assert any(kpi_below(k) for k in kpis) and any(not kpi_below(k) for k in kpis)
    assert any(k.get("higher_is_better") is False and kpi_below(k) for k in kpis)
    assert any(k.get("higher_is_better") is False and not kpi_below(k) for k in kpis)
    # a loop: some step's `next` points back to an earlier step
    order = [s["id"] for s in steps_of(VI_JOURNEY)]
    assert any(
        order.index(t) <= order.index(s["id"]) for s in steps_of(VI_JOURNEY) for t in s["next"]
    )
    en = JOURNEYS[EN_JOURNEY]
    assert set(en) == {"title", "persona", "stages", "steps"}
    assert all(set(s) == {"id", "name"} for s in en["stages"])
    assert all(set(s) == {"stage", "channel", "action"} for s in en["steps"])


def test_strict_build_is_clean(site: BuildResult) -> None:
    assert site.returncode == 0
    assert "WARNING" not in site.output, site.output
    assert "Traceback" not in site.output, site.output
    for url in generated_urls():
        assert (site.site / url / "index.html").is_file(), f"{url} was not built"


def test_urls_are_readable_ascii_slugs_from_ids(site: BuildResult) -> None:
    built = {
        p.parent.relative_to(site.site).as_posix() + "/"
        for p in (site.site / PREFIX).rglob("index.html")
    }
    assert built == set(generated_urls())
    for url in built:
        assert re.fullmatch(r"[a-z0-9/-]+", url), url


def test_every_link_resolves(site: BuildResult) -> None:
    problems: list[str] = []
    ids_cache: dict[Path, set[str]] = {}
    for page in sorted(site.site.rglob("*.html")):
        page_url = page.relative_to(site.site).as_posix()
        if page_url == "404.html":
            continue
        html = page.read_text(encoding="utf-8")
        for raw in re.findall(r"\s(?:src|href|xlink:href)=\"([^\"]*)\"", html):
            href = htmllib.unescape(raw)
            if not href or re.match(r"^[a-z][a-z0-9+.-]*:", href) or href.startswith("//"):
                continue
            target = resolve(page_url, href)
            path, _, fragment = target.partition("#")
            file = site.site / unquote(path)
            if path == "" or path.endswith("/") or file.is_dir():
                file = file / "index.html"
            if not file.is_file():
                problems.append(f"{page_url}: {href} -> missing {file.relative_to(site.site)}")
                continue
            if fragment and file.suffix == ".html":
                if file not in ids_cache:
                    ids_cache[file] = ids_in(file.read_text(encoding="utf-8"))
                if unquote(fragment) not in ids_cache[file]:
                    problems.append(f"{page_url}: {href} -> no #{fragment}")
    assert not problems, "\n".join(problems)


def ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    return "-".join(re.findall(r"[a-z0-9]+", folded.lower()))


def test_heading_anchors_are_readable_slugs(site: BuildResult) -> None:
    """In-page URLs (#fragments in the table of contents) keep every letter: đ is d.
    Titles of journeys, personas and channels are anchored by kind and id."""
    map_ids = {
        *(f"journey-{item}" for item in JOURNEYS),
        *(f"persona-{item}" for item in PERSONAS),
        *(f"channel-{item}" for item in CHANNELS),
    }
    unreadable = []
    for url in generated_urls():
        for heading in article(site.page(url)).css("h1, h2, h3"):
            anchor = re.sub(r"_\d+$", "", heading.attributes.get("id") or "")
            # A slug that starts like an item anchor ("Step details" and a step
            # `details`) is kept apart by a `section-` prefix.
            slug = anchor.removeprefix("section-")
            if anchor not in map_ids and slug != ascii_slug(text_of(heading)):
                unreadable.append(f"{url}#{anchor} for {text_of(heading)!r}")
    assert not unreadable, "\n".join(unreadable)


# =========================================================================== journey page


@pytest.mark.parametrize("jid", list(JOURNEYS))
def test_journey_header(site: BuildResult, jid: str) -> None:
    journey = JOURNEYS[jid]
    page = site.page(journey_url(jid))
    h1s = article(page).css("h1")
    assert [text_of(h) for h in h1s] == [journey["title"]]
    head = header_nodes(page)
    head_links = links(head, journey_url(jid))
    for pid in personas_of(journey):
        assert (persona_url(pid), PERSONAS[pid]["name"]) in head_links, head_links
    head_text = flats(head)
    if "owner" in journey:
        assert journey["owner"] in head_text
    if "summary" in journey:
        paragraphs = [flat(p) for p in find(head, "p")]
        for paragraph in md_paragraphs(journey["summary"]):
            assert paragraph in paragraphs, paragraphs
        strongs = [text_of(s) for s in find(head, "strong")]
        for strong in md_strongs(journey["summary"]):
            assert strong in strongs
    for stage in journey["stages"]:
        if "description" in stage:
            assert md_plain(stage["description"]) in flat(article(page))


@pytest.mark.parametrize("jid", list(JOURNEYS))
def test_stage_touchpoint_matrix(site: BuildResult, jid: str) -> None:
    journey, url = JOURNEYS[jid], journey_url(jid)
    page = site.page(url)
    table = single_table(section(page, "Stages and touchpoints"))
    heads = table.css("thead th")
    assert all(th.attributes.get("scope") == "col" for th in heads)
    stages = [s["name"] for s in journey["stages"]]
    assert [text_of(th) for th in heads][-len(stages) :] == stages
    assert len(heads) == len(stages) + 1

    steps = steps_of(jid)
    expected = {
        (s["channel"], s["touchpoint"]): [t for t in steps if t["channel"] == s["channel"]]
        for s in steps
    }
    seen: dict[tuple[str, str], list[Node]] = {}
    channel: str | None = None
    channel_rows: dict[str, str] = {}
    for row in table.css("tbody tr"):
        row_cells = cells(row)
        tds = [c for c in row_cells if c.tag == "td"]
        if not tds:  # a channel heading row
            (target, name), *_ = links([row], url)
            channel = next(c for c in CHANNELS if target == channel_url(c))
            channel_rows[channel] = name
            continue
        assert channel is not None, "a touchpoint row comes before any channel heading"
        assert row_cells[0].tag == "th" and row_cells[0].attributes.get("scope") == "row"
        assert len(tds) == len(stages), f"row {text_of(row)!r} has {len(tds)} cells"
        seen[(channel, text_of(row_cells[0]))] = tds
    assert {c: CHANNELS[c]["name"] for c in channels_of(jid)} == channel_rows
    assert set(seen) == set(expected), "touchpoint rows differ from the maps"

    all_actions = [s["action"] for s in steps]
    for (cid, touchpoint), tds in seen.items():
        for column, stage in enumerate(journey["stages"]):
            cell = tds[column]
            here = [
                s
                for s in steps
                if s["channel"] == cid
                and s["touchpoint"] == touchpoint
                and s["stage"] == stage["id"]
            ]
            content = text_of(cell)
            if not here:
                assert content, f"empty cell {touchpoint}/{stage['name']} is not visibly empty"
                assert not any(a in content for a in all_actions)
                continue
            items = cell.css("li") or [cell]
            assert len(items) == len(here), f"{touchpoint}/{stage['name']}: {content}"
            for item, step in zip(items, here, strict=True):
                item_text = text_of(item)
                assert step["action"] in item_text
                for service in step["services"]:
                    assert service in item_text, f"service {service!r} missing"
                assert has_emotion(item_text, step.get("emotion"), EN_WORDS), item_text


@pytest.mark.parametrize("jid", list(JOURNEYS))
def test_flow_has_one_node_per_step_linking_to_its_row(site: BuildResult, jid: str) -> None:
    page = site.page(journey_url(jid))
    html = site.html(journey_url(jid))
    nodes = flow_nodes(page, jid)
    steps = steps_of(jid)
    assert set(nodes) == {s["id"] for s in steps}
    anchors = step_anchors(page, jid)
    svg_at = html.index("<svg")
    for step in steps:
        node = nodes[step["id"]]
        assert step["touchpoint"] in node["label"], node["label"]
        assert node["href"] == f"#{anchors[step['id']]}", node["href"]
        assert html.index(f'id="{anchors[step["id"]]}"') > svg_at, "row is not further down"
        shown = node["label"] + " " + node["title"]
        if step.get("emotion") is None:
            assert re.search(r"\b[1-5]/5\b", shown) is None, shown
        else:
            assert f"{step['emotion']}/5" in shown, shown


@pytest.mark.parametrize("jid", list(JOURNEYS))
def test_flow_edges_follow_next(site: BuildResult, jid: str) -> None:
    page = site.page(journey_url(jid))
    expected = sorted((s["id"], t) for s in steps_of(jid) for t in s["next"])
    assert sorted(flow_edges(page, jid)) == expected


@pytest.mark.parametrize("jid", list(JOURNEYS))
def test_flow_is_left_to_right_with_stage_clusters(site: BuildResult, jid: str) -> None:
    page = site.page(journey_url(jid))
    names = stage_names(jid)
    used = [s for s in names if any(t["stage"] == s for t in steps_of(jid))]
    clusters = flow_clusters(page)
    labels = [label for label, _ in clusters]
    assert [lab for lab in labels if lab in [names[s] for s in used]] == [names[s] for s in used]
    boxes = dict(clusters)
    for left, right in itertools.pairwise(used):
        assert boxes[names[left]][2] <= boxes[names[right]][0], "stages are not left to right"
    nodes = flow_nodes(page, jid)
    for step in steps_of(jid):
        box, stage_box = nodes[step["id"]]["box"], boxes[names[step["stage"]]]
        assert stage_box[0] <= box[0] and box[2] <= stage_box[2], f"{step['id']} outside stage"


@pytest.mark.parametrize("jid", list(JOURNEYS))
def test_flow_has_one_cluster_per_stage(site: BuildResult, jid: str) -> None:
    """`one cluster per stage`: a stage with no steps (yet) is a stage of the journey too."""
    labels = [label for label, _ in flow_clusters(site.page(journey_url(jid)))]
    assert labels == [s["name"] for s in JOURNEYS[jid]["stages"]]


@pytest.mark.parametrize("jid", list(JOURNEYS))
def test_flow_colours_shapes_and_legend(site: BuildResult, jid: str) -> None:
    page = site.page(journey_url(jid))
    nodes = flow_nodes(page, jid)
    steps = steps_of(jid)
    fills: dict[int, set[str]] = {}
    for step in steps:
        if step.get("emotion") is not None:
            fills.setdefault(step["emotion"], set()).add(nodes[step["id"]]["fill"])
    for score, colours in fills.items():
        assert len(colours) == 1, f"emotion {score} has several fills {colours}"
    distinct = [next(iter(c)) for c in fills.values()]
    assert len(set(distinct)) == len(distinct), "two emotions share a fill colour"

    shapes: dict[str, set[tuple[Any, ...]]] = {}
    for step in steps:
        kind = CHANNELS[step["channel"]]["type"]
        shapes.setdefault(kind, set()).add(nodes[step["id"]]["shape"])
    for kind, kinds in shapes.items():
        assert len(kinds) == 1, f"{kind} nodes are drawn in several ways: {kinds}"
    if len(shapes) == 2:
        assert shapes["online"] != shapes["offline"], "online and offline look the same"

    captions = find(section(page, "Flow"), "figcaption")
    assert captions, "the diagram has no caption/legend"
    flow_text = texts(captions)
    assert "legend" in flow_text.lower()
    assert "online" in flow_text.lower() and "offline" in flow_text.lower()
    for score, word in EN_WORDS.items():
        assert f"{score}/5" in flow_text.replace(" ", "") and word in flow_text


def test_flow_svg_keeps_vietnamese_diacritics(site: BuildResult) -> None:
    jid = VI_JOURNEY
    page = site.page(journey_url(jid))
    nodes = flow_nodes(page, jid)
    for step in steps_of(jid):
        label = nodes[step["id"]]["label"]
        assert nfc(step["action"]) in nfc(label) and nfc(step["touchpoint"]) in nfc(label)
        if step.get("feeling"):
            assert step["feeling"] in label + nodes[step["id"]]["title"]
    svg_link = [
        target
        for target, _ in links(section(page, "Flow"), journey_url(jid))
        if target.endswith(".svg")
    ]
    assert svg_link, "no full-size diagram link"
    tree = ET.parse(site.site / svg_link[0])  # well-formed UTF-8 XML
    words = " ".join(" ".join("".join(t.itertext()).split()) for t in tree.iter(f"{SVG_NS}text"))
    for step in steps_of(jid):
        assert step["action"] in words, step["action"]
    for stage in {s["stage"] for s in steps_of(jid)}:
        assert stage_names(jid)[stage] in words


@pytest.mark.parametrize("jid", list(JOURNEYS))
def test_goals_and_kpis(site: BuildResult, jid: str) -> None:
    journey = JOURNEYS[jid]
    page = site.page(journey_url(jid))
    table = single_table(section(page, "Goals and KPIs"))
    names = [s["name"] for s in journey["stages"]]
    by_stage: dict[str, list[Node]] = {}
    current: str | None = None
    for row in table.css("tbody tr"):
        header = row.css_first("th[scope=row]")
        if header is not None:
            starts = [n for n in names if text_of(header).startswith(n)]
            assert starts, f"row header {text_of(header)!r} is no stage"
            current = max(starts, key=len)
            assert current not in by_stage, f"stage {current} appears twice"
            by_stage[current] = []
        assert current is not None
        by_stage[current].append(row)
    assert list(by_stage) == names, "every stage has its row, in order"
    for stage in journey["stages"]:
        rows = by_stage[stage["name"]]
        stage_text = texts(rows)
        for goal in stage.get("goals", []):
            assert md_plain(goal) in stage_text
        for kpi in stage.get("kpis", []):
            found = [r for r in rows if kpi["name"] in text_of(r)]
            assert len(found) == 1, kpi["name"]
            kpi_text = text_of(found[0])
            for key in ("target", "actual"):
                if key in kpi:
                    assert str(kpi[key]) in kpi_text, f"{kpi['name']} {key}"
            below = "below target" in kpi_text.lower()
            assert below == kpi_below(kpi), f"{kpi['name']}: {kpi_text}"


@pytest.mark.parametrize("jid", list(JOURNEYS))
def test_step_details_table(site: BuildResult, jid: str) -> None:
    """Each step's details once: stage, touchpoint, action, emotion, feeling, thought."""
    page = site.page(journey_url(jid))
    table = single_table(section(page, "Step details"))
    step_column, emotion, feeling = (
        column_index(table, key) for key in ("Step", "Emotion", "Feeling")
    )
    rows = table.css("tbody tr")
    steps = steps_of(jid)
    assert len(rows) == len(steps)
    names = stage_names(jid)
    for step in steps:
        row = table.css_first(f'tr[id="step-{step["id"]}"]')
        assert row is not None, step["id"]
        row_cells = [text_of(c) for c in cells(row)]
        assert names[step["stage"]] in row_cells[step_column]
        assert step["touchpoint"] in row_cells[step_column]
        assert step["action"] in row_cells[step_column]
        assert has_emotion(row_cells[emotion], step.get("emotion"), EN_WORDS)
        if step.get("feeling"):
            assert step["feeling"] in row_cells[feeling]
        if step.get("thought"):
            assert step["thought"] in row_cells[feeling]


@pytest.mark.parametrize("jid", list(JOURNEYS))
def test_emotion_curve_on_the_map(site: BuildResult, jid: str) -> None:
    page = site.page(journey_url(jid))
    canvas = article(page).css_first(f'[data-cjm-map="{jid}"]')
    assert canvas is not None, "no journey map canvas"
    lane = canvas.css_first('[data-lane="emotion"]')
    steps = steps_of(jid)
    rated = [s for s in steps if s.get("emotion") is not None]
    if not rated:
        assert lane is None, "an emotion lane for a journey that rates no step"
        return
    assert lane is not None
    points = {p.attributes["data-step"]: p for p in lane.css("[data-step]")}
    assert set(points) == {s["id"] for s in rated}, "one point per rated step, none invented"
    for step in rated:
        assert has_emotion(text_of(points[step["id"]]), step["emotion"], EN_WORDS), step["id"]
    chart = lane.css_first("svg")
    assert chart is not None and not find([lane], "img"), "the curve must be inline SVG"
    # Each point sits (5 - score) levels down its column, the curve's vertices on
    # the same levels; unrated steps are not invented.
    for step in rated:
        assert f"--lvl: {5 - step['emotion']}" in (points[step["id"]].attributes["style"] or "")
    vertices = [
        p for line in chart.css("polyline") for p in numbers(line.attributes["points"] or "")
    ]
    # A branch's line starts at its fork's point and ends at its join's: count
    # the places, not the lines through them.
    assert len(set(vertices)) <= len(rated)
    assert len({y for _, y in vertices}) <= len({s["emotion"] for s in rated})


@pytest.mark.parametrize("jid", list(JOURNEYS))
def test_pain_points_and_opportunities(site: BuildResult, jid: str) -> None:
    page = site.page(journey_url(jid))
    table = single_table(section(page, "Step details"))
    pains, opps, owner = (
        column_index(table, label) for label in ("Pain points", "Opportunities", "Owner")
    )
    for step in steps_of(jid):
        row = table.css_first(f'tr[id="step-{step["id"]}"]')
        assert row is not None, step["id"]
        row_cells = [text_of(c) for c in cells(row)]
        for pain in step["pain_points"]:
            assert md_plain(pain) in row_cells[pains]
        for opportunity in step["opportunities"]:
            assert md_plain(opportunity) in row_cells[opps]
        if step["owner"]:
            assert step["owner"] in row_cells[owner], f"{step['id']}: {row_cells[owner]}"


# =========================================================================== personas


@pytest.mark.parametrize("pid", list(PERSONAS))
def test_persona_page(site: BuildResult, pid: str) -> None:
    persona, url = PERSONAS[pid], persona_url(pid)
    page = site.page(url)
    body = article(page)
    assert [text_of(h) for h in body.css("h1")] == [persona["name"]]
    text = flat(body)
    if "tagline" in persona:
        assert persona["tagline"] in text
    if "description" in persona:
        paragraphs = [flat(p) for p in body.css("p")]
        for paragraph in md_paragraphs(persona["description"]):
            assert paragraph in paragraphs
    strongs = [text_of(s) for s in body.css("strong")]
    for key in ("goals", "frustrations"):
        for item in persona.get(key, []):
            assert md_plain(item) in text
            for strong in md_strongs(item):
                assert strong in strongs
    for label, value in persona.get("traits", {}).items():
        holders = [th for th in body.css("th, dt") if text_of(th) == label]
        assert holders, f"trait {label!r} missing"
        holder = holders[0]
        around = text_of(ancestor(holder, "tr", "dl", "li"))
        assert str(value) in around, f"trait {label} = {value}"
    if list(persona) == ["name"]:
        headings = [text_of(h) for h in body.css("h2")]
        for empty in ("Goals", "Frustrations", "Traits"):
            assert empty not in headings, f"empty section {empty!r} shown"
        assert "None" not in text and "null" not in text

    following = [j for j in JOURNEYS if pid in personas_of(JOURNEYS[j])]
    journey_links = [
        a
        for a in body.css("a[href]")
        if resolve(url, a.attributes["href"] or "") in [journey_url(j) for j in JOURNEYS]
    ]
    linked = {resolve(url, a.attributes["href"] or "") for a in journey_links}
    assert linked == {journey_url(j) for j in following}
    for jid in following:
        anchor = next(
            a for a in journey_links if resolve(url, a.attributes["href"] or "") == journey_url(jid)
        )
        assert text_of(anchor) == JOURNEYS[jid]["title"]
        holder = ancestor(anchor, "tr", "li", "section")
        used = {t for t, _ in links([holder], url) if t.startswith(f"{PREFIX}/channels/")}
        assert used == {channel_url(c) for c in channels_of(jid)}, f"channels of {jid}"


# =========================================================================== channels


@pytest.mark.parametrize("cid", list(CHANNELS))
def test_channel_page(site: BuildResult, cid: str) -> None:
    channel, url = CHANNELS[cid], channel_url(cid)
    page = site.page(url)
    body = article(page)
    assert [text_of(h) for h in body.css("h1")] == [channel["name"]]
    head = texts(header_nodes(page))
    assert channel["type"].lower() in head.lower(), "type online/offline not shown"
    other = "offline" if channel["type"] == "online" else "online"
    assert other not in head.lower()
    if "owner" in channel:
        assert channel["owner"] in head
    else:
        assert "None" not in head
    if "description" in channel:
        paragraphs = [flat(p) for p in body.css("p")]
        for paragraph in md_paragraphs(channel["description"]):
            assert paragraph in paragraphs
        for strong in md_strongs(channel["description"]):
            assert strong in [text_of(s) for s in body.css("strong")]

    using = [j for j in JOURNEYS if cid in channels_of(j)]
    all_links = links([body], url)
    assert {t for t, _ in all_links if t in [journey_url(j) for j in JOURNEYS]} == {
        journey_url(j) for j in using
    }
    for jid in using:
        journey_page = site.page(journey_url(jid))
        anchors = step_anchors(journey_page, jid)
        names = stage_names(jid)
        for step in (s for s in steps_of(jid) if s["channel"] == cid):
            target = f"{journey_url(jid)}#{anchors[step['id']]}"
            hits = [
                a for a in body.css("a[href]") if resolve(url, a.attributes["href"] or "") == target
            ]
            assert hits, f"no link to step {step['id']} of {jid}"
            row = ancestor(hits[0], "tr", "li")
            assert has_emotion(text_of(row), step.get("emotion"), EN_WORDS), text_of(row)
            # grouped by stage: the nearest stage heading at or above the row is its stage
            stage_found = None
            current: Node | None = row
            while current is not None and stage_found is None:
                if current.tag in ("tr", "li"):
                    for th in current.css("th"):
                        if text_of(th) in names.values():
                            stage_found = text_of(th)
                current = current.prev
            assert stage_found == names[step["stage"]], f"{step['id']} under {stage_found}"

    personas = sorted({p for j in using for p in personas_of(JOURNEYS[j])})
    meet = [h for h in body.css("h2") if "persona" in text_of(h).lower()]
    assert meet, "no section on the personas who meet this channel"
    meet_links = {t for t, _ in links(section(page, text_of(meet[0])), url)}
    assert {t for t in meet_links if t.startswith(f"{PREFIX}/personas/")} == {
        persona_url(p) for p in personas
    }


# =========================================================================== indexes, nav, search


def test_index_pages(site: BuildResult) -> None:
    overview = site.page(f"{PREFIX}/")
    targets = {t for t, _ in links([article(overview)], f"{PREFIX}/")}
    for kind in ("journeys", "personas", "channels"):
        assert f"{PREFIX}/{kind}/" in targets
    cases = [
        ("journeys", JOURNEYS, journey_url, lambda d: d["title"]),
        ("personas", PERSONAS, persona_url, lambda d: d["name"]),
        ("channels", CHANNELS, channel_url, lambda d: d["name"]),
    ]
    for kind, items, to_url, title in cases:
        url = f"{PREFIX}/{kind}/"
        page = site.page(url)
        found = links([article(page)], url)
        for key, data in items.items():
            assert (to_url(key), title(data)) in found, f"{kind} index misses {key}"
    channels_page = site.page(f"{PREFIX}/channels/")
    for cid, channel in CHANNELS.items():
        anchor = next(
            a
            for a in article(channels_page).css("a[href]")
            if resolve(f"{PREFIX}/channels/", a.attributes["href"] or "") == channel_url(cid)
        )
        assert channel["type"] in text_of(ancestor(anchor, "tr", "li")).lower()


def test_nav_section_is_added(site: BuildResult) -> None:
    home = site.page("")
    nav = home.css_first("nav.md-nav--primary")
    assert nav is not None
    targets = {resolve("", a.attributes["href"] or "") for a in nav.css("a[href]")}
    for url in generated_urls():
        assert url in targets, f"{url} not in the nav"
    labels = [text_of(a) for a in nav.css("a.md-nav__link[href]")]
    for jid, journey in JOURNEYS.items():
        assert journey["title"] in labels, jid


def test_pages_are_in_the_search_index(site: BuildResult) -> None:
    index = json.loads((site.site / "search" / "search_index.json").read_text(encoding="utf-8"))
    docs = index["docs"]

    def text_for(url: str) -> str:
        raw = " ".join(
            d["title"] + " " + d["text"]
            for d in docs
            if d["location"] == url or d["location"].startswith(url + "#")
        )
        return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", "", raw)).split())

    for url in generated_urls():
        assert any(d["location"] == url for d in docs), f"{url} not searchable"
    for jid in JOURNEYS:
        found = text_for(journey_url(jid))
        assert JOURNEYS[jid]["title"] in found
        for step in steps_of(jid):
            assert step["action"] in found, step["action"]
    for pid, persona in PERSONAS.items():
        found = text_for(persona_url(pid))
        for text in free_texts(persona):
            assert text in found, text
    for cid, channel in CHANNELS.items():
        assert channel["name"] in text_for(channel_url(cid))


def test_author_text_renders_verbatim(site: BuildResult) -> None:
    """Vietnamese and English author text, diacritics intact, on every page that shows it."""
    for page_url in generated_urls():
        html = site.html(page_url)
        assert "\ufffd" not in html, page_url
        assert re.search(r"<meta charset=\"utf-8\"", html, re.I), page_url
    for jid, journey in JOURNEYS.items():
        shown = nfc(flat(article(site.page(journey_url(jid)))))
        for text in free_texts(journey, REF_KEYS):
            assert nfc(text) in shown, f"{jid}: {text!r}"
        for step in steps_of(jid):
            assert step["touchpoint"] in shown
    for pid, persona in PERSONAS.items():
        shown = nfc(flat(article(site.page(persona_url(pid)))))
        for text in free_texts(persona):
            assert nfc(text) in shown, f"{pid}: {text!r}"
    for cid, channel in CHANNELS.items():
        shown = nfc(flat(article(site.page(channel_url(cid)))))
        for text in free_texts(channel):
            assert nfc(text) in shown, f"{cid}: {text!r}"


# =========================================================================== languages


def _labels(page: HTMLParser) -> list[str]:
    body = article(page)
    return [text_of(n) for n in body.css("h2, caption, thead th, dt")]


def test_theme_language_vi_switches_interface_labels(vi_site: BuildResult) -> None:
    english = {
        *EN_SECTIONS,
        "Goals",
        "Frustrations",
        "Traits",
        "Journeys",
        "Personas",
        "Channels",
        "Owner",
        "Stage",
        "Touchpoint",
        "Action",
        "Emotion",
        "Feeling",
        "Thought",
        "Type",
    }
    for url in generated_urls():
        page = vi_site.page(url)
        labels = _labels(page)
        for label in labels:
            assert label not in english, f"{url}: English label {label!r}"
            assert not any(label.startswith(e + " ") for e in ("Stage ×", "Emotion at")), label
        body = text_of(article(page))
        for phrase in ("Below target", "not rated", "No step", "Legend", "very negative"):
            assert phrase not in body, f"{url}: {phrase!r}"
    jid = VI_JOURNEY
    page = vi_site.page(journey_url(jid))
    assert "Khám phá" in text_of(article(page))
    # the Vietnamese emotion words, in the step details
    details = single_table(section(page, "Chi tiết từng bước"))
    for step in steps_of(jid):
        row = details.css_first(f'tr[id="step-{step["id"]}"]')
        assert row is not None
        if step.get("emotion") is not None:
            assert has_emotion(text_of(row), step["emotion"], VI_WORDS), text_of(row)
    kpis = single_table(section(page, "Mục tiêu và KPI"))
    for stage in JOURNEYS[jid]["stages"]:
        for kpi in stage.get("kpis", []):
            row = next(r for r in kpis.css("tbody tr") if kpi["name"] in text_of(r))
            assert ("dưới mục tiêu" in text_of(row).lower()) == kpi_below(kpi), kpi["name"]
    for node in flow_nodes(page, jid, "Luồng hành trình").values():
        assert "Emotion" not in node["label"] and "Emotion" not in node["title"]
    nav = vi_site.page("").css_first("nav.md-nav--primary")
    assert nav is not None
    nav_labels = {text_of(n) for n in nav.css(".md-nav__link")}
    assert not nav_labels & {"Playbook", "Journeys", "Personas", "Channels"}, nav_labels


def test_vietnamese_counts_read_naturally(vi_site: BuildResult) -> None:
    """'5 giai đoạn · 11 bước', not '5 số giai đoạn' ("5 number-of stages")."""
    for url in generated_urls():
        body = text_of(article(vi_site.page(url)))
        match = re.search(r"\d+\s+số\s+\w+", body)
        assert match is None, f"{url}: {match.group(0) if match else ''!r}"


def test_plugin_language_overrides_theme(override_site: BuildResult) -> None:
    page = override_site.page(journey_url(VI_JOURNEY))
    headings = [text_of(h) for h in article(page).css("h2")]
    assert headings == EN_SECTIONS
    assert "Below target" in text_of(article(page))
    persona = override_site.page(persona_url(FULL_PERSONA))
    assert {"Goals", "Frustrations", "Traits", "Journeys"} <= {
        text_of(h) for h in article(persona).css("h2")
    }
    nav = override_site.page("").css_first("nav.md-nav--primary")
    assert nav is not None
    assert {"Journeys", "Personas", "Channels"} <= {text_of(n) for n in nav.css(".md-nav__link")}


# =========================================================================== explicit nav


def test_explicit_nav_listing_generated_pages_is_respected(nav_site: BuildResult) -> None:
    nav = nav_site.page("").css_first("nav.md-nav--primary")
    assert nav is not None
    entries = [
        (text_of(a), resolve("", a.attributes["href"] or ""))
        for a in nav.css("a.md-nav__link[href]")
    ]
    expected = [
        ("Trang chủ", ""),
        ("Hành trình gia đình", journey_url(VI_JOURNEY)),
        ("Tất cả kênh", f"{PREFIX}/channels/"),
    ]
    assert [e for e in entries if e in expected] == expected, entries
    targets = [t for _, t in entries]
    assert len(targets) == len(set(targets)), f"a page is listed twice: {entries}"
    for url in generated_urls():  # every page is still built and reachable
        assert (nav_site.site / url / "index.html").is_file()


def test_explicit_nav_without_generated_pages_gets_the_section(
    nav_home_only_site: BuildResult,
) -> None:
    nav = nav_home_only_site.page("").css_first("nav.md-nav--primary")
    assert nav is not None
    entries = [
        (text_of(a), resolve("", a.attributes["href"] or ""))
        for a in nav.css("a.md-nav__link[href]")
    ]
    assert entries[0] == ("Trang chủ", "")
    targets = {t for _, t in entries}
    for url in generated_urls():
        assert url in targets, f"{url} not appended to the explicit nav"
    assert posixpath.commonprefix([t for _, t in entries[1:]]).startswith(PREFIX)
