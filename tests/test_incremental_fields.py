"""The fast rebuild misses no field: edits derived from the schema, not from a hand list.

`tests/test_incremental.py` checks a hand-written list of edits. Here every field of
every record a journey file holds (the journey, its stages, their KPIs, its steps:
`RECORDS`, walked from `schema.JOURNEY_FILE`) is changed where the chosen journey has
it and added where it lacks it, with a valid value of the field's kind (text, number,
list, boolean, choice) or, for a reference, another existing id of the playbook. The
whole site is generated before (once per playbook) and after each edit, and every page
whose text changed must be among the pages `incremental.plan` picks. `MUTATIONS` must
name every field of those records (or `UNMUTABLE` say why it cannot be edited), so a
field the format gains fails `test_every_field_has_a_mutation` until it is covered.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Literal

import pytest
import yaml
from conftest import FIXTURES, ROOT
from test_incremental import generation

from mkdocs_cjm.core import model, schema
from mkdocs_cjm.core.loader import ReadCache, load_playbook
from mkdocs_cjm.core.model import Playbook
from mkdocs_cjm.render.diagrams import DiagramRenderer
from mkdocs_cjm.site.incremental import FullRebuild, Generation, changed_journeys, plan

Mode = Literal["change", "add"]
Raw = dict[str, Any]


def _records(record: schema.Record) -> Iterator[schema.Record]:
    """`record` and the records its fields hold, at any depth."""
    yield record
    for spec in record.fields.values():
        kind = spec.kind
        if isinstance(kind, schema.ListOf):
            kind = kind.item
        elif isinstance(kind, schema.MapOf):
            kind = kind.value
        if isinstance(kind, schema.Record):
            yield from _records(kind)


RECORDS = {record.name: record for record in _records(schema.JOURNEY_FILE)}
# The model dataclass each record builds (for a field's default).
MODELS: dict[str, type] = {
    "journey": model.Journey,
    "stage": model.Stage,
    "step": model.Step,
    "kpi": model.Kpi,
}


@dataclass(frozen=True)
class Context:
    """The playbook's ids and names an edit may refer to, and the edited journey's."""

    journey_id: str
    journey_ids: tuple[str, ...]
    future_of: dict[str, str]  # journey id: the journey it is the future of
    persona_ids: tuple[str, ...]
    channel_owners: dict[str, str | None]  # channel id: its owner
    phase_ids: tuple[str, ...]
    teams: tuple[str, ...]  # every owner named anywhere, as the model spells it

    @classmethod
    def of(cls, playbook: Playbook, journey_id: str) -> Context:
        owners = {journey.owner for journey in playbook.journeys}
        owners |= {step.owner for journey in playbook.journeys for step in journey.steps}
        owners |= {channel.owner for channel in playbook.channels}
        return cls(
            journey_id,
            tuple(journey.id for journey in playbook.journeys),
            {j.id: j.future_of for j in playbook.journeys if j.future_of},
            tuple(persona.id for persona in playbook.personas),
            {channel.id: channel.owner for channel in playbook.channels},
            tuple(phase.id for phase in playbook.phases),
            tuple(sorted(owner for owner in owners if owner)),
        )


# One edit of one field: (context, the journey's data, the record edited, its key, the
# field) -> None, changing the record (and, for an id, what refers to it) in place.
Mutation = Callable[[Context, Raw, Raw, str, schema.Field], None]


def _default(record: str, key: str) -> Any:
    attribute = RECORDS[record].attribute(key)
    (found,) = [f for f in dataclasses.fields(MODELS[record]) if f.name == attribute]
    return found.default


def _bump(value: Any) -> Any:
    """Another value in the same unit: the first number one more (150 -> 151, 2.5% ->
    3.5%, 45.000đ -> 46.000đ), or the text with more words."""
    if isinstance(value, bool):
        return not value
    if isinstance(value, int | float):
        return value + 1
    text = str(value)
    bumped = re.sub(r"\d+", lambda m: str(int(m.group()) + 1), text, count=1)
    return bumped if bumped != text else f"{text} (edited)"


def by_kind(context: Context, data: Raw, record: Raw, key: str, spec: schema.Field) -> None:
    """A value of the field's kind other than the current one (or the default)."""
    old = record.get(key)
    kind = spec.kind
    match kind:
        case schema.Text():
            new: Any = "Added text" if old is None else f"{old} (edited)"
        case schema.Integer(minimum, maximum):
            new = minimum if old != minimum else maximum
        case schema.Boolean():
            record_name = next(name for name, r in RECORDS.items() if r.fields.get(key) is spec)
            new = not (_default(record_name, key) if old is None else old)
        case schema.Choice(values):
            new = next(value for value in values if value != old)
        case schema.Scalar():
            new = "42%" if old is None else _bump(old)
        case schema.Date():
            new = date(2020, 1, 1) if str(old) != "2020-01-01" else date(2026, 11, 1)
        case schema.ListOf(schema.Text()):
            new = [*(old or []), "One more item"]
        case _:
            raise AssertionError(f"{key}: {kind} needs its own mutation (an id refers to things)")
    record[key] = new


