"""The journey map canvas as a reader sees it (issue: "the journey page is a map").

Run on the example's busiest journey and on a journey of 6 stages and 20 steps
written blind from the format (tests/fixtures/blind20). Every expectation comes
from the YAML, read here with plain PyYAML, and every check goes through the
public hooks: data-cjm-map, data-stage, data-lane, data-lane-label, data-step.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from .browser_support import (
    BLIND20,
    ROOT,
    SCHEMES,
    Opened,
    contrast,
    flatten,
    parse_colour,
    screenshot_path,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DESKTOP = (1440, 900)
PHONE = (390, 844)

# (playbook folder, journey id, which served site)
JOURNEYS = {
    "example": (ROOT, "kinh-da-trong-cho-bo", "site"),
    "twenty": (BLIND20, "mua-xe-tay-ga", "blind20"),
    "sparse": (BLIND20, "kich-hoat-bao-hanh", "blind20"),
}


def _load(project: Path, journey_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    maps = project / "maps"
    channels = yaml.safe_load((maps / "channels.yml").read_text(encoding="utf-8"))
    journey_file = next((maps / "journeys").glob(f"{journey_id}.y*ml"))
    return channels, yaml.safe_load(journey_file.read_text(encoding="utf-8"))


def _steps(channels: dict[str, Any], journey: dict[str, Any]) -> list[dict[str, Any]]:
    """Steps with the format's defaults, in map order (stage by stage, list order within)."""
    steps = []
    for number, raw in enumerate(journey["steps"], start=1):
        channel = channels[raw["channel"]]
        steps.append(
            {
                **raw,
                "id": raw.get("id", f"step-{number}"),
                "owner": raw.get("owner", channel.get("owner")),
            }
        )
    order = [stage["id"] for stage in journey["stages"]]
    return sorted(steps, key=lambda step: order.index(step["stage"]))


def _lanes(journey: dict[str, Any], steps: list[dict[str, Any]]) -> list[str]:
    filled = {
        "goals": any(stage.get("goals") for stage in journey["stages"]),
        "steps": True,
        "emotion": any(step.get("emotion") is not None for step in steps),
        "thoughts": any(step.get("thought") or step.get("feeling") for step in steps),
        "pain-points": any(step.get("pain_points") for step in steps),
        "opportunities": any(step.get("opportunities") for step in steps),
        "owners": any(step.get("owner") for step in steps),
        "kpis": any(stage.get("kpis") for stage in journey["stages"]),
    }
    return [lane for lane, present in filled.items() if present]


