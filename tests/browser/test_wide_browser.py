"""Full-width cross-journey pages and the map's width (issue 20 items 3, 4), in Chromium.

At 1440x900 the register, KPI board, teams, channels (heatmap) and the lists use the
whole window: no table scrolls sideways, no word is broken across lines, no badge
leaves its cell, and the journey map spans at least 1360 px. At 390 px the register
and the KPI board are cards. The register opens on the playbook's lowest emotions.
Checked on the example, the blind 20-step playbook and long Vietnamese texts, in
both palettes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import BuildResult, run_build, small_maps, write_project

from mkdocs_cjm.core.loader import load_playbook

from .browser_support import BLIND20, ROOT, SCHEMES, SCREENSHOTS, serve_folder

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
# The index pages of the cross-journey sections (the section home too: its layout).
INDEXES = (
    "playbook/",
    "playbook/journeys/",
    "playbook/personas/",
    "playbook/channels/",
    "playbook/teams/",
    "playbook/pain-points/",
    "playbook/kpis/",
)

# A word broken across lines: a run of letters (hyphens, slashes and dashes are
# break opportunities of their own) whose characters lie on more than one line.
BROKEN_WORDS = """() => {
  const problems = [];
  const boxes = document.querySelectorAll(
    'article table th, article table td, article table caption, article h1, article h2, article h3');
  for (const box of boxes) {
    // Not shown, or shown to screen readers only (a phone's card list keeps its headers so).
    if (!box.getClientRects().length || box.closest('thead') && box.closest('thead').getBoundingClientRect().height <= 1) continue;
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const holder = node.parentElement;
      if (holder.closest('.cjm-sr, [hidden], svg, .headerlink')) continue;
      if (!holder.getClientRects().length) continue;
      const words = /[^\\s\\-\\/\\u2010-\\u2014·]+/g;
      let match;
      while ((match = words.exec(node.data))) {
        if (match[0].length < 2) continue;
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const lines = new Set([...range.getClientRects()]
          .filter((rect) => rect.width > 0).map((rect) => Math.round(rect.bottom)));
        if (lines.size > 1) problems.push(match[0] + ' in ' + box.tagName + ': ' + box.textContent.trim().slice(0, 50));
      }
    }
  }
  return problems;
}"""

SCROLLING_TABLES = """() => [...document.querySelectorAll(
    'article div.cjm-table, article .md-typeset__scrollwrap, article table')]
  .filter((box) => box.getClientRects().length && box.scrollWidth > box.clientWidth + 1)
  .map((box) => box.className + ' ' + box.scrollWidth + ' > ' + box.clientWidth)"""

BADGES_OUT_OF_CELLS = """() => [...document.querySelectorAll(
    'article :is(td, th) :is(.cjm-emotion, .cjm-kpi, .cjm-evidence, .cjm-type, .cjm-count)')]
  .filter((badge) => badge.getClientRects().length)
  .map((badge) => {
    const cell = badge.closest('td, th').getBoundingClientRect();
    const box = badge.getBoundingClientRect();
    const out = box.left < cell.left - 0.5 || box.right > cell.right + 0.5
      || box.top < cell.top - 0.5 || box.bottom > cell.bottom + 0.5;
    return out ? badge.textContent.trim() + ' ' + Math.round(box.left) + '-' + Math.round(box.right)
      + ' in ' + Math.round(cell.left) + '-' + Math.round(cell.right) : null;
  }).filter(Boolean)"""

CARDS = """() => [...document.querySelectorAll('article div.cjm-cards')].map((block) => ({
  header: block.querySelector('thead') ? block.querySelector('thead').getBoundingClientRect().height : 0,
  rows: [...block.querySelectorAll('tbody tr')].map((row) => ({
    display: getComputedStyle(row).display,
    left: row.getBoundingClientRect().left,
    right: row.getBoundingClientRect().right,
    labelled: [...row.querySelectorAll('td')].every((cell) => cell.dataset.label
      && getComputedStyle(cell, '::before').content.includes(cell.dataset.label)
      || cell.classList.contains('cjm-emotion-cell')),
  })),
}))"""


# Long Vietnamese texts, with spaces, everywhere a cross-journey table shows one.
LONG_PAIN = (
    "Khách hàng phải gọi lại tổng đài chăm sóc khách hàng nhiều lần mới biết đơn "
    "bảo hành đã được tiếp nhận và chuyển cho kỹ thuật viên khu vực"
)
LONG_TEAM = "Trung tâm Chăm sóc khách hàng và Hậu mãi khu vực miền Bắc"
LONG_JOURNEY = """\
title: Đăng ký bảo hành điện tử cho xe máy tay ga mua tại đại lý ủy quyền
persona: lan
owner: Phòng Trải nghiệm khách hàng toàn quốc
stages:
  - id: look
    name: Tìm hiểu chính sách bảo hành mở rộng
    kpis:
      - {name: Tỷ lệ khách hàng kích hoạt bảo hành điện tử trong bảy ngày, target: 80%, actual: 52%}
      - {name: Thời gian chờ trung bình khi gọi tổng đài chăm sóc khách hàng, target: 3 phút, actual: 11 phút, higher_is_better: false}
  - id: buy
    name: Kích hoạt và xác nhận bảo hành
