"""`mkdocs serve`: a broken edit shows its errors and keeps the last good site; a fix recovers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import run_build, text_of
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from test_errors import J, journey, make_project

WAIT_SECONDS = 90
JOURNEY_V1 = journey(("action: Sees an ad", "action: Sees the first ad"))
BUILT = "Documentation built in"


class Server:
    """A `mkdocs serve` subprocess whose merged output is collected line by line."""

    def __init__(
        self,
        project: Path,
        *,
        tool: str = "mkdocs",
        env: dict[str, str] | None = None,
        port: int | None = None,
    ) -> None:
        if port is None:
            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
        self.port = port
        self.process = subprocess.Popen(
            [sys.executable, "-m", tool, "serve", "-a", f"127.0.0.1:{self.port}"],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1", **(env or {})},
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + WAIT_SECONDS
        while not condition():
            if self.process.poll() is not None:
                pytest.fail(f"mkdocs serve exited while waiting for {what}:\n{self.output}")
            if time.monotonic() > deadline:
                pytest.fail(f"gave up waiting for {what}:\n{self.output}")
            time.sleep(0.1)

    def count(self, text: str) -> int:
        return sum(text in line for line in list(self.lines))

    def get(self, path: str) -> str:
        return self.get_bytes(path).decode("utf-8")

    def get_bytes(self, path: str) -> bytes:
        url = f"http://127.0.0.1:{self.port}/{path}"
        with urllib.request.urlopen(url, timeout=30) as response:
            return bytes(response.read())

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=15)
        self._reader.join(timeout=15)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    project = make_project(tmp_path / "project", {J: JOURNEY_V1})
    running = Server(project)
    try:
        yield running, project
    finally:
        running.stop()


def test_serve_keeps_last_good_site_and_recovers(server: tuple[Server, Path]) -> None:
    running, project = server
    running.wait_for(lambda: running.count("Serving on http://") > 0, "the server to start")
    assert "Sees the first ad" in running.get("playbook/journeys/j/")

    (project / J).write_text(
        journey(("action: Sees an ad", "action: Sees the second ad"), ("emotion: 4", "emotion: 9")),
        encoding="utf-8",
    )
    message = (
        "maps/journeys/j.yml:13:14: error: steps[0].emotion: 9 is outside 1..5; expected a whole"
        " number from 1 to 5"
    )
    running.wait_for(lambda: running.count(message) > 0, "the rebuild error")
    running.wait_for(lambda: running.count(BUILT) >= 2, "the rebuild to finish")
    assert "Traceback" not in running.output
    # Nothing of the broken edit was published: the last good page is still served.
    page = running.get("playbook/journeys/j/")
    assert "Sees the first ad" in page
    assert "Sees the second ad" not in page

    (project / J).write_text(
        journey(("action: Sees an ad", "action: Sees the fixed ad")), encoding="utf-8"
    )
    running.wait_for(
        lambda: "Sees the fixed ad" in running.get("playbook/journeys/j/"),
        "the fixed page to be served",
    )
    assert running.process.poll() is None, "the server must survive the broken edit"
    assert "Traceback" not in running.output


BANNER = "[data-cjm-serve-errors]"
LAST_GOOD = "showing the last good version"


def test_broken_maps_put_an_escaped_banner_on_every_served_page(
    server: tuple[Server, Path],
) -> None:
    running, project = server
    running.wait_for(lambda: running.count("Serving on http://") > 0, "the server to start")
    assert LAST_GOOD not in running.get("playbook/journeys/j/")

    # An edit whose error message quotes markup: the banner must show it as text.
    (project / J).write_text(
        journey(("channel: website", "channel: <b>web</b>"), ("emotion: 4", "emotion: 9")),
        encoding="utf-8",
    )
    running.wait_for(lambda: running.count(BUILT) >= 2, "the rebuild to finish")
    for path in ("", "playbook/journeys/j/", "playbook/channels/website/"):
        page = HTMLParser(running.get(path))
        banner = page.css_first(BANNER)
        assert banner is not None, f"no banner on /{path}"
        body = page.css_first("body")
        assert body is not None and body.child is not None
        first = next(node for node in body.iter() if node.tag != "-text")
        assert "data-cjm-serve-errors" in first.attributes, "the banner is not on top"
        items = [text_of(item) for item in banner.css("li")]
        assert items == [
            "maps/journeys/j.yml:11:14: error: steps[0].channel: '<b>web</b>' is not a valid id:"
            " use only lowercase letters, digits and '-' (did you mean 'b-web-b'?)",
            "maps/journeys/j.yml:13:14: error: steps[0].emotion: 9 is outside 1..5; expected a"
            " whole number from 1 to 5",
        ], items
        assert LAST_GOOD in text_of(banner)
        assert banner.css_first("b") is None, "markup from the maps must be escaped"
    # The page under the banner is the last good one.
    assert "Sees the first ad" in running.get("playbook/journeys/j/")

    (project / J).write_text(journey(("action: Sees an ad", "action: Sees a fixed ad")), "utf-8")
    running.wait_for(
        lambda: "Sees a fixed ad" in running.get("playbook/journeys/j/"), "the fixed page"
    )
    for path in ("", "playbook/journeys/j/"):
        assert HTMLParser(running.get(path)).css_first(BANNER) is None
    assert "Traceback" not in running.output


def test_the_banner_is_never_in_built_pages(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", {J: JOURNEY_V1})
    result = run_build(project)
    assert result.returncode == 0, result.output
    (project / J).write_text(journey(("emotion: 4", "emotion: 9")), encoding="utf-8")
    broken = run_build(project, tmp_path / "broken-site")
    assert broken.returncode == 1
    assert "9 is outside 1..5" in broken.output
    assert not (tmp_path / "broken-site").exists()
    for page in result.site.rglob("*.html"):
        assert LAST_GOOD not in page.read_text(encoding="utf-8")


def test_a_bad_cjm_block_shows_its_error_in_place_while_serving(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", {J: JOURNEY_V1})
    guide = project / "docs" / "guide.md"
    guide.write_text("# Guide\n\n```cjm\nview: matrix\njourney: j\n```\n", encoding="utf-8")
    running = Server(project)
    try:
        running.wait_for(lambda: running.count("Serving on http://") > 0, "the server to start")
        page = HTMLParser(running.get("guide/"))
        assert page.css_first('[data-cjm-view="matrix"] .cjm-matrix') is not None

        guide.write_text("# Guide\n\n```cjm\nview: matirx\njourney: j\n```\n", encoding="utf-8")
        message = (
            "docs/guide.md:4: cjm block: unknown view 'matirx'; expected one of: channel,"
            " emotions, flow, heatmap, kpis, map, matrix, pain-points, team"
            " (did you mean 'matrix'?)"
        )
        running.wait_for(lambda: running.count(message) > 0, "the block's error")
        running.wait_for(
            lambda: (
                HTMLParser(running.get("guide/")).css_first("[data-cjm-block-error]") is not None
            ),
            "the error in the page",
        )
        shown = HTMLParser(running.get("guide/")).css_first("[data-cjm-block-error]")
        assert text_of(shown) == message

        guide.write_text("# Guide\n\n```cjm\nview: kpis\njourney: j\n```\n", encoding="utf-8")
        running.wait_for(
            lambda: (
                HTMLParser(running.get("guide/")).css_first('[data-cjm-view="kpis"]') is not None
            ),
            "the fixed block",
        )
        assert HTMLParser(running.get("guide/")).css_first("[data-cjm-block-error]") is None
    finally:
        running.stop()


def test_serve_rebuilds_when_a_metrics_file_changes(tmp_path: Path) -> None:
    with_kpi = journey(("    name: Awareness", "    name: Awareness\n    kpis:\n      - name: CTR"))
    project = make_project(tmp_path / "project", {J: with_kpi})
    running = Server(project)
    try:
        running.wait_for(lambda: running.count("Serving on http://") > 0, "the server to start")
        assert "data-kpi-as-of" not in running.get("playbook/journeys/j/")
        metrics = project / "maps" / "metrics" / "kpi.csv"
        metrics.parent.mkdir()
        metrics.write_text("journey,stage,kpi,date,value\nj,awareness,CTR,2026-10-01,1.5%\n")
        running.wait_for(
            lambda: 'data-kpi-as-of="2026-10-01"' in running.get("playbook/journeys/j/"),
            "the page with the new metrics file",
        )
        metrics.write_text(
            "journey,stage,kpi,date,value\nj,awareness,CTR,2026-10-01,1.5%\n"
            "j,awareness,CTR,2026-11-01,1.8%\n"
        )
        running.wait_for(
            lambda: 'data-kpi-as-of="2026-11-01"' in running.get("playbook/journeys/j/"),
            "the page with the edited metrics file",
        )
        assert "Traceback" not in running.output
    finally:
        running.stop()
