"""Branches on the journey map as a reader sees them (issue 20 item 1).

On the example's multichannel journey: asking on Zalo, the customer either goes
to the store (two steps) or orders online (three steps); both pick up the invoice.
The expectations come from the YAML (plain PyYAML); the checks go through the
public hooks data-cjm-map, data-lane, data-step, data-fork and data-branch, and
the geometry the reader sees.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml

from mkdocs_cjm.site.i18n import labels_for

from .browser_support import ROOT, SCHEMES, Opened, contrast, flatten, parse_colour, screenshot_path

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

JOURNEY = "mua-kinh-ram-da-kenh"
DESKTOP = (1440, 900)
PHONE = (390, 844)
LABELS = labels_for("en")  # the example site's language


def _flow() -> tuple[str, list[str], str]:
    """The fork (a step whose `next` has two targets), its alternatives, and the
    first step every alternative leads to (the join), from the YAML."""
    raw = yaml.safe_load(
        (ROOT / "maps" / "journeys" / f"{JOURNEY}.yml").read_text(encoding="utf-8")
    )
    listed = [step.get("id", f"step-{n}") for n, step in enumerate(raw["steps"], start=1)]
    onward = {
        listed[n]: step.get("next", listed[n + 1 : n + 2]) for n, step in enumerate(raw["steps"])
    }
    fork = next(step_id for step_id, targets in onward.items() if len(targets) == 2)

    def path(step_id: str) -> list[str]:
        """The way on by first targets, up to a loop back to an earlier listed step."""
        seen = [step_id]
        while onward[seen[-1]] and listed.index(onward[seen[-1]][0]) > listed.index(seen[-1]):
            seen.append(onward[seen[-1]][0])
        return seen

    first, second = (path(target) for target in onward[fork])
    join = next(step_id for step_id in first if step_id in second)
    return fork, list(onward[fork]), join


def _step(page: Any, lane: str, step_id: str) -> Any:
    return page.locator(f'[data-cjm-map] [data-lane="{lane}"] [data-step="{step_id}"]')


def _text_contrast(page: Any, locator: Any) -> float:
    found = locator.evaluate(
        """(e) => { const chain = [];
             for (let n = e; n; n = n.parentElement) chain.unshift(getComputedStyle(n).backgroundColor);
             return {color: getComputedStyle(e).color, chain}; }"""
    )
    behind = flatten([parse_colour(colour) for colour in found["chain"]])
    colour = parse_colour(found["color"])
    assert colour is not None
    return contrast(flatten([colour], behind), behind)


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_alternatives_stand_in_parallel_on_a_desktop(
    open_page: Callable[..., Opened], scheme: str
) -> None:
    fork, alternatives, join = _flow()
    opened = open_page(
        f"playbook/journeys/{JOURNEY}/", width=DESKTOP[0], height=DESKTOP[1], scheme=scheme
    )
    page = opened.page
    assert opened.errors == []
    assert _step(page, "steps", fork).get_attribute("data-fork") is not None
    for step_id in alternatives:
        assert _step(page, "steps", step_id).get_attribute("data-branch") == fork
    assert _step(page, "steps", join).get_attribute("data-branch") is None
    # Bring the fork into view: the map scrolls sideways inside its box.
    page.locator("[data-cjm-map]").evaluate(
        "(map, id) => { map.scrollLeft = map.querySelector(`[data-step='${id}']`).offsetLeft - 200; }",
        fork,
    )
    boxes = [_step(page, "steps", step_id).bounding_box() for step_id in alternatives]
    fork_box, join_box = (_step(page, "steps", s).bounding_box() for s in (fork, join))
    assert all(boxes) and fork_box and join_box
    first, second = boxes
    assert first and second
    # Side by side in the same column span, one above the other: not one after another.
    assert first["x"] < second["x"] + second["width"] and second["x"] < first["x"] + first["width"]
    assert abs(first["x"] - second["x"]) <= 1
    upper, lower = sorted(boxes, key=lambda box: box["y"] if box else 0)
    assert upper and lower and upper["y"] + upper["height"] <= lower["y"] + 1
    for box in boxes:
        assert box and fork_box["x"] + fork_box["width"] <= box["x"] + 1
        assert box["x"] + box["width"] <= join_box["x"] + 1
    # Either on the upper alternative, or on the lower, readable in this palette.
    upper_id = alternatives[boxes.index(upper)]
    lower_id = alternatives[boxes.index(lower)]
    for step_id, word in (
        (upper_id, LABELS["branch_either_tag"]),
        (lower_id, LABELS["branch_or_tag"]),
    ):
        chip = _step(page, "steps", step_id).locator(".cjm-map-choice")
        assert chip.is_visible() and chip.inner_text().strip().lower() == word.lower()
        assert _text_contrast(page, chip) >= 4.5
    mark = _step(page, "steps", fork).locator(".cjm-map-fork-mark")
    assert mark.is_visible() and LABELS["branch_then"].split("{")[0].strip() in mark.inner_text()
    # The emotion lane: a second, dashed line for the branch, and the two
    # alternatives' points apart from each other within their column.
    branch_lines = page.locator("[data-cjm-map] svg.cjm-map-curve polyline.cjm-map-line-branch")
    assert branch_lines.count() >= 1
    assert branch_lines.first.evaluate("(l) => getComputedStyle(l).strokeDasharray") != "none"
    points = [_step(page, "emotion", step_id).bounding_box() for step_id in alternatives]
    assert all(points)
    left, right = sorted(points, key=lambda box: box["x"] if box else 0)
    assert left and right and left["x"] + left["width"] <= right["x"] + 1
    for point in points:
        assert (
            point
            and first["x"] <= point["x"]
            and point["x"] + point["width"] <= first["x"] + first["width"] + 1
        )
    page.locator("[data-cjm-map]").screenshot(
        path=screenshot_path("canvas-branches", DESKTOP[0], scheme)
    )


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_phone_timeline_says_either_or(open_page: Callable[..., Opened], scheme: str) -> None:
    fork, alternatives, join = _flow()
    opened = open_page(
        f"playbook/journeys/{JOURNEY}/", width=PHONE[0], height=PHONE[1], scheme=scheme
    )
    page = opened.page
    assert opened.errors == []
    fork_card = _step(page, "steps", fork)
    mark = fork_card.locator(".cjm-map-fork-mark")
    assert mark.is_visible()
    fork_box = fork_card.bounding_box()
    join_box = _step(page, "steps", join).bounding_box()
    assert fork_box and join_box
    chips = []
    for step_id in alternatives:
        card = _step(page, "steps", step_id)
        box = card.bounding_box()
        assert box
        # After the fork, before the join, indented under it.
        assert fork_box["y"] < box["y"] < join_box["y"]
        assert box["x"] > fork_box["x"]
        chip = card.locator(".cjm-map-choice")
        assert chip.is_visible() and _text_contrast(page, chip) >= 4.5
        chips.append((box["y"], chip.inner_text().strip().lower()))
    assert [word for _, word in sorted(chips)] == [
        LABELS["branch_either_tag"].lower(),
        LABELS["branch_or_tag"].lower(),
    ]
    # The page itself never scrolls sideways.
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE[0]
    fork_card.scroll_into_view_if_needed()
    page.screenshot(path=screenshot_path("canvas-branches", PHONE[0], scheme))
