"""The cross-journey views: pain-point register, KPI board, team pages, the channel
heatmap, phases and golden milestones, and the registry that lists them.

One real `mkdocs build --strict` of a playbook written for these pages; every
expectation is worked out from its YAML, read here with PyYAML on its own.
"""

from __future__ import annotations

import html
import json
import posixpath
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import BASE_CONFIG, BuildResult, run_build, text_of, write_project

from mkdocs_cjm.glue.cli import main as cli
from mkdocs_cjm.sections import SECTIONS
from mkdocs_cjm.site.i18n import EN

pytestmark = pytest.mark.xdist_group("playbook_views")

PREFIX = "playbook"

CHANNELS = """\
zalo:
  name: Zalo OA
  type: online
  owner: Chăm sóc khách hàng
web:
  name: Website
  type: online
  owner: Đội Thương mại điện tử
store:
  name: Cửa hàng
  type: offline
hotline:
  name: Tổng đài
  type: offline
  owner: Cham soc khach hang
"""

BUY = """\
title: Mua kính râm
persona: lan
owner: Khối Bán lẻ
stages:
  - id: look
    name: Tìm hiểu
    phase: before
    kpis:
      - {name: Tỷ lệ nhấp, target: "2,1%", actual: "1,9%"}
      - {name: Điểm hài lòng, target: "4,5", actual: 4.6}
  - id: buy
    name: Mua
    phase: during
    kpis:
      - {name: Thời gian chờ, target: 3 phút, actual: 4 phút, higher_is_better: false}
      - {name: Thời gian thanh toán, target: 5 min, actual: 90 s}
      - {name: Doanh thu}
  - id: care
    name: Chăm sóc
    phase: after
    kpis:
      - {name: Tỷ lệ khiếu nại, target: "1.5%", actual: "0,9%", higher_is_better: false}
steps:
  - id: browse
    stage: look
    channel: web
    action: Xem kính trên web
    emotion: 4
    pain_points: [Giá trên web khác giá ở cửa hàng]
    opportunities: [Đồng bộ giá]
  - id: ask
    stage: look
    channel: zalo
    action: Hỏi tư vấn qua Zalo
    emotion: 2
    pain_points: [Chờ trả lời 30 phút, Phải nhắc lại số đơn]
    opportunities: [Trả lời tự động, Lưu lịch sử]
  - id: pay
    stage: buy
    channel: store
    action: Thanh toán tại quầy
    emotion: 1
    milestone: true
    pain_points: [Xếp hàng lâu]
  - id: pay-web
    stage: buy
    channel: web
    owner: Khối Bán lẻ
    action: Thanh toán online
    emotion: 3
    milestone: true
    pain_points: [Phí giao hàng hiện ở bước cuối]
  - id: call
    stage: care
    channel: hotline
    action: Gọi tổng đài hỏi bảo hành
    pain_points: [Menu phím bấm khó nghe]
"""

CARE = """\
title: Bảo hành
personas: [lan, minh]
owner: Chăm sóc khách hàng
stages:
  - id: report
    name: Báo lỗi
    kpis:
      - {name: Thời gian phản hồi, target: 2 giờ, actual: 1 giờ, higher_is_better: false}
  - id: fix
    name: Sửa
steps:
  - id: message
    stage: report
    channel: zalo
    action: Nhắn Zalo báo gãy gọng
    emotion: 2
    pain_points: [Không biết gửi ảnh ở đâu]
  - id: visit
    stage: fix
    channel: store
    action: Mang kính ra cửa hàng
    emotion: 4
    owner: Đội Kỹ thuật
"""

FILES = {
    "maps/channels.yml": CHANNELS,
    "maps/personas/lan.yml": "name: Lan\n",
    "maps/personas/minh.yml": "name: Minh\n",
    "maps/journeys/buy.yml": BUY,
    "maps/journeys/care.yml": CARE,
}

