"""The journey page of a real build, checked against the YAML it comes from.

Expectations are read from the map files with plain PyYAML, not through the
plugin's loader, so a loader bug cannot hide a rendering bug.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, BuildResult, text_of
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

EMOTION_WORDS = {1: "very negative", 2: "negative", 3: "neutral", 4: "positive", 5: "very positive"}


def load_maps(project: Path) -> tuple[dict[str, Any], dict[str, Any], dict[str, dict[str, Any]]]:
    maps = project / "maps"
    channels = yaml.safe_load((maps / "channels.yml").read_text(encoding="utf-8"))
    personas = {
        path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted((maps / "personas").glob("*.y*ml"))
    }
    journeys = {
        path.stem: yaml.safe_load(path.read_text(encoding="utf-8"))
        for path in sorted((maps / "journeys").glob("*.y*ml"))
    }
    return channels, personas, journeys


def step_ids(journey: dict[str, Any]) -> list[str]:
    return [step.get("id") or f"step-{n}" for n, step in enumerate(journey["steps"], start=1)]


def touchpoint(step: dict[str, Any], channels: dict[str, Any]) -> str:
    return str(step.get("touchpoint") or channels[step["channel"]]["name"])


def expected_edges(journey: dict[str, Any]) -> set[tuple[str, str]]:
    ids = step_ids(journey)
    edges = set()
    for position, step in enumerate(journey["steps"]):
        targets = step["next"] if "next" in step else ids[position + 1 : position + 2]
        edges |= {(ids[position], target) for target in targets}
    return edges


def plain(text: str) -> str:
    """Author Markdown as the reader sees it (the fixtures use only ** and *)."""
    return " ".join(re.sub(r"\*\*|\*|`", "", text).split())


def heading(tree: HTMLParser) -> str:
    """The page's h1 as a reader sees it, without the permalink sign."""
    return text_of(tree.css_first("article h1")).removesuffix("¶").strip()


def section_after(tree: HTMLParser, selector: str) -> Node:
    node = tree.css_first(selector)
    assert node is not None, f"no {selector}"
    return node


@pytest.fixture(scope="module")
def minimal(minimal_site: BuildResult) -> tuple[BuildResult, HTMLParser]:
    return minimal_site, minimal_site.page("playbook/journeys/buy-sunglasses/")


def test_heading_persona_owner_and_summary(minimal: tuple[BuildResult, HTMLParser]) -> None:
    _, page = minimal
    assert heading(page) == "Mua kính râm đa kênh"
    meta = section_after(page, ".cjm-meta")
    persona_link = meta.css_first("a.cjm-persona-link")
    assert text_of(persona_link) == "Lan, văn phòng"
    assert persona_link.attributes["href"] == "../../personas/lan/"
    assert "Retail CX team" in text_of(meta)
    assert "How Lan finds, buys and gets help with sunglasses." in text_of(
        page.css_first(".cjm-summary")
    )


def test_matrix_columns_rows_and_cells(minimal: tuple[BuildResult, HTMLParser]) -> None:
    _, page = minimal
    table = section_after(page, ".cjm-matrix table")
    assert table.css_first("caption") is not None
    headers = [text_of(th) for th in table.css("thead th")][1:]
    assert headers == ["Nhận thức", "Mua hàng"]
    groups = table.css("tbody.cjm-channel-group")
    assert [text_of(group.css_first("a.cjm-channel-link")) for group in groups] == [
        "Website",
        "Hotline",
        "Cửa hàng",
    ]
    assert groups[0].css_first("a.cjm-channel-link").attributes["href"] == "../../channels/website/"
    website_row = groups[0].css("tr")[1]
    assert text_of(website_row.css_first("th")) == "Product page"
    cells = website_row.css("td")
    assert len(cells) == 2
    first = text_of(cells[0])
    assert "Reads the product page" in first
    assert "Product information" in first and "Promotions" in first
    assert "4/5 positive" in first
    assert "cjm-empty" in cells[1].attributes["class"]
    hotline_cells = groups[1].css("tr")[1].css("td")
    assert "Calls to ask about UV protection" in text_of(hotline_cells[0])
    assert "2/5 negative" in text_of(hotline_cells[0])
    # A touchpoint defaults to the channel's name.
    assert text_of(groups[2].css("tr")[1].css_first("th")) == "Cửa hàng"


