"""Model records from checked map files, built as the schema says.

`values` is the generic builder: it walks a schema record's fields and fills the
model attributes they name (`Field.attribute`), converting values as declared
(`Field.convert`, see `CONVERTERS`), nested records alike. A new optional field
is then its schema entry and its model attribute. What a record needs beyond
that (defaults from its context, references to other records, derived ids) its
builder gives, for the fields the schema marks `derived` (`build.JourneyBuilder`,
the loader's channel, persona and phase loops); `values` fails if it does not.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from mkdocs_cjm.core import schema
from mkdocs_cjm.core.model import (
    Channel,
    ChannelType,
    Evidence,
    Journey,
    Kpi,
    Persona,
    Phase,
    Playbook,
    Stage,
    Step,
)


def team_name(value: str | None) -> str | None:
    """An owner as one team: composed (NFC) and single-spaced, so "Chăm sóc" typed on a
    Mac (NFD) or with a double space is the same team, not a second page."""
    if not value:
        return None
    return " ".join(unicodedata.normalize("NFC", value).split()) or None


def texts(values: list[Any] | None) -> tuple[str, ...]:
    return tuple(value for value in values or () if value)


def _pairs(mapping: Mapping[str, Any]) -> tuple[tuple[str, Any], ...]:
    return tuple((label, value) for label, value in mapping.items() if value is not None)


# The conversions a schema field may declare (`schema.Convert`); "records" and
# "derived" are the builder's own.
CONVERTERS: dict[schema.Convert, Callable[[Any], Any]] = {
    "texts": texts,
    "team": team_name,
    "evidence": Evidence,
    "channel_type": ChannelType,
    "pairs": _pairs,
}

# The model record each schema record describes, by the record's name.
MODELS: dict[str, type[Any]] = {
    "channel": Channel,
    "persona": Persona,
    "kpi": Kpi,
    "stage": Stage,
    "step": Step,
    "journey": Journey,
    "phase": Phase,
    "playbook": Playbook,
}


@dataclass(frozen=True)
class _Plan:
    """A record's fields as the builder walks them, worked out once per record."""

    filled: tuple[tuple[str, str, schema.Field], ...]  # key, attribute, field: not derived
    lines: tuple[tuple[str, str], ...]  # key, the attribute keeping its line
    derived: frozenset[str]  # attributes the record's builder must give
    given: frozenset[str]  # attributes it may give: derived and model-only


_plans: dict[int, tuple[schema.Record, _Plan]] = {}


def _plan(record: schema.Record) -> _Plan:
    known = _plans.get(id(record))
    if known is not None and known[0] is record:
        return known[1]
    filled, derived = [], set()
    for key, spec in record.fields.items():
        attribute = record.attribute(key)
        if attribute is None:
            continue
        if spec.convert == "derived":
            derived.add(attribute)
        else:
            filled.append((key, attribute, spec))
    plan = _Plan(
        tuple(filled),
        tuple(
            (key, spec.line_attribute) for key, spec in record.fields.items() if spec.line_attribute
        ),
        frozenset(derived),
        frozenset(derived) | frozenset(record.model_only),
    )
    _plans[id(record)] = (record, plan)
    return plan


def values(
    record: schema.Record,
    raw: Mapping[str, Any],
    path: str = "",
    positions: Mapping[str, tuple[int, int]] | None = None,
    /,
    **given: Any,
) -> dict[str, Any]:
    """The model attributes of a checked record (`raw`, as `checks.FileCheck` returns it):
    each field's value under the attribute it names, converted as it declares; a key
    not given (or not valid) is left out, so the model's default applies. `given` are
    the attributes the record's builder works out itself: every `derived` one, and
    any model-only one. With `positions`, a field's `line_attribute` gets the line of
    the key at `path`."""
    plan = _plan(record)
    if not plan.derived <= given.keys() <= plan.given:
        raise TypeError(
            f"the {record.name} builder gives {sorted(given)}; the schema's derived "
            f"attributes are {sorted(plan.derived)}, its model-only ones {list(record.model_only)}"
        )
    prefix = f"{path}." if path else ""
    found: dict[str, Any] = {}
    for key, attribute, spec in plan.filled:
        value = raw.get(key)
        if value is None:
            continue
        if spec.convert == "records":
            value = _records(spec.kind, value, prefix + key, positions)
        elif spec.convert is not None:
            value = CONVERTERS[spec.convert](value)
        found[attribute] = value
    if positions is not None:
        for key, attribute in plan.lines:
            found[attribute] = positions.get(prefix + key, (0, 0))[0]
    found.update(given)
    return found


def _records(
    kind: schema.Kind,
    items: list[Any],
    path: str,
    positions: Mapping[str, tuple[int, int]] | None,
) -> tuple[Any, ...]:
    """A list of nested records (a stage's KPIs); an item without its required keys
    (reported by the check) is left out."""
    assert isinstance(kind, schema.ListOf) and isinstance(kind.item, schema.Record), kind
    record = kind.item
    model = MODELS[record.name]
    return tuple(
        model(**values(record, item, f"{path}[{index}]", positions))
        for index, item in enumerate(items)
        if item and all(item.get(key) for key in record.required)
    )
