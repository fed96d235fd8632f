"""Shared helpers: make a project from maps, build it with MkDocs for real, read its HTML."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import textwrap
import traceback
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import jinja2.bccache
import pytest
from jinja2.utils import _PassArg
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


class _CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once per test process, not once per build: every build
    makes new Jinja environments (MkDocs' theme, the plugin's pages) over the same
    files. A template is taken from here only for the same source, file and
    everything its compiled code depends on (syntax, autoescape, filters and tests
    by how they are called); it fails to compile just as before."""

    def __init__(self) -> None:
        self.codes: dict[tuple[object, ...], Any] = {}

    def get_bucket(
        self, environment: jinja2.Environment, name: str, filename: str | None, source: str
    ) -> jinja2.bccache.Bucket:
        autoescape = environment.autoescape
        key = (
            name,
            filename,
            source,
            environment.block_start_string,
            environment.block_end_string,
            environment.variable_start_string,
            environment.variable_end_string,
            environment.comment_start_string,
            environment.comment_end_string,
            environment.line_statement_prefix,
            environment.line_comment_prefix,
            environment.trim_blocks,
            environment.lstrip_blocks,
            environment.newline_sequence,
            environment.keep_trailing_newline,
            environment.optimized,
            environment.is_async,
            tuple(sorted(environment.extensions)),
            autoescape(name) if callable(autoescape) else autoescape,
            environment.finalize,
            tuple(sorted((n, _PassArg.from_obj(f)) for n, f in environment.filters.items())),
            tuple(sorted((n, _PassArg.from_obj(f)) for n, f in environment.tests.items())),
        )
        bucket = jinja2.bccache.Bucket(environment, "", "")  # keyed below, by `key`
        bucket.code = self.codes.get(key)
        bucket.cache_key = key  # type: ignore[attr-defined]
        return bucket

    def set_bucket(self, bucket: jinja2.bccache.Bucket) -> None:
        self.codes[bucket.cache_key] = bucket.code  # type: ignore[attr-defined]


_COMPILED_TEMPLATES = _CompiledTemplates()
_environment_init = jinja2.Environment.__init__


def _environment_with_compiled_templates(
    self: jinja2.Environment, *args: Any, **kwargs: Any
) -> None:
    _environment_init(self, *args, **kwargs)
    if self.bytecode_cache is None:
        self.bytecode_cache = _COMPILED_TEMPLATES


jinja2.Environment.__init__ = _environment_with_compiled_templates  # type: ignore[method-assign]

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
    """`mkdocs build` as an author runs it: MkDocs' own command line, in this process
    (what `mkdocs serve` does on every rebuild) unless `env` changes more than the
    day, or CJM_TEST_SUBPROCESS=1 asks for a child process for every build."""
    site = site or project / "site"
    arguments = ["build", "-f", str(project / "mkdocs.yml"), "-d", str(site)]
    if strict:
        arguments.append("--strict")
    if os.environ.get("CJM_TEST_SUBPROCESS") == "1" or not set(env or {}) <= _IN_PROCESS_ENV:
        return _run_build_subprocess(project, site, arguments, env)
    return _run_build_in_process(project, site, arguments, env)


# Environment variables read at build time only, so they can be set for one build here.
_IN_PROCESS_ENV = {"MKDOCS_CJM_TODAY", "NO_MKDOCS_2_WARNING"}


def _run_build_subprocess(
    project: Path, site: Path, arguments: list[str], env: Mapping[str, str] | None
) -> BuildResult:
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", *arguments],
        capture_output=True,
        text=True,
        cwd=project,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
        timeout=300,
        check=False,
    )
    return BuildResult(project, site, result.returncode, result.stdout + result.stderr)


def _forget_plugins() -> None:
    """New plugin objects for the next build, as in a new process. MkDocs keeps a
    plugin that has `on_startup` for the life of its process (for `mkdocs serve`'s
    rebuilds), with the plugin's in-memory diagram cache and last good pages; the
    fence keeps the sites its blocks show."""
    from mkdocs.config.config_options import Plugins
    from mkdocs.config.defaults import MkDocsConfig

    for _, option in MkDocsConfig._schema:
        if isinstance(option, Plugins):
            option.plugin_cache.clear()
    # And the `cjm` blocks' sites, registered by the plugin or loaded by the block.
    fence = sys.modules.get("mkdocs_cjm.glue.fence")
    for name in ("_REGISTERED", "_LOADED", "_CONFIGS"):
        held = getattr(fence, name, None)
        if isinstance(held, dict):
            held.clear()


def _run_build_in_process(
    project: Path, site: Path, arguments: list[str], env: Mapping[str, str] | None
) -> BuildResult:
    """MkDocs' command line through click's runner, leaving the process as it found it:
    the working folder, the environment, the warning filters and the loggers (the
    command line adds a handler and a filter that drops repeated messages)."""
    from click.testing import CliRunner
    from mkdocs.__main__ import ColorFormatter, cli

    ColorFormatter.text_wrapper.width = 0  # as in a child process writing to a pipe

    loggers = {name: logging.getLogger(name) for name in ("mkdocs", "mkdocs.commands.build")}
    saved = {
        name: (logger.level, logger.propagate, list(logger.handlers), list(logger.filters))
        for name, logger in loggers.items()
    }
    saved_env = {name: os.environ.get(name) for name in _IN_PROCESS_ENV}
    cwd = os.getcwd()
    os.environ.update({"NO_MKDOCS_2_WARNING": "1", **(env or {})})
    _forget_plugins()
    try:
        os.chdir(project)
        with warnings.catch_warnings():
            result = CliRunner().invoke(cli, arguments, catch_exceptions=True)
    finally:
        _forget_plugins()
        os.chdir(cwd)
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        for name, (level, propagate, handlers, filters) in saved.items():
            logger = loggers[name]
            logger.setLevel(level)
            logger.propagate = propagate
            logger.handlers[:] = handlers
            logger.filters[:] = filters
    output = result.stdout + result.stderr  # in the order a child's pipes are read
    returncode = result.exit_code
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        # As Python prints an exception nobody caught, and exits with 1.
        output += "".join(traceback.format_exception(result.exception))
        returncode = 1
    return BuildResult(project, site, returncode, output)


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


# The slow tier, left out by `make test-fast` (`-m "not slow"`): tests that drive a
# real browser, run `mkdocs serve` (waiting on its file watcher), or time Graphviz
# at its limits. Derived here from where a test lives and what it uses, so a new
# test of those kinds is slow without being marked.
SLOW_MODULES = {"test_serve.py", "test_fast_serve.py"}
SLOW_FIXTURES = {"browser", "open_page", "site_url", "blind20_url", "server"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.fspath))
        if (
            "browser" in path.parts
            or path.name in SLOW_MODULES
            or item.get_closest_marker("browser") is not None
            or SLOW_FIXTURES & set(getattr(item, "fixturenames", ()))
        ):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def diagram_renderer(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One diagram renderer for the session (as `mkdocs serve` keeps one across
    rebuilds): a diagram drawn for one test is not drawn again for the next. For
    tests that read what is rendered, not how many times Graphviz ran."""
    from mkdocs_cjm.render.diagrams import Backend, DiagramRenderer

    return DiagramRenderer(Backend.AUTO, tmp_path_factory.mktemp("diagrams"))
