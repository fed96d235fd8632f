"""The loader on valid maps: defaults, alternatives and YAML features an author may use."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, write_project

from mkdocs_cjm.core import yamlsafe
from mkdocs_cjm.core.loader import LoadOptions, LoadResult, load_playbook
from mkdocs_cjm.core.model import ChannelType, Journey, Kpi, KpiStatus, Playbook, parse_measure

CHANNELS = """\
website:
  name: Website
  type: online
  owner: E-commerce team
store:
  name: Cửa hàng
  type: offline
hotline:
  name: Hotline
  type: offline
  owner: Customer care
"""
LAN = "name: Lan\n"


def load(tmp_path: Path, files: dict[str, str | bytes]) -> LoadResult:
    project = write_project(tmp_path / "project", {"maps/channels.yml": CHANNELS, **files})
    return load_playbook(project / "maps", display_root=project)


def playbook_of(tmp_path: Path, files: dict[str, str | bytes]) -> Playbook:
    result = load(tmp_path, {"maps/personas/lan.yml": LAN, **files})
    assert result.problems == [], [str(p) for p in result.problems]
    assert result.playbook is not None
    return result.playbook


def journey_of(tmp_path: Path, text: str, name: str = "j.yml") -> Journey:
    playbook = playbook_of(tmp_path, {f"maps/journeys/{name}": textwrap.dedent(text)})
    return playbook.journeys[0]


STEPS_WITHOUT_IDS = """\
title: T
persona: lan
stages:
  - {id: look, name: Look}
  - {id: buy, name: Buy}
steps:
  - {stage: look, channel: website, action: Reads}
  - {stage: look, channel: hotline, action: Calls, touchpoint: Zalo call, owner: Sales}
  - {stage: buy, channel: store, action: Buys}
