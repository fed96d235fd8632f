"""The journey page's smaller layout items (issue 20 item 6), in a real browser at
1440 and 390 px, light and dark: the facts line, no tag chips above the title, the
step number and the golden-milestone label, and on a phone the sections after the
timeline folded (`data-cjm-fold`) so the page is at most half as tall as before.

Run on the example's busiest journey (English, tags plugin on) and on the journey of
6 stages and 20 steps written blind from the format (Vietnamese, tests/fixtures/blind20).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .browser_support import PAGES, SCHEMES, Opened, screenshot_path

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DESKTOP = (1440, 900)
PHONE = (390, 844)
SIZES = {"desktop": DESKTOP, "phone": PHONE}
TWENTY = "playbook/journeys/mua-xe-tay-ga/"
# The folded sections, in page order (journey.md.j2).
FOLDS = ["matrix", "flow", "kpis", "steps"]
# Document height of the 20-step journey at 390x844 before the folds: 21,266 px
# (measured on this fixture with the sections open). The phone page must be at most
# half of that.
TWENTY_PHONE_HEIGHT_BEFORE = 21266


@pytest.fixture
def open_journey(
    open_page: Callable[..., Opened], blind20_url: str
) -> Callable[[str, str, str], Any]:
    """A journey page ("example" or "twenty") at a size, in a palette, its script run."""

    def _open(name: str, device: str, scheme: str) -> Any:
        width, height = SIZES[device]
        if name == "twenty":
            opened = open_page(TWENTY, width=width, height=height, scheme=scheme, base=blind20_url)
        else:
            opened = open_page(PAGES["journey"], width=width, height=height, scheme=scheme)
        page = opened.page
        # cjm.js sets each fold open or closed for the screen, then marks it ready.
        page.wait_for_function(
            "[...document.querySelectorAll('details[data-cjm-fold]')]"
            ".every(fold => fold.dataset.cjmReady)"
        )
        assert opened.errors == []
        return page

    return _open


# Each fold: open or not, and the height shown of its summary and of its body (a
# closed fold's body keeps a layout box for scripts that measure it, but is not shown).
FOLD_STATE = """() => [...document.querySelectorAll("details[data-cjm-fold]")].map(fold => {
  const shown = (element) => element.checkVisibility() ? element.getBoundingClientRect().height : 0;
  return {
    name: fold.dataset.cjmFold,
    open: fold.open,
    summary: shown(fold.querySelector(":scope > summary")),
    body: [...fold.querySelectorAll(":scope > :not(summary)")].reduce((sum, part) => sum + shown(part), 0),
  };
})"""


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_phone_page_of_twenty_steps_is_at_most_half_as_tall(
    open_journey: Callable[..., Any], scheme: str
) -> None:
    page = open_journey("twenty", "phone", scheme)
    height = page.evaluate("document.documentElement.scrollHeight")
    page.screenshot(path=screenshot_path("journey-twenty-folded", PHONE[0], scheme), full_page=True)
    assert height <= TWENTY_PHONE_HEIGHT_BEFORE / 2, f"{height}px at {PHONE[0]}px"
    # What makes it so: the sections after the timeline are closed, each a summary line.
    folds = page.evaluate(FOLD_STATE)
    assert [fold["name"] for fold in folds] == FOLDS
    for fold in folds:
        assert not fold["open"] and fold["body"] == 0, fold
        assert 20 < fold["summary"] < 120, fold
    # The summaries say what they hold (the step count in Vietnamese).
    summaries = page.locator("details[data-cjm-fold] > summary").all_inner_texts()
    assert "20 bước" in summaries[0] and "20 bước" in summaries[-1], summaries


@pytest.mark.parametrize("scheme", list(SCHEMES))
@pytest.mark.parametrize("name", ["example", "twenty"])
def test_sections_are_open_on_a_wide_screen(
    open_journey: Callable[..., Any], name: str, scheme: str
) -> None:
    page = open_journey(name, "desktop", scheme)
    folds = page.evaluate(FOLD_STATE)
    assert [fold["name"] for fold in folds] == FOLDS
    for fold in folds:
        # Whole, with no summary line to open or close it.
        assert fold["open"] and fold["summary"] == 0 and fold["body"] > 100, fold
    rows = page.locator("div.cjm-steps tr[data-step]")
    assert rows.count() >= 17
    assert rows.last.is_visible()


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_phone_reader_opens_a_section_and_follows_a_step_link(
    open_journey: Callable[..., Any], scheme: str
) -> None:
    page = open_journey("twenty", "phone", scheme)
    # The summary opens its section: the matrix, scrolling sideways in its own box.
    matrix_fold = page.locator('details[data-cjm-fold="matrix"]')
    matrix_fold.locator("summary").click()
    assert matrix_fold.evaluate("fold => fold.open")
    matrix = page.locator("div.cjm-matrix")
    assert matrix.is_visible()
    sizes = matrix.evaluate("m => [m.scrollWidth, m.clientWidth]")
    assert sizes[0] > sizes[1], sizes
    # Opened after load, it is still labelled for the keyboard as a scrolling region.
    assert matrix.get_attribute("tabindex") == "0"
    page.screenshot(path=screenshot_path("journey-twenty-matrix-open", PHONE[0], scheme))

    # A step's action on the timeline links to its row in the (closed) step details.
    action = page.locator('[data-cjm-map] [data-lane="steps"] a.cjm-map-action').nth(9)
    href = action.get_attribute("href")
    assert href and href.startswith("#")
    steps_fold = page.locator('details[data-cjm-fold="steps"]')
    assert not steps_fold.evaluate("fold => fold.open")
    action.click()
    page.wait_for_function(f"location.hash === {href!r}")
    assert steps_fold.evaluate("fold => fold.open")
    row = page.locator(f"tr[id='{href[1:]}']")
    page.wait_for_function(
        "row => { const r = row.getBoundingClientRect(); return r.top >= 0 && r.top < innerHeight; }",
        arg=row.element_handle(),
    )
    header = page.locator("header.md-header").bounding_box()
    box = row.bounding_box()
    assert header is not None and box is not None
    assert box["y"] >= header["y"] + header["height"] - 1


def test_phone_page_prints_every_section(open_journey: Callable[..., Any]) -> None:
    page = open_journey("twenty", "phone", "default")
    page.emulate_media(media="print")
    folds = page.evaluate(FOLD_STATE)
    for fold in folds:
        assert fold["summary"] == 0 and fold["body"] > 100, fold
    heights = page.locator("div.cjm-steps tr[data-step]").evaluate_all(
        "rows => rows.map(row => row.getBoundingClientRect().height)"
    )
    assert len(heights) == 20 and min(heights) > 0


# For each term and value of the facts line and the one after it: the boxes of the
# line where the first ends and of the line where the next begins (an inline box's
# rects include its ::after, the ":" and the "·").
FACTS_PROBE = """() => {
  const dl = document.querySelector(".cjm-facts dl");
  const rects = (node) => [...node.getClientRects()].filter(r => r.width > 0);
  const out = [];
  const items = [...dl.children];
  for (let i = 0; i + 1 < items.length; i++) {
    const end = rects(items[i]).pop();
    const start = rects(items[i + 1])[0];
    out.push({
      pair: items[i].tagName + ">" + items[i + 1].tagName,
      text: items[i].textContent.trim().slice(0, 20),
      sameLine: Math.abs(end.top - start.top) < 2,
      gap: start.left - end.right,
      lineEnd: dl.getBoundingClientRect().right - end.right,
      nextWidth: start.width,
    });
  }
  return out;
}"""


@pytest.mark.parametrize("scheme", list(SCHEMES))
@pytest.mark.parametrize("device", list(SIZES))
@pytest.mark.parametrize("name", ["example", "twenty"])
def test_facts_line_reads_as_a_sentence(
    open_journey: Callable[..., Any], name: str, device: str, scheme: str
) -> None:
    page = open_journey(name, device, scheme)
    pairs = page.evaluate(FACTS_PROBE)
    assert len(pairs) >= 7  # personas, owner, steps, average emotion: term and value each
    for pair in pairs:
        if pair["sameLine"]:
            # "Personas: Thu", "… · Owner": a space's width between, never glued.
            assert 2.5 <= pair["gap"] < 12, pair
        else:
            # A term or value moves to the next line only when this one is full.
            assert pair["lineEnd"] < pair["nextWidth"] + 8, pair
    # A term is followed on its own line by its value (no "Personas:" alone on a line).
    terms = [pair for pair in pairs if pair["pair"] == "DT>DD"]
    assert terms and all(pair["sameLine"] for pair in terms), terms
    page.locator(".cjm-facts").screenshot(
        path=screenshot_path(f"journey-{name}-facts", SIZES[device][0], scheme)
    )


@pytest.mark.parametrize("scheme", list(SCHEMES))
@pytest.mark.parametrize("device", list(SIZES))
def test_no_tag_chips_above_a_journey_title(
    open_journey: Callable[..., Any], open_page: Callable[..., Opened], device: str, scheme: str
) -> None:
    page = open_journey("example", device, scheme)
    # The page is still tagged (the tags index lists it), but shows no chips.
    tags = page.locator("article .md-tags")
    assert tags.count() == 1 and tags.locator(".md-tag").count() >= 2
    assert not tags.is_visible()
    title = page.locator("article h1").bounding_box()
    facts = page.locator(".cjm-facts").bounding_box()
    assert title is not None and facts is not None
    # The title is the first thing in the article; the facts follow right under it.
    article = page.locator("article").bounding_box()
    assert article is not None and title["y"] - article["y"] < 60
    # Only journey pages: a persona page keeps its chips.
    width, height = SIZES[device]
    persona = open_page(PAGES["persona"], width=width, height=height, scheme=scheme).page
    assert persona.locator("article .md-tags").is_visible()


NUMBER_LINES = """(cells) => cells.map(cell => {
  const range = document.createRange();
  range.selectNodeContents(cell);
  const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
  return [cell.textContent.trim(), tops.size];
})"""


@pytest.mark.parametrize("scheme", list(SCHEMES))
@pytest.mark.parametrize("device", list(SIZES))
@pytest.mark.parametrize("name", ["example", "twenty"])
def test_step_numbers_stay_on_one_line(
    open_journey: Callable[..., Any], name: str, device: str, scheme: str
) -> None:
    page = open_journey(name, device, scheme)
    if device == "phone":
        page.locator('details[data-cjm-fold="steps"] > summary').click()
    cells = page.locator("div.cjm-steps td.cjm-step-number")
    lines = cells.evaluate_all(NUMBER_LINES)
    assert len(lines) >= 17 and any(number == "10" for number, _ in lines), lines
    assert [line for line in lines if line[1] != 1] == []


@pytest.mark.parametrize("scheme", list(SCHEMES))
@pytest.mark.parametrize("device", list(SIZES))
def test_milestone_label_leaves_the_step_number_first(
    open_journey: Callable[..., Any], device: str, scheme: str
) -> None:
    page = open_journey("example", device, scheme)
    cards = page.locator('[data-cjm-map] [data-lane="steps"] [data-step][data-milestone]')
    assert cards.count() >= 1
    for index in range(cards.count()):
        card = cards.nth(index)
        card.scroll_into_view_if_needed()
        box = card.bounding_box()
        number = card.locator(".cjm-map-number").bounding_box()
        label = card.locator(".cjm-map-milestone-tag").bounding_box()
        assert box is not None and number is not None and label is not None
        # The number opens the card's first line; the label comes under it.
        assert number["y"] - box["y"] < 16, (number, box)
        assert label["y"] >= number["y"] + number["height"] - 1, (label, number)
        assert (
            card.locator(".cjm-map-milestone-tag").inner_text().strip().endswith("Golden milestone")
        )
    cards.first.screenshot(path=screenshot_path("journey-milestone-card", SIZES[device][0], scheme))