def _step_id(data: Raw, index: int) -> str:
    return str(data["steps"][index].get("id") or f"step-{index + 1}")


def rename_step(context: Context, data: Raw, record: Raw, key: str, spec: schema.Field) -> None:
    """A new id (given to a step without one), and every `next` naming it follows."""
    old = _step_id(data, data["steps"].index(record))
    new = f"{old}-renamed"
    record["id"] = new
    for step in data["steps"]:
        if step.get("next"):
            step["next"] = [new if target == old else target for target in step["next"]]


def rename_stage(context: Context, data: Raw, record: Raw, key: str, spec: schema.Field) -> None:
    """A new stage id, and every step in the stage follows."""
    old, new = record["id"], f"{record['id']}-renamed"
    record["id"] = new
    for step in data["steps"]:
        if step["stage"] == old:
            step["stage"] = new


def new_kpi_id(context: Context, data: Raw, record: Raw, key: str, spec: schema.Field) -> None:
    """A KPI id is named by metrics files only (none name the journeys edited here)."""
    record["id"] = f"{record['id']}-renamed" if record.get("id") else "a-new-kpi"


def another_stage(context: Context, data: Raw, record: Raw, key: str, spec: schema.Field) -> None:
    """The step moves to the next stage of the journey (the first from the last)."""
    ids = [stage["id"] for stage in data["stages"]]
    record["stage"] = ids[(ids.index(record["stage"]) + 1) % len(ids)]


def another_channel(context: Context, data: Raw, record: Raw, key: str, spec: schema.Field) -> None:
    """A channel of the playbook the journey does not use yet (or another one it does)."""
    used = {step["channel"] for step in data["steps"]}
    others = [c for c in context.channel_owners if c not in used] or [
        c for c in context.channel_owners if c != record["channel"]
    ]
    record["channel"] = others[0]


def another_team(context: Context, data: Raw, record: Raw, key: str, spec: schema.Field) -> None:
    """Another team the playbook names, neither the current owner nor the default."""
    default = context.channel_owners.get(record.get("channel", ""))
    record[key] = next(t for t in context.teams if t not in {record.get(key), default})


def another_phase(context: Context, data: Raw, record: Raw, key: str, spec: schema.Field) -> None:
    record["phase"] = next(p for p in context.phase_ids if p != record.get("phase"))


def another_next(context: Context, data: Raw, record: Raw, key: str, spec: schema.Field) -> None:
    """One more step it leads to; a step without `next` leads to a step other than the
    one after it (its default)."""
    index = data["steps"].index(record)
    current = list(record.get("next") or [])
    following = _step_id(data, index + 1) if index + 1 < len(data["steps"]) else None
    excluded = {*current, _step_id(data, index), *([] if "next" in record else [following])}
    named = [s["id"] for s in data["steps"] if s.get("id") and s["id"] not in excluded]
    record["next"] = [*current, named[-1]]


