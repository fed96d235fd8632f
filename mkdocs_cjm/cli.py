"""`mkdocs-cjm` commands: check maps without a build, export the generated pages, print schemas."""

from __future__ import annotations

import argparse
import json
import os
import posixpath
import sys
from pathlib import Path
from typing import Any

import yaml

from . import new
from .diagrams import Backend, DiagramError, DiagramRenderer
from .freshness import (
    DEFAULT_REVIEW_AFTER_DAYS,
    ReviewPolicy,
    TodayError,
    journey_history,
    needing_review,
    resolve_today,
    reviews,
)
from .generate import SiteOptions, flow_asset, generate_site
from .i18n import labels_for
from .loader import LoadOptions, load_playbook
from .nav import GROUP_JOURNEYS_OVER, add_section, journey_groups
from .pages import SCRIPT, STYLESHEET, Layout, PageKind, PageRef
from .schema import FILE_KINDS, json_schema


class _ConfigLoader(yaml.SafeLoader):
    """mkdocs.yml may hold `!!python/name:` and `!ENV` tags; keep them as inert text."""


_ConfigLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def _read_config(config_file: Path) -> dict[str, Any]:
    try:
        data = yaml.load(config_file.read_text(encoding="utf-8-sig"), Loader=_ConfigLoader)
    except (OSError, yaml.YAMLError) as exc:
        raise SystemExit(f"mkdocs-cjm: cannot read {config_file}: {exc}") from None
    return data if isinstance(data, dict) else {}


def _plugin_options(config: dict[str, Any]) -> dict[str, Any]:
    for entry in config.get("plugins") or []:
        if entry == "cjm":
            return {}
        if isinstance(entry, dict) and "cjm" in entry:
            return dict(entry["cjm"] or {})
    return {}


def _load(
    config_file: Path, maps_dir: Path | None, *, strict: bool | None = None
) -> tuple[Any, dict[str, Any], dict[str, Any], int]:
    config = _read_config(config_file) if config_file.is_file() else {}
    options = _plugin_options(config)
    root = config_file.resolve().parent
    folder = maps_dir or root / (options.get("maps_dir") or "maps")
    result = load_playbook(
        folder.resolve(),
        display_root=Path.cwd(),
        options=LoadOptions(
            max_file_bytes=int(options.get("max_file_size", 1_048_576)),
            strict=bool(options.get("strict", False)) if strict is None else strict,
        ),
    )
    for problem in result.problems:
        print(problem, file=sys.stderr)
    errors = len(result.errors)
    return result.playbook, config, options, errors


def cmd_validate(args: argparse.Namespace) -> int:
    """Exit 0 when the maps have no error (warnings allowed unless --strict), else 1."""
    path = Path(args.path)
    config_file = path if path.is_file() else path / "mkdocs.yml"
    maps_dir = None
    if not config_file.is_file():
        # A project folder without mkdocs.yml still keeps its maps in maps/.
        maps_dir = path / "maps" if (path / "maps").is_dir() else path
    playbook, _, options, errors = _load(
        config_file, maps_dir, strict=True if args.strict else None
    )
    if errors or playbook is None:
        noun = "error" if errors == 1 else "errors"
        print(f"mkdocs-cjm: {errors} {noun} in the journey maps", file=sys.stderr)
        return 1
    if not playbook.journeys:
        print(_nothing_to_check(config_file, maps_dir), file=sys.stderr)
        return 1
    if args.stale:
        return _report_stale(playbook, options, args.today)
    print(
        f"ok: {len(playbook.journeys)} journeys, {len(playbook.personas)} personas, "
        f"{len(playbook.channels)} channels"
    )
    return 0


def _nothing_to_check(config_file: Path, maps_dir: Path | None) -> str:
    """An empty maps folder (or a wrong PATH) is not a valid playbook: say where we looked."""
    if maps_dir is None:
        options = _plugin_options(_read_config(config_file))
        maps_dir = config_file.parent / str(options.get("maps_dir") or "maps")
    journeys = (maps_dir / "journeys").as_posix()
    return (
        f"mkdocs-cjm: no journey maps found: {journeys}/ holds no .yml file; nothing to check "
        "(give the project folder, its mkdocs.yml or its maps folder as PATH, "
        "or start one with `mkdocs-cjm new`)"
    )