def _words(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _plain(text: str) -> str:
    return _words(re.sub(r"\*\*|\*|`", "", text))


@pytest.fixture
def open_journey(
    open_page: Callable[..., Opened], site_url: str, request: pytest.FixtureRequest
) -> Callable[..., tuple[Opened, dict[str, Any], dict[str, Any]]]:
    def _open(
        name: str, size: tuple[int, int] = DESKTOP, scheme: str = "default"
    ) -> tuple[Opened, dict[str, Any], dict[str, Any]]:
        project, journey_id, site = JOURNEYS[name]
        base = site_url if site == "site" else request.getfixturevalue("blind20_url")
        opened = open_page(
            f"playbook/journeys/{journey_id}/",
            width=size[0],
            height=size[1],
            scheme=scheme,
            base=base,
        )
        channels, journey = _load(project, journey_id)
        return opened, channels, journey

    return _open


# Where everything of the canvas is, in page coordinates.
CANVAS_PROBE = """
(id) => {
  const map = document.querySelector(`[data-cjm-map="${id}"]`);
  const box = (e) => { const r = e.getBoundingClientRect();
    return {left: r.left + scrollX, right: r.right + scrollX, top: r.top + scrollY,
            bottom: r.bottom + scrollY, width: r.width, height: r.height}; };
  return {
    count: document.querySelectorAll("[data-cjm-map]").length,
    map: box(map),
    main: box(document.querySelector(".md-content")),
    firstTable: (() => { const t = document.querySelector("article table");
                         return t ? box(t) : null; })(),
    stages: [...map.querySelectorAll("[data-stage]")].map(e => ({id: e.dataset.stage, ...box(e)})),
    lanes: [...map.querySelectorAll("[data-lane]")].map(lane => ({
      lane: lane.dataset.lane,
      labels: [...lane.querySelectorAll("[data-lane-label]")].map(e => e.textContent.trim()),
      steps: [...lane.querySelectorAll("[data-step]")].map(e => ({
        id: e.dataset.step, text: e.textContent.replace(/\\s+/g, " ").trim(), ...box(e),
        href: (e.querySelector("a.cjm-map-action") || e).getAttribute("href"),
      })),
    })),
  };
}
"""

# Every rendered text node under a selector: its font size as drawn, its colour
# and the backgrounds painted behind it (outermost first).
TEXT_PROBE = """
(selector) => {
  const root = document.querySelector(selector);
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const out = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const element = node.parentElement;
    if (!text || !element) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    const rect = range.getBoundingClientRect();
    if (!rect.width || !rect.height) continue;  // not rendered (hidden, clipped away)
    const style = getComputedStyle(element);
    if (style.visibility === "hidden") continue;
    const chain = [];
    for (let e = element; e; e = e.parentElement) chain.unshift(getComputedStyle(e).backgroundColor);
    out.push({text: text.slice(0, 40), size: parseFloat(style.fontSize) * (parseFloat(style.zoom) || 1),
              color: style.color, opacity: parseFloat(style.opacity), chain});
  }
  return out;
}
"""


@pytest.mark.parametrize("name", list(JOURNEYS))
def test_canvas_opens_the_page_with_stages_lanes_and_steps(
    open_journey: Callable[..., Any], name: str
) -> None:
    opened, channels, journey = open_journey(name)
    page = opened.page
    steps = _steps(channels, journey)
    found = page.evaluate(CANVAS_PROBE, JOURNEYS[name][1])
    assert opened.errors == []
    assert found["count"] == 1
    # Wide pages: both sidebars hidden, the main column at least 1,100 px.
    assert found["main"]["width"] >= 1100, found["main"]
    # Right after the title and facts, before any table, its top in the first 700 px.
    assert found["map"]["top"] < 700, found["map"]
    assert found["firstTable"] is None or found["firstTable"]["top"] > found["map"]["bottom"]
    # Stages are columns in their order, left to right.
    assert [stage["id"] for stage in found["stages"]] == [s["id"] for s in journey["stages"]]
    lefts = [stage["left"] for stage in found["stages"]]
    assert lefts == sorted(lefts)
    # Lanes present exactly when the YAML fills them, each with its label.
    lanes = {lane["lane"]: lane for lane in found["lanes"]}
    assert list(lanes) == _lanes(journey, steps)
    assert all(len(lane["labels"]) == 1 and lane["labels"][0] for lane in found["lanes"])
    # Each step once in the steps lane, inside its stage's span, at least 120 px wide,
    # in stage order then list order.
    cells = lanes["steps"]["steps"]
    assert [cell["id"] for cell in cells] == [step["id"] for step in steps]
    flow_anchors = page.evaluate(
        """() => [...document.querySelectorAll("figure.cjm-flow .cjm-figure-body svg a")].map(a =>
             "#" + (a.getAttribute("href") || a.getAttribute("xlink:href") || "").split("#")[1])"""
    )
    spans = {stage["id"]: stage for stage in found["stages"]}
    for cell, step in zip(cells, steps, strict=True):
        stage = spans[step["stage"]]
        assert stage["left"] - 1 <= cell["left"] and cell["right"] <= stage["right"] + 1, step["id"]
        assert cell["width"] >= 120, cell
        assert _plain(step["action"]) in _words(cell["text"])
        channel = channels[step["channel"]]["name"]
        assert _words(channel) in _words(cell["text"])
        # (Material's instant navigation makes links absolute: compare their anchors.)
        assert cell["href"].endswith(f"#step-{step['id']}")
        # The flow diagram's box for the step points at the same anchor.
        assert flow_anchors.count(f"#step-{step['id']}") == 1, step["id"]
        assert page.locator(f'[id="step-{step["id"]}"]').count() == 1
    # Left to right as the flow goes: a step's `next` targets (the following step
    # without `next`) stand to its right unless its card draws a return to them;
    # alternatives stand in the same column (render/branches.py).
    listed = [s.get("id", f"step-{n}") for n, s in enumerate(journey["steps"], start=1)]
    by_id = {cell["id"]: cell for cell in cells}
    for step in steps:
        position = listed.index(step["id"])
        for target in step.get("next", listed[position + 1 : position + 2]):
            if by_id[target]["left"] <= by_id[step["id"]]["left"]:
                back = rf"↩ (back to step|quay lại bước) {listed.index(target) + 1}\b"
                assert re.search(back, _words(by_id[step["id"]]["text"])), (step["id"], target)
    # A cell for each step in every per-step lane (visibly empty when nothing is noted).
    for lane in ("thoughts", "pain-points", "opportunities", "owners"):
        if lane in lanes:
            assert [cell["id"] for cell in lanes[lane]["steps"]] == [s["id"] for s in steps], lane
    for step in steps:
        if "owners" in lanes and step.get("owner"):
            owner = next(c for c in lanes["owners"]["steps"] if c["id"] == step["id"])
            assert _words(step["owner"]) in owner["text"]
        for pain in step.get("pain_points", []):
            cell = next(c for c in lanes["pain-points"]["steps"] if c["id"] == step["id"])
            assert _plain(pain) in _words(cell["text"])
    # Emotion: a point per rated step, centred under its step column, saying its score.
    rated = [step for step in steps if step.get("emotion") is not None]
    if rated:
        points = {point["id"]: point for point in lanes["emotion"]["steps"]}
        assert set(points) == {step["id"] for step in rated}
        columns = {cell["id"]: cell for cell in cells}
        tops = {}
        for step in rated:
            point, column = points[step["id"]], columns[step["id"]]
            centre = point["left"] + point["width"] / 2
            sharing = sum(1 for cell in cells if abs(cell["left"] - column["left"]) <= 1)
            if sharing == 1:
                assert abs(centre - (column["left"] + column["width"] / 2)) <= 3, step["id"]
            else:  # alternatives' points stand side by side in their shared column
                assert column["left"] < centre < column["right"], step["id"]
            assert re.search(rf"(?<!\d){step['emotion']}(?!\d)", point["text"]), point["text"]
            tops.setdefault(step["emotion"], set()).add(round(point["top"]))
        # Higher scores sit higher; one level per score.
        levels = sorted(tops)
        assert all(len(tops[score]) == 1 for score in levels), tops
        heights = [next(iter(tops[score])) for score in levels]
        assert heights == sorted(heights, reverse=True)
    # The page itself never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP[0]


@pytest.mark.parametrize("name", ["example", "twenty"])
def test_key_moments_in_the_first_screen(open_journey: Callable[..., Any], name: str) -> None:
    opened, channels, journey = open_journey(name)
    page = opened.page
    moments = page.locator("[data-cjm-key-moments]")
    box = moments.bounding_box()
    assert box is not None and box["y"] + box["height"] <= DESKTOP[1]
    steps = _steps(channels, journey)
    rated = sorted((s for s in steps if s.get("emotion") is not None), key=lambda s: s["emotion"])
    lowest = rated[0]
    links = moments.locator(".cjm-moment-lowest a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    assert links[0].endswith(f"#step-{lowest['id']}")
    for href in links:
        assert page.locator(f'[id="{href.split("#")[1]}"]').count() == 1
    pains = sum(len(step.get("pain_points", [])) for step in steps)
    if pains:
        count = moments.locator(".cjm-moment-count").inner_text()
        assert int(count) == pains
        target = moments.locator(".cjm-moment-pain a").get_attribute("href") or ""
        assert page.locator(f'[id="{target.split("#")[1]}"]').count() == 1


@pytest.mark.parametrize("name", ["example", "twenty"])
def test_text_readable_and_labels_stay_while_scrolling(
    open_journey: Callable[..., Any], name: str
) -> None:
    opened, _, journey = open_journey(name)
    page = opened.page
    map_id = JOURNEYS[name][1]
    canvas = page.locator(f'[data-cjm-map="{map_id}"]')
    sizes = page.evaluate(TEXT_PROBE, f'[data-cjm-map="{map_id}"]')
    assert sizes and min(item["size"] for item in sizes) >= 12, min(sizes, key=lambda i: i["size"])
    # The canvas scrolls inside its own box, from the keyboard too.
    scroll = canvas.evaluate("m => [m.scrollWidth, m.clientWidth, m.tabIndex]")
    assert scroll[2] == 0
    if scroll[0] > scroll[1] + 1:
        assert page.locator(f"#cjm-map-{map_id}-hint").is_visible()
        canvas.focus()
        for _ in range(3):
            page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "(id) => document.querySelector(`[data-cjm-map='${id}']`).scrollLeft > 0", arg=map_id
        )
        canvas.evaluate("m => { m.scrollLeft = m.scrollWidth; }")
        page.wait_for_function(
            "(id) => { const m = document.querySelector(`[data-cjm-map='${id}']`);"
            " return m.scrollLeft + m.clientWidth >= m.scrollWidth - 1; }",
            arg=map_id,
        )
        frame = canvas.bounding_box()
        assert frame is not None
        for label in canvas.locator("[data-lane-label]").all():
            box = label.bounding_box()
            assert box is not None
            assert abs(box["x"] - frame["x"]) <= 2, box
            assert label.is_visible()
        last = journey["stages"][-1]["id"]
        stage = canvas.locator(f'[data-stage="{last}"]').bounding_box()
        assert stage is not None and stage["x"] + stage["width"] <= frame["x"] + frame["width"] + 1


@pytest.mark.parametrize("name", ["example", "twenty"])
def test_flow_text_reads_at_page_width(open_journey: Callable[..., Any], name: str) -> None:
    opened, _, _ = open_journey(name)
    sizes = opened.page.evaluate(
        """() => {
          const svg = document.querySelector("figure.cjm-flow .cjm-figure-body svg");
          const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
          return [...svg.querySelectorAll("g.node text")].map(
            t => parseFloat(t.getAttribute("font-size")) * scale);
        }"""
    )
    assert sizes and min(sizes) >= 11, min(sizes)


@pytest.mark.parametrize("scheme", list(SCHEMES))
@pytest.mark.parametrize("name", ["example", "twenty"])
def test_phone_shows_a_vertical_timeline(
    open_journey: Callable[..., Any], name: str, scheme: str
) -> None:
    opened, channels, journey = open_journey(name, PHONE, scheme)
    page = opened.page
    map_id = JOURNEYS[name][1]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE[0]
    steps = _steps(channels, journey)
    boxes = [
        page.locator(
            f'[data-cjm-map] [data-lane="steps"] [data-step="{step["id"]}"]'
        ).bounding_box()
        for step in steps
    ]
    assert all(box is not None for box in boxes)
    # Steps follow one another down the page; a fork's alternatives (data-branch)
    # come right after it, one branch after the other, before the steps all take.
    branch = {
        step["id"]: page.locator(
            f'[data-cjm-map] [data-lane="steps"] [data-step="{step["id"]}"]'
        ).get_attribute("data-branch")
        for step in steps
    }
    top = {step["id"]: box["y"] for step, box in zip(steps, boxes, strict=True) if box}
    shared = [top[step["id"]] for step in steps if not branch[step["id"]]]
    assert shared == sorted(shared), "steps follow one another down the page"
    for step in steps:
        fork = branch[step["id"]]
        if fork:
            after = [s["id"] for s in steps[steps.index(step) :] if not branch[s["id"]]]
            assert top[fork] < top[step["id"]], step["id"]
            assert not after or top[step["id"]] < top[after[0]] or after[0] == fork, step["id"]
    for box in boxes:
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0]
    # Each card carries its emotion, pain points and owner, between it and the next step.
    ordered = sorted(zip(steps, boxes, strict=True), key=lambda pair: top[pair[0]["id"]])
    steps, boxes = [pair[0] for pair in ordered], [pair[1] for pair in ordered]
    for step, box, following in zip(steps, boxes, [*boxes[1:], None], strict=True):
        for lane in ("emotion", "pain-points", "owners"):
            if lane == "emotion" and step.get("emotion") is None:
                continue
            if lane == "pain-points" and not step.get("pain_points"):
                continue
            if lane == "owners" and not step.get("owner"):
                continue
            part = page.locator(f'[data-lane="{lane}"] [data-step="{step["id"]}"]').bounding_box()
            assert part is not None and box is not None, (lane, step["id"])
            assert part["y"] >= box["y"] and (following is None or part["y"] < following["y"])
    sizes = page.evaluate(TEXT_PROBE, f'[data-cjm-map="{map_id}"]')
    assert min(item["size"] for item in sizes) >= 12
    page.screenshot(path=screenshot_path(f"canvas-{name}-screen", PHONE[0], scheme))