def another_persona(context: Context, data: Raw, record: Raw, key: str, spec: schema.Field) -> None:
    """`persona:` names another persona (instead of `personas:` where that was given)."""
    current = data.pop("personas", None) or [data.pop("persona")]
    others = [p for p in context.persona_ids if p not in current]
    data["persona"] = others[0] if others else current[-1]


def other_personas(context: Context, data: Raw, record: Raw, key: str, spec: schema.Field) -> None:
    """`personas:` names one more persona (instead of `persona:` where that was given);
    the same ones in the other order where the playbook has no other."""
    current = data.pop("personas", None) or [data.pop("persona")]
    others = [p for p in context.persona_ids if p not in current]
    data["personas"] = [*current, others[0]] if others else list(reversed(current))


def another_current(context: Context, data: Raw, record: Raw, key: str, spec: schema.Field) -> None:
    """The journey becomes the future of another journey (not itself, and not one that
    is already, at any remove, its own future)."""

    def leads_here(journey_id: str | None) -> bool:
        seen: set[str] = set()
        while journey_id is not None and journey_id not in seen:
            if journey_id == context.journey_id:
                return True
            seen.add(journey_id)
            journey_id = context.future_of.get(journey_id)
        return False

    record["future_of"] = next(
        j for j in context.journey_ids if j != record.get("future_of") and not leads_here(j)
    )


def evidence_source(context: Context, data: Raw, record: Raw, key: str, spec: schema.Field) -> None:
    """A step's `source:` (shown only with its evidence badge: the loader warns about a
    source without `evidence:`, so a step without one gets `evidence: reported` too)."""
    by_kind(context, data, record, key, spec)
    record.setdefault("evidence", "reported")


def new_stage(context: Context, data: Raw) -> Raw:
    """A stage the journey's last step moves into, so no stage is left empty."""
    data["steps"][-1]["stage"] = "a-new-stage"
    return {"id": "a-new-stage", "name": "A new stage"}


def new_step(context: Context, data: Raw) -> Raw:
    return {
        "id": "a-new-step",
        "stage": data["stages"][-1]["id"],
        "channel": data["steps"][-1]["channel"],
        "action": "Does one more thing",
    }


def new_kpi(context: Context, data: Raw) -> Raw:
    return {"name": "A new KPI", "target": "10%", "actual": "8%"}


NEW_ITEM: dict[str, Callable[[Context, Raw], Raw]] = {
    "stage": new_stage,
    "step": new_step,
    "kpi": new_kpi,
}


def one_more(context: Context, data: Raw, record: Raw, key: str, spec: schema.Field) -> None:
    """A list of records gets one more (a stage without KPIs its first)."""
    assert isinstance(spec.kind, schema.ListOf) and isinstance(spec.kind.item, schema.Record)
    record[key] = [*(record.get(key) or []), NEW_ITEM[spec.kind.item.name](context, data)]