# What each KPI's status must be, by name: decimal commas, `higher_is_better:
# false`, different units (cannot compare), and no data.
EXPECTED_STATUS = {
    "Tỷ lệ nhấp": "below",  # 1,9% < 2,1%
    "Điểm hài lòng": "met",  # 4.6 >= 4,5
    "Thời gian chờ": "below",  # lower is better: 4 > 3 minutes
    "Thời gian thanh toán": "incomparable",  # minutes against seconds
    "Doanh thu": "unknown",  # no target, no actual
    "Tỷ lệ khiếu nại": "met",  # lower is better: 0,9% <= 1.5%
    "Thời gian phản hồi": "met",  # lower is better: 1 <= 2 hours
}
STATUS_WORDS = {
    "below": EN["below_target"],
    "met": EN["on_target"],
    "incomparable": EN["kpi_incomparable"],
    "unknown": EN["no_status"],
}


# -- The maps, read independently ---------------------------------------------


class Maps:
    def __init__(self) -> None:
        self.channels: dict[str, Any] = yaml.safe_load(CHANNELS)
        self.journeys: dict[str, Any] = {
            "buy": yaml.safe_load(BUY),
            "care": yaml.safe_load(CARE),
        }

    def steps(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        for journey_id, journey in self.journeys.items():
            for number, step in enumerate(journey["steps"], start=1):
                yield journey_id, step.get("id") or f"step-{number}", step

    def owner(self, step: dict[str, Any]) -> str | None:
        owner: str | None = step.get("owner") or self.channels[step["channel"]].get("owner")
        return owner

    def teams(self) -> set[str]:
        names = {j["owner"] for j in self.journeys.values() if j.get("owner")}
        names |= {c["owner"] for c in self.channels.values() if c.get("owner")}
        names |= {o for _, _, step in self.steps() if (o := self.owner(step))}
        return names


MAPS = Maps()


def ascii_slug(name: str) -> str:
    import unicodedata

    name = name.replace("đ", "d").replace("Đ", "D")
    flat = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", flat.lower()).strip("-")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    project = write_project(tmp_path_factory.mktemp("views") / "project", FILES)
    result = run_build(project)  # --strict
    assert result.returncode == 0, result.output
    return result


def resolve(page_url: str, href: str) -> str:
    """Site-relative URL a link on `page_url` points to (without its anchor)."""
    path = href.split("#")[0]
    joined = posixpath.normpath(posixpath.join(page_url, path)) if path else page_url
    return joined.strip("/") + "/" if joined not in (".", "") else ""


def team_urls(site: BuildResult) -> dict[str, str]:
    """Team name -> its page URL, from the teams index."""
    page = site.page(f"{PREFIX}/teams/")
    url = f"{PREFIX}/teams/"
    return {
        text_of(a): resolve(url, a.attributes["href"] or "")
        for a in page.css("article a.cjm-team-link")
    }


# -- Registry: navigation, overview, search, export ---------------------------


def test_every_section_is_in_the_navigation_overview_and_search(site: BuildResult) -> None:
    home = site.page("")
    nav_targets = {
        resolve("", a.attributes.get("href") or "") for a in home.css("nav.md-nav--primary a")
    }
    overview = site.page(f"{PREFIX}/")
    overview_links = {
        resolve(f"{PREFIX}/", a.attributes.get("href") or ""): text_of(a)
        for a in overview.css(".cjm-sections a")
    }
    index = json.loads((site.site / "search" / "search_index.json").read_text("utf-8"))
    locations = {doc["location"] for doc in index["docs"]}
    for view in SECTIONS:
        url = f"{PREFIX}/{view.folder}/"
        assert url in nav_targets, url
        assert overview_links[url] == EN[view.label]
        assert url in locations
        assert site.page(url).css_first("h1") is not None
    # The four views the issue names, linked from the overview.
    for folder in ("pain-points", "kpis", "teams", "channels"):
        assert f"{PREFIX}/{folder}/" in overview_links
    for url in team_urls(site).values():
        assert url in locations
        assert url in nav_targets


def test_export_and_its_nav_include_every_section(site: BuildResult, tmp_path: Path) -> None:
    out, nav_file = tmp_path / "out", tmp_path / "nav.yml"
    code = cli(["export", "-f", str(site.project / "mkdocs.yml"), "--nav", str(nav_file), str(out)])
    assert code == 0
    nav = yaml.safe_load(nav_file.read_text("utf-8"))
    section = nav[0][EN["playbook"]]
    titles = [next(iter(item)) for item in section if isinstance(item, dict)]
    assert titles == [EN[view.label] for view in SECTIONS]
    listed = json.dumps(nav, ensure_ascii=False)
    for view in SECTIONS:
        assert (out / PREFIX / view.folder / "index.md").is_file()
        assert f"{PREFIX}/{view.folder}/index.md" in listed
    for name in MAPS.teams():
        slug = posixpath.basename(team_urls(site)[name].rstrip("/"))
        assert (out / PREFIX / "teams" / f"{slug}.md").is_file()
        assert f"{PREFIX}/teams/{slug}.md" in listed


# -- Pain-point register -------------------------------------------------------


def test_register_lists_each_pain_point_once_with_its_links(site: BuildResult) -> None:
    url = f"{PREFIX}/pain-points/"
    page = site.page(url)
    entries = page.css("article [data-journey][data-step][data-team]")
    expected = [
        (journey_id, step_id, text, step)
        for journey_id, step_id, step in MAPS.steps()
        for text in step.get("pain_points") or []
    ]
    assert len(entries) == len(expected)
    teams = team_urls(site)
    for journey_id, step_id, text, step in expected:
        found = [
            entry
            for entry in entries
            if entry.attributes["data-journey"] == journey_id
            and entry.attributes["data-step"] == step_id
            and text_of(entry.css_first("th")) == text
        ]
        assert len(found) == 1, (journey_id, step_id, text)
        entry = found[0]
        targets = {resolve(url, a.attributes["href"] or "") for a in entry.css("a")}
        hrefs = {a.attributes["href"] for a in entry.css("a")}
        assert f"{PREFIX}/journeys/{journey_id}/" in targets
        assert f"../journeys/{journey_id}/#step-{step_id}" in hrefs
        assert f"{PREFIX}/channels/{step['channel']}/" in targets
        owner = MAPS.owner(step)
        if owner:
            assert teams[owner] in targets
            assert entry.attributes["data-team"] == posixpath.basename(teams[owner].rstrip("/"))
        else:
            assert entry.attributes["data-team"] == ""
        assert f"{step['emotion']}/5" in text_of(entry) if step.get("emotion") else True
        for opportunity in step.get("opportunities") or []:
            assert opportunity in text_of(entry)
        anchor = site.page(f"{PREFIX}/journeys/{journey_id}/").css_first(f"#step-{step_id}")
        assert anchor is not None


def test_register_groups_by_team_with_counts_worst_first(site: BuildResult) -> None:
    page = site.page(f"{PREFIX}/pain-points/")
    groups = page.css("details[data-cjm-group]")
    owners: dict[str, int] = {}
    for _, _, step in MAPS.steps():
        owner = MAPS.owner(step) or ""
        owners[owner] = owners.get(owner, 0) + len(step.get("pain_points") or [])
    owners = {name: count for name, count in owners.items() if count}
    assert len(groups) == len(owners)
    for group in groups:
        rows = group.css("li[data-journey]")
        assert text_of(group.css_first("[data-cjm-count]")) == str(len(rows))
        assert {row.attributes["data-team"] for row in rows} == {group.attributes["data-team"]}
        scores = [
            int(m.group(1)) if (m := re.search(r"\b([1-5])/5\b", text_of(row))) else 99
            for row in rows
        ]
        assert scores == sorted(scores)
    counts = sorted((len(g.css("li[data-journey]")) for g in groups), reverse=True)
    assert sorted(owners.values(), reverse=True) == counts
    # Without JavaScript every entry is shown: the filters (built by the script) start hidden.
    filters = page.css_first("[data-cjm-filters]")
    assert "hidden" in filters.attributes
    offered = {
        ul.attributes["data-cjm-filter"]: {li.attributes["data-value"] for li in ul.css("li")}
        for ul in filters.css("ul[data-cjm-filter]")
    }
    assert offered["team"] == {g.attributes["data-team"] for g in groups} - {""}
    assert offered["journey"] == {j for j, _, s in MAPS.steps() if s.get("pain_points")}


def test_register_lists_the_whole_playbook_worst_first_grouped_view_a_link_away(
    site: BuildResult,
) -> None:
    page = site.page(f"{PREFIX}/pain-points/")
    rows = page.css("[data-cjm-worst-first] tr[data-journey]")
    # One list across teams: the lowest emotion of the playbook first, whatever the team
    # (ties: journey id, step number), not each team's worst first.
    entries = [
        (step.get("emotion") or 99, journey_id, number, step_id, text)
        for journey_id, journey in MAPS.journeys.items()
        for number, step in enumerate(journey["steps"], start=1)
        for step_id in [step.get("id") or f"step-{number}"]
        for text in step.get("pain_points") or []
    ]
    expected = [(journey, step, text) for _, journey, _, step, text in sorted(entries)]
    shown = [
        (row.attributes["data-journey"], row.attributes["data-step"], text_of(row.css_first("th")))
        for row in rows
    ]
    assert shown == expected
    # Here the worst moment is one no team owns: grouped by team, it came last.
    assert rows[0].attributes["data-team"] == ""
    # Grouping by team is one link away, in the static page (no script needed).
    switch = page.css_first("[data-cjm-register-views]")
    assert switch.css_first("a").attributes["href"] == "#by-team"
    heading = page.css_first("#by-team[role=heading]")
    assert heading is not None and text_of(heading) == EN["register_by_team"]


# -- KPI board -----------------------------------------------------------------


def test_kpi_board_has_each_kpi_once_with_its_status(site: BuildResult) -> None:
    url = f"{PREFIX}/kpis/"
    page = site.page(url)
    rows = page.css("article tr[data-journey][data-stage]")
    expected = [
        (journey_id, stage["id"], kpi)
        for journey_id, journey in MAPS.journeys.items()
        for stage in journey["stages"]
        for kpi in stage.get("kpis") or []
    ]
    assert len(rows) == len(expected)
    for journey_id, stage_id, kpi in expected:
        found = [
            row
            for row in rows
            if row.attributes["data-journey"] == journey_id
            and row.attributes["data-stage"] == stage_id
            and text_of(row.css_first("th")).startswith(kpi["name"])
        ]
        assert len(found) == 1, kpi["name"]
        cells = [text_of(td) for td in found[0].css("td")]
        status = EXPECTED_STATUS[kpi["name"]]
        assert found[0].attributes["data-status"] == status
        assert STATUS_WORDS[status] in cells[-1]
        assert cells[2] == str(kpi.get("target", EN["not_given"]))
        assert cells[3] == str(kpi.get("actual", EN["not_given"]))
        targets = {resolve(url, a.attributes["href"] or "") for a in found[0].css("a")}
        assert f"{PREFIX}/journeys/{journey_id}/" in targets
    # Below target first, then totals that add up.
    assert rows[0].attributes["data-status"] == "below"
    totals = {
        li.attributes["data-status"]: int(text_of(li.css_first(".cjm-total-number")))
        for li in page.css("[data-cjm-totals] li")
    }
    assert totals["total"] == len(expected)
    for status in STATUS_WORDS:
        assert totals[status] == list(EXPECTED_STATUS.values()).count(status)


# -- Team pages ----------------------------------------------------------------


def test_team_slugs_are_readable_and_unique(site: BuildResult) -> None:
    teams = team_urls(site)
    assert set(teams) == MAPS.teams()
    slugs = [posixpath.basename(url.rstrip("/")) for url in teams.values()]
    assert len(set(slugs)) == len(slugs)
    assert all(re.fullmatch(r"[a-z0-9-]+", slug) for slug in slugs)
    for name, slug in zip(teams, slugs, strict=True):
        assert slug.startswith(ascii_slug(name))
    assert teams["Đội Thương mại điện tử"] == f"{PREFIX}/teams/doi-thuong-mai-dien-tu/"
    # Two names that slug alike get two pages.
    assert teams["Chăm sóc khách hàng"] != teams["Cham soc khach hang"]


def test_each_team_page_holds_exactly_the_steps_it_owns(site: BuildResult) -> None:
    teams = team_urls(site)
    for name in MAPS.teams():
        url = teams[name]
        page = site.page(url)
        assert text_of(page.css_first("h1")) == name
        owned = {(j, s) for j, s, step in MAPS.steps() if MAPS.owner(step) == name}
        rows = page.css("tr.cjm-moment")
        shown = [(row.attributes["data-journey"], row.attributes["data-step"]) for row in rows]
        assert sorted(shown) == sorted(owned), name
        for row in rows:
            journey_id, step_id = row.attributes["data-journey"], row.attributes["data-step"]
            step = next(st for j, s, st in MAPS.steps() if (j, s) == (journey_id, step_id))
            text = text_of(row)
            for item in [*(step.get("pain_points") or []), *(step.get("opportunities") or [])]:
                assert item in text
            hrefs = {a.attributes["href"] for a in row.css("a")}
            assert f"../../journeys/{journey_id}/#step-{step_id}" in hrefs
        # The KPIs of each stage it has a moment in.
        for journey_id, step_id in owned:
            journey = MAPS.journeys[journey_id]
            step = next(st for j, s, st in MAPS.steps() if (j, s) == (journey_id, step_id))
            stage = next(s for s in journey["stages"] if s["id"] == step["stage"])
            for kpi in stage.get("kpis") or []:
                assert kpi["name"] in text_of(page.css_first("article"))
        meta = page.css_first(".cjm-meta")
        owns = meta.css_first("dd[data-cjm-owns]")
        linked = {resolve(url, a.attributes["href"] or "") for a in owns.css("a.cjm-journey-link")}
        whole = {
            f"{PREFIX}/journeys/{j}/"
            for j, data in MAPS.journeys.items()
            if data.get("owner") == name
        }
        if whole:
            assert (owns.attributes["data-cjm-owns"], linked) == ("journeys", whole)
        elif not owned:
            assert owns.attributes["data-cjm-owns"] == "nothing"
        else:
            # No whole journey: it says where its steps are, not just "—".
            assert owns.attributes["data-cjm-owns"] == "steps"
            assert linked == {f"{PREFIX}/journeys/{j}/" for j, _ in owned}
            count = len({j for j, _ in owned})
            assert f"in {count} journey" in text_of(owns)
        channels_run = {
            resolve(url, a.attributes["href"] or "") for a in meta.css("a.cjm-channel-link")
        }
        assert channels_run == {
            f"{PREFIX}/channels/{c}/"
            for c, data in MAPS.channels.items()
            if data.get("owner") == name
        }


def test_owner_names_link_to_team_pages_everywhere(site: BuildResult) -> None:
    teams = team_urls(site)

    def team_links(url: str) -> set[tuple[str, str]]:
        page = site.page(url)
        return {
            (text_of(a), resolve(url, a.attributes["href"] or ""))
            for a in page.css("article a.cjm-team-link")
        }

    buy = team_links(f"{PREFIX}/journeys/buy/")
    for _, _, step in MAPS.steps():
        if (owner := MAPS.owner(step)) and step in MAPS.journeys["buy"]["steps"]:
            assert (owner, teams[owner]) in buy
    assert ("Khối Bán lẻ", teams["Khối Bán lẻ"]) in buy
    zalo = team_links(f"{PREFIX}/channels/zalo/")
    assert ("Chăm sóc khách hàng", teams["Chăm sóc khách hàng"]) in zalo
    channels = team_links(f"{PREFIX}/channels/")
    for data in MAPS.channels.values():
        if data.get("owner"):
            assert (data["owner"], teams[data["owner"]]) in channels
    journeys = team_links(f"{PREFIX}/journeys/")
    assert {name for name, _ in journeys} == {j["owner"] for j in MAPS.journeys.values()}


# -- Channel pages and the heatmap ----------------------------------------------


def test_channel_pages_list_pain_points_opportunities_and_stage_kpis(site: BuildResult) -> None:
    for channel_id in MAPS.channels:
        page = site.page(f"{PREFIX}/channels/{channel_id}/")
        for journey_id, step_id, step in MAPS.steps():
            if step["channel"] != channel_id:
                continue
            row = page.css_first(f'tr[data-journey="{journey_id}"][data-step="{step_id}"]')
            assert row is not None, (channel_id, step_id)
            for item in [*(step.get("pain_points") or []), *(step.get("opportunities") or [])]:
                assert item in text_of(row)
            stage = next(s for s in MAPS.journeys[journey_id]["stages"] if s["id"] == step["stage"])
            table = text_of(row.parent.parent)  # the journey's table on this channel
            for kpi in stage.get("kpis") or []:
                assert kpi["name"] in table


def test_channel_pages_cells_are_in_the_search_index_and_the_page(site: BuildResult) -> None:
    # The plugin puts these cells in after the search plugin read the page, with their
    # text in their place meanwhile (generate._LATE_CELLS_MARK): both must hold them.
    index = json.loads((site.site / "search" / "search_index.json").read_text("utf-8"))
    for channel_id in MAPS.channels:
        url = f"{PREFIX}/channels/{channel_id}/"
        assert "data-cjm-late" not in site.html(url)
        searched = html.unescape(
            " ".join(doc["text"] for doc in index["docs"] if doc["location"].startswith(url))
        )
        page = text_of(site.page(url).css_first("article"))
        for _, _, step in MAPS.steps():
            if step["channel"] == channel_id:
                for item in [*(step.get("pain_points") or []), *(step.get("opportunities") or [])]:
                    assert f"<li>{item}</li>" in searched, (channel_id, item)
                    assert item in page


def mean(values: list[int]) -> str:
    return f"{round(sum(values) / len(values), 1):g}" if values else ""


def test_heatmap_cells_count_steps_and_average_emotion(site: BuildResult) -> None:
    page = site.page(f"{PREFIX}/channels/")
    heatmap = page.css_first("[data-cjm-heatmap]")
    assert heatmap is not None
    cells = heatmap.css("td[data-channel][data-journey]")
    assert len(cells) == len(MAPS.channels) * len(MAPS.journeys)
    for cell in cells:
        channel_id, journey_id = cell.attributes["data-channel"], cell.attributes["data-journey"]
        steps = [
            step for j, _, step in MAPS.steps() if j == journey_id and step["channel"] == channel_id
        ]
        assert cell.attributes.get("data-steps", "0") == str(len(steps))
        if steps:
            average = mean([s["emotion"] for s in steps if s.get("emotion")])
            assert cell.attributes["data-average"] == average
            shown = text_of(cell).split()
            assert shown[0] == str(len(steps))
            assert shown[-1] == (average or EN["not_given"])
    # Online channels first, then offline.
    head = [a.attributes["href"].strip("./").split("/")[-1] for a in heatmap.css("thead a")]
    types = [MAPS.channels[c]["type"] for c in head]
    assert types == sorted(types, key=lambda kind: kind != "online")


def test_heatmap_by_phase_and_underperforming_touchpoints(site: BuildResult) -> None:
    page = site.page(f"{PREFIX}/channels/")
    phases = page.css_first("[data-cjm-heatmap-phases]")
    assert phases is not None
    for cell in phases.css("td[data-channel][data-phase]"):
        channel_id, phase = cell.attributes["data-channel"], cell.attributes["data-phase"]
        steps = []
        for journey in MAPS.journeys.values():
            phase_of = {s["id"]: s.get("phase", "none") for s in journey["stages"]}
            steps += [
                s
                for s in journey["steps"]
                if s["channel"] == channel_id and phase_of[s["stage"]] == phase
            ]
        assert cell.attributes.get("data-steps", "0") == str(len(steps)), (channel_id, phase)
    by_channel: dict[str, list[dict[str, Any]]] = {c: [] for c in MAPS.channels}
    for _, _, step in MAPS.steps():
        by_channel[step["channel"]].append(step)
    pains = {
        c: sum(len(s.get("pain_points") or []) for s in steps) for c, steps in by_channel.items()
    }
    expected = {
        c
        for c, steps in by_channel.items()
        if (
            (rated := [s["emotion"] for s in steps if s.get("emotion")])
            and round(sum(rated) / len(rated), 1) < 3
        )
        or pains[c] == max(pains.values())
    }
    listed = {
        tr.attributes["data-channel"] for tr in page.css("[data-cjm-underperforming] tbody tr")
    }
    assert listed == expected


# -- Phases and golden milestones ------------------------------------------------


def test_milestones_on_journey_page_flow_and_overview(site: BuildResult) -> None:
    journey = MAPS.journeys["buy"]
    milestones = [s for s in journey["steps"] if s.get("milestone")]
    page = site.page(f"{PREFIX}/journeys/buy/")
    for step in milestones:
        row = page.css_first(f"tr#step-{step['id']}")
        assert "cjm-is-milestone" in (row.attributes.get("class") or "")
        node = page.css_first(f"#cjm-flow-buy-step-{step['id']}")
        assert node is not None and "cjm-milestone" in (node.attributes.get("class") or "")
    marked = {row.attributes["id"] for row in page.css("tr.cjm-step-row.cjm-is-milestone")}
    assert marked == {f"step-{s['id']}" for s in milestones}
    # Stages banded by phase, in order.
    heads = page.css(".cjm-matrix thead th[id]")
    assert [h.attributes.get("data-phase") for h in heads] == [
        s["phase"] for s in journey["stages"]
    ]
    overview = site.page(f"{PREFIX}/")
    rows = overview.css(".cjm-milestones tr[data-step]")
    assert [(r.attributes["data-journey"], r.attributes["data-step"]) for r in rows] == [
        ("buy", s["id"]) for s in milestones
    ]
    for row, step in zip(rows, milestones, strict=True):
        stage = next(s for s in journey["stages"] if s["id"] == step["stage"])
        for kpi in stage["kpis"]:
            assert kpi["name"] in text_of(row)


def test_views_build_in_vietnamese_too(tmp_path: Path) -> None:
    config = BASE_CONFIG.replace("  name: material\n", "  name: material\n  language: vi\n")
    project = write_project(tmp_path / "project", FILES, config)
    result = run_build(project)
    assert result.returncode == 0, result.output
    assert text_of(result.page(f"{PREFIX}/pain-points/").css_first("h1")).startswith("Sổ điểm đau")
    assert text_of(result.page(f"{PREFIX}/kpis/").css_first("h1")).startswith("Bảng KPI")


def test_validate_accepts_phase_and_milestone_and_rejects_bad_ones(tmp_path: Path) -> None:
    bad = BUY.replace("phase: during", "phase: durring").replace(
        "milestone: true", "milestone: yes please", 1
    )
    project = write_project(tmp_path / "project", {**FILES, "maps/journeys/buy.yml": bad})
    run = subprocess.run(
        [sys.executable, "-m", "mkdocs_cjm.glue.cli", "validate", str(project)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 1
    assert "stages[1].phase" in run.stderr and "did you mean 'during'" in run.stderr
    assert "steps[2].milestone" in run.stderr and "true or false" in run.stderr
    assert "Traceback" not in run.stderr


def test_team_slugs() -> None:
    from mkdocs_cjm.core.index import team_slugs

    slugs = team_slugs(["Chăm sóc khách hàng", "Đội CRM", "Index", "日本チーム", "Khối Bán lẻ"])
    assert slugs == {
        "Chăm sóc khách hàng": "cham-soc-khach-hang",
        "Đội CRM": "doi-crm",
        "Index": "index-2",  # "index" would be the folder's own page
        "日本チーム": "team",
        "Khối Bán lẻ": "khoi-ban-le",
    }
    twins = team_slugs(["Chăm sóc khách hàng", "Cham soc khach hang"])
    assert sorted(twins.values()) == ["cham-soc-khach-hang", "cham-soc-khach-hang-2"]


def test_a_large_register_gets_a_page_per_team(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mkdocs_cjm.core.loader import load_playbook
    from mkdocs_cjm.render.diagrams import Backend, DiagramRenderer
    from mkdocs_cjm.sections import pain_points
    from mkdocs_cjm.site.generate import SiteOptions, generate_site

    project = write_project(tmp_path / "project", FILES)
    playbook = load_playbook(project / "maps").raise_for_errors()
    monkeypatch.setattr(pain_points, "SPLIT_OVER", 2)
    monkeypatch.setattr(pain_points, "SPLIT_WORST", 3)
    options = SiteOptions(labels=EN)
    pages, _ = generate_site(playbook, options, DiagramRenderer(Backend.AUTO, tmp_path / "c"))
    by_uri = {page.src_uri: page.full_markdown() for page in pages}
    index = by_uri.pop(f"{PREFIX}/pain-points/index.md")
    # The register opens on the playbook's 3 worst moments, then lists the teams, each
    # linking to its page.
    worst = re.findall(r'class="cjm-pain-point" data-journey="([^"]+)" data-step="([^"]+)"', index)
    lowest = sorted(
        (step.get("emotion") or 99, journey, number, step_id)
        for journey, data in MAPS.journeys.items()
        for number, step in enumerate(data["steps"], start=1)
        for step_id in [step.get("id") or f"step-{number}"]
        for _ in step.get("pain_points") or []
    )[:3]
    assert worst == [(journey, step_id) for _, journey, _, step_id in lowest]
    parts = {uri: md for uri, md in by_uri.items() if uri.startswith(f"{PREFIX}/pain-points/")}
    owners = {MAPS.owner(step) for _, _, step in MAPS.steps() if step.get("pain_points")}
    assert len(parts) == len(owners)
    total = sum(len(step.get("pain_points") or []) for _, _, step in MAPS.steps())
    assert sum(md.count('class="cjm-pain-point"') for md in parts.values()) == total
    for uri in parts:
        if not uri.endswith("index.md"):
            assert f'href="{posixpath.basename(uri)[:-3]}/"' in index


def test_long_team_names_give_short_unique_slugs() -> None:
    from mkdocs_cjm.core.index import SLUG_MAX, team_slugs

    long = "Trung tâm Chăm sóc khách hàng " * 20
    slugs = team_slugs([long, long + "miền Bắc"])
    assert all(len(slug) <= SLUG_MAX + 2 for slug in slugs.values())
    assert len(set(slugs.values())) == 2


def test_a_large_kpi_board_gives_each_status_but_below_target_a_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mkdocs_cjm.core.loader import load_playbook
    from mkdocs_cjm.render.diagrams import Backend, DiagramRenderer
    from mkdocs_cjm.sections import kpis
    from mkdocs_cjm.site.generate import SiteOptions, generate_site

    project = write_project(tmp_path / "project", FILES)
    playbook = load_playbook(project / "maps").raise_for_errors()
    monkeypatch.setattr(kpis, "SPLIT_OVER", 2)
    pages, _ = generate_site(
        playbook, SiteOptions(labels=EN), DiagramRenderer(Backend.AUTO, tmp_path / "c")
    )
    by_uri = {page.src_uri: page.full_markdown() for page in pages}
    board = by_uri[f"{PREFIX}/kpis/index.md"]
    statuses = list(EXPECTED_STATUS.values())
    assert board.count("<tr data-journey=") == statuses.count("below")
    for status in {"met", "incomparable", "unknown"}:
        page = by_uri[f"{PREFIX}/kpis/{status}.md"]
        assert page.count("<tr data-journey=") == statuses.count(status)
        assert f'href="{status}/"' in board
