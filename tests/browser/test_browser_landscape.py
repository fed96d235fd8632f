"""The overview's landscape in a real browser (issue 20 item 2): in the first screen at
1440x900 and 390x844 in both palettes, one entry per journey, each rated journey with a
sparkline, and the phase/persona switch working with JavaScript off and on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import ROOT

from .browser_support import HEIGHTS, PAGES, SCHEMES, Opened, screenshot_path

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
JOURNEYS = sorted(path.stem for path in (ROOT / "maps" / "journeys").iterdir())


def visible_entries(page: Any) -> list[str]:
    return page.eval_on_selector_all(
        "[data-cjm-landscape] [data-journey]",
        "entries => entries.filter(e => e.offsetParent !== null).map(e => e.dataset.journey)",
    )


def visible_headings(page: Any, grouping: str) -> int:
    return page.eval_on_selector_all(
        f'[data-cjm-landscape-heading="{grouping}"]',
        "headings => headings.filter(h => h.offsetParent !== null).length",
    )


@pytest.mark.parametrize("scheme", list(SCHEMES))
@pytest.mark.parametrize("device", list(SIZES))
def test_the_landscape_opens_the_overview(
    open_page: Callable[..., Opened], device: str, scheme: str
) -> None:
    width, height = SIZES[device]
    opened = open_page(PAGES["overview"], width=width, height=height, scheme=scheme)
    page = opened.page
    page.screenshot(path=screenshot_path("overview-landscape", width, scheme))
    assert opened.errors == []
    # The first screen shows the landscape itself: its switch and its first journey.
    first = page.locator("[data-cjm-landscape] [data-journey]").first.bounding_box()
    assert first is not None and first["y"] < height, first
    entries = visible_entries(page)
    # The wide WIDE_JOURNEY fixture is added to the served example: it appears too.
    assert sorted(set(entries)) == sorted(entries)
    assert set(JOURNEYS) <= set(entries)
    sparklines = page.locator("[data-cjm-landscape] svg[data-sparkline]")
    assert sparklines.count() == len(entries)  # every journey of the example is rated
    box = sparklines.first.bounding_box()
    assert box is not None and box["width"] > 40 and box["height"] > 10
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"page is {scroll_width}px wide in a {width}px viewport"


@pytest.mark.parametrize("javascript", [False, True])
@pytest.mark.parametrize("device", list(SIZES))
def test_the_grouping_switch_works_with_and_without_javascript(
    browser: Any, site_url: str, device: str, javascript: bool
) -> None:
    width, height = SIZES[device]
    context = browser.new_context(
        viewport={"width": width, "height": height or HEIGHTS["desktop"]},
        java_script_enabled=javascript,
        device_scale_factor=1,
    )
    try:
        page = context.new_page()
        page.goto(site_url + PAGES["overview"], wait_until="networkidle")
        by_phase = visible_entries(page)
        assert visible_headings(page, "phase") > 0
        assert visible_headings(page, "persona") == 0
        page.locator('[data-cjm-landscape-switch] label[for="cjm-landscape-by-persona"]').click()
        assert page.locator("#cjm-landscape-by-persona").is_checked()
        assert visible_headings(page, "phase") == 0
        assert visible_headings(page, "persona") > 0
        # The same journeys, placed in persona order: CSS `order` decides what shows first.
        tops = page.eval_on_selector_all(
            "[data-cjm-landscape] [data-journey]",
            "entries => entries.map(e => [e.dataset.journey, e.getBoundingClientRect().top])",
        )
        by_persona = [journey for journey, _ in sorted(tops, key=lambda item: item[1])]
        assert sorted(by_persona) == sorted(by_phase)
        assert by_persona != by_phase
        name = f"overview-by-persona-{'js' if javascript else 'nojs'}"
        page.screenshot(path=screenshot_path(name, width, "default"))
        page.locator('[data-cjm-landscape-switch] label[for="cjm-landscape-by-phase"]').click()
        assert visible_headings(page, "persona") == 0
    finally:
        context.close()