@pytest.mark.parametrize("scheme", list(SCHEMES))
@pytest.mark.parametrize("name", ["example", "twenty"])
def test_canvas_text_contrast_in_both_palettes(
    open_journey: Callable[..., Any], name: str, scheme: str
) -> None:
    opened, _, _ = open_journey(name, DESKTOP, scheme)
    page = opened.page
    for selector in (f'[data-cjm-map="{JOURNEYS[name][1]}"]', "[data-cjm-key-moments]"):
        low = []
        for item in page.evaluate(TEXT_PROBE, selector):
            behind = flatten([parse_colour(colour) for colour in item["chain"]])
            colour = parse_colour(item["color"])
            assert colour is not None
            shown = (colour[0], colour[1], colour[2], colour[3] * item["opacity"])
            composed = flatten([shown], behind)
            ratio = contrast(composed, behind)
            if ratio < 4.5:
                low.append((round(ratio, 2), item["text"], item["color"]))
        assert low == [], f"{selector}: {low[:5]}"
    page.screenshot(path=screenshot_path(f"canvas-{name}-screen", DESKTOP[0], scheme))


def test_primary_colour_tints_the_canvas(open_journey: Callable[..., Any]) -> None:
    opened, _, _ = open_journey("example")
    page = opened.page
    header = page.locator("[data-cjm-map] [data-stage]").first

    def background() -> str:
        return str(header.evaluate("e => getComputedStyle(e).backgroundColor"))

    def primary() -> str:
        return str(
            page.evaluate(
                """() => {
                  const probe = document.createElement("span");
                  probe.style.backgroundColor = "var(--md-primary-fg-color)";
                  document.querySelector("article").append(probe);
                  const colour = getComputedStyle(probe).backgroundColor;
                  probe.remove();
                  return colour;
                }"""
            )
        )

    before = background()
    assert before == primary()
    # A site with another primary colour: Material switches it by attribute.
    page.evaluate("document.body.setAttribute('data-md-color-primary', 'teal')")
    assert background() != before
    assert background() == primary()