def test_flow_diagram(minimal: tuple[BuildResult, HTMLParser]) -> None:
    _, page = minimal
    figure = section_after(page, "figure.cjm-flow")
    svg = figure.css_first("svg")
    assert svg.attributes.get("role") == "img"
    assert svg.css_first("title") is not None and svg.css_first("desc") is not None
    nodes = svg.css("g.node")
    assert len(nodes) == 3
    labels = [text_of(node) for node in nodes]
    assert any("Product page" in label and "Reads the product page" in label for label in labels)
    assert any("Emotion: 2/5" in label for label in labels)
    clusters = [text_of(cluster) for cluster in svg.css("g.cluster")]
    assert any("Nhận thức" in text for text in clusters) and any(
        "Mua hàng" in text for text in clusters
    )
    assert len(svg.css("g.edge")) == 3  # see-ad -> visit, see-ad -> call, call -> visit
    for node in nodes:
        link = node.css_first("a")
        target = link.attributes["xlink:href"]
        assert target.startswith("#step-")
        assert page.css_first(f"tr{target}") is not None, f"{target} has no row"
        assert link.attributes.get("xlink:title")
    offline = [node for node in nodes if "cjm-offline" in node.attributes["class"]]
    assert len(offline) == 2
    legend = text_of(figure.css_first("figcaption"))
    assert "Online channel" in legend and "Offline channel" in legend
    ids = [node.attributes["id"] for node in page.css("[id]")]
    assert len(ids) == len(set(ids)), "duplicate ids on the page"


def test_goals_and_kpis(minimal: tuple[BuildResult, HTMLParser]) -> None:
    _, page = minimal
    table = section_after(page, ".cjm-kpis table")
    rows = table.css("tbody tr")
    assert len(rows) == 2
    first, second = (text_of(row) for row in rows)
    assert "Find sunglasses that protect from UV" in first
    assert "Ad click-through rate" in first and "2%" in first and "1.4%" in first
    assert "Below target" in first and "cjm-below" in rows[0].attributes.get("class", "")
    # Wait time: lower is better, 2 min against a 3 min target is on target.
    assert "Wait time" in second and "On target" in second and "lower is better" in second
    assert "cjm-below" not in (rows[1].attributes.get("class") or "")


def test_step_details_once_with_emotion_feeling_and_thought(
    minimal: tuple[BuildResult, HTMLParser],
) -> None:
    _, page = minimal
    rows = section_after(page, ".cjm-steps table").css("tbody tr")
    assert [text_of(row.css("td")[0]) for row in rows] == ["1", "2", "3"]
    first = text_of(rows[0])
    for text in (
        "Nhận thức",
        "Product page",
        "Reads the product page",
        "4/5 positive",
        "curious",
        "Are these UV-safe?",
    ):
        assert text in first
    assert "5/5 very positive" in text_of(rows[2])
    # The step's details live in one table only: no second emotion table.
    assert page.css_first(".cjm-emotions") is None
    assert len(page.css("tr#step-see-ad")) == 1


def test_pain_points_opportunities_and_owner(minimal: tuple[BuildResult, HTMLParser]) -> None:
    _, page = minimal
    row = page.css_first("tr#step-call")
    cells = [text_of(cell) for cell in row.css("td")]
    # #, emotion, feeling and thought, pain points, opportunities, owner, next
    assert "Long hold time" in cells[3]
    assert "Call-back option" in cells[4]
    assert cells[5] == "Customer care"  # the channel's owner, as the step names none
    assert "visit" in row.css_first("td:last-child a").attributes["href"]
    end = page.css_first("tr#step-visit")
    assert text_of(end.css("td")[-1]) == "End of path"