steps:
  - id: browse
    stage: look
    channel: web
    action: Đọc điều khoản bảo hành mở rộng trên trang web của hãng
    emotion: 2
    owner: Phòng Thương mại điện tử và Chuyển đổi số
    pain_points: ["LONG_PAIN", "Điều khoản bảo hành dài, nhiều thuật ngữ kỹ thuật khó hiểu"]
    opportunities: [Tóm tắt điều khoản bảo hành bằng ba gạch đầu dòng dễ hiểu]
  - id: pay
    stage: buy
    channel: store
    action: Nhân viên đại lý kích hoạt bảo hành trên máy tính bảng
    emotion: 1
    owner: LONG_TEAM
    pain_points: ["LONG_PAIN (lần hai)"]
""".replace("LONG_PAIN", LONG_PAIN).replace("LONG_TEAM", LONG_TEAM)


@pytest.fixture(scope="module")
def long_vi_url(chromium_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    files = small_maps({"bao-hanh": LONG_JOURNEY})
    files["maps/channels.yml"] = (
        "web:\n  name: Trang web chính thức của hãng xe máy\n  type: online\n"
        "store:\n  name: Đại lý ủy quyền cấp một tại Hà Nội\n  type: offline\n"
    )
    config = (
        "site_name: T\ntheme:\n  name: material\n  language: vi\n  font: false\n  palette:\n"
        '    - media: "(prefers-color-scheme: light)"\n      scheme: default\n'
        '    - media: "(prefers-color-scheme: dark)"\n      scheme: slate\n'
        "plugins:\n  - cjm\n"
    )
    root = tmp_path_factory.mktemp("wide-vi")
    result: BuildResult = run_build(write_project(root / "project", files, config), root / "site")
    assert result.returncode == 0, result.output
    with serve_folder(result.site) as url:
        yield url


@pytest.fixture
def visit(browser: Any) -> Iterator[Callable[..., Any]]:
    """`visit(url, viewport, scheme)`: a page of a fresh context at that size and palette."""
    contexts: list[Any] = []

    def _visit(url: str, viewport: dict[str, int], scheme: str) -> Any:
        context = browser.new_context(
            viewport=viewport, color_scheme=SCHEMES[scheme], device_scale_factor=1
        )
        contexts.append(context)
        page = context.new_page()
        response = page.goto(url, wait_until="networkidle")
        assert response is not None and response.ok, url
        # Material's script picks the palette that matches the reader's preference after
        # the first paint (the HTML names the first palette): wait for it to have run.
        page.wait_for_function(
            "(scheme) => document.body.getAttribute('data-md-color-scheme') === scheme", arg=scheme
        )
        page.evaluate("document.fonts.ready.then(() => true)")
        return page

    yield _visit
    for context in contexts:
        context.close()


def _item_pages(page: Any, base: str, folder: str, count: int) -> list[str]:
    """The first `count` item pages an index links to (`folder`: teams, channels)."""
    hrefs = page.evaluate(
        """(folder) => [...document.querySelectorAll('article a[href]')]
          .map((a) => new URL(a.href).pathname)
          .filter((path) => new RegExp('/playbook/' + folder + '/[^/]+/$').test(path))""",
        folder,
    )
    return [path.lstrip("/") for path in dict.fromkeys(hrefs)][:count]


def _pages(visit: Callable[..., Any], base: str) -> list[str]:
    index = visit(base + "playbook/teams/", DESKTOP, "default")
    teams = _item_pages(index, base, "teams", 3)
    channels = _item_pages(
        visit(base + "playbook/channels/", DESKTOP, "default"), base, "channels", 2
    )
    assert teams and channels
    return [*INDEXES, *teams, *channels]


@pytest.fixture(params=["example", "blind20", "long-vi"])
def site(request: pytest.FixtureRequest) -> str:
    name = {"example": "site_url", "blind20": "blind20_url", "long-vi": "long_vi_url"}
    url: str = request.getfixturevalue(name[request.param])
    return url


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_cross_journey_pages_fit_1440_without_broken_words(
    visit: Callable[..., Any], site: str, scheme: str
) -> None:
    problems: dict[str, object] = {}
    for path in _pages(visit, site):
        page = visit(site + path, DESKTOP, scheme)
        # The page is wide: no sidebars, the grid's max-width lifted.
        assert page.evaluate("!!document.querySelector('article [data-cjm-wide]')"), path
        content = page.evaluate(
            "document.querySelector('.md-content').getBoundingClientRect().width"
        )
        assert content >= 1360, (path, content)
        found = {
            "page wider than the window": page.evaluate("document.documentElement.scrollWidth")
            > DESKTOP["width"],
            "tables scrolling": page.evaluate(SCROLLING_TABLES),
            "broken words": page.evaluate(BROKEN_WORDS),
            "badges out of their cells": page.evaluate(BADGES_OUT_OF_CELLS),
        }
        if any(found.values()):
            problems[path] = {key: value for key, value in found.items() if value}
        if path in ("playbook/pain-points/", "playbook/kpis/") and "blind20" not in site:
            name = path.strip("/").replace("/", "-")
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / f"wide-{name}-1440-{scheme}.png"))
    assert not problems, problems


@pytest.mark.parametrize("scheme", ["default", "slate"])
def test_register_and_kpi_board_are_cards_on_a_phone(
    visit: Callable[..., Any], site: str, scheme: str
) -> None:
    for path in ("playbook/pain-points/", "playbook/kpis/"):
        page = visit(site + path, PHONE, scheme)
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], path
        blocks = page.evaluate(CARDS)
        assert blocks, f"{path}: no card list"
        for block in blocks:
            assert block["header"] <= 1, f"{path}: column headers shown on a phone"
            for row in block["rows"]:
                assert row["display"] == "block", (path, row)
                assert row["left"] >= 0 and row["right"] <= PHONE["width"], (path, row)
                assert row["labelled"], (path, row)
        assert not page.evaluate(BROKEN_WORDS), path


@pytest.mark.parametrize("scheme", ["default", "slate"])
@pytest.mark.parametrize(
    ("which", "journey"),
    [
        ("example", "kinh-da-trong-cho-bo"),
        ("example", "b2b-uniform-contract"),
        ("blind20", "mua-xe-tay-ga"),
    ],
)
def test_the_map_spans_1360_px_at_1440(
    request: pytest.FixtureRequest, visit: Callable[..., Any], which: str, journey: str, scheme: str
) -> None:
    base: str = request.getfixturevalue("site_url" if which == "example" else "blind20_url")
    page = visit(f"{base}playbook/journeys/{journey}/", DESKTOP, scheme)
    width = page.evaluate(
        f"document.querySelector('[data-cjm-map=\"{journey}\"]').getBoundingClientRect().width"
    )
    assert width >= 1360
    assert page.evaluate("document.documentElement.scrollWidth") <= DESKTOP["width"]
    # The header keeps its own grid: only the page's content is widened.
    header = page.evaluate(
        "getComputedStyle(document.querySelector('.md-header .md-grid')).maxWidth"
    )
    assert header != "none"


def _lowest(maps: Path) -> int:
    playbook = load_playbook(maps).raise_for_errors()
    return min(
        step.emotion
        for journey in playbook.journeys
        for step in journey.steps
        if step.pain_points and step.emotion is not None
    )


@pytest.mark.parametrize(
    ("which", "maps"), [("example", ROOT / "maps"), ("blind20", BLIND20 / "maps")]
)
def test_the_register_opens_on_the_playbooks_lowest_emotions(
    request: pytest.FixtureRequest, visit: Callable[..., Any], which: str, maps: Path
) -> None:
    base: str = request.getfixturevalue("site_url" if which == "example" else "blind20_url")
    page = visit(base + "playbook/pain-points/", DESKTOP, "default")
    cells = page.evaluate(
        """() => [...document.querySelectorAll('[data-cjm-worst-first] tbody tr')]
          .filter((row) => row.getClientRects().length)
          .map((row) => row.querySelector('td').innerText)"""
    )
    scores = [int(m.group(1)) if (m := re.search(r"([1-5])/5", text)) else 99 for text in cells]
    assert scores and scores[0] == _lowest(maps)
    assert scores == sorted(scores)
    # The grouped view is one click away, without JavaScript's help.
    page.click("[data-cjm-register-views] a")
    assert page.evaluate("location.hash") == "#by-team"
    # The browser scrolls to the target after the hash changes: on a busy machine a
    # frame or more later. Wait (at most 5 s) for it before measuring.
    page.wait_for_function(
        "() => { const top = document.getElementById('by-team').getBoundingClientRect().top;"
        " return top >= 0 && top < innerHeight / 2; }",
        timeout=5000,
    )
    top = page.evaluate("document.getElementById('by-team').getBoundingClientRect().top")
    assert 0 <= top < DESKTOP["height"] / 2