def _report_stale(playbook: Any, options: dict[str, Any], today_option: str | None) -> int:
    """List the maps that need review, oldest first; 1 when there are any (for CI)."""
    try:
        today = resolve_today(today_option or options.get("today"))
    except TodayError as error:
        print(f"mkdocs-cjm: {error}", file=sys.stderr)
        return 2
    every = int(options.get("review_after_days", DEFAULT_REVIEW_AFTER_DAYS))
    stale = needing_review(reviews(playbook, ReviewPolicy(today, every)).values())
    for review in stale:
        owner = f"; owner: {review.owner}" if review.owner else ""
        if review.reviewed is None:
            state = "has no review date (reviewed: YYYY-MM-DD)"
        else:
            state = (
                f"was last reviewed on {review.reviewed.isoformat()}, {review.days_since} days ago"
            )
        print(f"{review.file}: {review.kind} '{review.title}' {state}{owner}")
    if stale:
        noun = "map needs" if len(stale) == 1 else "maps need"
        print(
            f"mkdocs-cjm: {len(stale)} {noun} review (every {every} days; "
            f"today is {today.isoformat()})",
            file=sys.stderr,
        )
        return 1
    print(f"ok: every map was reviewed in the last {every} days (today is {today.isoformat()})")
    return 0


def _export_options(
    config_file: Path, config: dict[str, Any], options: dict[str, Any]
) -> SiteOptions:
    """The plugin's SiteOptions for this mkdocs.yml, as `plugin.py` derives them from MkDocs."""
    theme = config.get("theme")
    theme_language = theme.get("language") if isinstance(theme, dict) else None
    tags = options.get("tags")
    if tags is None:
        names = [
            name
            for entry in config.get("plugins") or []
            for name in ([entry] if isinstance(entry, str) else list(entry or {}))
        ]
        tags = any(str(name).endswith("tags") for name in names)
    templates = options.get("custom_templates")
    return SiteOptions(
        layout=Layout(
            str(options.get("prefix", "playbook")).strip("/"),
            bool(config.get("use_directory_urls", True)),
        ),
        labels=labels_for(options.get("language") or theme_language),
        allow_html=bool(options.get("allow_html", False)),
        tags=bool(tags),
        heading_ids=True,
        custom_templates=config_file.resolve().parent / templates if templates else None,
        # Whole Markdown pages: they must build where the plugin is not installed.
        ready_html=False,
        journey_layout=str(options.get("journey_layout", "wide")),
        review_policy=ReviewPolicy(
            resolve_today(options.get("today")),
            int(options.get("review_after_days", DEFAULT_REVIEW_AFTER_DAYS)),
        ),
    )


_EXPORT_HINT = """\
To build them without the plugin, put OUT_DIR's content in docs/ and add to mkdocs.yml:
  markdown_extensions: [attr_list]      # the pages' heading ids
  extra_css: [{css}]
  extra_javascript: [{js}]"""


def cmd_export(args: argparse.Namespace) -> int:
    """Write the pages the plugin generates, as Markdown and SVG files, under OUT_DIR."""
    config_file = Path(args.config_file)
    if not config_file.is_file():
        print(f"mkdocs-cjm: {config_file} not found", file=sys.stderr)
        return 1
    playbook, config, options, errors = _load(config_file, None)
    if errors or playbook is None:
        print(
            f"mkdocs-cjm: {errors} error(s) in the journey maps; nothing exported", file=sys.stderr
        )
        return 1
    out = Path(args.out_dir)
    if out.exists() and not out.is_dir():
        print(f"mkdocs-cjm: {out} is not a folder", file=sys.stderr)
        return 1
    if out.is_dir() and any(out.iterdir()) and not args.force:
        message = f"{out} is not empty; use --force to replace the exported pages in it"
        print(f"mkdocs-cjm: {message}", file=sys.stderr)
        return 1
    try:
        renderer = DiagramRenderer(
            Backend(options.get("graphviz_backend", "auto")),
            config_file.resolve().parent / options.get("cache_dir", ".cache/cjm"),
        )
        site_options = _export_options(config_file, config, options)
        maps_dir = config_file.resolve().parent / str(options.get("maps_dir") or "maps")
        history = journey_history(playbook, maps_dir, Path.cwd())
        pages, assets = generate_site(playbook, site_options, renderer, history)
    except (DiagramError, TodayError) as error:
        print(f"mkdocs-cjm: {error}", file=sys.stderr)
        return 1
    _remove_stale(
        out, site_options.layout, {page.src_uri for page in pages} | {a.path for a in assets}
    )
    for page in pages:
        _write(out / page.src_uri, page.full_markdown())
    for asset in assets:
        _write(out / asset.path, asset.content)
    print(f"exported {len(pages)} pages and {len(assets)} files to {out}")
    if args.nav:
        groups = journey_groups(
            playbook,
            site_options.layout,
            site_options.labels,
            int(options.get("group_journeys_over", GROUP_JOURNEYS_OVER)),
        )
        section = add_section(
            [],
            [page.src_uri for page in pages],
            site_options.layout.prefix,
            site_options.labels,
            groups,
        )
        nav_text = yaml.safe_dump(section, allow_unicode=True, sort_keys=False, width=1000)
        _write(Path(args.nav), nav_text)
        print(f"wrote the section's navigation to {args.nav}: entries for mkdocs.yml's `nav`")
    print(_EXPORT_HINT.format(css=STYLESHEET, js=SCRIPT))
    return 0


