"""Shared helpers: make a project from maps, build it with MkDocs for real, read its HTML."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

BASE_CONFIG = """\
site_name: Test playbook
theme:
  name: material
plugins:
  - search
  - cjm
"""

# A small playbook for focused tests: two channels, one persona, journeys of two steps.
SMALL_CHANNELS = """\
web:
  name: Website
  type: online
store:
  name: Store
  type: offline
"""


def small_journey(title: str, action: str = "Browses the catalogue") -> str:
    """A journey of persona `lan`: one step on the web (doing `action`), one in store."""
    return f"""\
title: {title}
persona: lan
stages:
  - id: look
    name: Look
  - id: buy
    name: Buy
steps:
  - id: browse
    stage: look
    channel: web
    action: {action}
    emotion: 4
  - id: pay
    stage: buy
    channel: store
    action: Pays at the till
    emotion: 3
"""


def small_maps(journeys: Mapping[str, str]) -> dict[str, str]:
    """Map files: the channels, persona `lan`, and the given journey texts by id."""
    files = {"maps/channels.yml": SMALL_CHANNELS, "maps/personas/lan.yml": "name: Lan\n"}
    return files | {f"maps/journeys/{name}.yml": text for name, text in journeys.items()}


@dataclass
class BuildResult:
    project: Path
    site: Path
    returncode: int
    output: str

    def page(self, url_path: str) -> HTMLParser:
        """Parsed HTML of a built page, by its site-relative URL ('playbook/journeys/x/')."""
        path = self.site / url_path
        if url_path.endswith("/") or url_path == "":
            path = path / "index.html"
        assert path.is_file(), f"{path} was not built; output:\n{self.output}"
        return HTMLParser(path.read_text(encoding="utf-8"))

    def html(self, url_path: str) -> str:
        path = self.site / url_path
        if url_path.endswith("/") or url_path == "":
            path = path / "index.html"
        return path.read_text(encoding="utf-8")


def write_project(
    root: Path,
    files: Mapping[str, str | bytes],
    config: str = BASE_CONFIG,
    docs: Mapping[str, str] | None = None,
) -> Path:
    """A project folder: mkdocs.yml, docs/ and maps/ files given by relative path."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    for name, text in (docs or {"index.md": "# Home\n"}).items():
        path = root / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


def copy_project(source: Path, destination: Path) -> Path:
    # The built site and the build folder only at the top: `mkdocs_cjm/site/` is code.
    top_only = {"site", "build"}
    anywhere = shutil.ignore_patterns(".cache", ".venv", "__pycache__", ".git", "node_modules")

    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = set(anywhere(folder, names))
        if Path(folder) == source:
            skipped |= top_only & set(names)
        return skipped

    shutil.copytree(source, destination, ignore=ignore)
    return destination


def save_in_one_step(project: Path, path: Path, text: str) -> None:
    """Write `path` of a served `project` in one step, as editors that save through a
    new file do.

    MkDocs' watcher polls file sizes and times twice a second. A plain write empties
    the file, then fills it: a poll between the two sees two changes, and the server
    builds the empty file first. The text goes to a file outside the watched folders,
    then takes the old file's place."""
    new = project / ".saving.tmp"
    new.write_text(text, encoding="utf-8")
    os.replace(new, path)


def run_build(
    project: Path,
    site: Path | None = None,
    *,
    strict: bool = True,
    env: Mapping[str, str] | None = None,
) -> BuildResult:
    """`mkdocs build` in a subprocess, as an author runs it."""
    site = site or project / "site"
    command = [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "-f",
        str(project / "mkdocs.yml"),
        "-d",
        str(site),
    ]
    if strict:
        command.append("--strict")
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        cwd=project,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
        timeout=300,
        check=False,
    )
    return BuildResult(project, site, result.returncode, result.stdout + result.stderr)


def text_of(node: Node | None) -> str:
    assert node is not None
    return " ".join(node.text(separator=" ").split())


@pytest.fixture
def build(tmp_path: Path) -> Callable[..., BuildResult]:
    """Write a project from files and build it; fails the test if the build fails."""

    def _build(
        files: Mapping[str, str | bytes],
        config: str = BASE_CONFIG,
        docs: Mapping[str, str] | None = None,
        *,
        strict: bool = True,
        expect_ok: bool = True,
    ) -> BuildResult:
        project = write_project(tmp_path / "project", files, config, docs)
        result = run_build(project, tmp_path / "site", strict=strict)
        if expect_ok:
            assert result.returncode == 0, result.output
        return result

    return _build


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The repository's own example playbook, built once per session with --strict."""
    project = copy_project(ROOT, tmp_path_factory.mktemp("example") / "project")
    result = run_build(project)
    assert result.returncode == 0, result.output
    return result


@pytest.fixture(scope="session")
def minimal_site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    project = copy_project(FIXTURES / "minimal", tmp_path_factory.mktemp("minimal") / "project")
    result = run_build(project)
    assert result.returncode == 0, result.output
    return result


@pytest.fixture(scope="session")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """tests/fixtures/hostile: maps whose every string is an attack, built with --strict."""
    project = copy_project(FIXTURES / "hostile", tmp_path_factory.mktemp("hostile") / "project")
    result = run_build(project)
    assert result.returncode == 0, result.output
    return result
