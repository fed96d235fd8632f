"""The playbook benchmark: the plugin against the same pages written by hand.

    python benchmarks/run.py [--sizes 150 300 600] [--repeat 3] [--no-browser] [--no-profile]
                             [--views]

For each size N it generates a synthetic playbook (generate.py), exports its
pages with `mkdocs-cjm export`, and builds, interleaved and repeated:

- baseline: `mkdocs build` of the exported pages as plain docs, plugin off,
  with the navigation the export wrote (`--nav`), so both sites show the same;
- cold: the plugin with an empty diagram cache;
- warm: the plugin with a full cache (a fresh process);
- edit: in that same process, a second build after one step of one journey
  changed on disk, as `mkdocs serve` rebuilds (and how many diagrams it drew);
- with `--views`, also warm without views: a warm build with the cross-journey
  views of issue 11 left out (`measure.py build --without-views`), so that
  warm/without-views is what those views cost.

Every build runs in its own process (measure.py); times are medians. Then it
loads one journey page and its Mermaid twin in Chromium (browser.py), profiles
a warm build, prints a table and writes benchmarks/results.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import pstats
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
RESULTS = HERE / "results.md"
PROFILE_BEFORE = HERE / "profile-before.md"
SCALING_NOTE = HERE / "scaling-note.md"
sys.path.insert(0, str(HERE))

from generate import generate, mkdocs_yml  # noqa: E402

SIZES = (150, 300, 600)
REPEAT = 3
EDITED_JOURNEY = "maps/journeys/journey-0001.yml"
MODES = ("baseline", "cold", "warm+edit")

# Target: (description, limit); every ratio is of medians.
TARGETS = {
    "cold/baseline": 1.5,
    "warm/baseline": 1.10,
    "edit/baseline": 1.10,
    "warm(600)/warm(300)": 2.2,
    "peak RSS/baseline": 1.5,
    "browser ours/mermaid": 0.5,
    "warm/warm without views": 1.10,
}
WITHOUT_VIEWS = "warm without views"


def log(message: str) -> None:
    print(message, flush=True)


def run_json(command: Sequence[str], cwd: Path = ROOT) -> Any:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=env, check=False)
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _stamp(n: int) -> str:
    import hashlib

    return hashlib.sha256((HERE / "generate.py").read_bytes() + str(n).encode()).hexdigest()


def prepare(n: int) -> tuple[Path, Path]:
    """The synthetic playbook of `n` journeys and its exported twin without the plugin."""
    playbook, baseline = WORK / f"playbook-{n}", WORK / f"baseline-{n}"
    stamp = playbook / ".generated"
    if not stamp.is_file() or stamp.read_text() != _stamp(n):
        generate(n, playbook)
        stamp.write_text(_stamp(n))
    if baseline.exists():
        shutil.rmtree(baseline)
    (baseline / "docs").mkdir(parents=True)
    shutil.copy(playbook / "docs" / "index.md", baseline / "docs" / "index.md")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "mkdocs_cjm.glue.cli",
            "export",
            "--force",
            "--nav",
            str(baseline / "nav.yml"),
            "-f",
            str(playbook / "mkdocs.yml"),
            str(baseline / "docs"),
        ],
        check=True,
        capture_output=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    # The plugin's navigation, as the export wrote it, so that both sites show the same.
    config = yaml.safe_load(mkdocs_yml(n, plugin=False))
    config["nav"] = ["index.md", *yaml.safe_load((baseline / "nav.yml").read_text("utf-8"))]
    (baseline / "mkdocs.yml").write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return playbook, baseline


def measure(mode: str, n: int, playbook: Path, baseline: Path, nonce: str) -> dict[str, Any]:
    script = str(HERE / "measure.py")
    if mode == "baseline":
        return {"baseline": run_json([sys.executable, script, "build", str(baseline)])}
    if mode == WITHOUT_VIEWS:
        return {mode: run_json([sys.executable, script, "build", str(playbook), "--without-views"])}
    if mode == "cold":
        shutil.rmtree(playbook / ".cache", ignore_errors=True)
        return {"cold": run_json([sys.executable, script, "build", str(playbook)])}
    result = run_json([sys.executable, script, "edit", str(playbook), EDITED_JOURNEY, nonce])
    return {"warm": result["warm"], "edit": result["edit"]}


def rotate(items: Sequence[Any], by: int) -> list[Any]:
    by %= len(items)
    return [*items[by:], *items[:by]]


def median(samples: Iterable[dict[str, Any]], key: str) -> float:
    return float(statistics.median(sample[key] for sample in samples))


def summarise(samples: dict[int, dict[str, list[dict[str, Any]]]]) -> dict[int, dict[str, Any]]:
    summary: dict[int, dict[str, Any]] = {}
    for n, modes in samples.items():
        row: dict[str, Any] = {}
        for mode, runs in modes.items():
            row[mode] = {key: median(runs, key) for key in ("seconds", "cpu", "rss_mb")}
            row[mode]["runs"] = [round(run["seconds"], 1) for run in runs]
            rendered = [run["rendered"] for run in runs if run.get("rendered") is not None]
            row[mode]["rendered"] = sorted(set(rendered))
        base = row["baseline"]
        for mode in ("cold", "warm", "edit"):
            row[f"{mode}/baseline"] = row[mode]["seconds"] / base["seconds"]
            row[f"{mode} cpu/baseline"] = row[mode]["cpu"] / base["cpu"]
        if WITHOUT_VIEWS in row:
            row["warm/warm without views"] = row["warm"]["seconds"] / row[WITHOUT_VIEWS]["seconds"]
            row["warm cpu/without views cpu"] = row["warm"]["cpu"] / row[WITHOUT_VIEWS]["cpu"]
        row["peak RSS/baseline"] = (
            max(row[m]["rss_mb"] for m in ("cold", "warm", "edit")) / (base["rss_mb"])
        )
        summary[n] = row
    return summary


def table(summary: dict[int, dict[str, Any]]) -> str:
    head = (
        "| N | baseline s | cold s | warm s | edit s | diagrams drawn cold / warm / edit "
        "| cold/base | warm/base | edit/base | peak RSS MB base / cold / warm / edit | RSS ratio |\n"
        "|---:|---:|---:|---:|---:|:--:|---:|---:|---:|:--:|---:|\n"
    )
    rows = []
    for n, row in sorted(summary.items()):
        drawn = " / ".join(
            ",".join(str(x) for x in row[mode]["rendered"]) for mode in ("cold", "warm", "edit")
        )
        rss = " / ".join(f"{row[m]['rss_mb']:.0f}" for m in ("baseline", "cold", "warm", "edit"))
        rows.append(
            f"| {n} | {row['baseline']['seconds']:.1f} | {row['cold']['seconds']:.1f} "
            f"| {row['warm']['seconds']:.1f} | {row['edit']['seconds']:.1f} | {drawn} "
            f"| {row['cold/baseline']:.2f} | {row['warm/baseline']:.2f} "
            f"| {row['edit/baseline']:.2f} | {rss} | {row['peak RSS/baseline']:.2f} |"
        )
    return head + "\n".join(rows) + "\n"


def cpu_table(summary: dict[int, dict[str, Any]]) -> str:
    head = (
        "| N | baseline CPU s | cold CPU s | warm CPU s | edit CPU s "
        "| cold/base | warm/base | edit/base |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
    rows = [
        f"| {n} | {row['baseline']['cpu']:.1f} | {row['cold']['cpu']:.1f} "
        f"| {row['warm']['cpu']:.1f} | {row['edit']['cpu']:.1f} "
        f"| {row['cold cpu/baseline']:.2f} | {row['warm cpu/baseline']:.2f} "
        f"| {row['edit cpu/baseline']:.2f} |"
        for n, row in sorted(summary.items())
    ]
    return head + "\n".join(rows) + "\n"


def verdicts(summary: dict[int, dict[str, Any]], browser: dict[str, Any] | None) -> list[str]:
    lines = []

    def check(name: str, value: float, where: str) -> None:
        limit = TARGETS[name]
        mark = "holds" if value <= limit else "FAILS"
        lines.append(f"- {name} {where}: {value:.2f} (target <= {limit}) - {mark}")

    for n, row in sorted(summary.items()):
        for name in ("cold/baseline", "warm/baseline", "edit/baseline", "peak RSS/baseline"):
            check(name, row[name], f"at N={n}")
        edit_drawn = row["edit"]["rendered"]
        ok = edit_drawn == [1]
        lines.append(
            f"- edit at N={n} re-rendered {edit_drawn} diagram(s): only the changed journey's"
            f" - {'holds' if ok else 'FAILS'}"
        )
        if WITHOUT_VIEWS in row:
            check("warm/warm without views", row["warm/warm without views"], f"at N={n}")
            lines.append(
                f"  (in CPU time: {row['warm cpu/without views cpu']:.2f}; "
                f"{row[WITHOUT_VIEWS]['cpu']:.1f} s without the views, "
                f"{row['warm']['cpu']:.1f} s with them)"
            )
        warm_drawn = row["warm"]["rendered"]
        lines.append(
            f"- warm at N={n} rendered {warm_drawn} diagram(s), cold {row['cold']['rendered']}"
            f" (never more than once per distinct diagram: {n} journeys)"
        )
    if 300 in summary and 600 in summary:
        scaling = summary[600]["warm"]["seconds"] / summary[300]["warm"]["seconds"]
        check("warm(600)/warm(300)", scaling, "")
        base = summary[600]["baseline"]["seconds"] / summary[300]["baseline"]["seconds"]
        lines.append(f"  (for reference, baseline(600)/baseline(300): {base:.2f})")
    if browser is not None:
        check("browser ours/mermaid", browser["ratio"], "(time until the diagram is painted)")
    return lines


# Where a build's time goes: (label, functions whose cumulative time it is).
PHASES = [
    ("maps: read YAML, validate (load_playbook)", [("loader.py", "load_playbook")]),
    ("pages: Jinja templates (SiteGenerator.render)", [("generate.py", "render")]),
    ("diagrams: DOT text (flow_dot)", [("flow.py", "flow_dot")]),
    ("diagrams: cache + Graphviz (render_each)", [("diagrams.py", "render_each")]),
    ("MkDocs: Markdown -> HTML (all pages)", [("markdown/core.py", "convert")]),
    (
        "plugin: HTML blocks back in (on_page_content)",
        [("mkdocs_cjm/plugin.py", "on_page_content")],
    ),
    ("Material search index", [("search/plugin.py", "on_page_context")]),
    ("theme: page templates (nav, header...)", [("build.py", "_build_page")]),
]


def profile_summary(stats_file: Path) -> str:
    stats = pstats.Stats(str(stats_file))
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    total = max(ct for (_, _, _, ct, _) in raw.values())

    def cumulative(file: str, name: str) -> float:
        return sum(
            value[3]
            for (path, _, function), value in raw.items()
            if path.replace("\\", "/").endswith(file) and function == name
        )

    times = {label: sum(cumulative(f, n) for f, n in funcs) for label, funcs in PHASES}
    # The search index is built inside _build_page: count it once.
    times["theme: page templates (nav, header...)"] -= times["Material search index"]
    times["other (files, nav structure, writing, config)"] = total - sum(times.values())
    lines = ["| phase | s (profiled) | share |", "|---|---:|---:|"]
    for label, seconds in times.items():
        lines.append(f"| {label} | {seconds:.1f} | {seconds / total:.0%} |")
    lines.append(f"| **total** | {total:.1f} | 100% |")
    return "\n".join(lines) + "\n"


def environment() -> str:
    import importlib.metadata as md

    dot = subprocess.run(["dot", "-V"], capture_output=True, text=True, check=False).stderr.strip()
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    versions = ", ".join(
        f"{name} {md.version(name)}" for name in ("mkdocs", "mkdocs-material", "markdown")
    )
    return (
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs ({cpu}); "
        f"Python {platform.python_version()}; {versions}; {dot or 'no dot'}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--repeat", type=int, default=REPEAT)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--views", action="store_true", help="also warm builds without the issue-11 views"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    load_before = os.getloadavg()
    WORK.mkdir(exist_ok=True)

    projects = {}
    for n in args.sizes:
        log(f"preparing N={n}: synthetic playbook and its export")
        projects[n] = prepare(n)

    samples: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    raw_log = WORK / "raw.jsonl"
    with raw_log.open("w", encoding="utf-8") as raw:
        for rep in range(args.repeat):
            for i, n in enumerate(rotate(args.sizes, rep)):
                modes = (*MODES, WITHOUT_VIEWS) if args.views else MODES
                for mode in rotate(modes, rep + i):
                    result = measure(mode, n, *projects[n], nonce=f"{time.time_ns()}")
                    for key, value in result.items():
                        samples[n][key].append(value)
                        raw.write(json.dumps({"n": n, "rep": rep, "mode": key, **value}) + "\n")
                        raw.flush()
                    shown = ", ".join(f"{k} {v['seconds']:.1f}s" for k, v in result.items())
                    log(f"  rep {rep + 1}/{args.repeat} N={n}: {shown}")

    summary = summarise(samples)
    browser_report = None
    if not args.no_browser:
        log("browser: our journey page against its Mermaid `journey` twin")
        import browser

        journey = projects[min(args.sizes)][0] / "maps" / "journeys" / "journey-0001.yml"
        browser_report = browser.run(journey, WORK / "browser")
    profile = None
    if not args.no_profile:
        log("profiling a warm build")
        n = min(args.sizes)
        stats_file = WORK / f"warm-{n}.prof"
        run_json(
            [
                sys.executable,
                str(HERE / "measure.py"),
                "profile",
                str(projects[n][0]),
                str(stats_file),
            ]
        )
        profile = (n, profile_summary(stats_file))

    elapsed = time.perf_counter() - started
    report = render(summary, browser_report, profile, args, elapsed, load_before)
    args.out.write_text(report, encoding="utf-8")
    print()
    print(table(summary))
    print("\n".join(verdicts(summary, browser_report)))
    log(f"\nwhole run: {elapsed / 60:.1f} min; wrote {args.out}")
    return 0


def render(
    summary: dict[int, dict[str, Any]],
    browser_report: dict[str, Any] | None,
    profile: tuple[int, str] | None,
    args: argparse.Namespace,
    elapsed: float,
    load_before: tuple[float, float, float],
) -> str:
    load_after = os.getloadavg()
    parts = [
        "# Benchmark results\n",
        "Written by `python benchmarks/run.py` "
        f"(sizes {', '.join(map(str, args.sizes))}; {args.repeat} repetitions, interleaved; "
        f"whole run {elapsed / 60:.1f} min) on {time.strftime('%Y-%m-%d %H:%M')}.\n",
        f"Machine: {environment()}. Load average before/after: "
        f"{load_before[0]:.1f} / {load_after[0]:.1f}.\n",
        "## Build time (wall clock, median)\n",
        "Each build is its own process; the time covers loading the configuration and "
        "`build()`. *edit* is the second build in the *warm* process after one step of "
        "one journey changed, as `mkdocs serve` does it. Individual runs are in "
        "`benchmarks/work/raw.jsonl`.\n",
        table(summary),
        "\nThe same builds in CPU time of the build process (less sensitive to other load "
        "on the machine; Graphviz runs in child processes and is not counted here):\n",
        cpu_table(summary),
        "\n## Targets\n",
        "\n".join(verdicts(summary, browser_report)) + "\n",
    ]
    if SCALING_NOTE.is_file():
        parts.append("\n" + SCALING_NOTE.read_text(encoding="utf-8"))
    if browser_report is not None:
        ours, theirs = browser_report["mkdocs-cjm"], browser_report["mermaid"]
        parts += [
            "\n## In the browser\n",
            f"Journey `{browser_report['journey']}` in headless Chromium, "
            f"{browser_report['loads']} loads each with an empty cache, the two pages taking "
            "turns after one unmeasured load of each; time from navigation start until the "
            "first frame after the diagram's SVG is laid out (or the first contentful paint, "
            "if later).\n",
            "| page | median ms | runs ms | bytes | requests |\n|---|---:|---|---:|---:|\n"
            f"| mkdocs-cjm | {ours['median_ms']} | {ours['painted_ms']} | {ours['bytes']:.0f} "
            f"| {ours['requests']:.0f} |\n"
            f"| Mermaid journey | {theirs['median_ms']} | {theirs['painted_ms']} "
            f"| {theirs['bytes']:.0f} | {theirs['requests']:.0f} |\n",
            f"\nRatio ours/Mermaid: {browser_report['ratio']:.2f}.\n",
        ]
    parts.append("\n## Where the time goes\n")
    if PROFILE_BEFORE.is_file():
        parts.append(PROFILE_BEFORE.read_text(encoding="utf-8"))
    if profile is not None:
        n, summary_table = profile
        parts += [
            f"\n### After (this run): a warm build of N={n} under cProfile\n",
            summary_table,
        ]
    return "\n".join(parts)


if __name__ == "__main__":
    raise SystemExit(main())
