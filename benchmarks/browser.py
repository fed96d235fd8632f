"""Our journey page against the same journey drawn by Mermaid's `journey` diagram, in Chromium.

    python benchmarks/browser.py [JOURNEY_YML]

Builds one small Material site holding both pages: the journey page the plugin
generates, and a hand-written page with a Mermaid `journey` of the same stages
and steps (mermaid from the npm registry, installed into .cache/mermaid and
served from the site, as Material itself loads it). Each page is loaded LOADS
times in headless Chromium, each time in a fresh browser context (empty cache),
and reports the bytes transferred and the time from navigation start until the
diagram is painted: the first animation frame after its <svg> is laid out with
a size, or the page's first contentful paint if that comes later (Chrome shows
nothing of a new page before it).
"""

from __future__ import annotations

import html
import http.server
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MERMAID_VERSION = "12.3.0"
MERMAID_DIR = ROOT / ".cache" / "mermaid"
MERMAID_JS = MERMAID_DIR / "node_modules" / "mermaid" / "dist" / "mermaid.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
LOADS = 5

SITE_CONFIG = """\
site_name: Journey rendering benchmark
theme:
  name: material
  font: false
  features:
    - navigation.instant
plugins:
  - search
  - cjm
markdown_extensions:
  - attr_list
  - md_in_html
  - tables
  - toc:
      permalink: true
"""

# Resolves once the diagram's <svg> has a layout box, and one frame later: the
# frame that drew it has then been produced.
PAINTED = """
(selector) => new Promise((resolve, reject) => {
  setTimeout(() => reject(new Error(`${selector} not painted within 60 s`)), 60000);
  const check = () => {
    const svg = document.querySelector(selector);
    const box = svg && svg.getBoundingClientRect();
    if (box && box.width > 0 && box.height > 0) {
      requestAnimationFrame(() => resolve(performance.now()));
    } else {
      requestAnimationFrame(check);
    }
  };
  check();
})
"""

FIRST_CONTENTFUL_PAINT = """
() => performance.getEntriesByName("first-contentful-paint").map((e) => e.startTime)[0] || 0
"""

PAGES = {
    # name: (URL in the site, the diagram's <svg>, one of its step marks)
    "mkdocs-cjm": ("playbook/journeys/{journey}/", "figure.cjm-flow svg", "g.cjm-node"),
    # Mermaid draws a syntax error as a diagram too: require a journey, with its tasks.
    "mermaid": (
        "mermaid-journey/",
        'div.mermaid svg[aria-roledescription="journey"]',
        "circle.face",
    ),
}


def install_mermaid() -> Path:
    """mermaid's browser bundle from the npm registry, once, into .cache/mermaid."""
    if not MERMAID_JS.is_file():
        MERMAID_DIR.mkdir(parents=True, exist_ok=True)
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit("browser benchmark: npm is needed to install mermaid")
        subprocess.run(
            [
                npm,
                "install",
                "--prefix",
                str(MERMAID_DIR),
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
                "--loglevel=error",
                f"mermaid@{MERMAID_VERSION}",
            ],
            check=True,
        )
    return MERMAID_JS


def _mermaid_text(text: str) -> str:
    """A task or section name Mermaid's journey grammar reads as plain text."""
    return re.sub(r"[:;#\n\r]+", " ", text).strip() or "-"


def mermaid_journey(journey: dict[str, Any], channels: dict[str, Any]) -> str:
    """The journey as a Mermaid `journey` diagram: a section per stage, a task per step.

    A task's score is the step's emotion (the same 1-5 scale; 3 when none is
    given) and its actor the step's channel.
    """
    lines = ["journey", f"  title {_mermaid_text(journey['title'])}"]
    for stage in journey["stages"]:
        lines.append(f"  section {_mermaid_text(stage['name'])}")
        for step in journey["steps"]:
            if step["stage"] != stage["id"]:
                continue
            actor = _mermaid_text(channels[step["channel"]]["name"])
            score = step.get("emotion", 3)
            lines.append(f"    {_mermaid_text(step['action'])}: {score}: {actor}")
    return "\n".join(lines) + "\n"


def mermaid_page(journey: dict[str, Any], channels: dict[str, Any]) -> str:
    """A Markdown page with the diagram, loading mermaid from the site with a script tag.

    A `div`, not Material's `pre.mermaid`: Material would fetch its own copy of
    mermaid from a CDN (there is no network here) and draw into a closed shadow root.
    """
    diagram = html.escape(mermaid_journey(journey, channels))
    return (
        f"# {journey['title']}\n\n"
        f'<div class="mermaid">\n{diagram}</div>\n\n'
        '<script src="../assets/mermaid/mermaid.min.js"></script>\n'
        "<script>mermaid.initialize({startOnLoad: true});</script>\n"
    )


