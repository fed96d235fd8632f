"""The journey format (version 1) as data.

One description of every file kind drives both the loader's validation and the
published JSON Schema, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ID_PATTERN = r"^[a-z0-9-]+$"
# The same rule for Python's re.fullmatch (`$` there also matches before a final newline).
ID_CHARACTERS = r"[a-z0-9-]+"
DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
SCHEMA_BASE_URI = "https://mkdocs-cjm.invalid/schema/v1/"


@dataclass(frozen=True)
class Text:
    """A string; `markdown` says whether Markdown is rendered, `block` whether paragraphs are."""

    markdown: bool = True
    block: bool = False


@dataclass(frozen=True)
class Id:
    """A lowercase id: letters, digits and `-`. A plain number such as `2024` is one too."""


@dataclass(frozen=True)
class Scalar:
    """Any YAML scalar (text, number, boolean), shown as written."""


@dataclass(frozen=True)
class Boolean:
    pass


@dataclass(frozen=True)
class Date:
    """A calendar date written YYYY-MM-DD (YAML reads it unquoted or quoted alike)."""


@dataclass(frozen=True)
class Integer:
    minimum: int
    maximum: int


@dataclass(frozen=True)
class Choice:
    values: tuple[str, ...]


@dataclass(frozen=True)
class ListOf:
    item: Kind
    min_items: int = 0


@dataclass(frozen=True)
class MapOf:
    """A mapping whose keys are free labels (or ids, with `key=Id()`)."""

    value: Kind
    key: Text | Id = field(default_factory=lambda: Text(markdown=False))


@dataclass(frozen=True)
class Field:
    kind: Kind
    required: bool = False
    description: str = ""
    # What messages say is expected, when that says more than the kind ("a channel id
    # from channels.yml" rather than "an id").
    expects: str = ""

    @property
    def expected(self) -> str:
        return self.expects or describe(self.kind)


@dataclass(frozen=True)
class Record:
    name: str
    fields: dict[str, Field]
    # Groups of keys of which at most one may be given (`persona` or `personas`).
    # The contract marks neither as required, so a journey may name no persona.
    exclusive: tuple[tuple[str, ...], ...] = ()

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(key for key, spec in self.fields.items() if spec.required)


Kind = Text | Id | Scalar | Boolean | Date | Integer | Choice | ListOf | MapOf | Record

TEXT_LIST = ListOf(Text())
EVIDENCE_LEVELS = ("observed", "reported", "assumed")

CHANNEL = Record(
    "channel",
    {
        "name": Field(Text(markdown=False), True, "Name shown everywhere the channel appears."),
        "type": Field(
            Choice(("online", "offline")),
            True,
            "online: digital (web, app, social, email, SMS, chat); "
            "offline: in person or traditional (store, hotline call, event).",
        ),
        "owner": Field(Text(markdown=False), description="Team responsible for the channel."),
        "description": Field(Text(block=True), description="Markdown."),
    },
)

CHANNELS_FILE = MapOf(CHANNEL, key=Id())

REVIEWED = Field(
    Date(),
    description="Date of the last review of this map (YYYY-MM-DD); older than the plugin "
    "option review_after_days, the page says the map needs review.",
)

PERSONA_FILE = Record(
    "persona",
    {
        "name": Field(Text(markdown=False), True, "The persona's name."),
        "tagline": Field(Text(), description="One line."),
        "description": Field(Text(block=True), description="Markdown."),
        "goals": Field(TEXT_LIST, description="What the persona wants."),
        "frustrations": Field(TEXT_LIST, description="What gets in the persona's way."),
        "traits": Field(MapOf(Scalar()), description="Label -> value (Age: 28)."),
        "reviewed": REVIEWED,
    },
)

KPI = Record(
    "kpi",
    {
        "name": Field(Text(), True, "The milestone or metric."),
        "id": Field(
            Id(),
            description="Names the KPI in metrics files (maps/metrics/*.csv) instead of its name.",
        ),
        "target": Field(Scalar(), description="Target value, such as 2% or 3 min."),
        "actual": Field(Scalar(), description="Measured value, in the target's unit."),
        "higher_is_better": Field(Boolean(), description="Default true."),
    },
)

STAGE = Record(
    "stage",
    {
        "id": Field(Id(), True, "Unique in the journey."),
        "name": Field(Text(markdown=False), True, "The stage's name."),
        "description": Field(Text(block=True), description="Markdown."),
        "goals": Field(TEXT_LIST, description="The customer's goals at this stage."),
        "kpis": Field(ListOf(KPI), description="Milestones and metrics of this stage."),
        "phase": Field(
            Id(),
            description="A phase id from playbook.yml's phases (without that list: before, "
            "during or after): journey pages band their stages by phase, the channel heatmap "
            "can show channels x phases and the overview places journeys on the phases.",
            expects="a phase id from playbook.yml (by default before, during or after)",
        ),
    },
)

STEP = Record(
    "step",
    {
        "id": Field(Id(), description="Default step-<n> (1-based)."),
        "stage": Field(Id(), True, "A stage id of this journey.", "a stage id of this journey"),
        "channel": Field(
            Id(), True, "A channel id from channels.yml.", "a channel id from channels.yml"
        ),
        "touchpoint": Field(Text(markdown=False), description="Default: the channel's name."),
        "action": Field(Text(), True, "What the customer does."),
        "services": Field(TEXT_LIST, description="What the touchpoint offers here."),
        "emotion": Field(Integer(1, 5), description="1 very negative .. 5 very positive."),
        "feeling": Field(Text(), description="A word for the emotion."),
        "thought": Field(Text(), description="What the customer thinks."),
        "pain_points": Field(TEXT_LIST),
        "opportunities": Field(TEXT_LIST),
        "owner": Field(Text(markdown=False), description="Team; default: the channel's owner."),
        "next": Field(
            ListOf(Id()),
            description="Step ids; default: the step after it; [] ends a path.",
            expects="a list of step ids",
        ),
        "evidence": Field(
            Choice(EVIDENCE_LEVELS),
            description="What the step rests on: observed (seen in research), reported "
            "(customers said so), assumed (the team's guess).",
        ),
        "source": Field(
            Text(), description="Where the evidence comes from, e.g. 12 interviews, Oct 2026."
        ),
        "milestone": Field(
            Boolean(),
            description="true: a golden milestone, a moment that must happen for the customer "
            "to get value (marked on the journey page and the flow, listed on the overview).",
        ),
    },
)

JOURNEY_FILE = Record(
    "journey",
    {
        "title": Field(Text(markdown=False), True, "The journey's title."),
        "persona": Field(
            Id(),
            description="The persona this journey follows: a file name in personas/, no suffix.",
            expects="a persona id from personas/",
        ),
        "personas": Field(
            ListOf(Id(), min_items=1),
            description="Several persona ids, instead of `persona`.",
            expects="a list of persona ids",
        ),
        "owner": Field(Text(markdown=False), description="Team responsible for the journey."),
        "summary": Field(Text(block=True), description="Markdown."),
        "stages": Field(ListOf(STAGE, min_items=1), True, "Ordered, at least one."),
        "steps": Field(ListOf(STEP, min_items=1), True, "Ordered, at least one."),
        "reviewed": REVIEWED,
        "future_of": Field(
            Id(),
            description="Marks this journey as the future (to-be) state of the current journey "
            "with this id.",
            expects="a journey id from journeys/",
        ),
    },
    exclusive=(("persona", "personas"),),
)

# The playbook's own lifecycle phases, in order; without them: before, during, after.
DEFAULT_PHASE_IDS = ("before", "during", "after")

PHASE = Record(
    "phase",
    {
        "id": Field(Id(), True, "Unique among the phases; what a stage's `phase:` names."),
        "label": Field(Text(markdown=False), True, "The phase's name, in any language."),
        "description": Field(Text(), description="One line, shown with the phase."),
    },
)

PLAYBOOK_FILE = Record(
    "playbook",
    {
        "phases": Field(
            ListOf(PHASE, min_items=1),
            description="The customer lifecycle's phases, in order; replaces before, during "
            "and after.",
        ),
    },
)

FILE_KINDS: dict[str, Kind] = {
    "channels": CHANNELS_FILE,
    "persona": PERSONA_FILE,
    "journey": JOURNEY_FILE,
    "playbook": PLAYBOOK_FILE,
}


def describe(kind: Kind) -> str:
    """How an error message names what was expected."""
    match kind:
        case Text():
            return "text"
        case Id():
            return "an id of lowercase letters, digits and '-'"
        case Scalar():
            return "a single value (text or number)"
        case Boolean():
            return "true or false"
        case Date():
            return "a date written YYYY-MM-DD"
        case Integer(minimum, maximum):
            return f"a whole number from {minimum} to {maximum}"
        case Choice(values):
            return " or ".join(values)
        case ListOf(Record(name)):
            return f"a list of {name}s"
        case ListOf(Text()):
            return "a list of texts"
        case ListOf(Id()):
            return "a list of ids"
        case ListOf():
            return "a list"
        case MapOf() | Record():
            return "a mapping (key: value)"
    raise AssertionError(kind)


def json_schema(file_kind: str) -> dict[str, Any]:
    """JSON Schema of one file kind, for editors and yaml-language-server.

    Draft-07, the newest draft every yaml-language-server version supports; the
    keywords used mean the same in later drafts.
    """
    schema = _to_json(FILE_KINDS[file_kind])
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": f"{SCHEMA_BASE_URI}{file_kind}.schema.json",
        "title": f"mkdocs-cjm {file_kind} file (journey format v1)",
        **schema,
    }


def _to_json(kind: Kind) -> dict[str, Any]:
    match kind:
        case Text():
            return {"type": "string"}
        case Id():
            # `pattern` applies to strings only; a plain number is an id as written.
            return {"type": ["string", "integer"], "pattern": ID_PATTERN}
        case Scalar():
            return {"type": ["string", "number", "boolean"]}
        case Boolean():
            return {"type": "boolean"}
        case Date():
            return {"type": "string", "format": "date", "pattern": DATE_PATTERN}
        case Integer(minimum, maximum):
            return {"type": "integer", "minimum": minimum, "maximum": maximum}
        case Choice(values):
            return {"type": "string", "enum": list(values)}
        case ListOf(item, min_items):
            out: dict[str, Any] = {"type": "array", "items": _to_json(item)}
            if min_items:
                out["minItems"] = min_items
            return out
        case MapOf(value, key):
            out = {"type": "object", "additionalProperties": _to_json(value)}
            if isinstance(key, Id):
                out["propertyNames"] = {"pattern": ID_PATTERN}
            return out
        case Record(_, fields):
            properties = {}
            for name, spec in fields.items():
                prop = _to_json(spec.kind)
                if spec.required and isinstance(spec.kind, Text):
                    prop["pattern"] = r"\S"  # the loader strips text: blank is empty
                elif not spec.required:
                    prop = _nullable(prop)  # `key:` with nothing after it means "not given"
                if spec.description:
                    prop["description"] = spec.description
                properties[name] = prop
            record: dict[str, Any] = {
                "type": "object",
                "properties": properties,
                "additionalProperties": False,
            }
            if kind.required:
                record["required"] = list(kind.required)
            if kind.exclusive:
                record["allOf"] = [{"not": {"required": list(group)}} for group in kind.exclusive]
            return record
    raise AssertionError(kind)


def _nullable(schema: dict[str, Any]) -> dict[str, Any]:
    types = schema["type"]
    schema = {**schema, "type": [*(types if isinstance(types, list) else [types]), "null"]}
    if "enum" in schema:
        schema["enum"] = [*schema["enum"], None]
    return schema


def child_keys(record: Record) -> dict[str, list[str]]:
    """Keys of the records one level down, by name, as paths relative to `record`.

    For a stage: `{"name": ["kpis[].name"], "higher_is_better": ["kpis[].higher_is_better"], ...}`:
    what a key put one level too high was meant to be.
    """
    found: dict[str, list[str]] = {}
    for name, spec in record.fields.items():
        kind = spec.kind
        child, suffix = None, ""
        if isinstance(kind, Record):
            child, suffix = kind, ""
        elif isinstance(kind, ListOf) and isinstance(kind.item, Record):
            child, suffix = kind.item, "[]"
        elif isinstance(kind, MapOf) and isinstance(kind.value, Record):
            child, suffix = kind.value, ".<id>"
        if child is None:
            continue
        for key in child.fields:
            found.setdefault(key, []).append(f"{name}{suffix}.{key}")
    return found