def test_persona_page(minimal_site: BuildResult) -> None:
    page = minimal_site.page("playbook/personas/lan/")
    assert heading(page) == "Lan, văn phòng"
    body = text_of(page.css_first("article"))
    for text in (
        "Office worker, 28, Hà Nội",
        "Sunglasses that block UV and suit her style",
        "Website and store staff say different things",
    ):
        assert text in body
    assert page.css_first(".cjm-description strong") is not None  # Markdown rendered
    traits = {
        text_of(row.css_first("th")): text_of(row.css_first("td"))
        for row in page.css(".cjm-traits tbody tr")
    }
    assert traits == {"Age": "28", "Tech comfort": "high"}
    journey_row = page.css_first(".cjm-persona-journeys tbody tr")
    link = journey_row.css_first("a.cjm-journey-link")
    assert link.attributes["href"] == "../../journeys/buy-sunglasses/"
    channels = [text_of(a) for a in journey_row.css("a.cjm-channel-link")]
    assert channels == ["Website", "Hotline", "Cửa hàng"]


def test_channel_page(minimal_site: BuildResult) -> None:
    page = minimal_site.page("playbook/channels/hotline/")
    assert heading(page) == "Hotline"
    meta = text_of(page.css_first(".cjm-meta"))
    assert "Offline" in meta and "Customer care" in meta
    uses = page.css_first(".cjm-channel-uses table")
    row = text_of(uses.css_first("tbody tr"))
    assert (
        "Nhận thức" in row and "Calls to ask about UV protection" in row and "2/5 negative" in row
    )
    assert uses.css_first("a").attributes["href"] == "../../journeys/buy-sunglasses/#step-call"
    personas = [a.attributes["href"] for a in page.css(".cjm-personas a")]
    assert personas == ["../../personas/lan/"]
    website = minimal_site.page("playbook/channels/website/")
    assert "Brand website and product pages." in text_of(website.css_first(".cjm-description"))


def test_index_pages(minimal_site: BuildResult) -> None:
    journeys = minimal_site.page("playbook/journeys/")
    assert [a.attributes["href"] for a in journeys.css("a.cjm-journey-link")] == ["buy-sunglasses/"]
    personas = minimal_site.page("playbook/personas/")
    assert [text_of(a) for a in personas.css("a.cjm-persona-link")] == ["Lan, văn phòng"]
    channels = minimal_site.page("playbook/channels/")
    # Sorted by id (hotline, store, website): stable whatever the language of the names.
    assert [text_of(a) for a in channels.css("a.cjm-channel-link")] == [
        "Hotline",
        "Cửa hàng",
        "Website",
    ]
    overview = minimal_site.page("playbook/")
    assert "1 journeys, 1 personas, 3 channels" in text_of(overview.css_first(".cjm-overview"))


def test_auto_nav_has_the_section(minimal_site: BuildResult) -> None:
    nav = minimal_site.page("").css_first("nav.md-nav--primary")
    text = text_of(nav)
    for label in (
        "Playbook",
        "Journeys",
        "Personas",
        "Channels",
        "Mua kính râm đa kênh",
        "Hotline",
    ):
        assert label in text
    assert text.index("Journeys") < text.index("Personas") < text.index("Channels")


def test_search_index_has_generated_pages(minimal_site: BuildResult) -> None:
    index = json.loads(
        (minimal_site.site / "search" / "search_index.json").read_text(encoding="utf-8")
    )
    by_location = {doc["location"]: doc for doc in index["docs"]}
    assert by_location["playbook/journeys/buy-sunglasses/"]["title"] == "Mua kính râm đa kênh"
    assert any("Calls to ask about UV protection" in doc["text"] for doc in index["docs"])
    assert "playbook/channels/hotline/" in by_location


# The repository's example playbook: every journey, every step.


