"""The format stated once: the schema (`core/schema.py`), the model's dataclasses
(`core/model.py`), the author's guide (docs/format.md) and the comparison agree.

`test_the_format_agrees_everywhere` is the one parity test; the tests after it break
one side at a time and require it to fail, so it cannot pass vacuously.

In the guide, `<!-- keys: RECORD -->` before a list of "- `key`: ..." items says that
they are the keys of the schema's record RECORD; a key marked **Required.** there is
required in the schema, and the other way round.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from mkdocs_cjm.core import compare, records, schema
from mkdocs_cjm.core.loader import load_playbook
from mkdocs_cjm.core.model import Step
from mkdocs_cjm.site.i18n import LANGUAGES

GUIDE = ROOT / "docs" / "format.md"
KEYS_MARKER = re.compile(r"^<!-- keys: ([a-z_]+)( pending)? -->$")
KEY_ITEM = re.compile(r"^- `([^`]+)`:(?P<rest>.*)$")


def schema_records() -> dict[str, schema.Record]:
    """Every record of the format by name, nested ones included."""
    found: dict[str, schema.Record] = {}

    def walk(kind: schema.Kind) -> None:
        if isinstance(kind, schema.Record):
            if kind.name not in found:
                found[kind.name] = kind
                for spec in kind.fields.values():
                    walk(spec.kind)
        elif isinstance(kind, schema.ListOf):
            walk(kind.item)
        elif isinstance(kind, schema.MapOf):
            walk(kind.value)

    for kind in schema.FILE_KINDS.values():
        walk(kind)
    return found


def guide_key_lists(text: str | None = None) -> list[tuple[str, bool, list[tuple[str, bool]]]]:
    """(record name, pending, [(key, marked required)]) of each `keys` list."""
    lines = (GUIDE.read_text(encoding="utf-8") if text is None else text).splitlines()
    tables = []
    for index, line in enumerate(lines):
        found = KEYS_MARKER.match(line.strip())
        if not found:
            continue
        keys = []
        for row in lines[index + 1 :]:
            item = KEY_ITEM.match(row)
            if not item:
                break
            keys.append((item[1], item["rest"].strip().startswith("**Required.**")))
        tables.append((found[1], bool(found[2]), keys))
    return tables


def model_problems(records_by_name: dict[str, schema.Record]) -> list[str]:
    """Where the schema and the model's dataclasses disagree."""
    problems = []
    for name, record in records_by_name.items():
        model = records.MODELS.get(name)
        if model is None:
            problems.append(f"no model dataclass for the schema's record {name!r}")
            continue
        attributes = {f.name: f for f in dataclasses.fields(model)}
        named = record.attributes
        if len(named) != len(set(named)):
            problems.append(f"{name}: an attribute named twice: {named}")
        missing = sorted(set(named) - set(attributes))
        if missing:
            problems.append(
                f"{name}: the schema names attributes {missing} that {model.__name__} lacks"
            )
        unnamed = sorted(set(attributes) - set(named))
        if unnamed:
            problems.append(
                f"{name}: {model.__name__} has attributes {unnamed} that no schema field "
                "names (add the field, or list it in the record's model_only)"
            )
        for key, spec in record.fields.items():
            if spec.convert == "records":
                if not (
                    isinstance(spec.kind, schema.ListOf)
                    and isinstance(spec.kind.item, schema.Record)
                ):
                    problems.append(f"{name}.{key}: 'records' converts a list of records only")
            elif spec.convert not in (None, "derived") and spec.convert not in records.CONVERTERS:
                problems.append(f"{name}.{key}: no converter {spec.convert!r}")
            attribute = record.attribute(key)
            shown = spec.compared or spec.pages
            if shown and attribute in attributes and not attributes[attribute].compare:
                # The comparison and the fast rebuild both rely on equality.
                problems.append(
                    f"{name}.{key}: {model.__name__}.{attribute} is left out of equality, "
                    "but the schema says the comparison or the pages see it"
                )
            if spec.compared and attribute is None:
                problems.append(f"{name}.{key}: compared, but fills no attribute")
    return problems


