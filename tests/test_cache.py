"""The diagram cache: each distinct diagram is rendered once, edits re-render only what changed,
and a damaged or half-written cache entry is never trusted.

Builds run in this process through MkDocs' own `build()`, with the config loaded
afresh each time as `mkdocs serve` does, so the plugin object (and its renderer)
carries over between them exactly as it does under serve.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import small_journey, small_maps, write_project

from mkdocs_cjm.render.diagrams import Backend, DiagramRenderer, clean_svg

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

JOURNEYS = {"alpha": "Browses the catalogue", "beta": "Reads reviews", "gamma": "Compares prices"}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    maps = small_maps(
        {
            journey_id: small_journey(journey_id.title(), action)
            for journey_id, action in JOURNEYS.items()
        }
    )
    return write_project(tmp_path / "project", maps)


class Serve:
    """Builds of one project in this process, each with a freshly loaded config (as serve does)."""

    def __init__(self, project: Path) -> None:
        self.project = project
        self.plugin: object | None = None

    def build(self) -> DiagramRenderer:
        from mkdocs.commands.build import build
        from mkdocs.config import load_config

        config = load_config(str(self.project / "mkdocs.yml"), site_dir=str(self.project / "site"))
        if self.plugin is None:
            config.plugins.on_startup(command="serve", dirty=False)
        plugin = config.plugins["cjm"]
        if self.plugin is None:
            self.plugin = plugin
        assert plugin is self.plugin, "MkDocs did not keep the plugin object between builds"
        build(config)
        renderer = plugin._renderer  # type: ignore[attr-defined]
        assert isinstance(renderer, DiagramRenderer)
        return renderer


def flow_svg(project: Path, journey_id: str) -> str:
    return (project / "site" / "assets" / "cjm" / "flows" / f"{journey_id}.svg").read_text("utf-8")


def test_second_build_renders_nothing_and_an_edit_renders_only_its_journey(
    project: Path,
) -> None:
    serve = Serve(project)
    renderer = serve.build()
    assert renderer.rendered == len(JOURNEYS)
    before = {journey_id: flow_svg(project, journey_id) for journey_id in JOURNEYS}

    renderer = serve.build()
    assert renderer.rendered == len(JOURNEYS), "an unchanged rebuild rendered diagrams again"

    path = project / "maps" / "journeys" / "beta.yml"
    path.write_text(small_journey("Beta", "Reads reviews on a forum"), encoding="utf-8")
    renderer = serve.build()
    assert renderer.rendered == len(JOURNEYS) + 1
    assert "forum" in flow_svg(project, "beta")
    assert "forum" not in before["beta"]
    for journey_id in ("alpha", "gamma"):
        assert flow_svg(project, journey_id) == before[journey_id]
    page = (project / "site" / "playbook" / "journeys" / "beta" / "index.html").read_text("utf-8")
    assert "Reads reviews on a forum" in page


def test_a_fresh_renderer_reads_every_diagram_from_the_disk_cache(project: Path) -> None:
    Serve(project).build()
    cache = project / ".cache" / "cjm"
    sources = _sources(project)
    fresh = DiagramRenderer(Backend.AUTO, cache)
    svgs = fresh.render_all(sources)
    assert fresh.rendered == 0
    for journey_id, svg in zip(sorted(JOURNEYS), svgs, strict=True):
        assert svg == flow_svg(project, journey_id)


def _sources(project: Path) -> list[str]:
    from mkdocs_cjm.core.loader import load_playbook
    from mkdocs_cjm.render.flow import flow_dot
    from mkdocs_cjm.site.i18n import labels_for

    playbook = load_playbook(project / "maps", display_root=project).raise_for_errors()
    journeys = sorted(playbook.journeys, key=lambda journey: journey.id)
    return [flow_dot(journey, playbook, labels_for("en")) for journey in journeys]


SOURCE = 'digraph g { a [label="cache me"]; a -> b }'


def _entries(cache: Path) -> list[Path]:
    return [path for path in cache.rglob("*.svg") if not path.name.startswith(".")]


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data.replace(b"cache me", b"evil"), id="altered"),
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: b"\xff\xfe" + data, id="not-utf8"),
    ],
)
def test_a_damaged_entry_is_rendered_again_and_replaced(tmp_path: Path, damage: object) -> None:
    cache = tmp_path / "cache"
    expected = DiagramRenderer(Backend.AUTO, cache).render(SOURCE)
    (entry,) = _entries(cache)
    entry.write_bytes(damage(entry.read_bytes()))  # type: ignore[operator]

    renderer = DiagramRenderer(Backend.AUTO, cache)
    assert renderer.render(SOURCE) == expected
    assert renderer.rendered == 1

    again = DiagramRenderer(Backend.AUTO, cache)
    assert again.render(SOURCE) == expected
    assert again.rendered == 0, "the damaged entry was not replaced by a good one"


KILLED_WRITER = textwrap.dedent(
    """
    import os, sys, time
    from mkdocs_cjm.render import diagrams

    real_fdopen = os.fdopen

    class HalfThenHang:
        def __init__(self, handle):
            self.handle = handle
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            return self.handle.__exit__(*exc)
        def write(self, text):
            marker = b"cache me" if isinstance(text, bytes) else "cache me"
            if marker not in text:
                return self.handle.write(text)  # another cache file (compiled wasm)
            self.handle.write(text[: len(text) // 2])
            self.handle.flush()
            print("HALF", flush=True)
            time.sleep(120)

    diagrams.os.fdopen = lambda *a, **k: HalfThenHang(real_fdopen(*a, **k))
    diagrams.DiagramRenderer(diagrams.Backend.AUTO, diagrams.Path(sys.argv[1])).render(sys.argv[2])
    """
)


def test_a_build_killed_while_writing_leaves_no_trusted_entry(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    writer = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(cache), SOURCE],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        line = writer.stdout.readline()
        assert line.strip() == "HALF", writer.stderr.read() if writer.stderr else ""
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=60)
    partial = [path for path in cache.rglob("*") if path.is_file()]
    assert partial, "the writer was killed before it wrote anything"

    renderer = DiagramRenderer(Backend.AUTO, cache)
    svg = renderer.render(SOURCE)
    assert renderer.rendered == 1
    assert svg == clean_svg(svg) and "cache me" in svg
    assert DiagramRenderer(Backend.AUTO, cache).render(SOURCE) == svg


def test_identical_diagrams_in_one_batch_are_rendered_once(tmp_path: Path) -> None:
    renderer = DiagramRenderer(Backend.AUTO, tmp_path / "cache", workers=2)
    other = SOURCE.replace("cache me", "other")
    svgs = renderer.render_all([SOURCE, other, SOURCE, other, SOURCE])
    assert renderer.rendered == 2
    assert svgs[0] == svgs[2] == svgs[4] != svgs[1] == svgs[3]


def _checksum_ok(compiled: Path) -> bool:
    header, _, payload = compiled.read_bytes().partition(b"\n")
    return header == b"cjm:sha256=" + hashlib.sha256(payload).hexdigest().encode()


def test_the_compiled_wasm_module_is_reused_and_a_damaged_one_replaced(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    expected = DiagramRenderer(Backend.WASM, cache).render(SOURCE)
    (compiled,) = (cache / "wasm").glob("*.cwasm")
    assert _checksum_ok(compiled)

    def render_again() -> None:
        for entry in _entries(cache):
            entry.unlink()  # so that Graphviz itself has to run
        renderer = DiagramRenderer(Backend.WASM, cache)
        assert renderer.render(SOURCE) == expected
        assert renderer.rendered == 1

    written = compiled.stat().st_mtime_ns
    render_again()
    assert compiled.stat().st_mtime_ns == written, "the compiled module was not reused"

    compiled.write_bytes(compiled.read_bytes()[:100_000])
    render_again()
    assert _checksum_ok(compiled), "the damaged module was not replaced"