def build_site(journey_file: Path, work: Path) -> Path:
    """A site with the journey's page (plugin) and its Mermaid twin; returns the built site."""
    maps = journey_file.parent.parent
    journey = yaml.safe_load(journey_file.read_text("utf-8"))
    channels = yaml.safe_load((maps / "channels.yml").read_text("utf-8"))
    persona_ids = journey.get("personas") or [journey["persona"]]
    if work.exists():
        shutil.rmtree(work)
    (work / "maps" / "journeys").mkdir(parents=True)
    (work / "maps" / "personas").mkdir()
    (work / "docs" / "assets" / "mermaid").mkdir(parents=True)
    shutil.copy(maps / "channels.yml", work / "maps" / "channels.yml")
    shutil.copy(journey_file, work / "maps" / "journeys" / journey_file.name)
    for persona in persona_ids:
        shutil.copy(maps / "personas" / f"{persona}.yml", work / "maps" / "personas")
    (work / "mkdocs.yml").write_text(SITE_CONFIG, "utf-8")
    (work / "docs" / "index.md").write_text("# Benchmark\n", "utf-8")
    (work / "docs" / "mermaid-journey.md").write_text(mermaid_page(journey, channels), "utf-8")
    shutil.copy(install_mermaid(), work / "docs" / "assets" / "mermaid" / "mermaid.min.js")
    subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(work / "mkdocs.yml")],
        check=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    return work / "site"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(site: Path) -> Iterator[str]:
    handler = partial(_QuietHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class Load:
    painted_ms: float
    bytes: int
    requests: int


def load_once(browser: Any, url: str, selector: str, content: str, steps: int) -> Load:
    """One load in a fresh browser context (empty cache), checked to show every step."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        sizes: list[int] = []
        page.on("requestfinished", lambda request: sizes.append(_size(request)))
        page.goto(url, wait_until="commit")
        frame = float(page.evaluate(PAINTED, selector))
        page.wait_for_load_state("networkidle")
        # Chrome runs frames it does not present until the first contentful paint
        # (paint holding): nothing, the diagram included, shows before it.
        painted = max(frame, float(page.evaluate(FIRST_CONTENTFUL_PAINT)))
        drawn = page.evaluate(
            "([svg, mark]) => document.querySelector(svg).querySelectorAll(mark).length",
            [selector, content],
        )
        if drawn != steps:
            raise SystemExit(f"{url}: {drawn} steps drawn, expected {steps}")
        return Load(painted, sum(sizes), len(sizes))
    finally:
        context.close()


def measure(
    base: str, pages: dict[str, tuple[str, str, str]], steps: int, loads: int = LOADS
) -> dict[str, list[Load]]:
    """`loads` loads of each page, taking turns, after one unmeasured load of each
    (the browser's own start-up would otherwise weigh on whichever page goes first)."""
    from playwright.sync_api import sync_playwright

    results: dict[str, list[Load]] = {name: [] for name in pages}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for round_number in range(loads + 1):
                for name, (url, selector, content) in pages.items():
                    load = load_once(browser, base + url, selector, content, steps)
                    if round_number:
                        results[name].append(load)
        finally:
            browser.close()
    return results


def _size(request: Any) -> int:
    sizes = request.sizes()
    return int(sizes["responseBodySize"] + sizes["responseHeadersSize"])


def run(journey_file: Path, work: Path, loads: int = LOADS) -> dict[str, Any]:
    site = build_site(journey_file, work)
    journey_id = journey_file.stem
    steps = len(yaml.safe_load(journey_file.read_text("utf-8"))["steps"])
    report: dict[str, Any] = {"journey": journey_id, "loads": loads}
    pages = {
        name: (url.format(journey=journey_id), selector, content)
        for name, (url, selector, content) in PAGES.items()
    }
    with serve(site) as base:
        measured = measure(base, pages, steps, loads)
    for name, samples in measured.items():
        report[name] = {
            "painted_ms": [round(sample.painted_ms, 1) for sample in samples],
            "median_ms": round(statistics.median(s.painted_ms for s in samples), 1),
            "bytes": statistics.median(sample.bytes for sample in samples),
            "requests": statistics.median(sample.requests for sample in samples),
        }
    report["ratio"] = report["mkdocs-cjm"]["median_ms"] / report["mermaid"]["median_ms"]
    return report


def main(argv: list[str]) -> int:
    journey_file = Path(argv[0]) if argv else None
    if journey_file is None:
        from generate import HERE as BENCH
        from generate import generate

        playbook = BENCH / "work" / "playbook-150"
        if not playbook.is_dir():
            generate(150, playbook)
        journey_file = playbook / "maps" / "journeys" / "journey-0001.yml"
    print(json.dumps(run(journey_file, HERE / "work" / "browser"), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