def guide_problems(records_by_name: dict[str, schema.Record], text: str | None = None) -> list[str]:
    """Where the schema and the guide's key lists disagree."""
    problems = []
    documented: dict[str, list[tuple[str, bool]]] = {}
    for name, pending, keys in guide_key_lists(text):
        if name in documented:
            problems.append(f"docs/format.md: two key lists for {name!r}")
        names = [key for key, _ in keys]
        if len(names) != len(set(names)):
            problems.append(f"docs/format.md: a key twice in {name!r}: {names}")
        if pending:
            if name in records_by_name:
                problems.append(
                    f"docs/format.md: the loader knows {name!r} now: drop 'pending' from its list"
                )
            continue
        documented[name] = keys
    if sorted(documented) != sorted(records_by_name):
        problems.append(
            f"docs/format.md: a key list per record: lists for {sorted(documented)}, "
            f"records {sorted(records_by_name)}"
        )
    for name, record in records_by_name.items():
        listed = dict(documented.get(name, []))
        if set(listed) != set(record.fields):
            problems.append(
                f"docs/format.md's {name!r} list names {list(listed)}; "
                f"the loader knows {list(record.fields)}"
            )
        for key, required in listed.items():
            if key in record.fields and required != record.fields[key].required:
                said = "marks" if required else "does not mark"
                problems.append(
                    f"docs/format.md's {name!r} list {said} '{key}' **Required.**; "
                    f"the schema has required={record.fields[key].required}"
                )
    return problems


def comparison_problems() -> list[str]:
    """The comparison's fields are the schema's, and each has a label in every language."""
    problems = []
    if schema.compared_fields(schema.STEP) != compare.COMPARED_FIELDS:
        problems.append(
            f"compare.COMPARED_FIELDS {compare.COMPARED_FIELDS} are not the schema's "
            f"{schema.compared_fields(schema.STEP)}"
        )
    for language, labels in LANGUAGES.items():
        missing = [name for name in schema.compared_fields(schema.STEP) if name not in labels]
        if missing:
            problems.append(f"no {language} label for the compared fields {missing}")
    return problems


def test_the_format_agrees_everywhere() -> None:
    found = schema_records()
    problems = model_problems(found) + guide_problems(found) + comparison_problems()
    assert not problems, "\n".join(problems)


def with_step_fields(monkeypatch: pytest.MonkeyPatch, fields: dict[str, schema.Field]) -> None:
    """The format with the step record's fields replaced by `fields`."""
    step = schema.Record("step", fields, model_only=schema.STEP.model_only)
    journey = schema.Record(
        "journey",
        {
            **schema.JOURNEY_FILE.fields,
            "steps": schema.Field(schema.ListOf(step, min_items=1), True, convert="derived"),
        },
        exclusive=schema.JOURNEY_FILE.exclusive,
        model_only=schema.JOURNEY_FILE.model_only,
    )
    monkeypatch.setattr(schema, "STEP", step)
    monkeypatch.setattr(schema, "JOURNEY_FILE", journey)
    monkeypatch.setattr(schema, "FILE_KINDS", {**schema.FILE_KINDS, "journey": journey})


def test_a_schema_field_without_a_model_attribute_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    with_step_fields(monkeypatch, {**schema.STEP.fields, "mood_board": schema.Field(schema.Text())})
    problems = model_problems(schema_records())
    assert any("mood_board" in problem and "Step lacks" in problem for problem in problems)
    with pytest.raises(AssertionError, match="mood_board"):
        test_the_format_agrees_everywhere()


def test_a_model_attribute_without_a_schema_field_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    fields = {key: spec for key, spec in schema.STEP.fields.items() if key != "thought"}
    with_step_fields(monkeypatch, fields)
    with pytest.raises(AssertionError, match=r"Step has attributes \['thought'\]"):
        test_the_format_agrees_everywhere()


