"""The published JSON Schemas match the loader: same files accepted, type errors rejected by both."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, ROOT
from jsonschema import Draft7Validator
from test_errors import CASES, Case, make_project

from mkdocs_cjm.core.loader import load_playbook
from mkdocs_cjm.core.schema import FILE_KINDS, json_schema
from mkdocs_cjm.core.yamlsafe import read_yaml
from mkdocs_cjm.glue import cli

PUBLISHED = resources.files("mkdocs_cjm") / "schemas"


def kind_of(path: Path) -> str:
    if path.parent.name == "journeys":
        return "journey"
    if path.parent.name == "personas":
        return "persona"
    assert path.stem in ("channels", "playbook"), path
    return path.stem


def validator(kind: str) -> Draft7Validator:
    schema = json.loads((PUBLISHED / f"{kind}.schema.json").read_text(encoding="utf-8"))
    return Draft7Validator(schema)


def plain_data(path: Path) -> Any:
    # Read as the loader reads (timestamps stay text), not as yaml.safe_load would.
    tree, problems = read_yaml(path, path.name)
    assert tree is not None, problems
    return tree.plain()


def test_published_schemas_are_generated_from_the_format() -> None:
    for kind in FILE_KINDS:
        published = json.loads((PUBLISHED / f"{kind}.schema.json").read_text(encoding="utf-8"))
        assert published == json_schema(kind), (
            f"{kind}.schema.json is stale: run `mkdocs-cjm schema -o mkdocs_cjm/schemas`"
        )
    assert sorted(path.name for path in PUBLISHED.iterdir() if path.name.endswith(".json")) == [
        f"{kind}.schema.json" for kind in sorted(FILE_KINDS)
    ]


def test_schema_command_writes_the_published_files(tmp_path: Path) -> None:
    assert cli.main(["schema", "-o", str(tmp_path)]) == 0
    for kind in FILE_KINDS:
        written = (tmp_path / f"{kind}.schema.json").read_bytes()
        assert written == (PUBLISHED / f"{kind}.schema.json").read_bytes()


def test_schema_command_prints_one_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["schema", "persona"]) == 0
    assert json.loads(capsys.readouterr().out) == json_schema("persona")


def test_schemas_are_valid_draft_7() -> None:
    for kind in FILE_KINDS:
        Draft7Validator.check_schema(json_schema(kind))


VALID_MAP_DIRS = [ROOT / "maps", *sorted(FIXTURES.glob("*/maps"))]
VALID_FILES = [path for folder in VALID_MAP_DIRS for path in sorted(folder.rglob("*.y*ml"))]


def test_fixture_map_folders_are_valid_for_the_loader() -> None:
    for folder in VALID_MAP_DIRS:
        result = load_playbook(folder)
        assert result.errors == [], [str(p) for p in result.errors]


@pytest.mark.parametrize(
    "path", VALID_FILES, ids=[path.relative_to(ROOT).as_posix() for path in VALID_FILES]
)
def test_every_valid_map_validates_against_its_schema(path: Path) -> None:
    errors = [error.message for error in validator(kind_of(path)).iter_errors(plain_data(path))]
    assert errors == []


# Corpus cases whose broken file is well-formed YAML with a type or value error:
# editors that use the schema must flag them as the loader does.
TYPE_ERROR_CASES = [
    "top-level-list-journey",
    "top-level-scalar-persona",
    "top-level-list-channels",
    "missing-title",
    "missing-step-channel",
    "missing-channel-type",
    "both-persona-and-personas",
    "required-key-empty",
    "stages-is-a-mapping",
    "step-is-text",
    "goals-is-text",
    "tagline-is-a-number",
    "emotion-in-quotes",
    "higher-is-better-not-boolean",
    "steps-empty-list",
    "unknown-key-strict",
    "emotion-zero",
    "emotion-six",
    "emotion-fraction",
    "channel-type-digital",
    "channel-type-capitalised",
    "stage-id-capitalised",
    "step-id-with-space",
    "channel-key-not-an-id",
    "both-persona-and-personas",
]
CASES_BY_ID = {case.id: case for case in CASES}


@pytest.mark.parametrize("case_id", TYPE_ERROR_CASES)
def test_schema_rejects_what_the_loader_rejects(case_id: str, tmp_path: Path) -> None:
    case: Case = CASES_BY_ID[case_id]
    project = make_project(tmp_path / "project", case.files, case.remove)
    result = load_playbook(project / "maps", display_root=project, options=case.options)
    assert result.errors, "the loader must reject the case"
    [name] = case.files
    path = project / name
    assert list(validator(kind_of(path)).iter_errors(plain_data(path))), (
        f"the {kind_of(path)} schema accepts {name}, which the loader rejects"
    )
