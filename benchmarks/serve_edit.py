"""Edit to served: how long an author waits under `mkdocs serve` after saving a journey.

    python benchmarks/serve_edit.py [--sizes 150 600] [--edits 5] [--out FILE]

For each size it starts `mkdocs serve` on the synthetic playbook (generate.py),
twice: with the fast rebuild (the default) and with `fast_rebuild: false` (MkDocs'
full rebuild: the "before"). In each it saves one step's new text in a journey,
then polls the served journey page and the step's channel page until both show
it; several edits, each of a different journey. It reports the median latency,
its ratio to the full-rebuild median, and the plugin's log lines, and profiles
one fast rebuild in-process (where the remaining time goes). The result is
written as Markdown to --out (default: print only).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
WORK = HERE / "work"
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
from measure import edit_one_step  # noqa: E402

POLL_SECONDS = 0.02
TIMEOUT_SECONDS = 900


class Serve:
    """`mkdocs serve` in a subprocess, its output collected."""

    def __init__(self, project: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{self.port}"],
            cwd=project,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        )
        self.lines: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, count: int = 1) -> None:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        while sum(text in line for line in list(self.lines)) < count:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("mkdocs serve stopped:\n" + "\n".join(self.lines[-30:]))
            time.sleep(0.05)

    def get(self, path: str) -> str:
        url = f"http://127.0.0.1:{self.port}/{path}"
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            return str(response.read().decode("utf-8"))

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def playbook(n: int, fast: bool) -> Path:
    project = WORK / f"serve-{n}-{'fast' if fast else 'full'}"
    if not (project / "mkdocs.yml").is_file():
        generate(n, project)
    config = project / "mkdocs.yml"
    text = re.sub(r"\n\s*fast_rebuild: \w+", "", config.read_text(encoding="utf-8"))
    text = text.replace(
        "prefix: playbook", f"prefix: playbook\n      fast_rebuild: {str(fast).lower()}"
    )
    config.write_text(text, encoding="utf-8")
    return project


def edited_step(text: str) -> tuple[str, str]:
    """The step `edit_one_step` changes: its action and its channel."""
    steps = yaml.safe_load(text)["steps"]
    step = steps[min(2, len(steps) - 1)]
    return str(step["action"]), str(step["channel"])


def run(n: int, fast: bool, edits: int) -> dict[str, Any]:
    project = playbook(n, fast)
    journeys = sorted((project / "maps" / "journeys").glob("*.yml"))
    chosen = [journeys[(index * len(journeys)) // edits] for index in range(edits)]
    originals = {path: path.read_text(encoding="utf-8") for path in chosen}
    server = Serve(project)
    latencies: list[float] = []
    said: list[str] = []
    try:
        server.wait_for("Serving on http://")
        first_build = next(
            float(match.group(1))
            for line in server.lines
            if (match := re.search(r"Documentation built in ([\d.]+) seconds", line))
        )
        for number, path in enumerate(chosen, 1):
            nonce = f"serve-{n}-{number}-{time.time_ns()}"
            action, channel = edited_step(originals[path])
            pages = [f"playbook/journeys/{path.stem}/", f"playbook/channels/{channel}/"]
            assert all(action.split(" (")[0][:30] in server.get(page) for page in pages)
            reloads = sum("Reloading browsers" in line for line in server.lines)
            before = len(server.lines)
            start = time.monotonic()
            path.write_text(edit_one_step(originals[path], nonce), encoding="utf-8")
            while not all(nonce in server.get(page) for page in pages):
                if time.monotonic() - start > TIMEOUT_SECONDS:
                    raise SystemExit(f"the edit never showed:\n{server.lines[-20:]}")
                time.sleep(POLL_SECONDS)
            latencies.append(time.monotonic() - start)
            server.wait_for("Reloading browsers", reloads + 1)
            said += [line for line in server.lines[before:] if "journey maps:" in line]
    finally:
        server.stop()
        for path, text in originals.items():
            path.write_text(text, encoding="utf-8")
    return {"latencies": latencies, "first_build": first_build, "said": said}


def profile_fast_rebuild(n: int) -> str:
    """One fast rebuild in-process under cProfile: the top of where its time goes."""
    import cProfile
    import io
    import pstats

    os.environ["NO_MKDOCS_2_WARNING"] = "1"
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    project = playbook(n, True)
    journey = sorted((project / "maps" / "journeys").glob("*.yml"))[len(project.name) % 7]
    original = journey.read_text(encoding="utf-8")
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(WORK / f"profile-site-{n}"))
    config.plugins.on_startup(command="serve", dirty=False)
    plugin = config.plugins["cjm"]
    build(config, serve_url="http://127.0.0.1:8000/")

    class _Server:
        def __init__(self) -> None:
            self.builder = lambda config=None: None

        def watch(self, path: str) -> None:
            pass

    server = _Server()
    plugin.on_serve(server, config=config, builder=server.builder)
    try:
        journey.write_text(edit_one_step(original, "profiled"), encoding="utf-8")
        profiler = cProfile.Profile()
        start = time.monotonic()
        profiler.enable()
        server.builder()
        profiler.disable()
        seconds = time.monotonic() - start
    finally:
        journey.write_text(original, encoding="utf-8")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("cumulative").print_stats(
        r"mkdocs_cjm|commands/build|search|jinja2/environment", 25
    )
    return f"One fast rebuild at N={n}: {seconds:.2f} s (under cProfile)\n\n```\n{out.getvalue().strip()}\n```\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[150, 600])
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--fast-only", action="store_true", help="skip the full-rebuild runs (the before)"
    )
    args = parser.parse_args(argv)
    rows, notes, profiles = [], [], []
    for n in args.sizes:
        modes = (True,) if args.fast_only else (False, True)
        results = {fast: run(n, fast, args.edits) for fast in modes}
        fast = statistics.median(results[True]["latencies"])
        if args.fast_only:
            full_text, ratio = "-", "-"
        else:
            full = statistics.median(results[False]["latencies"])
            full_text, ratio = f"{full:.2f}", f"{fast / full:.3f}"
        first = results[modes[0]]["first_build"]
        rows.append(
            f"| {n} | {first:.1f} | {full_text} | {fast:.2f} | {ratio} | "
            f"{' '.join(f'{x:.2f}' for x in results[True]['latencies'])} |"
        )
        notes += [
            f"- N={n}: {line.split('journey maps: ', 1)[1]}" for line in results[True]["said"]
        ]
        print(rows[-1], flush=True)
        profiles.append(profile_fast_rebuild(n))
    load = os.getloadavg()
    text = (
        "## Edit to served (`benchmarks/serve_edit.py`)\n\n"
        f"`mkdocs serve` on the synthetic playbook; {args.edits} edits, each of one step's text "
        "in a different journey; latency from the save until the served journey page and the "
        f"step's channel page both show it (polled every {POLL_SECONDS * 1000:.0f} ms). *full*: "
        "`fast_rebuild: false` (MkDocs rebuilds the site, as before); *fast*: the default. "
        f"Load average at the end: {load[0]:.1f}.\n\n"
        "| N | first build s | full: edit to served s (median) | fast: edit to served s (median) "
        "| fast/full | fast, each edit s |\n|---:|---:|---:|---:|---:|:--|\n"
        + "\n".join(rows)
        + "\n\nWhat the plugin said for each fast rebuild:\n\n"
        + "\n".join(notes)
        + "\n\n"
        + "\n".join(profiles)
    )
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
