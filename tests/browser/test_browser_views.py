"""The cross-journey views in a real browser: both palettes, a desktop and a phone,
no sideways scrolling, and the register's filters and the heatmap's switch working
(with Material's instant navigation too)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from .browser_support import SCHEMES, Opened, screenshot_path

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

VIEWS = {
    "register": "playbook/pain-points/",
    "kpi-board": "playbook/kpis/",
    "team": "playbook/teams/trung-tam-cham-soc-khach-hang/",
    "heatmap": "playbook/channels/",
}
SIZES = {"desktop": (1440, 900), "phone": (390, 844)}


@pytest.mark.parametrize("scheme", list(SCHEMES))
@pytest.mark.parametrize("device", list(SIZES))
@pytest.mark.parametrize("view", list(VIEWS))
def test_view_renders_cleanly(
    open_page: Callable[..., Opened], view: str, device: str, scheme: str
) -> None:
    width, height = SIZES[device]
    opened = open_page(VIEWS[view], width=width, scheme=scheme)
    page = opened.page
    page.set_viewport_size({"width": width, "height": height})
    if view == "heatmap":
        page.evaluate(
            """() => {
              const map = document.querySelector("[data-cjm-heatmap]").closest(".cjm-heatmap-block");
              window.scrollTo(0, map.getBoundingClientRect().top + window.scrollY - 120);
            }"""
        )
        page.evaluate("Promise.all(document.getAnimations().map(a => a.finished))")
    page.screenshot(path=screenshot_path(f"view-{view}", width, scheme))
    page.screenshot(path=screenshot_path(f"view-{view}-full", width, scheme), full_page=True)
    assert opened.errors == []
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"page is {scroll_width}px wide in a {width}px viewport"
    for box in page.locator("div.cjm-table").all():
        bounds = box.bounding_box()
        if bounds is None:  # inside a closed group
            continue
        assert bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= width + 0.5


def test_register_filters_narrow_the_list(open_page: Callable[..., Opened]) -> None:
    opened = open_page(VIEWS["register"])
    page = opened.page
    form = page.locator("[data-cjm-filters]")
    assert form.is_visible()
    entries = page.locator("tr.cjm-pain-point")
    total = entries.count()
    team = page.locator('select[data-cjm-filter="team"] option').nth(1).get_attribute("value")
    page.select_option('select[data-cjm-filter="team"]', team)
    visible = page.locator("tr.cjm-pain-point:visible")
    expected = page.locator(f'tr.cjm-pain-point[data-team="{team}"]').count()
    assert 0 < visible.count() == expected < total
    assert all(row.get_attribute("data-team") == team for row in visible.all())
    assert page.locator("details[data-cjm-group]:visible").count() == 1
    page.click("[data-cjm-filter-reset]")
    page.wait_for_function(
        f"document.querySelectorAll('tr.cjm-pain-point:not([hidden])').length === {total}"
    )
    assert opened.errors == []


def test_heatmap_switches_to_phases_after_instant_navigation(
    open_page: Callable[..., Opened],
) -> None:
    opened = open_page("playbook/")
    page = opened.page
    # Instant navigation: the script must set the page up again (document$).
    page.click('.cjm-sections a[data-cjm-section="channels"]')
    page.wait_for_selector(".cjm-heatmap-switch:not([hidden])")
    journeys = page.locator("[data-cjm-heatmap]")
    phases = page.locator("[data-cjm-heatmap-phases]")
    assert journeys.is_visible() and not phases.is_visible()
    page.click('[data-cjm-heatmap-show="phases"]')
    assert phases.is_visible() and not journeys.is_visible()
    pressed = page.locator('[data-cjm-heatmap-show="phases"]').get_attribute("aria-pressed")
    assert pressed == "true"
    assert opened.errors == []


@pytest.mark.parametrize("device", list(SIZES))
def test_embedded_team_and_heatmap_views_work_in_a_hand_written_page(
    open_page: Callable[..., Opened], device: str
) -> None:
    """docs/embedding.md embeds both: the heatmap's switch works there as on the channels
    page, and neither view widens the page."""
    width, height = SIZES[device]
    opened = open_page("embedding/", width=width, height=height)
    page = opened.page
    embedded = page.locator('[data-cjm-view="heatmap"]')
    page.wait_for_selector('[data-cjm-view="heatmap"] .cjm-heatmap-switch:not([hidden])')
    journeys = embedded.locator("[data-cjm-heatmap]")
    phases = embedded.locator("[data-cjm-heatmap-phases]")
    assert journeys.is_visible() and not phases.is_visible()
    embedded.locator('[data-cjm-heatmap-show="phases"]').click()
    assert phases.is_visible() and not journeys.is_visible()
    team = page.locator('[data-cjm-view="team"]')
    assert team.locator("tr.cjm-moment").first.is_visible()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"page is {scroll_width}px wide in a {width}px viewport"
    embedded.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_path("embedded-heatmap", width, "default"))
    assert opened.errors == []
