"""`mkdocs serve`'s fast rebuild (fast_serve.py): after every edit, the served site is
byte for byte what `mkdocs build` makes of the same files, and the edits that keep
the site's shape take the fast path."""

from __future__ import annotations

import importlib.util
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, copy_project, save_in_one_step
from test_serve import Server

JOURNEY = "maps/journeys/corporate-eye-care.yml"
JOURNEY_URL = "playbook/journeys/corporate-eye-care/"
# Fixed dates, so that two builds of the same files are the same bytes (sitemap.xml.gz).
ENV = {"SOURCE_DATE_EPOCH": "1764547200", "MKDOCS_CJM_TODAY": "2026-12-01"}
FAST = "journey maps: fast rebuild"
FULL = "journey maps: full rebuild"
RELOADED = "Reloading browsers"
# What the dev server adds to every HTML page it serves: its live-reload script.
LIVE_RELOAD = re.compile(
    rb"<script>(?:(?!<script>).)*?livereload(?:(?!<script>).)*?</script>(?=</body>)", re.S
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def example_project(root: Path, port: int) -> Path:
    """The example playbook, with its site_url where the dev server serves it: `mkdocs
    serve` sets site_url so, and a build compared with it must have the same."""
    project = copy_project(ROOT, root)
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^site_url: .*$", f"site_url: http://127.0.0.1:{port}/", text)
    # Journeys grouped by first persona in the navigation, as in playbooks of 50 and more.
    text = text.replace(
        "      prefix: playbook\n", "      prefix: playbook\n      group_journeys_over: 1\n"
    )
    assert "group_journeys_over: 1" in text
    config.write_text(text, "utf-8")
    return project


def edit(project: Path, old: str, new: str) -> None:
    path = project / JOURNEY
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} must occur once in {JOURNEY}"
    save_in_one_step(project, path, text.replace(old, new))


def assert_served_as_built(server: Server, project: Path, tool: str, site: Path) -> int:
    """Every file of a fresh build of the same files, fetched from the server: equal."""
    command = [sys.executable, "-m", tool, "build", "-f", str(project / "mkdocs.yml")]
    result = subprocess.run(
        [*command, "-d", str(site)],
        capture_output=True,
        text=True,
        cwd=project,
        env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1", **ENV},
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    differ = []
    files = [path for path in sorted(site.rglob("*")) if path.is_file()]
    for path in files:
        name = path.relative_to(site).as_posix()
        served = server.get_bytes(name)
        if name.endswith(".html"):
            served = LIVE_RELOAD.sub(b"", served, count=1)
        if served != path.read_bytes():
            differ.append(name)
    assert differ == [], f"served pages differ from a fresh build: {differ}"
    return len(files)


class Rebuilds:
    """Waits for the dev server to finish the rebuild an edit started."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.seen = server.count(RELOADED)

    def after(self, change: Callable[[], None]) -> str:
        """Make `change`, wait for the rebuild; the plugin's line saying fast or full."""
        before = len(self.server.lines)
        change()
        self.server.wait_for(lambda: self.server.count(RELOADED) > self.seen, "the rebuild")
        self.settle()
        self.seen = self.server.count(RELOADED)
        lines = self.server.lines[before:]
        said = [line for line in lines if FAST in line or FULL in line]
        assert len(said) == 1, "\n".join(self.server.lines[-80:])
        # A fast rebuild prints MkDocs' own last line of a build, which log watchers wait
        # for. A full one is MkDocs' build: its command line drops a message it printed
        # before (`DuplicateFilter`), so a full build as long, to the hundredth of a
        # second, as an earlier one prints no such line: that is MkDocs' behaviour.
        if FAST in said[0]:
            assert any("Documentation built in" in line for line in lines), "\n".join(lines)
        return said[0]

    def settle(self, quiet: float = 2.0) -> None:
        """Wait until the server has printed nothing for `quiet` seconds: longer than a
        poll of the watcher and its wait for changes to stop, so that a second rebuild
        one edit started would be seen here, in this edit's lines."""
        printed, since = len(self.server.lines), time.monotonic()
        while time.monotonic() - since < quiet:
            time.sleep(0.1)
            if len(self.server.lines) != printed:
                printed, since = len(self.server.lines), time.monotonic()


@pytest.mark.parametrize("tool", ["mkdocs", "properdocs"])
def test_served_site_equals_a_fresh_build_after_every_edit(tmp_path: Path, tool: str) -> None:
    if importlib.util.find_spec(tool) is None:
        pytest.skip(f"{tool} is not installed (pip install -e '.[test]')")
    port = free_port()
    project = example_project(tmp_path / "project", port)
    server = Server(project, tool=tool, env=ENV, port=port)
    try:
        server.wait_for(lambda: server.count("Serving on http://") > 0, "the server to start")
        rebuilds = Rebuilds(server)
        sites = iter(tmp_path / f"site-{n}" for n in range(20))

        def check(change: Callable[[], None], path: str) -> str:
            said = rebuilds.after(change)
            assert "Traceback" not in server.output
            assert_served_as_built(server, project, tool, next(sites))
            assert path in said or path == "full", said
            return said

        # A step's text: its journey page, the pages listing that step, the views.
        said = check(
            lambda: edit(project, "leaves her business card", "leaves two business cards"),
            FAST,
        )
        assert "corporate-eye-care" in said
        assert "leaves two business cards" in server.get(JOURNEY_URL)
        # A hand-written page: MkDocs' full rebuild, which knows what it changes.
        index = project / "docs" / "index.md"
        said = check(
            lambda: save_in_one_step(project, index, index.read_text("utf-8") + "\nMore.\n"), FULL
        )
        assert "index.md changed" in said
        # An emotion: the curve, the averages, the worst moments.
        check(
            lambda: edit(
                project,
                "    emotion: 4\n    feeling: interested",
                "    emotion: 1\n    feeling: interested",
            ),
            FAST,
        )
        # A `next`: the flow diagram (an SVG file of its own) changes.
        check(lambda: edit(project, "next: [negotiate, sign]", "next: [sign]"), FAST)
        # A new step: new anchors, a new row on the channel page.
        check(
            lambda: edit(
                project,
                "  - id: enquiry\n",
                "  - id: site-visit\n    stage: discover\n    channel: website\n"
                "    touchpoint: Frame gallery\n    action: Browses the frames online\n"
                "    emotion: 4\n  - id: enquiry\n",
            ),
            FAST,
        )
        # Another first persona: the journey moves to another group in the navigation.
        said = check(lambda: edit(project, "persona: hoa\n", "personas: [lan, hoa]\n"), FULL)
        assert "groups in the navigation" in said
        # A renamed journey: its title is in every page's navigation.
        said = check(
            lambda: edit(
                project,
                "title: Corporate eye-care programme (B2B)",
                "title: Corporate eye-care plan (B2B)",
            ),
            FULL,
        )
        assert "title" in said
        # A broken edit: today's behaviour, errors in the terminal and on the pages.
        said = rebuilds.after(lambda: edit(project, "    emotion: 1\n", "    emotion: 9\n"))
        assert FULL in said
        assert "is outside 1..5" in server.output
        page = server.get(JOURNEY_URL)
        assert "data-cjm-serve-errors" in page
        assert "leaves two business cards" in page  # the last good version
        # Fixed: a full rebuild takes the banner off every page.
        said = check(lambda: edit(project, "    emotion: 9\n", "    emotion: 2\n"), FULL)
        assert "errors" in said
        # And the next edit is fast again.
        check(lambda: edit(project, "leaves two business cards", "leaves a card"), FAST)
        assert server.process.poll() is None
    finally:
        server.stop()
