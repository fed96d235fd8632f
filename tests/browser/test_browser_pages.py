"""A journey, a persona and a channel page, as a reader sees them: desktop and phone,
light and dark palette. Screenshots are kept under build/screenshots/ for review."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .browser_support import (
    PAGES,
    SCHEMES,
    SVG_TEXT_PROBE,
    WIDTHS,
    Opened,
    screenshot_path,
    text_contrasts,
)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.parametrize("scheme", list(SCHEMES))
@pytest.mark.parametrize("device", list(WIDTHS))
@pytest.mark.parametrize("kind", list(PAGES))
def test_page_renders_cleanly(
    open_page: Callable[..., Opened], kind: str, device: str, scheme: str
) -> None:
    width = WIDTHS[device]
    opened = open_page(PAGES[kind], width=width, scheme=scheme)
    page = opened.page
    page.screenshot(path=screenshot_path(kind, width, scheme), full_page=True)
    # One screenful: what a reader sees first.
    page.screenshot(path=screenshot_path(f"{kind}-screen", width, scheme))

    assert opened.errors == []
    # No sideways scrolling of the page itself (Material hides the page's
    # horizontal scrollbar, so overflowing content would simply be cut off).
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"page is {scroll_width}px wide in a {width}px viewport"
    # Every generated table stays within the content column; wide ones scroll inside it.
    for box in page.locator("div.cjm-table").all():
        bounds = box.bounding_box()
        assert bounds is not None
        assert bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= width + 0.5


@pytest.mark.parametrize("scheme", list(SCHEMES))
@pytest.mark.parametrize("device", list(WIDTHS))
def test_journey_diagram_fits_and_matrix_scrolls_inside(
    open_page: Callable[..., Opened], device: str, scheme: str
) -> None:
    width = WIDTHS[device]
    page = open_page(PAGES["journey"], width=width, scheme=scheme).page
    if device == "phone":
        # On a phone the flow and the matrix start folded: a reader opens them.
        for name in ("flow", "matrix"):
            page.locator(f'details[data-cjm-fold="{name}"] > summary').click()
    for selector in (
        "figure.cjm-flow .cjm-figure-body > svg",
        "[data-cjm-map]",
    ):
        diagram = page.locator(selector)
        assert diagram.count() == 1
        diagram.scroll_into_view_if_needed()
        assert diagram.is_visible()
    # The flow keeps a readable size and may scroll, but only inside its figure.
    figure = page.locator("figure.cjm-flow").bounding_box()
    flow = page.locator("figure.cjm-flow .cjm-figure-body > svg").bounding_box()
    assert flow is not None and flow["height"] > 20
    assert figure is not None and figure["x"] >= 0 and figure["x"] + figure["width"] <= width

    matrix = page.locator("div.cjm-matrix")
    sizes = matrix.evaluate("m => [m.scrollWidth, m.clientWidth, getComputedStyle(m).overflowX]")
    if device == "phone":
        # The example's matrix is wider than a phone: it must scroll in its own box.
        assert sizes[0] > sizes[1], sizes
    assert sizes[2] == "auto"


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_svg_text_is_readable_against_its_background(
    open_page: Callable[..., Opened], scheme: str
) -> None:
    page = open_page(PAGES["journey"], scheme=scheme).page
    probe = page.evaluate(SVG_TEXT_PROBE, "figure .cjm-figure-body > svg")
    svgs = {item["svg"] for item in probe}
    assert len(svgs) == 1, f"expected the flow diagram, probed {svgs}"
    # Node labels sit on emotion fills.
    assert any(item["layers"] for item in probe)
    ratios = text_contrasts(probe)
    low = [(round(ratio, 2), what) for ratio, what in ratios if ratio < 4.5]
    assert low == [], f"{len(low)} of {len(ratios)} SVG labels below 4.5:1"
