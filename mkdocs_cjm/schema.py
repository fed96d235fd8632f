"""The journey format (version 1) as data.

One description of every file kind drives both the loader's validation and the
published JSON Schema, so the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ID_PATTERN = r"^[a-z0-9-]+$"
SCHEMA_BASE_URI = "https://mkdocs-cjm.invalid/schema/v1/"


@dataclass(frozen=True)
class Text:
    """A string; `markdown` says whether Markdown is rendered, `block` whether paragraphs are."""

    markdown: bool = True
    block: bool = False


@dataclass(frozen=True)
class Id:
    """A lowercase id: letters, digits and `-`."""


@dataclass(frozen=True)
class Scalar:
    """Any YAML scalar (text, number, boolean), shown as written."""


@dataclass(frozen=True)
class Boolean:
    pass


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


@dataclass(frozen=True)
class Record:
    name: str
    fields: dict[str, Field]

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(key for key, spec in self.fields.items() if spec.required)


Kind = Text | Id | Scalar | Boolean | Integer | Choice | ListOf | MapOf | Record

TEXT_LIST = ListOf(Text())

CHANNEL = Record(
    "channel",
    {
        "name": Field(Text(markdown=False), True, "Name shown everywhere the channel appears."),
        "type": Field(Choice(("online", "offline")), True, "online (digital) or offline."),
        "owner": Field(Text(markdown=False), description="Team responsible for the channel."),
        "description": Field(Text(block=True), description="Markdown."),
    },
)

CHANNELS_FILE = MapOf(CHANNEL, key=Id())

PERSONA_FILE = Record(
    "persona",
    {
        "name": Field(Text(markdown=False), True, "The persona's name."),
        "tagline": Field(Text(), description="One line."),
        "description": Field(Text(block=True), description="Markdown."),
        "goals": Field(TEXT_LIST),
        "frustrations": Field(TEXT_LIST),
        "traits": Field(MapOf(Scalar()), description="Label -> value."),
    },
)

KPI = Record(
    "kpi",
    {
        "name": Field(Text(), True),
        "target": Field(Scalar()),
        "actual": Field(Scalar()),
        "higher_is_better": Field(Boolean(), description="Default true."),
    },
)

STAGE = Record(
    "stage",
    {
        "id": Field(Id(), True, "Unique in the journey."),
        "name": Field(Text(markdown=False), True),
        "description": Field(Text(block=True)),
        "goals": Field(TEXT_LIST, description="The customer's goals at this stage."),
        "kpis": Field(ListOf(KPI)),
    },
)

STEP = Record(
    "step",
    {
        "id": Field(Id(), description="Default step-<n> (1-based)."),
        "stage": Field(Id(), True, "A stage id of this journey."),
        "channel": Field(Id(), True, "A channel id from channels.yml."),
        "touchpoint": Field(Text(markdown=False), description="Default: the channel's name."),
        "action": Field(Text(), True),
        "services": Field(TEXT_LIST),
        "emotion": Field(Integer(1, 5), description="1 very negative .. 5 very positive."),
        "feeling": Field(Text()),
        "thought": Field(Text()),
        "pain_points": Field(TEXT_LIST),
        "opportunities": Field(TEXT_LIST),
        "owner": Field(Text(markdown=False), description="Default: the channel's owner."),
        "next": Field(ListOf(Id()), description="Step ids; default: the step after it."),
    },
)

JOURNEY_FILE = Record(
    "journey",
    {
        "title": Field(Text(markdown=False), True),
        "persona": Field(Id(), description="A persona id."),
        "personas": Field(ListOf(Id()), description="Persona ids, instead of `persona`."),
        "owner": Field(Text(markdown=False)),
        "summary": Field(Text(block=True), description="Markdown."),
        "stages": Field(ListOf(STAGE, min_items=1), True),
        "steps": Field(ListOf(STEP, min_items=1), True),
    },
)

FILE_KINDS: dict[str, Kind] = {
    "channels": CHANNELS_FILE,
    "persona": PERSONA_FILE,
    "journey": JOURNEY_FILE,
}


def describe(kind: Kind) -> str:
    """How an error message names what was expected."""
    match kind:
        case Text():
            return "text"
        case Id():
            return "an id (lowercase letters, digits and '-')"
        case Scalar():
            return "a single value (text or number)"
        case Boolean():
            return "true or false"
        case Integer(minimum, maximum):
            return f"a whole number from {minimum} to {maximum}"
        case Choice(values):
            return " or ".join(values)
        case ListOf():
            return "a list"
        case MapOf() | Record():
            return "a mapping (key: value)"
    raise AssertionError(kind)


def json_schema(file_kind: str) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one file kind, for editors and yaml-language-server."""
    schema = _to_json(FILE_KINDS[file_kind])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{SCHEMA_BASE_URI}{file_kind}.json",
        "title": f"mkdocs-cjm {file_kind} file (journey format v1)",
        **schema,
    }


def _to_json(kind: Kind) -> dict[str, Any]:
    match kind:
        case Text():
            return {"type": "string"}
        case Id():
            return {"type": "string", "pattern": ID_PATTERN}
        case Scalar():
            return {"type": ["string", "number", "boolean"]}
        case Boolean():
            return {"type": "boolean"}
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
            return record
    raise AssertionError(kind)
