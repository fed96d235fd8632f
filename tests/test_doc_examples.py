"""Every YAML and CSV example in docs/ and the README builds.

Each ```yaml / ```csv block says what it is in an HTML comment on the line before it
(invisible on the published page):

- `<!-- example: PROJECT PATH -->`: the file PATH of the project PROJECT. The blocks of
  one project, from any page, are written together and built with `mkdocs build
  --strict` (a project without an `mkdocs.yml` block gets the tests' base config).
- `<!-- example: fragment KIND -->`: a deliberately partial file, checked against the
  JSON Schema of KIND (`journey`, `persona`, `channels`, `stage`, `step`, `kpi`) with
  no key required, so an unknown key or a wrong type still fails; or a part of
  `mkdocs.yml`, merged into a small config that MkDocs then loads.
- `<!-- example: file KIND -->`: one whole map file, checked against KIND's schema.
- `<!-- example: pending KIND -->`: the example of a file kind the loader does not know
  yet; it fails as soon as the loader knows it, so that it is then built.

The `cjm` blocks shown inside ````markdown examples are built against the sample
playbook of `mkdocs-cjm new --lang vi`, whose journey and team names they use.

The guide's key lists (docs/format.md) are held equal to the schema and the model by
tests/test_format_parity.py.
"""

from __future__ import annotations

import json
import logging
import re
import shlex
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT, run_build
from jsonschema import Draft7Validator
from markdown.extensions.toc import slugify
from mkdocs.config import load_config
from mkdocs.exceptions import Abort, ConfigurationError
from mkdocs.utils.yaml import yaml_load

from mkdocs_cjm.core import schema
from mkdocs_cjm.core.yamlsafe import read_yaml
from mkdocs_cjm.glue import cli
from mkdocs_cjm.glue.new import scaffold_files

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
GUIDE = ROOT / "docs" / "format.md"
EXAMPLE_LANGUAGES = {"yaml", "yml", "csv"}
MARKER = re.compile(r"^<!-- example: (\S+) (\S+) -->$")
FENCE = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
# The day the examples' `reviewed` dates are judged on: fixed, so a build never
# depends on the calendar.
TODAY = "2026-12-01"


