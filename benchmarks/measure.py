"""One measured build, in a fresh process; prints one JSON line. Used by run.py.

    python benchmarks/measure.py build PROJECT_DIR
    python benchmarks/measure.py edit PROJECT_DIR JOURNEY_FILE NONCE
    python benchmarks/measure.py profile PROJECT_DIR OUT.prof
    python benchmarks/measure.py build PROJECT_DIR --without-views

`--without-views` builds the site as it was before the playbook's cross-journey
views (issue 11): no pain-point register, KPI board or team pages, no heatmap on
the channels index, and channel pages without the pain points, opportunities and
stage KPIs of their steps (the partial in `without_views/`, as a custom template).
Everything else (journey pages, canvas, navigation, search) is the current code,
so `build` against `build --without-views` is what those views cost.

`build` times one `mkdocs build` (configuration loading included, interpreter
start-up and the import of MkDocs itself not, the same for every mode).
`edit` does what `mkdocs serve` does when an author saves a journey: a first
build, then one step of one journey is changed on disk, the configuration is
loaded again (MkDocs keeps the plugin object, as under serve) and the site is
rebuilt in the same process. The first build is a warm build like any other
and is reported as such; the file is restored afterwards.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

from mkdocs.commands.build import build
from mkdocs.config import load_config


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# The sections issue 11 added (see `--without-views`).
ISSUE_11_SECTIONS = ("teams", "pain-points", "kpis")
WITHOUT_VIEWS_TEMPLATES = Path(__file__).resolve().parent / "without_views"


def drop_views() -> None:
    """The registry without the issue-11 sections, and the channels index without its
    heatmap, in every module that holds them."""
    from dataclasses import replace

    from mkdocs_cjm import sections
    from mkdocs_cjm.sections import heatmap
    from mkdocs_cjm.site import generate, nav

    def without_heatmap(context: Any) -> Any:
        empty = heatmap.Heatmap((), {}, {}, (), {})
        return lambda generator, rows: {**context(generator, rows), "heatmap": empty}

    views = tuple(
        replace(view, context=without_heatmap(view.context)) if view.name == "channels" else view
        for view in sections.VIEWS
        if view.name not in ISSUE_11_SECTIONS
    )
    kept = tuple(view for view in views if view.folder)
    for module in (sections, generate, nav):
        for name, value in (("VIEWS", views), ("SECTIONS", kept)):
            if hasattr(module, name):
                setattr(module, name, value)


def _build(project: Path, command: str = "build", without_views: bool = False) -> dict[str, Any]:
    if without_views:
        drop_views()
    wall, cpu = time.perf_counter(), time.process_time()
    config = load_config(str(project / "mkdocs.yml"), site_dir=str(project / "site"))
    if without_views:
        config.plugins["cjm"].config.custom_templates = str(WITHOUT_VIEWS_TEMPLATES)
    config.plugins.on_startup(command=command, dirty=False)
    plugin = config.plugins.get("cjm")
    before = _rendered(plugin)
    build(config)
    return {
        "seconds": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
        "rss_mb": _peak_rss_mb(),
        "rendered": _rendered(plugin) - before if plugin is not None else None,
    }


def _rendered(plugin: Any) -> int:
    renderer = getattr(plugin, "_renderer", None)
    return int(getattr(renderer, "rendered", 0))


def edit_one_step(text: str, nonce: str) -> str:
    """The journey with its third step's action changed, uniquely for this `nonce`."""
    import yaml

    journey = yaml.safe_load(text)
    step = journey["steps"][min(2, len(journey["steps"]) - 1)]
    step["action"] = f"{step['action']} (edited {nonce})"
    return str(yaml.safe_dump(journey, allow_unicode=True, sort_keys=False, width=100))


def main(argv: list[str]) -> int:
    mode, project = argv[0], Path(argv[1]).resolve()
    if mode == "build":
        result = _build(project, without_views="--without-views" in argv[2:])
    elif mode == "edit":
        journey, nonce = project / argv[2], argv[3]
        original = journey.read_text(encoding="utf-8")
        warm = _build(project, "serve")
        try:
            journey.write_text(edit_one_step(original, nonce), encoding="utf-8")
            edit = _build(project, "serve")
        finally:
            journey.write_text(original, encoding="utf-8")
        result = {"warm": warm, "edit": edit}
    elif mode == "profile":
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
        result = _build(project)
        profiler.disable()
        profiler.dump_stats(argv[2])
    else:
        raise SystemExit(f"unknown mode {mode}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