def test_example_playbook_is_a_real_playbook() -> None:
    channels, personas, journeys = load_maps(ROOT)
    assert len(journeys) >= 4 and len(personas) >= 3 and len(channels) >= 8
    vietnamese = [
        j
        for j in journeys.values()
        if re.search("[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]", j["title"])
    ]
    assert vietnamese and len(vietnamese) < len(journeys)
    assert any(len(step.get("next", [None])) > 1 for j in journeys.values() for step in j["steps"])
    kpis = [
        kpi for j in journeys.values() for stage in j["stages"] for kpi in stage.get("kpis", [])
    ]
    assert any(kpi.get("higher_is_better") is False for kpi in kpis)


@pytest.mark.parametrize("journey_id", sorted(load_maps(ROOT)[2]))
def test_example_journey_pages(example_site: BuildResult, journey_id: str) -> None:
    channels, _, journeys = load_maps(ROOT)
    journey = journeys[journey_id]
    page = example_site.page(f"playbook/journeys/{journey_id}/")
    assert heading(page) == journey["title"]
    stage_names = [stage["name"] for stage in journey["stages"]]
    matrix = page.css_first(".cjm-matrix table")
    assert [text_of(th) for th in matrix.css("thead th")][1:] == stage_names
    for step in journey["steps"]:
        column = [stage["id"] for stage in journey["stages"]].index(step["stage"])
        group = next(
            g
            for g in matrix.css("tbody")
            if text_of(g.css_first("a.cjm-channel-link")) == channels[step["channel"]]["name"]
        )
        row = next(
            r
            for r in group.css("tr")[1:]
            if text_of(r.css_first("th")) == touchpoint(step, channels)
        )
        assert plain(step["action"]) in text_of(row.css("td")[column])
    svg = page.css_first("figure.cjm-flow svg")
    assert len(svg.css("g.node")) == len(journey["steps"])
    assert len(svg.css("g.edge")) == len(expected_edges(journey))
    assert len(page.css(".cjm-steps tbody tr")) == len(journey["steps"])
    for step_id, step in zip(step_ids(journey), journey["steps"], strict=True):
        row = page.css_first(f"tr#step-{step_id}")
        assert row is not None
        if "emotion" in step:
            assert f"{step['emotion']}/5 {EMOTION_WORDS[step['emotion']]}" in text_of(row)
        for pain in step.get("pain_points", []):
            assert plain(pain) in text_of(row)
    kpi_text = text_of(page.css_first(".cjm-kpis"))
    for stage in journey["stages"]:
        for kpi in stage.get("kpis", []):
            assert plain(kpi["name"]) in kpi_text


def test_every_link_resolves(example_site: BuildResult) -> None:
    """Every relative href/src in every page points at a built file and an existing anchor."""
    site = example_site.site
    checked = 0
    for html_file in site.rglob("*.html"):
        if html_file.name == "404.html":
            continue  # served from any depth, so MkDocs makes its links absolute
        tree = HTMLParser(html_file.read_text(encoding="utf-8"))
        for node in tree.css("[href], [src], a"):
            target = (
                node.attributes.get("href")
                or node.attributes.get("src")
                or node.attributes.get("xlink:href")
            )
            if not target or re.match(r"^[a-z]+:", target) or target.startswith("//"):
                continue
            path_part, _, anchor = target.partition("#")
            resolved = (html_file.parent / path_part).resolve() if path_part else html_file
            if resolved.is_dir():
                resolved = resolved / "index.html"
            assert resolved.exists(), f"{html_file.relative_to(site)} links to missing {target}"
            if anchor and resolved.suffix == ".html":
                target_tree = HTMLParser(resolved.read_text(encoding="utf-8"))
                assert target_tree.css_first(f'[id="{anchor}"]') is not None, (
                    f"{html_file.relative_to(site)}: no anchor {target}"
                )
            checked += 1
    assert checked > 100


def test_urls_are_ascii_slugs(example_site: BuildResult) -> None:
    generated = [
        p.relative_to(example_site.site).as_posix()
        for p in (example_site.site / "playbook").rglob("*")
    ]
    assert generated and all(re.fullmatch(r"[a-z0-9/._-]+", path) for path in generated)
