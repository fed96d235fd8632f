"""Diagrams follow the palette: light and dark schemes, and the site's primary and
accent colours, all through CSS, never Graphviz's hard-coded black."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .browser_support import (
    PAGES,
    SCHEMES,
    Opened,
    contrast,
    flatten,
    luminance,
    over,
    parse_colour,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

FLOW = "figure.cjm-flow .cjm-figure-body > svg"
CURVE = "[data-cjm-map] svg.cjm-map-curve"
FACES = "[data-cjm-map] a.cjm-map-point svg.cjm-face-svg"

# The lines that carry meaning, each a CSS selector and the property that draws it.
LINES = {
    "stage outline": (f"{FLOW} g.cluster path, {FLOW} g.cluster polygon", "stroke"),
    "step outline": (f"{FLOW} g.node path, {FLOW} g.node polygon", "stroke"),
    "arrow": (f"{FLOW} g.edge path", "stroke"),
    "emotion curve": (f"{CURVE} .cjm-map-line", "stroke"),
    "face outline": (f"{FACES} .cjm-face-disc", "stroke"),
}

PAGE_BACKGROUND = """
(selector) => {
  const chain = [];
  for (let node = document.querySelector(selector); node; node = node.parentElement) {
    chain.unshift(getComputedStyle(node).backgroundColor);
  }
  return chain;
}
"""

# What a CSS colour expression resolves to on the page (custom properties included).
RESOLVE = """
(expression) => {
  const probe = document.createElement("span");
  probe.style.color = expression;
  document.querySelector("article").append(probe);
  const colour = getComputedStyle(probe).color;
  probe.remove();
  return colour;
}
"""


def _background(page: object, selector: str) -> tuple[float, float, float, float]:
    chain = page.evaluate(PAGE_BACKGROUND, selector)  # type: ignore[attr-defined]
    return flatten([parse_colour(colour) for colour in chain])


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_diagram_lines_stand_out_from_the_page(
    open_page: Callable[..., Opened], scheme: str
) -> None:
    page = open_page(PAGES["journey"], scheme=scheme).page
    background = _background(page, FLOW)
    weak = []
    for name, (selector, prop) in LINES.items():
        colours = page.locator(selector).evaluate_all(
            f"elements => elements.map(e => getComputedStyle(e).{prop})"
        )
        assert colours, f"no {name} found"
        for colour in set(colours):
            parsed = parse_colour(colour)
            assert parsed is not None, f"{name} is not drawn"
            ratio = contrast(over(parsed, background), background)
            # WCAG 1.4.11: graphical objects need 3:1 against what is next to them.
            if ratio < 3:
                weak.append((name, colour, round(ratio, 2)))
    assert weak == []


def test_dark_palette_turns_diagram_text_light(open_page: Callable[..., Opened]) -> None:
    page = open_page(PAGES["journey"], scheme="slate").page
    background = _background(page, FLOW)
    texts = page.locator(f"{FLOW} text").evaluate_all(
        "elements => elements.map(e => [e.getAttribute('fill'), getComputedStyle(e).fill])"
    )
    # Left to SVG, every label would be black: Graphviz writes no fill (or "black").
    assert texts and all(attribute in (None, "black") for attribute, _ in texts)
    for _, computed in texts:
        colour = parse_colour(computed)
        assert colour is not None
        assert luminance(over(colour, background)) > luminance(background) + 0.3, computed


def test_primary_and_accent_colours_tint_the_diagrams(open_page: Callable[..., Opened]) -> None:
    page = open_page(PAGES["journey"]).page
    outline = page.locator(f"{FLOW} g.cluster").first.locator("path, polygon").first
    curve = page.locator(f"{CURVE} .cjm-map-line").first

    def stroke(locator: object) -> str:
        return str(locator.evaluate("e => getComputedStyle(e).stroke"))  # type: ignore[attr-defined]

    before = stroke(curve)
    assert before == page.evaluate(RESOLVE, "var(--md-typeset-a-color)")
    # A reader's site with other colours: Material switches them by attribute.
    page.evaluate(
        "document.body.setAttribute('data-md-color-primary', 'teal');"
        "document.body.setAttribute('data-md-color-accent', 'pink')"
    )
    primary = page.evaluate(RESOLVE, "var(--md-typeset-a-color)")
    accent = page.evaluate(RESOLVE, "var(--md-accent-fg-color)")
    assert primary != before
    assert stroke(curve) == primary
    assert stroke(outline) == primary

    node = page.locator(f"{FLOW} g.node a").first
    node.scroll_into_view_if_needed()
    node.hover()
    shape = node.locator("path, polygon").first
    page.wait_for_function(
        "([shape, accent]) => getComputedStyle(shape).stroke === accent",
        arg=[shape.element_handle(), accent],
    )
