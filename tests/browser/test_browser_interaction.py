"""What a reader does on a journey page: follow the diagram to a step, a channel to
its page, zoom the diagram; and how the page behaves with Material's features
(instant navigation, tooltips, search highlighting, tags)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urljoin

import pytest

from .browser_support import PAGES, WIDTHS, Opened

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

IN_VIEWPORT = """
(element) => {
  const box = element.getBoundingClientRect();
  return box.top >= 0 && box.top < window.innerHeight && box.height > 0;
}
"""


@pytest.mark.parametrize("device", list(WIDTHS))
def test_clicking_a_diagram_node_scrolls_to_its_step(
    open_page: Callable[..., Opened], device: str
) -> None:
    opened = open_page(PAGES["journey"], width=WIDTHS[device])
    page = opened.page
    if device == "phone":
        # On a phone the flow and the step details start folded: a reader opens the
        # flow; the link opens the step details (cjm.js).
        page.locator('details[data-cjm-fold="flow"] > summary').click()
    nodes = page.locator("figure.cjm-flow .cjm-figure-body > svg g.node a")
    assert nodes.count() >= 2
    # The last step: its row is furthest down the page, never in view at first.
    node = nodes.last
    href = node.get_attribute("xlink:href") or node.get_attribute("href")
    assert href and href.startswith("#step-")
    row = page.locator(f"tr[id='{href[1:]}']")
    assert row.count() == 1
    node.scroll_into_view_if_needed()
    assert not row.evaluate(IN_VIEWPORT)

    node.click()
    page.wait_for_function(f"location.hash === {href!r}")
    page.wait_for_function(f"({IN_VIEWPORT})(document.getElementById({href[1:]!r}))")
    # Not hidden under Material's sticky header either.
    header = page.locator("header.md-header").bounding_box()
    top = row.bounding_box()
    assert header is not None and top is not None
    assert top["y"] >= header["y"] + header["height"] - 1
    assert opened.errors == []


def test_clicking_a_channel_in_the_matrix_opens_its_page(
    open_page: Callable[..., Opened],
) -> None:
    opened = open_page(PAGES["journey"])
    page = opened.page
    link = page.locator("div.cjm-matrix a.cjm-channel-link").first
    name = link.inner_text().strip()
    expected = urljoin(page.url, link.get_attribute("href") or "")
    assert "/channels/" in expected
    # Survives only if Material's instant navigation swaps the page in place.
    page.evaluate("window.cjmSamePage = true")

    link.click()
    page.wait_for_url(expected)
    page.wait_for_function(
        "name => document.querySelector('article h1')?.firstChild?.textContent.trim() === name",
        arg=name,
    )
    assert page.evaluate("window.cjmSamePage === true"), "navigation.instant did not handle it"
    assert opened.errors == []


def test_diagram_script_runs_again_after_instant_navigation(
    open_page: Callable[..., Opened],
) -> None:
    opened = open_page(PAGES["channel"])
    page = opened.page
    page.evaluate("window.cjmSamePage = true")
    page.locator("a.cjm-journey-link").first.click()
    page.wait_for_selector("figure.cjm-flow")
    assert page.evaluate("window.cjmSamePage === true")

    button = page.locator("figure.cjm-flow button.cjm-zoom")
    button.wait_for(state="visible")
    # The print slices were cut from the swapped-in diagram too: wide diagrams
    # (over 1000 pt, see cjm.js) print in slices, narrower ones whole.
    width = page.evaluate(
        "document.querySelector('figure.cjm-flow svg.cjm-svg').viewBox.baseVal.width"
    )
    slices = page.locator("figure.cjm-flow.cjm-sliced .cjm-print-slices svg").count()
    assert slices >= 2 if width > 1000 else slices == 0
    svg = page.locator("figure.cjm-flow .cjm-figure-body > svg")
    fitted = svg.bounding_box()
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    zoomed = svg.bounding_box()
    assert fitted is not None and zoomed is not None
    # Zoomed: the diagram's natural size (fitted, it never goes below 76 % of it).
    natural = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('figure.cjm-flow'))"
        ".getPropertyValue('--cjm-natural-width'))"
    )
    assert zoomed["width"] == pytest.approx(natural, abs=2)
    assert fitted["width"] >= natural * 0.76 - 1 and zoomed["width"] >= fitted["width"]
    # The zoomed diagram scrolls inside its figure, not the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS["desktop"]
    button.click()
    assert button.get_attribute("aria-pressed") == "false"
    assert opened.errors == []


def test_content_tooltips_show_the_emotion_of_a_step(open_page: Callable[..., Opened]) -> None:
    page = open_page(PAGES["journey"]).page
    chip = page.locator("div.cjm-matrix .cjm-emotion.cjm-emotion-1").first
    assert page.locator(".md-tooltip2--active").count() == 0
    chip.hover()
    tooltip = page.locator(".md-tooltip2--active")
    tooltip.wait_for(state="visible")
    assert "1/5" in tooltip.inner_text()
    # Material moves the title into the tooltip and points to it.
    described_by = chip.get_attribute("aria-describedby")
    assert described_by and page.locator(f"#{described_by}").count() == 1


def test_search_highlight_marks_tables_and_leaves_diagrams_intact(
    open_page: Callable[..., Opened],
) -> None:
    opened = open_page(PAGES["journey"], query="?h=catalogue")
    page = opened.page
    page.wait_for_selector("div.cjm-matrix mark[data-md-highlight]")
    assert page.locator("div.cjm-table mark").count() >= 2
    # Highlighting wraps text in HTML elements, which inside an SVG would not render.
    assert page.locator("svg.cjm-svg mark, svg.cjm-svg span").count() == 0
    labels = page.locator("figure.cjm-flow .cjm-figure-body > svg text")
    assert any("Catalogue" in text for text in labels.all_text_contents())
    assert opened.errors == []


def test_tags_index_lists_generated_pages_by_persona_and_channel(
    open_page: Callable[..., Opened],
) -> None:
    page = open_page(PAGES["journey"]).page
    journey_url = page.url
    persona = page.locator(".cjm-meta a.cjm-persona-link").first.inner_text().strip()
    channel = page.locator(".cjm-meta a.cjm-channel-link").first.inner_text().strip()
    # The journey page itself is tagged with them (not shown as chips: its facts
    # line names them; see test_browser_journey_page.py).
    tagged = [tag.strip() for tag in page.locator(".md-tags .md-tag").all_text_contents()]
    assert persona in tagged and channel in tagged

    page.goto(urljoin(journey_url, "../../../tags/"), wait_until="networkidle")
    for tag in (persona, channel):
        section = page.locator("article h2", has=page.locator(".md-tag", has_text=tag))
        assert section.count() == 1, f"no section for tag {tag!r}"
        listed = section.locator("xpath=following-sibling::ul[1]//a").evaluate_all(
            "links => links.map(a => a.href)"
        )
        assert journey_url in listed, f"{journey_url} not listed under {tag!r}: {listed}"
