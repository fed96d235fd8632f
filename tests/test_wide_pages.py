"""Issue 20 items 3-4 and the cross-journey small fixes: the `playbook_layout` option and
the `data-cjm-wide` hook, word-boundary shortening, "N below target" in words."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_build, small_journey, small_maps, text_of, write_project

from mkdocs_cjm.core.text import shorten
from mkdocs_cjm.site.generate import WIDE_HOOK, _wide
from mkdocs_cjm.site.i18n import EN, VI

CONFIG = "site_name: T\ntheme:\n  name: material\nplugins:\n  - cjm"
# One page of each kind the option covers, and the persona page it leaves alone.
PLAYBOOK_PAGES = (
    "playbook/",
    "playbook/journeys/",
    "playbook/personas/",
    "playbook/channels/",
    "playbook/channels/web/",
    "playbook/teams/",
    "playbook/teams/doi-ban-hang/",
    "playbook/pain-points/",
    "playbook/kpis/",
)
JOURNEY = small_journey("Mua kính").replace(
    "    emotion: 3\n",
    "    emotion: 3\n    owner: Đội Bán hàng\n    pain_points: [Xếp hàng lâu ở quầy thanh toán]\n",
)


def _is_wide(page: object) -> bool:
    sidebars = page.css(".md-sidebar--primary, .md-sidebar--secondary")  # type: ignore[attr-defined]
    hidden = {"hidden" in node.attributes for node in sidebars}
    hook = page.css_first("article [data-cjm-wide]") is not None  # type: ignore[attr-defined]
    assert len(hidden) == 1, "both sidebars or neither"
    assert hidden == {hook}, "the hook goes with the hidden sidebars"
    return hook


@pytest.mark.parametrize(
    ("playbook", "journey", "wide", "journey_wide"),
    [(None, None, True, True), ("standard", None, False, True), ("wide", "standard", True, False)],
)
def test_playbook_layout_option(
    tmp_path: Path, playbook: str | None, journey: str | None, wide: bool, journey_wide: bool
) -> None:
    options = [
        f"      {key}: {value}"
        for key, value in (("playbook_layout", playbook), ("journey_layout", journey))
        if value
    ]
    config = CONFIG + (":\n" + "\n".join(options) if options else "") + "\n"
    project = write_project(tmp_path, small_maps({"j": JOURNEY}), config)
    result = run_build(project)
    assert result.returncode == 0, result.output
    for url in PLAYBOOK_PAGES:
        assert _is_wide(result.page(url)) == wide, url
    # The section home keeps its title (the hook is at the end of the page, not before `#`).
    assert text_of(result.page("playbook/").css_first("h1"))
    assert "<title>Teams" in result.html("playbook/teams/")
    assert _is_wide(result.page("playbook/journeys/j/")) == journey_wide
    # A persona's profile reads best at a line length: it keeps the site's layout.
    assert not _is_wide(result.page("playbook/personas/lan/"))


def test_playbook_layout_rejects_other_values(tmp_path: Path) -> None:
    project = write_project(
        tmp_path, small_maps({"j": JOURNEY}), CONFIG + ":\n      playbook_layout: full\n"
    )
    result = run_build(project)
    assert result.returncode != 0
    assert "playbook_layout" in result.output and "Traceback" not in result.output


def test_wide_joins_a_templates_own_front_matter() -> None:
    own = '---\ntitle: "Sổ điểm đau"\ntags:\n  - "Lan"\n---\n# Sổ điểm đau\n'
    wide = _wide(own)
    assert wide.count("---\n") == 2 and "hide:\n  - navigation\n  - toc\n---\n# Sổ" in wide
    assert wide.rstrip().endswith(WIDE_HOOK)
    # A page that says what to hide keeps its choice.
    chosen = "---\nhide:\n  - toc\n---\n# T\n"
    assert _wide(chosen).startswith(chosen)
    bare = _wide("# T\n")
    assert bare.startswith("---\nhide:\n  - navigation\n  - toc\n---\n# T\n")


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("Khách phải tự hỏi mới biết đơn bị trễ", 20, "Khách phải tự hỏi…"),
        ("Chờ tổng đài, rất lâu", 13, "Chờ tổng đài…"),  # the word ends at the cut
        ("Ngắn thôi", 20, "Ngắn thôi"),
        ("  nhiều   khoảng\ntrắng  ", 40, "nhiều khoảng trắng"),
        ("Siêudàikhôngcókhoảngtrắng", 10, "Siêudàikh…"),  # one word: cut inside it
        # NFD Vietnamese: a letter keeps its combining marks.
        (
            "Tie\u0302\u0301ng Vie\u0323\u0302t ra\u0302\u0301t hay",
            12,
            "Tie\u0302\u0301ng Vie\u0323\u0302t…",
        ),
    ],
)
def test_shorten_cuts_between_words(text: str, limit: int, expected: str) -> None:
    assert shorten(text, limit) == expected


def test_kpis_below_target_are_counted_in_words(tmp_path: Path) -> None:
    journey = small_journey("Mua kính").replace(
        "    name: Look\n",
        "    name: Look\n    kpis:\n"
        "      - {name: Tỷ lệ chuyển đổi, target: 10%, actual: 5%}\n"
        "      - {name: Thời gian chờ, target: 3 phút, actual: 9 phút, higher_is_better: false}\n",
    )
    for language, labels in (("en", EN), ("vi", VI)):
        config = f"{CONFIG}:\n      language: {language}\n"
        project = write_project(tmp_path / language, small_maps({"j": journey}), config)
        result = run_build(project)
        assert result.returncode == 0, result.output
        below = result.page("playbook/journeys/j/").css_first("[data-cjm-below-count]")
        assert below.attributes["data-cjm-below-count"] == "2"
        assert labels["kpis_below_count"].format(count=2) in text_of(below)
