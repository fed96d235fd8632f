"""`mkdocs-cjm validate` and `mkdocs build` read mkdocs.yml the same way (issue 9).

Every configuration here is built for real and validated by the console command,
each in its own process: both must pass or both fail, with the same message,
and neither may print a traceback. The CLI loads mkdocs.yml with MkDocs' own
loader, so `!ENV`, `INHERIT` and both forms of `plugins:` count, and the plugin's
options are checked by its one config schema.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import run_build, small_journey, small_maps, write_project

CONFIG = """\
site_name: Parity
theme:
  name: material
plugins:
  - search
  - cjm
"""
GOOD = small_maps({"alpha": small_journey("Alpha")})
# Valid, with one unknown key: a warning, or an error under the plugin's `strict`.
UNKNOWN_KEY = small_maps({"alpha": small_journey("Alpha").replace("emotion: 4", "emotoin: 4")})
BROKEN = small_maps({"alpha": small_journey("Alpha").replace("channel: web", "channel: webb")})


def with_options(options: str) -> str:
    """CONFIG with these lines under `- cjm:`."""
    return CONFIG.replace("  - cjm\n", "  - cjm:\n" + textwrap.indent(options, "      "))


@dataclass
class Case:
    id: str
    config: str
    ok: bool
    message: str = ""  # in the output of both, when they fail
    files: dict[str, str | bytes] = field(default_factory=lambda: dict(GOOD))
    env: dict[str, str] = field(default_factory=dict)


def option_error(option: str) -> str:
    return f"Config value 'plugins': Plugin 'cjm' option '{option}': "


CASES = [
    Case("defaults", CONFIG, ok=True),
    # The reproductions of issue 9, as written.
    Case(
        "allow-html-quoted",
        with_options('allow_html: "false"\n'),
        False,
        option_error("allow_html"),
    ),
    Case(
        "backend-bogus",
        with_options("graphviz_backend: bogus\n"),
        False,
        option_error("graphviz_backend"),
    ),
    Case(
        "max-file-size-word",
        with_options("max_file_size: big\n"),
        False,
        option_error("max_file_size"),
    ),
    Case("maps-dir-number", with_options("maps_dir: 5\n"), False, option_error("maps_dir")),
    Case("cache-dir-number", with_options("cache_dir: 7\n"), False, option_error("cache_dir")),
    Case("language-number", with_options("language: 5\n"), False, option_error("language")),
    Case("prefix-number", with_options("prefix: 5\n"), False, option_error("prefix")),
    Case("prefix-parent", with_options("prefix: ../docs\n"), False, "it contains '..'"),
    Case(
        "maps-dir-empty",
        with_options("maps_dir: ''\n"),
        False,
        option_error("maps_dir") + "is empty",
    ),
    Case(
        "cache-dir-empty",
        with_options("cache_dir: ''\n"),
        False,
        option_error("cache_dir") + "is empty",
    ),
    Case("max-file-size-zero", with_options("max_file_size: 0\n"), False, "0 is too small"),
    Case("max-file-size-negative", with_options("max_file_size: -1\n"), False, "-1 is too small"),
    Case(
        "custom-templates-missing",
        with_options("custom_templates: nowhere\n"),
        False,
        "nowhere' does not exist",
    ),
    # A reviewer's variants.
    Case(
        "prefix-absolute", with_options("prefix: /playbook\n"), False, "(did you mean 'playbook'?)"
    ),
    Case(
        "prefix-parent-inside", with_options("prefix: cx/../../docs\n"), False, "it contains '..'"
    ),
    Case("prefix-backslash", with_options("prefix: '..\\docs'\n"), False, option_error("prefix")),
    Case("prefix-nested", with_options("prefix: cx/playbook/\n"), ok=True),
    Case("prefix-root", with_options("prefix: ''\n"), ok=True),
    Case("cache-dir-project", with_options("cache_dir: .\n"), False, "is the project's own folder"),
    Case(
        "max-file-size-boolean",
        with_options("max_file_size: true\n"),
        False,
        option_error("max_file_size"),
    ),
    Case(
        "max-file-size-quoted", with_options("max_file_size: '2048'\n"), False, "remove the quotes"
    ),
    Case("allow-html-true", with_options("allow_html: true\n"), ok=True),
    Case(
        "timeout-zero",
        with_options("graphviz_timeout: 0\n"),
        False,
        option_error("graphviz_timeout"),
    ),
    Case(
        "timeout-quoted",
        with_options("graphviz_timeout: '60'\n"),
        False,
        option_error("graphviz_timeout"),
    ),
    Case("timeout-fraction", with_options("graphviz_timeout: 2.5\n"), ok=True),
    Case(
        "max-size-zero",
        with_options("graphviz_max_size: 0\n"),
        False,
        option_error("graphviz_max_size"),
    ),
    Case("group-below-never", with_options("group_journeys_over: -2\n"), False, "-2 is too small"),
    Case("strict-quoted", with_options("strict: 'yes'\n"), False, option_error("strict")),
    Case(
        "today-not-a-date",
        with_options("today: soon\n"),
        False,
        "the option today is 'soon'; expected a date written YYYY-MM-DD",
    ),
    Case("today-a-date", with_options("today: '2026-11-30'\n"), ok=True),
    # Where the options come from: MkDocs' own loader.
    Case(
        "env-tag-set",
        with_options("maps_dir: !ENV [CJM_MAPS, maps]\n"),
        False,
        "unknown channel 'webb'",
        files={**GOOD, **{name.replace("maps/", "broken/"): text for name, text in BROKEN.items()}},
        env={"CJM_MAPS": "broken"},
    ),
    Case("env-tag-default", with_options("maps_dir: !ENV [CJM_MAPS, maps]\n"), ok=True),
    Case(
        "inherit",
        "INHERIT: base.yml\nsite_name: Parity\n",
        False,
        "unknown key 'emotoin'",
        files={**UNKNOWN_KEY, "base.yml": with_options("strict: true\n")},
    ),
    Case("without-inherit", CONFIG, ok=True, files=dict(UNKNOWN_KEY)),
    Case(
        "plugins-mapping",
        "site_name: Parity\ntheme:\n  name: material\nplugins:\n  search: {}\n"
        "  cjm:\n    maps_dir: journey-maps\n",
        False,
        "journey-maps/journeys/alpha.yml",
        files={name.replace("maps/", "journey-maps/"): text for name, text in BROKEN.items()},
    ),
    Case(
        "plugins-mapping-good",
        "site_name: Parity\ntheme:\n  name: material\nplugins:\n  search: {}\n"
        "  cjm:\n    maps_dir: journey-maps\n",
        True,
        files={name.replace("maps/", "journey-maps/"): text for name, text in GOOD.items()},
    ),
    # Maps that only the build used to refuse.
    Case(
        "journey-id-index",
        CONFIG,
        False,
        "maps/journeys/index.yml: error: the id 'index' is reserved",
        files=small_maps({"alpha": small_journey("Alpha"), "index": small_journey("Index")}),
    ),
    Case(
        "template-syntax-error",
        with_options("custom_templates: overrides\n"),
        False,
        "overrides/persona.md.j2, line 2",
        files={**GOOD, "overrides/persona.md.j2": "# {{ persona.name }}\n{% if %}\n"},
    ),
]


def validate(project: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs_cjm.glue.cli", "validate"],
        cwd=project,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **env},
        timeout=300,
        check=False,
    )


def config_errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("ERROR   -  Config value")]


def test_every_case_has_its_own_id() -> None:
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_validate_and_build_agree(case: Case, tmp_path: Path) -> None:
    project = write_project(tmp_path / "project", case.files, case.config)
    built = run_build(project, tmp_path / "site", strict=False, env=case.env)
    validated = validate(project, case.env)
    both = f"build:\n{built.output}\nvalidate:\n{validated.stdout}{validated.stderr}"
    assert "Traceback" not in both
    assert (built.returncode == 0, validated.returncode == 0) == (case.ok, case.ok), both
    if case.message:
        assert case.message in built.output, both
        assert case.message in validated.stderr, both
    # A configuration error reads the same, word for word, from both commands.
    assert config_errors(built.output) == config_errors(validated.stderr), both
    if not case.ok:
        assert not (tmp_path / "site").exists(), "a refused configuration wrote a site"


def test_export_refuses_what_the_build_refuses(tmp_path: Path) -> None:
    """allow_html: "false" (quoted) used to be taken as true by export, which then wrote
    the maps' `<img onerror>` and `javascript:` links unescaped."""
    journey = small_journey("Alpha", action="<img src=x onerror=alert(1)> [x](javascript:alert(1))")
    project = write_project(
        tmp_path / "project", small_maps({"alpha": journey}), with_options('allow_html: "false"\n')
    )
    out = tmp_path / "out"
    exported = subprocess.run(
        [sys.executable, "-m", "mkdocs_cjm.glue.cli", "export", str(out)],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert exported.returncode == 1
    assert "Traceback" not in exported.stderr
    assert option_error("allow_html") in exported.stderr
    assert not out.exists()
