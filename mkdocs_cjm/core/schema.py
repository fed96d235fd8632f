"""The journey format (version 1) as data.

One description of every file kind drives the loader's validation, the model
records the loader builds (each field names its model attribute and how the
checked value becomes it), the future-state comparison (`compared`), what the
fast rebuild may treat as shown on pages (`pages`) and the published JSON
Schema, so none of them can drift apart. `tests/test_format_parity.py` holds
the model's dataclasses and the guide's key lists (docs/format.md) to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

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


# How a checked value becomes its model attribute (`core.build.CONVERTERS`):
# - "texts": a tuple of the list's non-empty texts;
# - "team": one team name (`build.team_name`: composed, single-spaced);
# - "evidence", "channel_type": the model's enum of that value;
# - "pairs": a mapping as (label, value) pairs, empty values left out;
# - "records": a list of records, each built from its own record's fields (an item
#   without its required keys is left out);
# - "derived": the record's builder gives the value itself, from the file's context
#   (an id by default, a reference resolved, a default from the channel); the
#   generic builder fails if it does not.
Convert = Literal["texts", "team", "evidence", "channel_type", "pairs", "records", "derived"]


@dataclass(frozen=True)
class Field:
    kind: Kind
    required: bool = False
    description: str = ""
    # What messages say is expected, when that says more than the kind ("a channel id
    # from channels.yml" rather than "an id").
    expects: str = ""
    # The model attribute the key fills: "" the key's own name; None: none of its own
    # (`persona`, which the journey's builder folds into `personas`).
    attribute: str | None = ""
    # How the checked value becomes the attribute (see `Convert`); None: as checked.
    convert: Convert | None = None
    # A model attribute that keeps the line the key is written on (0: not written).
    line_attribute: str = ""
    # A difference makes a step present in both the current and the future journey
    # "changed" (`compare.py`).
    compared: bool = False
    # A change of it can show on a generated page, so the fast rebuild must see it
    # (it compares model records by equality, which must therefore include it).
    pages: bool = True

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
    # Attributes of the model's record that no key fills (the file's id, where it was
    # written, KPI data): the builders give them.
    model_only: tuple[str, ...] = ()

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(key for key, spec in self.fields.items() if spec.required)

    def attribute(self, key: str) -> str | None:
        """The model attribute `key` fills (None: none of its own)."""
        name = self.fields[key].attribute
        return key if name == "" else name

    @property
    def attributes(self) -> tuple[str, ...]:
        """Every attribute of the model's record: the keys' (in key order), their line
        attributes, then `model_only`."""
        named = [self.attribute(key) for key in self.fields]
        lines = [spec.line_attribute for spec in self.fields.values() if spec.line_attribute]
        return (*dict.fromkeys(a for a in named if a is not None), *lines, *self.model_only)


def compared_fields(record: Record) -> tuple[str, ...]:
    """The attributes whose difference makes a matched step changed, in key order."""
    return tuple(
        attribute
        for key, spec in record.fields.items()
        if spec.compared and (attribute := record.attribute(key)) is not None
    )


def page_fields(record: Record) -> tuple[str, ...]:
    """The attributes a change of which can show on a generated page, in key order:
    what the fast rebuild (`site/incremental.py`) must see change."""
    return tuple(
        attribute
        for key, spec in record.fields.items()
        if spec.pages and (attribute := record.attribute(key)) is not None
    )


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
            convert="channel_type",
        ),
        "owner": Field(
            Text(markdown=False), description="Team responsible for the channel.", convert="team"
        ),
        "description": Field(Text(block=True), description="Markdown."),
    },
    model_only=("id", "source"),
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
        "goals": Field(TEXT_LIST, description="What the persona wants.", convert="texts"),
        "frustrations": Field(
            TEXT_LIST, description="What gets in the persona's way.", convert="texts"
        ),
        "traits": Field(MapOf(Scalar()), description="Label -> value (Age: 28).", convert="pairs"),
        "reviewed": REVIEWED,
    },
    model_only=("id", "source"),
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
        "actual": Field(
            Scalar(),
            description="Measured value, in the target's unit.",
            line_attribute="actual_line",  # a metrics row's message points at it
        ),
        "higher_is_better": Field(Boolean(), description="Default true."),
    },
    model_only=("series",),  # from maps/metrics/*.csv
)

STAGE = Record(
    "stage",
    {
        "id": Field(Id(), True, "Unique in the journey."),
        "name": Field(Text(markdown=False), True, "The stage's name."),
        "description": Field(Text(block=True), description="Markdown."),
        "goals": Field(
            TEXT_LIST, description="The customer's goals at this stage.", convert="texts"
        ),
        "kpis": Field(
            ListOf(KPI), description="Milestones and metrics of this stage.", convert="records"
        ),
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
        "id": Field(Id(), description="Default step-<n> (1-based).", convert="derived"),
        "stage": Field(
            Id(), True, "A stage id of this journey.", "a stage id of this journey", compared=True
        ),
        "channel": Field(
            Id(),
            True,
            "A channel id from channels.yml.",
            "a channel id from channels.yml",
            convert="derived",  # once resolved against channels.yml
            compared=True,
        ),
        "touchpoint": Field(
            Text(markdown=False),
            description="Default: the channel's name.",
            convert="derived",
            compared=True,
        ),
        "action": Field(Text(), True, "What the customer does.", compared=True),
        "services": Field(
            TEXT_LIST,
            description="What the touchpoint offers here.",
            convert="texts",
            compared=True,
        ),
        "emotion": Field(
            Integer(1, 5), description="1 very negative .. 5 very positive.", compared=True
        ),
        "feeling": Field(Text(), description="A word for the emotion.", compared=True),
        "thought": Field(Text(), description="What the customer thinks.", compared=True),
        "pain_points": Field(TEXT_LIST, convert="texts", compared=True),
        "opportunities": Field(TEXT_LIST, convert="texts", compared=True),
        "owner": Field(
            Text(markdown=False),
            description="Team; default: the channel's owner.",
            convert="derived",
            compared=True,
        ),
        # Not compared: its default depends on the neighbours, which an added step
        # elsewhere changes.
        "next": Field(
            ListOf(Id()),
            description="Step ids; default: the step after it; [] ends a path.",
            expects="a list of step ids",
            convert="derived",
        ),
        "evidence": Field(
            Choice(EVIDENCE_LEVELS),
            description="What the step rests on: observed (seen in research), reported "
            "(customers said so), assumed (the team's guess).",
            convert="evidence",
            compared=True,
        ),
        "source": Field(
            Text(),
            description="Where the evidence comes from, e.g. 12 interviews, Oct 2026.",
            attribute="evidence_source",
        ),
        "milestone": Field(
            Boolean(),
            description="true: a golden milestone, a moment that must happen for the customer "
            "to get value (marked on the journey page and the flow, listed on the overview).",
        ),
    },
    model_only=("index",),  # 1-based place in the journey's list of steps
)

JOURNEY_FILE = Record(
    "journey",
    {
        "title": Field(Text(markdown=False), True, "The journey's title."),
        "persona": Field(
            Id(),
            description="The persona this journey follows: a file name in personas/, no suffix.",
            expects="a persona id from personas/",
            attribute=None,  # one of the journey's `personas`
        ),
        "personas": Field(
            ListOf(Id(), min_items=1),
            description="Several persona ids, instead of `persona`.",
            expects="a list of persona ids",
            convert="derived",  # with `persona`, each resolved against personas/
        ),
        "owner": Field(
            Text(markdown=False), description="Team responsible for the journey.", convert="team"
        ),
        "summary": Field(Text(block=True), description="Markdown."),
        "stages": Field(
            ListOf(STAGE, min_items=1), True, "Ordered, at least one.", convert="derived"
        ),
        "steps": Field(
            ListOf(STEP, min_items=1), True, "Ordered, at least one.", convert="derived"
        ),
        "reviewed": REVIEWED,
        "future_of": Field(
            Id(),
            description="Marks this journey as the future (to-be) state of the current journey "
            "with this id.",
            expects="a journey id from journeys/",
        ),
    },
    exclusive=(("persona", "personas"),),
    model_only=("id", "source"),
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
            convert="derived",  # checked for duplicates; the defaults without it
        ),
    },
    model_only=("channels", "personas", "journeys"),  # the other files
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