def test_faces_are_drawn_not_emoji(open_journey: Callable[..., Any]) -> None:
    opened, _, _ = open_journey("example")
    page = opened.page
    text = page.evaluate("document.body.innerText")
    emoji = re.findall("[\U0001f300-\U0001faff\u2639\u263a]", text)
    assert emoji == []
    faces = page.locator("[data-cjm-map] a.cjm-map-point svg.cjm-face-svg")
    assert faces.count() > 0
    box = faces.first.bounding_box()
    assert box is not None and box["width"] >= 20


@pytest.mark.parametrize("name", ["example", "twenty"])
def test_a3_print_puts_the_whole_canvas_on_the_first_page(
    open_journey: Callable[..., Any], name: str
) -> None:
    from pypdf import PdfReader

    opened, channels, journey = open_journey(name)
    page = opened.page
    pdf = page.pdf(format="A3", landscape=True, print_background=True)
    (screenshot_path(f"canvas-{name}-print", 0, "a3").with_suffix(".pdf")).write_bytes(pdf)
    first = PdfReader(io.BytesIO(pdf)).pages[0]
    text = re.sub(r"\s+", "", unicodedata.normalize("NFC", first.extract_text()))
    missing = [
        step["id"]
        for step in _steps(channels, journey)
        if re.sub(r"\s+", "", _plain(step["action"])) not in text
    ]
    assert missing == [], missing
    for stage in journey["stages"]:
        assert re.sub(r"\s+", "", stage["name"]) in text


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_readme_screenshots_of_the_first_screen(
    open_journey: Callable[..., Any], scheme: str
) -> None:
    for size in (DESKTOP, PHONE):
        opened, _, _ = open_journey("example", size, scheme)
        opened.page.screenshot(path=screenshot_path("journey-map", size[0], scheme))
        assert opened.errors == []