MUTATIONS: dict[tuple[str, str], Mutation] = {
    ("journey", "title"): by_kind,
    ("journey", "persona"): another_persona,
    ("journey", "personas"): other_personas,
    ("journey", "owner"): another_team,
    ("journey", "summary"): by_kind,
    ("journey", "stages"): one_more,
    ("journey", "steps"): one_more,
    ("journey", "reviewed"): by_kind,
    ("journey", "future_of"): another_current,
    ("stage", "id"): rename_stage,
    ("stage", "name"): by_kind,
    ("stage", "description"): by_kind,
    ("stage", "goals"): by_kind,
    ("stage", "kpis"): one_more,
    ("stage", "phase"): another_phase,
    ("kpi", "name"): by_kind,
    ("kpi", "id"): new_kpi_id,
    ("kpi", "target"): by_kind,
    ("kpi", "actual"): by_kind,
    ("kpi", "higher_is_better"): by_kind,
    ("step", "id"): rename_step,
    ("step", "stage"): another_stage,
    ("step", "channel"): another_channel,
    ("step", "touchpoint"): by_kind,
    ("step", "action"): by_kind,
    ("step", "services"): by_kind,
    ("step", "emotion"): by_kind,
    ("step", "feeling"): by_kind,
    ("step", "thought"): by_kind,
    ("step", "pain_points"): by_kind,
    ("step", "opportunities"): by_kind,
    ("step", "owner"): another_team,
    ("step", "next"): another_next,
    ("step", "evidence"): by_kind,
    ("step", "source"): evidence_source,
    ("step", "milestone"): by_kind,
}
# Fields no valid edit of a journey file can change, with the reason. None so far.
UNMUTABLE: dict[tuple[str, str], str] = {}
# Fields an edit may change without any page showing it, with the reason: the test
# then checks the plan only (every changed page planned), not that some page changed.
MAY_SHOW_NOWHERE: dict[tuple[str, str], str] = {
    ("kpi", "id"): "it names the KPI for metrics files and pairs it with the KPI of that id "
    "in the journey this one is the future of; a new id on a KPI neither names shows nowhere",
}

# Where to look for a record that has (or lacks) a field: the journeys tried in turn.
PLAYBOOKS: dict[str, tuple[Path, tuple[str, ...]]] = {
    "example": (ROOT / "maps", ("mua-kinh-ram-da-kenh-2027", "cat-kinh-can-lan-dau")),
    "blind20": (FIXTURES / "blind20" / "maps", ("mua-xe-tay-ga", "kich-hoat-bao-hanh")),
}


def records_of(data: Raw, record: str) -> list[Raw]:
    """The journey's records of one kind, in file order."""
    if record == "journey":
        return [data]
    if record == "stage":
        return list(data["stages"])
    if record == "step":
        return list(data["steps"])
    if record == "kpi":
        return [kpi for stage in data["stages"] for kpi in stage.get("kpis") or []]
    raise AssertionError(f"no records {record} in a journey file: add them to records_of")


def target(data: Raw, record: str, key: str, mode: Mode) -> Raw | None:
    """The record that has the field (`change`), or lacks it (`add`; a required field
    never is, `persona` where `personas` is given instead): of those, the one with the
    most keys given, the likeliest to show on many pages (a step with pain points on the
    register, an owner on a team's page), the first of equals."""
    found = [
        item
        for item in records_of(data, record)
        if (item.get(key) is not None) == (mode == "change")
    ]
    return max(found, key=lambda item: sum(v is not None for v in item.values()), default=None)


def journey_file(maps: Path, journey_id: str) -> Path:
    (path,) = [p for p in (maps / "journeys").iterdir() if p.stem == journey_id]
    return path


def read(path: Path) -> Raw:
    return copy.deepcopy(_parsed(path.read_text(encoding="utf-8")))


@functools.cache
def _parsed(text: str) -> Raw:
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def dump(data: Raw) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _cases() -> Iterator[tuple[str, str, str, str, Mode]]:
    """(playbook, journey, record, key, mode): each field changed and added once per
    playbook, in the first journey where it can be."""
    for name, (maps, journeys) in PLAYBOOKS.items():
        for (record, key), _ in MUTATIONS.items():
            for mode in ("change", "add"):
                for journey_id in journeys:
                    if target(read(journey_file(maps, journey_id)), record, key, mode):
                        yield name, journey_id, record, key, mode
                        break


CASES = list(_cases())