@dataclass(frozen=True)
class Block:
    page: Path
    line: int  # of the opening fence, from 1
    language: str
    marker: tuple[str, str] | None
    text: str

    @property
    def where(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def fenced_blocks(page: Path, text: str | None = None, first_line: int = 1) -> Iterator[Block]:
    """The fenced blocks of a Markdown page (or of `text`, a part of it starting at
    `first_line`), outermost only, with the marker before each."""
    lines = (page.read_text(encoding="utf-8") if text is None else text).splitlines()
    index = 0
    while index < len(lines):
        opening = FENCE.match(lines[index])
        if not opening:
            index += 1
            continue
        indent, fence = len(opening["indent"]), opening["fence"]
        language = (opening["info"].strip().split() or [""])[0].lower()
        previous = next((line.strip() for line in reversed(lines[:index]) if line.strip()), "")
        found = MARKER.match(previous)
        body: list[str] = []
        index += 1
        while index < len(lines):
            closing = FENCE.match(lines[index])
            if (
                closing
                and closing["fence"][0] == fence[0]
                and len(closing["fence"]) >= len(fence)
                and not closing["info"].strip()
            ):
                break
            body.append(lines[index][indent:] if lines[index][:indent].isspace() else lines[index])
            index += 1
        yield Block(
            page,
            index - len(body) + first_line - 1,
            language,
            (found[1], found[2]) if found else None,
            "\n".join(body) + "\n",
        )
        index += 1


def examples() -> list[Block]:
    return [
        block
        for page in PAGES
        for block in fenced_blocks(page)
        if block.language in EXAMPLE_LANGUAGES
    ]


def projects() -> dict[str, dict[str, Block]]:
    found: dict[str, dict[str, Block]] = defaultdict(dict)
    for block in examples():
        if block.marker is None:
            continue  # reported by test_every_example_says_what_it_is
        how, what = block.marker
        if how not in {"fragment", "file", "pending"}:
            assert what not in found[how], f"{block.where}: {how}'s {what} is given twice"
            found[how][what] = block
    return dict(found)


def test_every_example_says_what_it_is() -> None:
    blocks = examples()
    assert len(blocks) >= 10, "the Markdown parser lost the examples"
    unmarked = [block.where for block in blocks if block.marker is None]
    assert not unmarked, (
        "YAML/CSV examples without an `<!-- example: ... -->` line before them "
        f"(see this file's docstring): {unmarked}"
    )


def write_blocks(project: Path, blocks: dict[str, Block]) -> Path:
    """A project of example blocks; the tests' base config and a home page where the
    examples give none."""
    for path, block in blocks.items():
        target = project / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(block.text, encoding="utf-8")
    if "mkdocs.yml" not in blocks:
        (project / "mkdocs.yml").write_text(
            "site_name: Example\ntheme:\n  name: material\nplugins:\n  - search\n  - cjm\n",
            encoding="utf-8",
        )
    if not (project / "docs").is_dir():
        (project / "docs").mkdir()
        (project / "docs" / "index.md").write_text("# Example\n", encoding="utf-8")
    return project


@pytest.mark.parametrize("name", sorted(projects()))
def test_project_examples_build(name: str, tmp_path: Path) -> None:
    blocks = projects()[name]
    project = write_blocks(tmp_path / name, blocks)
    result = run_build(project, env={"MKDOCS_CJM_TODAY": TODAY})  # --strict, never -q
    assert result.returncode == 0, f"{sorted(b.where for b in blocks.values())}\n{result.output}"
    assert "WARNING" not in result.output, result.output
    for path in blocks:
        if path.startswith("maps/journeys/"):
            page = result.page(f"playbook/journeys/{Path(path).stem}/")
            assert page.css_first("[data-cjm-map]") is not None
    for path, block in blocks.items():
        if not path.startswith("maps/metrics/"):
            continue
        # The CSV agrees with the YAML: its latest value of each KPI reaches the page.
        rows = [line.split(",") for line in block.text.splitlines()[1:] if line.strip()]
        for journey in {row[0] for row in rows}:
            latest = max(row[3] for row in rows if row[0] == journey)
            html = result.html(f"playbook/journeys/{journey}/")
            assert f'data-kpi-as-of="{latest}"' in html, (journey, latest)


def record_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schema of every record the loader knows, by the record's name."""
    found: dict[str, dict[str, Any]] = {}

    def walk(kind: schema.Kind, json_part: dict[str, Any]) -> None:
        if isinstance(kind, schema.Record):
            found.setdefault(kind.name, json_part)
            for key, spec in kind.fields.items():
                walk(spec.kind, json_part["properties"][key])
        elif isinstance(kind, schema.ListOf):
            walk(kind.item, json_part["items"])
        elif isinstance(kind, schema.MapOf):
            walk(kind.value, json_part["additionalProperties"])

    for name, kind in schema.FILE_KINDS.items():
        file_schema = schema.json_schema(name)
        found[name] = file_schema  # by the file kind too: `channels` is a mapping of channels
        walk(kind, file_schema)
    return found


def without_required(part: Any) -> Any:
    """A schema in which no record requires a key (`not: {required: [...]}`, which says
    that two keys exclude each other, stays)."""
    if isinstance(part, dict):
        return {
            key: without_required(value)
            for key, value in part.items()
            if not (key == "required" and "properties" in part)
        }
    if isinstance(part, list):
        return [without_required(value) for value in part]
    return part


def map_data(block: Block, tmp_path: Path) -> Any:
    # Read as the loader reads (dates stay text), not as yaml.safe_load would.
    path = tmp_path / "example.yml"
    path.write_text(block.text, encoding="utf-8")
    tree, problems = read_yaml(path, block.where)
    assert tree is not None, problems
    return tree.plain()


def merged(base: Any, part: Any) -> Any:
    if isinstance(base, dict) and isinstance(part, dict):
        return {**base, **{key: merged(base.get(key), value) for key, value in part.items()}}
    return part


def check_mkdocs_config(block: Block, tmp_path: Path) -> None:
    base = {"site_name": "Example", "theme": {"name": "material"}}
    config = merged(base, yaml_load(block.text))
    (tmp_path / "docs").mkdir()
    path = tmp_path / "mkdocs.yml"
    path.write_text(yaml.dump(config, allow_unicode=True), encoding="utf-8")
    warnings: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: warnings.append(record.getMessage())  # type: ignore[method-assign]
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        load_config(str(path))
    except (Abort, ConfigurationError) as error:
        pytest.fail(f"{block.where}: MkDocs refuses this configuration: {error}")
    finally:
        logger.removeHandler(handler)
    assert not warnings, f"{block.where}: {warnings}"


CHECKED = [
    block for block in examples() if block.marker and block.marker[0] in {"fragment", "file"}
]


@pytest.mark.parametrize("block", CHECKED, ids=[block.where for block in CHECKED])
def test_fragment_and_file_examples_match_the_schema(block: Block, tmp_path: Path) -> None:
    how, kind = block.marker or ("", "")
    if kind == "mkdocs.yml":
        assert how == "fragment", f"{block.where}: a whole mkdocs.yml belongs to a project"
        check_mkdocs_config(block, tmp_path)
        return
    records = record_schemas()
    assert kind in records, (
        f"{block.where}: unknown kind {kind!r}; expected one of {sorted(records)}"
    )
    part = records[kind]
    if how == "fragment":
        part = without_required(part)
    errors = [
        f"{'/'.join(map(str, error.absolute_path)) or '(top)'}: {error.message}"
        for error in Draft7Validator(json.loads(json.dumps(part))).iter_errors(
            map_data(block, tmp_path)
        )
    ]
    assert not errors, f"{block.where}: {errors}"


def test_pending_examples_wait_only_for_a_kind_the_loader_lacks() -> None:
    for block in examples():
        if block.marker and block.marker[0] == "pending":
            assert block.marker[1] not in schema.FILE_KINDS, (
                f"{block.where}: the loader knows {block.marker[1]!r} now: mark the example "
                "as a project file or a fragment so that it is built"
            )


def test_the_guide_example_is_built_from_the_top_of_the_guide() -> None:
    # The first examples of the guide are the complete project an author copies.
    first = [block for block in fenced_blocks(GUIDE) if block.language in EXAMPLE_LANGUAGES][:4]
    assert [block.marker for block in first] == [
        ("guide", "maps/channels.yml"),
        ("guide", "maps/personas/lan.yml"),
        ("guide", "maps/journeys/mua-kinh-ram.yml"),
        ("guide", "maps/metrics/kinh-ram.csv"),
    ]


def test_the_stale_example_says_what_validate_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # docs/living-maps.md's one stale map is the guide's journey with an old `reviewed`
    # date, followed by what `validate --stale` prints about it.
    blocks = list(fenced_blocks(ROOT / "docs" / "living-maps.md"))
    at = next(
        index
        for index, block in enumerate(blocks)
        if block.marker == ("fragment", "journey") and "reviewed:" in block.text
    )
    stale, shown = blocks[at], blocks[at + 1]
    path = stale.text.splitlines()[0].removeprefix("# ")
    guide = projects()["guide"]
    project = write_blocks(tmp_path / "stale", guide)
    journey = project / path
    fragment = map_data(stale, tmp_path)
    written = map_data(guide[path], tmp_path)
    assert {key: written[key] for key in fragment if key != "reviewed"} == {
        key: value for key, value in fragment.items() if key != "reviewed"
    }, f"{stale.where}: the stale example is not the guide's journey"
    journey.write_text(
        re.sub(
            r"^reviewed: .*$",
            f"reviewed: {fragment['reviewed']}",
            guide[path].text,
            flags=re.MULTILINE,
        ),
        encoding="utf-8",
    )
    command, *expected = shown.text.splitlines()
    assert command.startswith("$ mkdocs-cjm "), shown.where
    monkeypatch.chdir(project)
    assert cli.main(shlex.split(command)[2:]) == 1
    printed = capsys.readouterr()
    assert (printed.out + printed.err).splitlines() == expected


def test_embedded_view_examples_build_against_the_sample_playbook(tmp_path: Path) -> None:
    # The `cjm` blocks shown in ````markdown examples (README, embedding.md) name the
    # journey and teams of `mkdocs-cjm new --lang vi`'s sample: each renders its view.
    shown = [
        block
        for page in PAGES
        for block in fenced_blocks(page)
        if block.language in {"markdown", "md"}
        and any(
            inner.language == "cjm" for inner in fenced_blocks(page, block.text, block.line + 1)
        )
    ]
    views = [
        inner
        for block in shown
        for inner in fenced_blocks(block.page, block.text, block.line + 1)
        if inner.language == "cjm"
    ]
    assert len(views) >= 4, [block.where for block in shown]
    project = tmp_path / "sample"
    for name, content in scaffold_files("vi").items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_bytes(content)
    examples_page = "\n\n".join(block.text for block in shown)
    (project / "docs" / "examples.md").write_text(f"# Examples\n\n{examples_page}", "utf-8")
    result = run_build(project, env={"MKDOCS_CJM_TODAY": TODAY})  # --strict, never -q
    assert result.returncode == 0, f"{[view.where for view in views]}\n{result.output}"
    assert "WARNING" not in result.output, result.output
    rendered = result.page("examples/").css("[data-cjm-view]")
    assert [node.attributes["data-cjm-view"] for node in rendered] == [
        yaml.safe_load(view.text)["view"] for view in views
    ]


def anchors_of(page: Path) -> set[str]:
    """The ids a page's links can name: its headings' slugs (as MkDocs' toc makes them)
    and explicit `id="..."` attributes, outside fenced blocks."""
    found: set[str] = set()
    fence = ""
    for line in page.read_text(encoding="utf-8").splitlines():
        opening = FENCE.match(line)
        if opening and (not fence or opening["fence"].startswith(fence)):
            fence = "" if fence else opening["fence"]
            continue
        if fence:
            continue
        found.update(re.findall(r'\bid="([^"]+)"', line))
        if heading := re.match(r"^#{1,6} (.+)$", line):
            found.add(slugify(re.sub(r"[`*]", "", heading[1]), "-"))
    return found


def test_links_between_the_docs_pages_reach_their_anchors() -> None:
    # The guide links each key to the page part it feeds: a renamed heading or a
    # dropped anchor would leave the link going to the top of the page.
    broken = []
    checked = 0
    for page in (ROOT / "docs").glob("*.md"):
        for target, anchor in re.findall(
            r"\]\(([a-z0-9-]*\.md)?#([^)\s]+)\)", page.read_text("utf-8")
        ):
            checked += 1
            if anchor not in anchors_of(page.parent / target if target else page):
                broken.append(f"{page.name}: {target}#{anchor}")
    assert checked >= 20
    assert not broken
