"""Unit tests of the pure parts: URLs, nav, matrix, DOT, chart, text wrapping."""

from __future__ import annotations

import re

import pytest

from mkdocs_cjm.core.model import Channel, ChannelType, Journey, Kpi, Persona, Playbook, Stage, Step
from mkdocs_cjm.core.pages import Layout, PageKind, PageRef, relative_url
from mkdocs_cjm.core.text import wrap
from mkdocs_cjm.render.chart import emotion_chart, stage_bands
from mkdocs_cjm.render.flow import flow_dot
from mkdocs_cjm.render.matrix import build_matrix
from mkdocs_cjm.sections import SECTIONS
from mkdocs_cjm.site.i18n import EN, VI, labels_for
from mkdocs_cjm.site.nav import (
    LETTERS_OVER,
    add_section,
    grouped,
    initial,
    journey_groups,
    nav_paths,
)


def step(index: int, stage: str, channel: str, touchpoint: str, **extra: object) -> Step:
    return Step(
        id=str(extra.pop("id", f"step-{index}")),
        index=index,
        stage=stage,
        channel=channel,
        touchpoint=touchpoint,
        action=str(extra.pop("action", f"action {index}")),
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture
def playbook() -> Playbook:
    channels = (
        Channel("web", "Website", ChannelType.ONLINE, owner="Web team"),
        Channel("store", "Cửa hàng", ChannelType.OFFLINE),
    )
    journey = Journey(
        id="buy",
        title="Buy",
        personas=("lan",),
        stages=(Stage("aware", "Aware", kpis=(Kpi("CTR", "2%", "1.4%"),)), Stage("buy", "Buy")),
        steps=(
            step(1, "aware", "web", "Ad", emotion=4, next=("step-2", "step-3")),
            step(2, "aware", "web", "Product page", emotion=3, next=("step-3",)),
            step(3, "buy", "store", "Counter", emotion=5, next=("step-1",)),
            step(4, "aware", "web", "Ad", next=()),
        ),
    )
    return Playbook(channels=channels, personas=(Persona("lan", "Lan"),), journeys=(journey,))


def test_relative_urls_follow_mkdocs_url_rules() -> None:
    layout = Layout("playbook", use_directory_urls=True)
    journey, persona = PageRef(PageKind.JOURNEY, "buy"), PageRef(PageKind.PERSONA, "lan")
    assert layout.src_uri(journey) == "playbook/journeys/buy.md"
    assert layout.url(journey) == "playbook/journeys/buy/"
    assert layout.link(journey, persona) == "../../personas/lan/"
    assert layout.link(PageRef(PageKind.JOURNEYS), journey) == "buy/"
    assert layout.link(journey, journey, "step-1") == "./#step-1"
    flat = Layout("playbook", use_directory_urls=False)
    assert flat.link(journey, persona) == "../personas/lan.html"
    assert (
        flat.link(PageRef(PageKind.OVERVIEW), PageRef(PageKind.CHANNELS)) == "channels/index.html"
    )
    root = Layout("", use_directory_urls=True)
    assert root.src_uri(PageRef(PageKind.OVERVIEW)) == "index.md"
    assert root.link(PageRef(PageKind.OVERVIEW), journey) == "journeys/buy/"
    assert relative_url("a/b/", "") == "../../"


def test_add_section_appends_only_when_nav_ignores_generated_pages() -> None:
    generated = [
        "playbook/index.md",
        "playbook/journeys/index.md",
        "playbook/journeys/buy.md",
        "playbook/personas/index.md",
        "playbook/channels/index.md",
        "playbook/channels/web.md",
    ]
    nav = add_section([{"Home": "index.md"}], generated, "playbook", EN)
    assert nav[-1] == {
        "Playbook": [
            "playbook/index.md",
            {"Journeys": ["playbook/journeys/index.md", "playbook/journeys/buy.md"]},
            {"Personas": ["playbook/personas/index.md"]},
            {"Channels": ["playbook/channels/index.md", "playbook/channels/web.md"]},
            # Then every further section of the registry, in its order.
            *({EN[view.label]: [f"playbook/{view.folder}/index.md"]} for view in SECTIONS[3:]),
        ]
    }
    assert set(generated) <= nav_paths(nav)
    mine = [{"Journeys": [{"Buy": "playbook/journeys/buy.md"}]}]
    assert add_section(mine, generated, "playbook", EN) is mine


def test_journeys_are_grouped_by_first_persona_only_past_the_limit(playbook: Playbook) -> None:
    base = playbook.journeys[0]
    playbook = Playbook(
        channels=playbook.channels,
        personas=(Persona("lan", "Lan"), Persona("minh", "Minh"), Persona("an", "An")),
        journeys=(
            base,
            Journey("a", "A", ("minh", "lan"), base.stages, base.steps),
            Journey("c", "C", (), base.stages, base.steps),
        ),
    )
    layout = Layout("pb", use_directory_urls=True)
    groups = journey_groups(playbook, layout, EN, group_over=2)
    # Personas keep their order, the one without journeys has no group, the loose ones come last.
    assert groups == [
        {"Lan": ["pb/journeys/buy.md"]},
        {"Minh": ["pb/journeys/a.md"]},
        {"Without a persona": ["pb/journeys/c.md"]},
    ]
    assert journey_groups(playbook, layout, EN, group_over=3) == []
    assert journey_groups(playbook, layout, EN, group_over=-1) == []
    one_group = Playbook(personas=playbook.personas, journeys=(base,))
    assert journey_groups(one_group, layout, VI, group_over=0) == []

    paths = ["pb/journeys/index.md", "pb/journeys/a.md", "pb/journeys/buy.md", "pb/journeys/c.md"]
    assert grouped(paths, groups) == ["pb/journeys/index.md", *groups]
    assert grouped(paths, []) == paths


def test_many_persona_groups_are_filed_under_initials(playbook: Playbook) -> None:
    base = playbook.journeys[0]
    names = [f"{first}{n}" for first in ("Đức", "Ánh", "Dung", "7") for n in range(6)]
    personas = tuple(Persona(f"p{index:02}", name) for index, name in enumerate(names))
    journeys = tuple(
        Journey(f"j{index:02}", "J", (persona.id,), base.stages, base.steps)
        for index, persona in enumerate(personas)
    )
    groups = journey_groups(
        Playbook(personas=personas, journeys=journeys), Layout("", True), EN, group_over=0
    )
    assert len(personas) > LETTERS_OVER
    assert [next(iter(group)) for group in groups] == ["#", "A", "D", "Đ"]
    under_a = groups[1]["A"]
    assert under_a[0] == {"Ánh0": ["journeys/j06.md"]} and len(under_a) == 6
    assert [initial(name) for name in ("ấm", " lan", "Đào", "(x)", "")] == ["A", "L", "Đ", "#", "#"]


def test_matrix_groups_touchpoints_under_channels(playbook: Playbook) -> None:
    groups = build_matrix(playbook.journeys[0], playbook)
    assert [group.channel.id for group in groups] == ["web", "store"]
    web = groups[0]
    assert [row.touchpoint for row in web.rows] == ["Ad", "Product page"]
    ad = web.rows[0]
    assert [[s.index for s in cell] for cell in ad.cells] == [[1, 4], []]
    assert [[s.index for s in cell] for cell in groups[1].rows[0].cells] == [[], [3]]


def test_flow_dot_structure(playbook: Playbook) -> None:
    source = flow_dot(playbook.journeys[0], playbook, EN)
    assert source.count("subgraph cluster_") == 2
    drawn = []
    for tail, head, attributes in re.findall(
        r"^\s*(s\d+) -> (s\d+)(?: \[(.*)\])?$", source, re.MULTILINE
    ):
        if "style=invis" in attributes:
            continue
        # Edges inside a stage are laid out reversed and drawn back (top to bottom).
        drawn.append((head, tail) if "dir=back" in attributes else (tail, head))
    assert sorted(drawn) == [("s1", "s2"), ("s1", "s3"), ("s2", "s3"), ("s3", "s1")]
    assert re.search(r"s2 -> s1 \[[^\]]*dir=back", source)
    # The loop back to the first step does not pull it to the right.
    assert re.search(r"s3 -> s1 \[[^\]]*constraint=false", source)
    # Stage order is held by invisible edges from a stage's last step to the next one's first.
    assert re.findall(r"(s\d+) -> (s\d+) \[style=invis", source) == [("s4", "s3")]
    assert source.count("rank=same") == 2
    assert "rankdir=LR" in source
    assert 'href="#step-step-1"' in source
    assert "cjm-offline" in source and "cjm-online" in source
    assert "Emotion: 5/5" in source


def test_flow_dot_is_deterministic(playbook: Playbook) -> None:
    assert flow_dot(playbook.journeys[0], playbook, EN) == flow_dot(
        playbook.journeys[0], playbook, EN
    )


def test_chart_points_and_bands(playbook: Playbook) -> None:
    journey = playbook.journeys[0]
    assert [(band.stage_name, band.first, band.count) for band in stage_bands(journey)] == [
        ("Aware", 0, 2),
        ("Buy", 2, 1),
        ("Aware", 3, 1),
    ]
    svg = emotion_chart(journey, EN, "c1")
    assert svg.count('class="cjm-point') == 3  # the unrated step has no point
    assert 'aria-labelledby="c1-title c1-desc"' in svg


def test_kpi_status_respects_direction() -> None:
    assert Kpi("CTR", "2%", "1.4%").status.value == "below"
    assert Kpi("Wait", "3 min", "5 min", higher_is_better=False).status.value == "below"
    assert Kpi("Wait", "3 min", "2 min", higher_is_better=False).status.value == "met"
    assert Kpi("Mixed", "3 min", "90 s").status.value == "incomparable"
    assert Kpi("Launch").status.value == "unknown"


def test_wrap_keeps_words_and_breaks_long_ones() -> None:
    assert wrap("Tìm kính râm chống tia UV phù hợp", 12) == [
        "Tìm kính râm",
        "chống tia UV",
        "phù hợp",
    ]
    assert all(len(line) <= 8 for line in wrap("supercalifragilistic", 8))
    assert wrap("", 10) == [""]


def test_labels_cover_the_same_keys_in_every_language() -> None:
    assert set(EN) == set(VI)
    assert labels_for("vi-VN") is VI and labels_for("fr") is EN and labels_for(None) is EN