def test_every_field_has_a_mutation() -> None:
    """The tables name every field of every record a journey file holds, and each
    field is edited at least once: a field the format gains fails here first."""
    fields = {(record.name, key) for record in RECORDS.values() for key in record.fields}
    assert not set(MUTATIONS) & set(UNMUTABLE)
    assert set(MUTATIONS) | set(UNMUTABLE) == fields
    assert set(RECORDS) <= set(MODELS), "a new record: name its model class in MODELS"
    edited = {(record, key) for _, _, record, key, _ in CASES}
    assert edited == set(MUTATIONS), sorted(set(MUTATIONS) - edited)
    # Every attribute the fast rebuild must see (`schema.page_fields`) is some key's.
    for record in RECORDS.values():
        by_attribute = {record.attribute(key): key for key in record.fields}
        assert set(schema.page_fields(record)) <= set(by_attribute)


@dataclass
class Before:
    """One playbook copied, its journeys written as `yaml.safe_dump` writes them (as
    every edit does), loaded and generated once for all its cases."""

    maps: Path
    cache: ReadCache
    playbook: Playbook
    generation: Generation
    texts: dict[str, str]  # journey id: the file's text


@pytest.fixture(scope="module")
def befores(
    tmp_path_factory: pytest.TempPathFactory, diagram_renderer: DiagramRenderer
) -> Callable[[str], Before]:
    made: dict[str, Before] = {}

    def before(name: str) -> Before:
        if name not in made:
            maps, journeys = PLAYBOOKS[name]
            folder = shutil.copytree(maps, tmp_path_factory.mktemp(name) / "maps")
            texts = {}
            for journey_id in journeys:
                path = journey_file(folder, journey_id)
                texts[journey_id] = dump(read(path))
                path.write_text(texts[journey_id], encoding="utf-8")
            cache = ReadCache()
            playbook = load_playbook(folder, display_root=folder.parent, cache=cache)
            assert not playbook.problems
            assert playbook.playbook is not None
            old, _ = generation(playbook.playbook, diagram_renderer)
            made[name] = Before(folder, cache, playbook.playbook, old, texts)
        return made[name]

    return before


@pytest.mark.parametrize(
    ("name", "journey_id", "record", "key", "mode"),
    CASES,
    ids=[f"{name}-{record}.{key}-{mode}" for name, _, record, key, mode in CASES],
)
def test_every_page_a_field_edit_changes_is_planned(
    befores: Callable[[str], Before],
    diagram_renderer: DiagramRenderer,
    name: str,
    journey_id: str,
    record: str,
    key: str,
    mode: Mode,
) -> None:
    before = befores(name)
    spec = RECORDS[record].fields[key]
    path = journey_file(before.maps, journey_id)
    data = read(path)
    edited = target(data, record, key, mode)
    assert edited is not None
    MUTATIONS[record, key](Context.of(before.playbook, journey_id), data, edited, key, spec)
    path.write_text(dump(data), encoding="utf-8")
    try:
        result = load_playbook(before.maps, display_root=before.maps.parent, cache=before.cache)
    finally:
        path.write_text(before.texts[journey_id], encoding="utf-8")
    assert not result.problems, [str(problem) for problem in result.problems]  # a valid edit
    assert result.playbook is not None
    new, lazy = generation(result.playbook, diagram_renderer)
    old = before.generation

    changed = changed_journeys(before.playbook, result.playbook, {}, {})
    differ = {uri for uri, page in new.pages.items() if page != old.pages.get(uri)}
    if not spec.pages:
        assert not differ, f"{record}.{key} is not shown (pages=False) but changed {differ}"
        return
    assert changed == {journey_id}
    candidates = plan(old, lazy, changed, result.playbook)
    if isinstance(candidates, FullRebuild):
        # Only when the site's pages are no longer the same (a team's first or last moment).
        assert list(new.pages) != list(old.pages), candidates
        return
    planned = {page.src_uri for page in candidates}
    assert differ or (record, key) in MAY_SHOW_NOWHERE, "the edit must change some page"
    assert differ <= planned, f"changed but not planned: {sorted(differ - planned)}"
    assert len(planned) < len(new.pages)
