"""MkDocs' private API in one adapter (glue/mkdocs_internals.py): the fast rebuild runs
only with the exact versions it was tested with; with any other, the dev server makes a
full rebuild and the log says why. The fast path itself, against the installed (tested)
versions, is tests/test_fast_serve.py's."""

from __future__ import annotations

import ast
import logging
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from mkdocs_cjm.glue import fast_serve
from mkdocs_cjm.glue import mkdocs_internals as internals
from mkdocs_cjm.glue.config import read_mkdocs_config
from mkdocs_cjm.glue.fast_serve import FastRebuilds, LastBuild, ServeState

PLUGIN_LOGGER = "mkdocs.plugins.mkdocs_cjm.plugin"
GLUE = Path(internals.__file__).parent


def test_the_tested_versions_are_pyprojects_pins_and_the_installed_ones() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f'"properdocs=={internals.TESTED["properdocs"]}"' in pyproject
    for distribution, version in internals.TESTED.items():
        assert internals.installed_version(distribution) == version, (
            f"{distribution} {internals.installed_version(distribution)} is installed: run "
            f"tests/test_fast_serve.py with it, then set TESTED in mkdocs_internals.py"
        )


def test_with_the_tested_versions_the_example_site_may_take_the_fast_path() -> None:
    config, _ = read_mkdocs_config(ROOT / "mkdocs.yml", echo=False)
    assert internals.unsupported(config) is None


def _last_build(config: Any) -> LastBuild:
    """A last build whose every part but the config fails if the fast path touches it."""
    untouchable: Any = object()
    return LastBuild(
        config,
        untouchable,
        untouchable,
        untouchable,
        untouchable,
        untouchable,
        untouchable,
        [],
    )


@pytest.mark.parametrize("distribution", ["mkdocs", "properdocs", "mkdocs-material"])
def test_another_version_means_a_full_rebuild_with_the_reason_logged(
    distribution: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    tool = "properdocs" if distribution == "properdocs" else "mkdocs"
    if internals.installed_version(tool) is None:
        pytest.skip(f"{tool} is not installed")
    config_module = __import__(f"{tool}.config.defaults", fromlist=["x"])
    config = getattr(
        config_module, "ProperDocsConfig" if tool == "properdocs" else "MkDocsConfig"
    )()
    # Material's search plugin, as the example site has it (no loading needed: the
    # version check comes first and only names the plugin's class).
    search = __import__("material.plugins.search.plugin", fromlist=["x"]).SearchPlugin()
    config["plugins"] = {"material/search": search}
    tested = internals.installed_version
    monkeypatch.setattr(
        internals,
        "installed_version",
        lambda name: "99.0.0" if name == distribution else tested(name),
    )

    def not_attempted(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the fast rebuild was attempted")

    monkeypatch.setattr(fast_serve, "build_section", not_attempted)
    monkeypatch.setattr(fast_serve, "watched_inputs", not_attempted)
    monkeypatch.setattr(internals, "render_pages", not_attempted)
    full_builds: list[tuple[Any, ...]] = []
    state = ServeState(cache=not_attempted, replace_pages=not_attempted)  # type: ignore[arg-type]
    state.last = _last_build(config)
    rebuild = FastRebuilds(state, lambda *args: full_builds.append(args))

    with caplog.at_level(logging.INFO, logger=PLUGIN_LOGGER):
        rebuild()

    assert full_builds == [()]
    reason = (
        f"the fast rebuild is tested with {distribution} {internals.TESTED[distribution]}, "
        "not 99.0.0"
    )
    assert f"journey maps: full rebuild: {reason}" in caplog.messages
    assert state.last is None and state.why_not == reason  # the next rebuild is full too


def test_the_fast_path_is_never_attempted_for_an_unknown_build_tool() -> None:
    class OtherConfig(dict[str, Any]):
        pass

    OtherConfig.__module__ = "othertool.config"
    assert internals.unsupported(OtherConfig()) == "unknown build tool othertool"  # type: ignore[arg-type]


def test_mkdocs_private_api_is_used_in_the_adapter_only() -> None:
    """`_populate_page`, `_build_page`, the search plugins' index and the dev server's
    builder are named in mkdocs_internals.py and nowhere else in the glue (the only
    package importing MkDocs)."""
    private = ("_populate_page", "_build_page", "search_index", "server.builder")
    package = GLUE.parent
    for path in sorted(GLUE.glob("*.py")):
        if path.name == "mkdocs_internals.py":
            continue
        text = path.read_text(encoding="utf-8")
        for name in private:
            assert name not in text, f"{path.relative_to(package)} uses {name}"


def test_fast_serve_does_not_import_the_plugin() -> None:
    """No import circle: the plugin imports fast_serve, fast_serve never the plugin."""
    tree = ast.parse((GLUE / "fast_serve.py").read_text(encoding="utf-8"))
    imported = {
        node.module
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module is not None
    } | {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert "mkdocs_cjm.glue.plugin" not in imported
    assert not any(
        isinstance(node, ast.ImportFrom)
        and node.module == "mkdocs_cjm.glue"
        and any(alias.name == "plugin" for alias in node.names)
        for node in ast.walk(tree)
    )
