"""The overview opens with the playbook's landscape (issue 20 item 2): every journey on
the lifecycle's phases, with its personas, owner, steps, an emotion sparkline, its
worst moment and its KPIs below target; grouped by phase or persona without JavaScript;
a "start here" line to the team pages; maintenance lists below."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from conftest import BuildResult, text_of
from test_incremental import OPTIONS, load
from test_phases import PHASES, phases_site  # noqa: F401  (a fixture)

from mkdocs_cjm.core.pages import PageKind
from mkdocs_cjm.render.diagrams import Backend, DiagramRenderer
from mkdocs_cjm.render.sparkline import HEIGHT, PAD, sparkline_points, sparkline_svg
from mkdocs_cjm.sections import VIEW_BY_NAME
from mkdocs_cjm.sections import overview as overview_section
from mkdocs_cjm.sections.overview import landscape
from mkdocs_cjm.sections.overview import rows as overview_rows
from mkdocs_cjm.site.generate import SiteGenerator
from mkdocs_cjm.site.i18n import labels_for

OVERVIEW = "playbook/"


def test_sparkline_points_put_5_at_the_top_and_1_at_the_bottom() -> None:
    assert sparkline_points([5, 1]) == [(PAD, PAD), (100 - PAD, HEIGHT - PAD)]
    assert sparkline_points([3]) == [(50, HEIGHT / 2)]  # one score: in the middle


def test_sparkline_svg_names_every_score_and_has_no_nan() -> None:
    playbook = load(PHASES / "maps")
    labels = labels_for("en")
    svg = sparkline_svg(playbook.journey_by_id["mo-tai-khoan"], labels)
    assert "data-sparkline" in svg
    assert (
        'aria-label="Emotion over 4 rated steps, from 1 (very negative) to 5 (very positive): '
        'starts at 3, lowest 1, highest 5, ends at 5"'
    ) in svg
    assert not re.search(r"nan|inf", svg, re.IGNORECASE)
    # One rated step still draws a stroke; none draws nothing.
    savings = playbook.journey_by_id["gui-tiet-kiem"]
    single = dataclasses.replace(savings, steps=savings.steps[:1])
    assert 'points="46,16.5 54,16.5"' in sparkline_svg(single, labels)
    assert sparkline_svg(playbook.journey_by_id["hoi-phi"], labels) == ""


def test_landscape_places_journeys_on_the_playbook_phases() -> None:
    playbook = load(PHASES / "maps")
    found = landscape(playbook, labels_for("vi"))
    assert found.columns == ("discover", "open", "use", "grow", "")
    placed = {entry.journey.id: entry.column for entry in found.entries}
    assert placed == {
        "mo-tai-khoan": "2 / span 3",
        "gui-tiet-kiem": "5 / span 1",
        "hoi-phi": "6 / span 1",
    }
    # Grouped by phase: by the phase each journey starts in, headings first.
    kinds = [getattr(item, "key", None) or getattr(item, "journey", None) for item in found.items]
    assert [getattr(k, "id", k) for k in kinds][:6] == [
        "discover",
        "mo-tai-khoan",
        "grow",
        "gui-tiet-kiem",
        None,  # the "no phase" heading
        "hoi-phi",
    ]
    worst = {entry.journey.id: entry.worst and entry.worst.id for entry in found.entries}
    assert worst == {"mo-tai-khoan": "step-2", "gui-tiet-kiem": "step-1", "hoi-phi": None}
    below = {entry.journey.id: [kpi.name for kpi in entry.below] for entry in found.entries}
    assert below["mo-tai-khoan"] == ["Tỉ lệ hoàn tất eKYC"]
    by_persona = sorted(found.entries, key=lambda entry: entry.by_persona)
    assert [entry.journey.id for entry in by_persona] == [
        "gui-tiet-kiem",
        "hoi-phi",
        "mo-tai-khoan",
    ]


def test_the_overview_declares_what_the_landscape_shows() -> None:
    """The fast rebuild re-renders the overview when the worst moment's words change,
    even at a scale where the overview lists no moments."""
    journey = load(PHASES / "maps").journey_by_id["mo-tai-khoan"]
    worst = journey.steps[1]
    edited = dataclasses.replace(
        journey,
        steps=(journey.steps[0], dataclasses.replace(worst, action="Khác"), *journey.steps[2:]),
    )
    assert overview_rows(journey) != overview_rows(edited)
    refeeling = dataclasses.replace(
        journey,
        steps=(journey.steps[0], dataclasses.replace(worst, feeling="mệt"), *journey.steps[2:]),
    )
    assert overview_rows(journey) != overview_rows(refeeling)


def test_the_overview_opens_with_the_landscape(phases_site: BuildResult) -> None:  # noqa: F811
    html = phases_site.html(OVERVIEW)
    page = phases_site.page(OVERVIEW)
    landscape_at = html.index("data-cjm-landscape")
    for later in (
        'class="cjm-sections"',
        "data-cjm-stale",
        "cjm-evidence-ranking",
        "cjm-milestones",
    ):
        assert later not in html or html.index(later) > landscape_at, later
    entries = page.css("[data-cjm-landscape] [data-journey]")
    assert [entry.attributes["data-journey"] for entry in entries] == [
        "mo-tai-khoan",
        "gui-tiet-kiem",
        "hoi-phi",
    ]
    head = page.css(".cjm-landscape-head .cjm-landscape-phase")
    assert [text_of(cell) for cell in head] == [
        "Tìm hiểu",
        "Mở tài khoản",
        "Sử dụng",
        "Gắn bó",
        "Chưa xếp giai đoạn",
    ]
    account = text_of(entries[0])
    assert "Mở tài khoản thanh toán" in account
    assert "Thu · Phụ trách: Nhóm Ứng dụng · 4 bước" in account
    # The worst moment whole (never cut mid-word), its score and word in text.
    assert "Khoảnh khắc tệ nhất: 1/5 rất tiêu cực Ứng dụng: Chụp căn cước và quay video" in account
    assert "xác thực khuôn mặt" in account
    assert "1 KPI dưới mục tiêu: Tỉ lệ hoàn tất eKYC (62% / mục tiêu 80%)" in account
    link = entries[0].css_first(".cjm-landscape-title a")
    assert link is not None and link.attributes["href"] == "journeys/mo-tai-khoan/"
    assert (phases_site.site / "playbook/journeys/mo-tai-khoan/index.html").is_file()
    sparklines = page.css("[data-cjm-landscape] svg[data-sparkline]")
    assert len(sparklines) == 2  # hoi-phi has no rated step
    assert "Chưa bước nào được đánh giá cảm xúc." in text_of(entries[2])
    assert not re.search(r"nan|inf", "".join(s.html or "" for s in sparklines), re.I)


def test_grouping_switch_is_two_radio_buttons_and_css(phases_site: BuildResult) -> None:  # noqa: F811
    page = phases_site.page(OVERVIEW)
    radios = page.css("[data-cjm-landscape] input[type=radio][name=cjm-landscape-group]")
    assert [radio.attributes["value"] for radio in radios] == ["phase", "persona"]
    assert "checked" in radios[0].attributes
    labels = page.css("[data-cjm-landscape-switch] label")
    assert [label.attributes["for"] for label in labels] == [r.attributes["id"] for r in radios]
    persona_headings = page.css('[data-cjm-landscape-heading="persona"]')
    assert [text_of(heading) for heading in persona_headings] == ["Ông Bình", "Thu"]
    phase_headings = page.css('[data-cjm-landscape-heading="phase"]')
    assert [text_of(h) for h in phase_headings] == [
        "Bắt đầu ở: Tìm hiểu",
        "Bắt đầu ở: Gắn bó",
        "Bắt đầu ở: Chưa xếp giai đoạn",
    ]
    css = (phases_site.site / "assets/cjm/cjm.css").read_text(encoding="utf-8")
    assert "#cjm-landscape-by-persona:checked ~ .cjm-landscape-list .cjm-landscape-entry" in css


def test_start_here_links_every_team_page(phases_site: BuildResult) -> None:  # noqa: F811
    page = phases_site.page(OVERVIEW)
    line = page.css_first("[data-cjm-start-here]")
    assert line is not None
    assert text_of(line).startswith("Mới vào? Hãy bắt đầu từ trang của nhóm bạn:")
    hrefs = [link.attributes["href"] for link in line.css("a")]
    assert hrefs == ["teams/nhom-cham-soc/", "teams/nhom-chi-nhanh/", "teams/nhom-ung-dung/"]
    for href in hrefs:
        assert (phases_site.site / "playbook" / href / "index.html").is_file()


def test_an_all_assumed_journey_is_a_warning_in_words(phases_site: BuildResult) -> None:  # noqa: F811
    page = phases_site.page(OVERVIEW)
    row = page.css_first('.cjm-evidence-ranking tr[data-journey="hoi-phi"] td')
    assert row is not None and row.attributes["data-evidence-verdict"] == "none"
    assert "100% (1/1) · chưa kiểm chứng gì" in text_of(row)
    meter = row.css_first("meter")
    assert meter is not None
    # optimum below `low`: a high share of assumed steps is drawn as bad, not green.
    assert (meter.attributes["optimum"], meter.attributes["high"]) == ("0", "50")


@pytest.mark.parametrize("language", ["en", "vi"])
def test_every_landscape_label_is_translated(language: str) -> None:
    labels = labels_for(language)
    for key in ("landscape", "landscape_text", "group_by", "starts_in", "worst_moment"):
        assert labels[key]
    for field in ("{count}", "{first}", "{low}", "{high}", "{last}"):
        assert field in labels["sparkline_label"]


def test_past_the_limit_the_landscape_counts_kpis_instead_of_naming_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    playbook = load(PHASES / "maps")
    renderer = DiagramRenderer(Backend.AUTO, tmp_path / "cache")

    def overview() -> str:
        generator = SiteGenerator(playbook, OPTIONS, renderer)
        return generator.view_index(VIEW_BY_NAME[PageKind.OVERVIEW]).markdown

    assert "1 KPI below target:</span> Tỉ lệ hoàn tất eKYC (62% / target 80%)" in overview()
    monkeypatch.setattr(overview_section, "LANDSCAPE_NAMES_KPIS_UP_TO", 2)  # 3 journeys
    compact = overview()
    assert "1 KPI below target:</span></p>" in compact
    assert "Tỉ lệ hoàn tất eKYC (62%" not in compact
