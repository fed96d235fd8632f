"""What a 100,000-row metrics file adds to a build (target: at most 1 s).

    python benchmarks/metrics.py [ROWS]

Copies the example playbook twice into a temporary folder: one as it is, one with
an extra `maps/metrics/bench.csv` of ROWS rows (default 100,000) spread over every
KPI of every journey, a row per KPI and day, as a BI export writes them (BOM, CRLF).
Each copy is built with `benchmarks/measure.py build` in a fresh process, alternately,
five times; the script prints the median build time of each and the difference.

The machine this runs on is shared, so it also prints, from the same run, what the
loader alone adds in CPU time (median of five) and the floor any CSV reader pays: Python's C
`csv` module reading the same file and nothing else. The added time over that floor
is the cost of checking and merging the rows; on a loaded machine the floor itself
grows, and the ratio says how the two compare.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mkdocs_cjm.core.loader import load_playbook  # noqa: E402

RUNS = 5
TARGET_SECONDS = 1.0


def metrics_file(rows: int) -> bytes:
    playbook = load_playbook(ROOT / "maps").raise_for_errors()
    kpis = [
        (journey.id, stage.id, kpi.id or kpi.name)
        for journey in playbook.journeys
        for stage in journey.stages
        for kpi in stage.kpis
        if "," not in (kpi.id or kpi.name)
    ]
    lines = ["journey,stage,kpi,date,value"]
    # Every row dated before the examples' day (a row after "today" is left out with a
    # warning), so all of them go through the loader's fast path.
    start = date(2026, 1, 1) - timedelta(days=-(-rows // len(kpis)))
    for number in range(rows):
        journey_id, stage_id, kpi = kpis[number % len(kpis)]
        day = start + timedelta(days=number // len(kpis))
        lines.append(f"{journey_id},{stage_id},{kpi},{day.isoformat()},{number % 97 + 0.5}")
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def project(folder: Path, csv: bytes | None) -> Path:
    shutil.copytree(
        ROOT,
        folder,
        ignore=shutil.ignore_patterns("site", ".cache", ".venv", "build", ".git", "__pycache__"),
    )
    if csv is not None:
        # The example's own KPIs with a YAML `actual` would warn; that is not measured.
        (folder / "maps" / "metrics" / "bench.csv").write_bytes(csv)
    return folder


def build_seconds(folder: Path) -> float:
    out = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "measure.py"), "build", str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    return float(json.loads(out.stdout.strip().splitlines()[-1])["seconds"])


def seconds(action: object) -> float:
    """CPU seconds of the calling process: on a shared machine, wall time mostly measures
    the other processes."""
    assert callable(action)
    start = time.process_time()
    action()
    return time.process_time() - start


def loader_and_floor(folder: Path, data: bytes) -> tuple[float, float, float]:
    """Median CPU seconds: the loader without the file, with it, and a bare csv pass."""
    maps = folder / "maps"
    bench = maps / "metrics" / "bench.csv"
    bench.unlink()
    without = statistics.median(seconds(lambda: load_playbook(maps)) for _ in range(RUNS))
    bench.write_bytes(data)
    with_data = statistics.median(seconds(lambda: load_playbook(maps)) for _ in range(RUNS))
    text = data.decode("utf-8-sig")
    floor = statistics.median(
        seconds(lambda: list(csv.reader(io.StringIO(text, newline="")))) for _ in range(RUNS)
    )
    return without, with_data, floor


def main() -> int:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as temporary:
        base = project(Path(temporary) / "without", None)
        data = project(Path(temporary) / "with", metrics_file(rows))
        size = (data / "maps" / "metrics" / "bench.csv").stat().st_size
        build_seconds(base)  # warm the diagram cache and the file system once
        build_seconds(data)
        without, with_data = [], []
        for _ in range(RUNS):
            without.append(build_seconds(base))
            with_data.append(build_seconds(data))
        load_without, load_with, floor = loader_and_floor(data, metrics_file(rows))
    added = statistics.median(with_data) - statistics.median(without)
    print(f"metrics file: {rows:,} rows, {size / 1e6:.1f} MB")
    print(f"build without it: median {statistics.median(without):.2f} s of {RUNS}")
    print(f"build with it:    median {statistics.median(with_data):.2f} s of {RUNS}")
    print(
        f"loader alone, CPU time: {load_without:.2f} s without it, {load_with:.2f} s with it "
        f"(+{load_with - load_without:.2f} s); a bare csv.reader pass: {floor:.2f} s, "
        f"so checking and merging the rows costs {load_with - load_without - floor:.2f} s more"
    )
    verdict = "holds" if added <= TARGET_SECONDS else "MISSED"
    print(f"added: {added:.2f} s (target: at most {TARGET_SECONDS:.0f} s): {verdict}")
    return 0 if added <= TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
