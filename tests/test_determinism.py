"""Two builds of the same maps give byte-identical pages and diagrams.

The example playbook is built three times per Graphviz backend: with a cold
diagram cache, again with the cache the first build left (warm), and cold from a
copy at another path (nothing may depend on where the project lives). Every
output file is compared byte for byte, except the sitemap: MkDocs writes the
build date into sitemap.xml and gzip writes a timestamp into sitemap.xml.gz.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, BuildResult, copy_project, run_build

DATED = {"sitemap.xml", "sitemap.xml.gz"}
COMPARED_SUFFIXES = {".html", ".svg", ".css", ".js", ".json"}


def with_backend(project: Path, backend: str) -> Path:
    """Pin the project's cjm plugin to one Graphviz backend."""
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    plugin = re.search(r"^(?P<indent>[ \t]*)- cjm:[ \t]*$", text, re.MULTILINE)
    assert plugin is not None, "the example's mkdocs.yml no longer has a `- cjm:` block"
    option = f"\n{plugin['indent']}    graphviz_backend: {backend}"
    config.write_text(text[: plugin.end()] + option + text[plugin.end() :], encoding="utf-8")
    return project


def outputs(site: Path) -> dict[str, bytes]:
    return {
        path.relative_to(site).as_posix(): path.read_bytes()
        for path in sorted(site.rglob("*"))
        if path.is_file() and path.name not in DATED
    }


def cache_files(project: Path) -> dict[str, int]:
    cache = project / ".cache" / "cjm"
    return {
        path.relative_to(cache).as_posix(): path.stat().st_mtime_ns for path in cache.rglob("*.svg")
    }


def assert_same(first: BuildResult, second: BuildResult, what: str) -> None:
    one, two = outputs(first.site), outputs(second.site)
    assert one.keys() == two.keys(), f"{what}: different files {sorted(one.keys() ^ two.keys())}"
    different = [name for name in one if one[name] != two[name]]
    assert not different, f"{what}: {len(different)} files differ, first ones: {different[:10]}"


@pytest.mark.slow  # three whole builds of the example per backend
@pytest.mark.parametrize(
    "backend",
    [
        pytest.param(
            "dot",
            marks=[
                pytest.mark.dot,
                pytest.mark.skipif(shutil.which("dot") is None, reason="no `dot` binary on PATH"),
            ],
        ),
        "wasm",
    ],
)
def test_builds_are_byte_identical(tmp_path: Path, backend: str) -> None:
    project = with_backend(copy_project(ROOT, tmp_path / "one" / "project"), backend)
    cold = run_build(project, tmp_path / "cold")
    assert cold.returncode == 0, cold.output
    cached = cache_files(project)
    assert cached, "the first build left no diagram in the cache"

    warm = run_build(project, tmp_path / "warm")
    assert warm.returncode == 0, warm.output
    # Nothing was rendered again: every diagram came from the cache as written.
    assert cache_files(project) == cached

    elsewhere = with_backend(copy_project(ROOT, tmp_path / "two" / "elsewhere"), backend)
    moved = run_build(elsewhere, tmp_path / "moved")
    assert moved.returncode == 0, moved.output

    compared = outputs(cold.site)
    assert sum(Path(name).suffix in COMPARED_SUFFIXES for name in compared) > 20
    assert any(name.startswith("assets/cjm/flows/") for name in compared)
    assert_same(cold, warm, "cold and warm cache")
    assert_same(cold, moved, "another project path")