"""


def test_steps_default_ids_touchpoints_owners_and_next(tmp_path: Path) -> None:
    journey = journey_of(tmp_path, STEPS_WITHOUT_IDS)
    steps = journey.steps
    assert [step.id for step in steps] == ["step-1", "step-2", "step-3"]
    assert [step.index for step in steps] == [1, 2, 3]
    # Touchpoint and owner default to the channel's; given ones win.
    assert [step.touchpoint for step in steps] == ["Website", "Zalo call", "Cửa hàng"]
    assert [step.owner for step in steps] == ["E-commerce team", "Sales", None]
    # Without `next`, steps form one path in list order; the last ends it.
    assert [step.next for step in steps] == [("step-2",), ("step-3",), ()]


def test_next_makes_branches_loops_and_ends(tmp_path: Path) -> None:
    journey = journey_of(
        tmp_path,
        """\
        title: T
        persona: lan
        stages: [{id: s, name: S}]
        steps:
          - {id: a, stage: s, channel: website, action: A, next: [c, b, c]}
          - {id: b, stage: s, channel: website, action: B, next: []}
          - {id: c, stage: s, channel: website, action: C, next: [a]}
          - {id: d, stage: s, channel: website, action: D}
          - {stage: s, channel: website, action: E}
        """,
    )
    assert {step.id: step.next for step in journey.steps} == {
        "a": ("c", "b"),  # order kept, repeats dropped
        "b": (),  # `next: []` ends a path
        "c": ("a",),  # loops are allowed
        "d": ("step-5",),  # the default names the next step by its default id
        "step-5": (),
    }


def test_next_default_uses_the_following_steps_explicit_id(tmp_path: Path) -> None:
    journey = journey_of(
        tmp_path,
        """\
        title: T
        persona: lan
        stages: [{id: s, name: S}]
        steps:
          - {stage: s, channel: website, action: A}
          - {id: pay, stage: s, channel: store, action: B}
        """,
    )
    assert [(step.id, step.next) for step in journey.steps] == [("step-1", ("pay",)), ("pay", ())]


def test_persona_or_personas(tmp_path: Path) -> None:
    playbook = playbook_of(
        tmp_path,
        {
            "maps/personas/minh.yml": "name: Minh\n",
            "maps/journeys/one.yml": STEPS_WITHOUT_IDS,
            "maps/journeys/two.yml": STEPS_WITHOUT_IDS.replace(
                "persona: lan", "personas: [minh, lan, minh]"
            ),
        },
    )
    assert {j.id: j.personas for j in playbook.journeys} == {
        "one": ("lan",),
        "two": ("minh", "lan"),
    }


def test_yaml_suffix_and_bom_are_accepted(tmp_path: Path) -> None:
    playbook = playbook_of(
        tmp_path,
        {
            "maps/personas/minh.yaml": b"\xef\xbb\xbfname: Minh\n",
            "maps/journeys/j.yaml": b"\xef\xbb\xbf" + STEPS_WITHOUT_IDS.encode(),
        },
    )
    assert [p.id for p in playbook.personas] == ["lan", "minh"]
    assert playbook.persona_by_id["minh"].name == "Minh"
    assert playbook.journeys[0].id == "j"
    assert playbook.journeys[0].title == "T"


def test_channels_yaml_suffix(tmp_path: Path) -> None:
    project = write_project(
        tmp_path / "project",
        {
            "maps/channels.yaml": CHANNELS,
            "maps/personas/lan.yml": LAN,
            "maps/journeys/j.yml": STEPS_WITHOUT_IDS,
        },
    )
    result = load_playbook(project / "maps", display_root=project)
    assert result.problems == []
    assert result.playbook is not None
    assert result.playbook.channel_by_id["store"].type is ChannelType.OFFLINE


def test_anchors_aliases_and_merge_keys(tmp_path: Path) -> None:
    journey = journey_of(
        tmp_path,
        """\
        title: T
        persona: lan
        stages: [{id: s, name: S}]
        steps:
          - &web
            stage: s
            channel: website
            action: Reads the page
            pain_points: &slow [Slow page]
          - <<: *web
            action: Reads reviews
            emotion: 2
          - <<: [*web]
            channel: store
            pain_points: *slow
            action: Buys
        """,
    )
    assert [(s.channel, s.action, s.emotion) for s in journey.steps] == [
        ("website", "Reads the page", None),
        ("website", "Reads reviews", 2),
        ("store", "Buys", None),
    ]
    assert all(step.pain_points == ("Slow page",) for step in journey.steps)


def test_keys_without_values_count_as_not_given(tmp_path: Path) -> None:
    journey = journey_of(
        tmp_path,
        """\
        title: T
        persona: lan
        owner:
        summary:
        stages:
          - id: s
            name: S
            goals:
        steps:
          - stage: s
            channel: website
            action: A
            touchpoint:
            emotion:
            next:
        """,
    )
    assert journey.owner is None and journey.summary is None
    assert journey.stages[0].goals == ()
    step = journey.steps[0]
    assert (step.touchpoint, step.emotion, step.next) == ("Website", None, ())


def test_scalars_are_kept_as_written(tmp_path: Path) -> None:
    playbook = playbook_of(
        tmp_path,
        {
            "maps/personas/lan.yml": """\
                name: Lan
                tagline: Born 1996-05-01
                traits:
                  Age: 28
                  Budget: 2.50
                  Since: 2020-01-01
                  Glasses: yes
            """,
            "maps/journeys/j.yml": """\
                title: Year 2024
                persona: lan
                stages: [{id: 2024, name: "1"}]
                steps:
                  - {id: 1, stage: 2024, channel: website, action: "Clicks", feeling: no,
                     thought: On, next: [1]}
            """,
        },
    )
    lan = playbook.persona_by_id["lan"]
    assert lan.traits == (
        ("Age", "28"),
        ("Budget", "2.50"),
        ("Since", "2020-01-01"),
        ("Glasses", "yes"),
    )
    journey = playbook.journeys[0]
    # A plain number is an id as written; yes/no/on/off are words where text is expected.
    assert journey.title == "Year 2024"
    assert journey.stages[0].id == "2024"
    step = journey.steps[0]
    assert (step.id, step.stage, step.next) == ("1", "2024", ("1",))
    assert (step.feeling, step.thought) == ("no", "On")


def test_text_is_stripped_but_markdown_blocks_keep_paragraphs(tmp_path: Path) -> None:
    playbook = playbook_of(
        tmp_path,
        {
            "maps/personas/lan.yml": """\
                name: "  Lan  "
                description: |
                  First paragraph.

                  Second paragraph.
            """
        },
    )
    lan = playbook.persona_by_id["lan"]
    assert lan.name == "Lan"
    assert lan.description == "First paragraph.\n\nSecond paragraph."


KPIS = """\
title: T
persona: lan
stages:
  - id: s
    name: S
    kpis:
      - {name: CTR, target: 2%, actual: 1.4%}
      - {name: Rating, target: "4,5", actual: 4.6}
      - {name: Cost, target: 3.500.000đ, actual: 3.200.000đ, higher_is_better: false}
      - {name: Wait, target: 5 min, actual: 7 min, higher_is_better: false}
      - {name: Orders, target: "1,200", actual: 1200}
      - {name: Mixed, target: 3 min, actual: 90 s}
      - {name: Launch}
steps:
  - {stage: s, channel: website, action: A}