def _remove_stale(out: Path, layout: Layout, written: set[str]) -> None:
    """Delete the pages and diagrams an earlier export wrote for maps that are gone.

    Only .md and .svg files in the folders of journey, persona and channel pages
    and of the diagrams are candidates: hand-written pages elsewhere in a docs/
    folder are never touched.
    """
    folders = {
        posixpath.dirname(layout.src_uri(PageRef(kind, "x")))
        for kind in (PageKind.JOURNEY, PageKind.PERSONA, PageKind.CHANNEL)
    } | {posixpath.dirname(flow_asset("x"))}
    for folder in folders:
        directory = out / folder
        if not directory.is_dir():
            continue
        for path in directory.iterdir():
            stale = f"{folder}/{path.name}" not in written
            if stale and path.suffix in (".md", ".svg") and path.is_file():
                path.unlink()


def _write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8", newline="\n")


def cmd_schema(args: argparse.Namespace) -> int:
    kinds = [args.kind] if args.kind else list(FILE_KINDS)
    if args.out_dir:
        out = Path(args.out_dir)
        out.mkdir(parents=True, exist_ok=True)
        for kind in kinds:
            _write(out / f"{kind}.schema.json", json.dumps(json_schema(kind), indent=2) + "\n")
        return 0
    # One JSON document on stdout, whatever is asked: a single schema, or all three
    # keyed by file kind.
    document = json_schema(args.kind) if args.kind else {k: json_schema(k) for k in kinds}
    print(json.dumps(document, indent=2))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="mkdocs-cjm", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    new.add_parser(commands)

    validate = commands.add_parser("validate", help="check the maps; exit 1 if any has an error")
    validate.add_argument(
        "path", nargs="?", default=".", help="mkdocs.yml, its folder, or a maps folder"
    )
    validate.add_argument(
        "--strict", action="store_true", help="unknown keys are errors, as with `strict: true`"
    )
    validate.add_argument(
        "--stale",
        action="store_true",
        help="list the maps whose review is overdue or undated; exit 1 if there are any",
    )
    validate.add_argument(
        "--today",
        metavar="YYYY-MM-DD",
        help="judge reviews on this day (default: the option today, $MKDOCS_CJM_TODAY, the clock)",
    )
    validate.set_defaults(run=cmd_validate)

    export = commands.add_parser(
        "export",
        help="write the pages the plugin generates (Markdown + SVG), to inspect or leave the plugin",
    )
    export.add_argument("-f", "--config-file", default="mkdocs.yml", help="the site's mkdocs.yml")
    export.add_argument(
        "--force",
        action="store_true",
        help="write into a non-empty OUT_DIR, replacing pages an earlier export left there",
    )
    export.add_argument(
        "--nav",
        metavar="FILE",
        help="also write the section's navigation, as the plugin adds it, as YAML entries "
        "for mkdocs.yml's `nav`",
    )
    export.add_argument("out_dir", metavar="OUT_DIR", help="folder to write, e.g. another docs/")
    export.set_defaults(run=cmd_export)

    schema = commands.add_parser("schema", help="print or write the JSON Schemas of the map files")
    schema.add_argument("kind", nargs="?", choices=sorted(FILE_KINDS))
    schema.add_argument("-o", "--out-dir", help="write <kind>.schema.json files here")
    schema.set_defaults(run=cmd_schema)

    args = parser.parse_args(argv)
    try:
        code: int = args.run(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader stopped early (`mkdocs-cjm schema | head -1`): what it read is
        # what it wanted. Point stdout at devnull so the exit-time flush is silent.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return code


if __name__ == "__main__":
    sys.exit(main())