def test_a_key_added_to_the_schema_and_not_to_the_guide_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with_step_fields(
        monkeypatch,
        {**schema.STEP.fields, "mood_board": schema.Field(schema.Text(), attribute="thought")},
    )
    problems = guide_problems(schema_records())
    assert any("mood_board" in problem for problem in problems), problems


def test_a_key_the_guide_marks_required_wrongly_fails() -> None:
    text = GUIDE.read_text(encoding="utf-8")
    wrong = text.replace("- `feeling`: ", "- `feeling`: **Required.** ", 1)
    assert wrong != text
    problems = guide_problems(schema_records(), wrong)
    assert any("'feeling' **Required.**" in problem for problem in problems), problems


def test_a_compared_field_without_a_label_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    fields = dict(schema.STEP.fields)
    fields["source"] = dataclasses.replace(fields["source"], compared=True)
    with_step_fields(monkeypatch, fields)
    with pytest.raises(AssertionError, match="COMPARED_FIELDS"):
        test_the_format_agrees_everywhere()
    monkeypatch.setattr(compare, "COMPARED_FIELDS", schema.compared_fields(schema.STEP))
    with pytest.raises(
        AssertionError, match=r"label for the compared fields \['evidence_source'\]"
    ):
        test_the_format_agrees_everywhere()


def test_the_comparison_sees_what_the_schema_marks() -> None:
    assert "milestone" not in compare.COMPARED_FIELDS  # not marked compared
    assert "next" not in compare.COMPARED_FIELDS
    assert compare.COMPARED_FIELDS[0] == "stage" and "evidence" in compare.COMPARED_FIELDS


def test_page_fields_list_every_shown_attribute() -> None:
    assert schema.page_fields(schema.STEP) == tuple(
        attribute for attribute in schema.STEP.attributes if attribute not in schema.STEP.model_only
    )
    assert "personas" in schema.page_fields(schema.JOURNEY_FILE)  # `persona` folds into it


def write_journey(maps: Path, step: dict[str, Any]) -> None:
    (maps / "journeys").mkdir(parents=True)
    (maps / "channels.yml").write_text("web:\n  name: Web\n  type: online\n", encoding="utf-8")
    lines = [f"    {key}: {value}" for key, value in step.items()]
    (maps / "journeys" / "buy.yml").write_text(
        "title: Buy\nstages:\n  - id: find\n    name: Find\nsteps:\n  - "
        + "\n".join(lines).lstrip()
        + "\n",
        encoding="utf-8",
    )


def test_the_loader_reads_the_keys_the_schema_names(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A key is read because the schema names it: renamed there, the loader follows,
    # with no change to the loader.
    fields = {
        ("mood" if key == "feeling" else key): spec for key, spec in schema.STEP.fields.items()
    }
    fields["mood"] = dataclasses.replace(fields["mood"], attribute="feeling")
    with_step_fields(monkeypatch, fields)
    write_journey(
        tmp_path / "maps",
        {"stage": "find", "channel": "web", "action": "Looks", "mood": "calm", "thought": "ok"},
    )
    result = load_playbook(tmp_path / "maps")
    assert not result.problems, result.problems
    step = result.raise_for_errors().journeys[0].steps[0]
    assert (step.feeling, step.thought) == ("calm", "ok")


def test_a_builder_that_forgets_a_derived_attribute_fails() -> None:
    raw = {"stage": "find", "channel": "web", "action": "Looks"}
    with pytest.raises(TypeError, match="derived attributes"):
        records.values(schema.STEP, raw, index=1)
    given = {"id": "a", "channel": "web", "touchpoint": "Web", "owner": None, "next": ()}
    assert Step(**records.values(schema.STEP, raw, "steps[0]", {}, index=1, **given)).action == (
        "Looks"
    )