"""


def test_kpis_keep_values_as_written_and_get_a_status(tmp_path: Path) -> None:
    kpis = journey_of(tmp_path, KPIS).stages[0].kpis
    assert [(k.name, k.target, k.actual) for k in kpis] == [
        ("CTR", "2%", "1.4%"),
        ("Rating", "4,5", "4.6"),
        ("Cost", "3.500.000đ", "3.200.000đ"),
        ("Wait", "5 min", "7 min"),
        ("Orders", "1,200", "1200"),
        ("Mixed", "3 min", "90 s"),
        ("Launch", None, None),
    ]
    assert [k.higher_is_better for k in kpis] == [True, True, False, False, True, True, True]
    assert [k.status for k in kpis] == [
        KpiStatus.BELOW,
        KpiStatus.MET,
        KpiStatus.MET,  # lower is better: 3.2 million is under the 3.5 million target
        KpiStatus.BELOW,  # lower is better: 7 min is over 5 min
        KpiStatus.MET,
        KpiStatus.INCOMPARABLE,  # different units cannot be compared
        KpiStatus.UNKNOWN,
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,5", (1.5, "")),
        ("1.5", (1.5, "")),
        ("3.500.000đ", (3_500_000.0, "đ")),
        ("3.500.000 đ", (3_500_000.0, "đ")),
        ("1,200", (1200.0, "")),
        ("1.234,5", (1234.5, "")),
        ("1,234.5", (1234.5, "")),
        ("5 min", (5.0, "min")),
        ("15 phút", (15.0, "phút")),
        ("1.4%", (1.4, "%")),
        ("-2", (-2.0, "")),
        ("n/a", None),
    ],
)
def test_parse_measure(text: str, expected: tuple[float, str] | None) -> None:
    assert parse_measure(text) == expected


def test_lower_is_better_compares_the_other_way() -> None:
    assert Kpi("Wait", "5 min", "4 min", higher_is_better=False).status is KpiStatus.MET
    assert Kpi("Wait", "5 min", "4 min").status is KpiStatus.BELOW
    assert Kpi("Wait", "5 min", "5 min", higher_is_better=False).status is KpiStatus.MET


def test_fixtures_and_example_load_cleanly() -> None:
    for maps in (FIXTURES / "minimal" / "maps", ROOT / "maps"):
        result = load_playbook(maps, options=LoadOptions(strict=True))
        assert result.problems == [], [str(p) for p in result.problems]
        assert result.playbook is not None and result.playbook.journeys


def test_warnings_do_not_stop_loading(tmp_path: Path) -> None:
    result = load(
        tmp_path,
        {
            "maps/personas/lan.yml": "name: Lan\nhobby: surfing\n",
            "maps/journeys/j.yml": STEPS_WITHOUT_IDS,
        },
    )
    assert [p.severity.value for p in result.problems] == ["warning"]
    assert result.errors == []
    assert result.raise_for_errors().persona_by_id["lan"].name == "Lan"


def test_no_maps_gives_an_empty_playbook(tmp_path: Path) -> None:
    (tmp_path / "maps").mkdir()
    result = load_playbook(tmp_path / "maps")
    assert result.problems == []
    assert result.playbook == Playbook()


TRICKY = """\
\ufeff# Vietnamese text, aliases, merge keys, block and flow styles
name: "Nguyễn Thị Lan"
tagline: Kính râm chống tia UV — giá 1.500.000đ
traits: &t
  Tuổi: 28
  Ngày: 2024-05-01
  Ghi chú: |
    Hai dòng
    văn bản
goals: [Mua kính, {nested: [1, 2, *t]}]
frustrations:
  - <<: *t
    Thêm: yes
"""


@pytest.mark.skipif(yamlsafe._CLoader is None, reason="PyYAML is built without libyaml")
def test_libyaml_and_pure_python_parsers_agree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Valid files are read through libyaml for speed; values and positions must be
    # exactly what the pure-Python parser (used to explain errors) gives.
    tricky = tmp_path / "tricky.yml"
    tricky.write_text(TRICKY, encoding="utf-8")
    paths = [tricky, *sorted((ROOT / "maps").rglob("*.y*ml"))]
    paths += sorted((FIXTURES / "minimal" / "maps").rglob("*.yml"))
    assert yamlsafe._libyaml_compose(TRICKY.lstrip("\ufeff")) is not None, "not the fast path"
    fast = [yamlsafe.read_yaml(path, path.name) for path in paths]
    monkeypatch.setattr(yamlsafe, "_CLoader", None)
    pure = [yamlsafe.read_yaml(path, path.name) for path in paths]
    assert fast[0][0] is not None and fast[0][1] == []
    assert fast == pure
