"""`mkdocs-cjm` commands: check maps without a build, export the generated pages, print schemas.

mkdocs.yml is read by MkDocs' own loader (`!ENV`, `INHERIT`, both forms of
`plugins:`) and the plugin's options are validated by its own config schema, so
these commands accept, refuse and default exactly what `mkdocs build` does.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import posixpath
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path

import yaml

from mkdocs_cjm.core.freshness import (
    ReviewPolicy,
    TodayError,
    needing_review,
    resolve_today,
    reviews,
)
from mkdocs_cjm.core.loader import LoadResult
from mkdocs_cjm.core.model import Playbook
from mkdocs_cjm.core.pages import SCRIPT, STYLESHEET
from mkdocs_cjm.core.schema import FILE_KINDS, json_schema
from mkdocs_cjm.glue import new
from mkdocs_cjm.glue.config import (
    CjmConfig,
    ConfigReadError,
    default_options,
    diagram_renderer,
    load_options,
    read_mkdocs_config,
    section_options,
    site_options,
)
from mkdocs_cjm.render.diagrams import DiagramError
from mkdocs_cjm.site.generate import (
    TemplateProblem,
    check_templates,
    oversized_diagram_warning,
)
from mkdocs_cjm.site.nav import add_section, journey_groups
from mkdocs_cjm.site.pipeline import SectionOptions, build_section, load_maps


def _print_problems(result: LoadResult) -> None:
    for problem in result.problems:
        print(problem, file=sys.stderr)


def _load(options: SectionOptions) -> tuple[Playbook | None, int, int]:
    """The playbook, with the number of errors and of warnings (each printed)."""
    result = load_maps(options)
    _print_problems(result)
    return result.playbook, len(result.errors), len(result.warnings)


def _error(message: str) -> int:
    print(f"mkdocs-cjm: {message}", file=sys.stderr)
    return 1


def cmd_validate(args: argparse.Namespace) -> int:
    """Exit 0 when the maps have no error (warnings allowed unless --strict), else 1."""
    path = Path(args.path)
    config_file = path if path.is_file() else path / "mkdocs.yml"
    if config_file.is_file():
        try:
            config, options = read_mkdocs_config(config_file)
        except ConfigReadError as error:
            return _error(str(error))
        try:
            section = section_options(config, options, ready_html=False, display_root=Path.cwd())
        except TodayError as error:  # the build stops on it too
            return _error(str(error))
        templates = check_templates(section.site)
    else:
        # A project folder without mkdocs.yml still keeps its maps in maps/.
        options = default_options()
        try:
            section = SectionOptions.of(
                path,
                options.maps_dir if (path / options.maps_dir).is_dir() else ".",  # PATH: the maps
                load_options(options),
                site_options(None, options, ready_html=False),
                display_root=Path.cwd(),
            )
        except TodayError as error:
            return _error(str(error))
        templates = []
    if args.strict:  # the same day and limits
        section = dataclasses.replace(section, load=dataclasses.replace(section.load, strict=True))
    maps_dir = section.maps_dir
    playbook, errors, warnings = _load(section)
    for problem in templates:
        print(f"mkdocs-cjm: error: {problem}", file=sys.stderr)
    errors += len(templates)
    if errors or playbook is None:
        noun = "error" if errors == 1 else "errors"
        print(f"mkdocs-cjm: {errors} {noun} in the journey maps", file=sys.stderr)
        return 1
    if not playbook.journeys:
        print(_nothing_to_check(maps_dir), file=sys.stderr)
        return 1
    if args.stale:
        return _report_stale(playbook, options, args.today)
    for journey in playbook.journeys:
        warning = oversized_diagram_warning(journey, options.graphviz_max_size)
        if warning:
            print(f"mkdocs-cjm: warning: {warning}", file=sys.stderr)
            warnings += 1
    if args.strict and warnings:
        # As `mkdocs build --strict` does: "ok" here must not be a failed publish there.
        noun = (
            "1 warning, which --strict counts as an error"
            if warnings == 1
            else (f"{warnings} warnings, which --strict counts as errors")
        )
        print(f"mkdocs-cjm: {noun}", file=sys.stderr)
        return 1
    print(
        f"ok: {len(playbook.journeys)} journeys, {len(playbook.personas)} personas, "
        f"{len(playbook.channels)} channels"
    )
    return 0


def _nothing_to_check(maps_dir: Path) -> str:
    """An empty maps folder (or a wrong PATH) is not a valid playbook: say where we looked."""
    journeys = (maps_dir / "journeys").resolve()
    if journeys.is_relative_to(Path.cwd()):
        journeys = journeys.relative_to(Path.cwd())
    return (
        f"mkdocs-cjm: no journey maps found: {journeys.as_posix()}/ holds no .yml file; nothing to check "
        "(give the project folder, its mkdocs.yml or its maps folder as PATH, "
        "or start one with `mkdocs-cjm new`)"
    )


def _report_stale(playbook: Playbook, options: CjmConfig, today_option: str | None) -> int:
    """List the maps that need review, oldest first; 1 when there are any (for CI)."""
    try:
        today = resolve_today(today_option or options.today)
    except TodayError as error:
        print(f"mkdocs-cjm: {error}", file=sys.stderr)
        return 2
    every = options.review_after_days
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


_EXPORT_HINT = """\
To build them without the plugin, put OUT_DIR's content in docs/ and add to mkdocs.yml:
  markdown_extensions: [attr_list]      # the pages' heading ids
  extra_css: [{css}]
  extra_javascript: [{js}]"""

# In OUT_DIR: what the last export wrote (path -> sha256), so that the next one
# removes exactly those of its files that are no longer generated, and nothing else.
MANIFEST = ".mkdocs-cjm-export.json"


def cmd_export(args: argparse.Namespace) -> int:
    """Write the pages the plugin generates, as Markdown and SVG files, under OUT_DIR."""
    config_file = Path(args.config_file)
    if not config_file.is_file():
        return _error(f"{config_file} not found")
    try:
        config, options = read_mkdocs_config(config_file)
    except ConfigReadError as error:
        return _error(str(error))
    out = Path(args.out_dir)
    if (out.exists() or out.is_symlink()) and not out.is_dir():
        return _error(f"{out} is not a folder")
    if out.is_dir() and any(out.iterdir()) and not args.force:
        return _error(f"{out} is not empty; use --force to replace the exported pages in it")
    # Checked before any page is written: a refusal after them would leave half an export.
    unwritable = _unwritable_file(Path(args.nav)) if args.nav else None
    if unwritable:
        return _error(f"cannot write the navigation: {unwritable}; nothing was exported")

    def progress(message: str) -> None:
        print(f"mkdocs-cjm: {message}", file=sys.stderr)

    def warn(message: str) -> None:
        print(f"mkdocs-cjm: warning: {message}", file=sys.stderr)

    try:
        inputs = section_options(config, options, ready_html=False, display_root=Path.cwd())
        built = build_section(
            inputs,
            lambda: diagram_renderer(options, inputs.root, progress),
            warn=warn,
            loaded=_print_problems,
        )
    except (DiagramError, TemplateProblem, TodayError) as error:
        return _error(str(error))
    playbook = built.playbook
    if playbook is None:
        errors = len(built.loaded.errors)
        return _error(f"{errors} error(s) in the journey maps; nothing exported")
    site, pages, assets = inputs.site, built.pages, built.assets
    files = {page.src_uri: page.full_markdown() for page in pages}
    files |= {asset.path: asset.content for asset in assets}
    not_ours = _not_exported_before(out, files)
    if not_ours:
        shown = ", ".join(str(out / relative) for relative in not_ours[:10])
        more = f" and {len(not_ours) - 10} more" if len(not_ours) > 10 else ""
        return _error(
            f"{shown}{more} would be overwritten, but no earlier export wrote "
            f"{'it' if len(not_ours) == 1 else 'them'} (not in {out / MANIFEST}); "
            "nothing was written (move or rename them, or set the plugin option prefix "
            "so that the generated pages go elsewhere)"
        )
    try:
        _export_files(out, files)
    except (ConfigReadError, OSError) as error:
        return _error(f"export stopped: {error}")
    print(f"exported {len(pages)} pages and {len(assets)} files to {out}")
    if args.nav:
        groups = journey_groups(playbook, site.layout, site.labels, options.group_journeys_over)
        section = add_section(
            [], [page.src_uri for page in pages], site.layout.prefix, site.labels, groups
        )
        nav_text = yaml.safe_dump(section, allow_unicode=True, sort_keys=False, width=1000)
        _replace_file(Path(args.nav), nav_text.encode("utf-8"))
        print(f"wrote the section's navigation to {args.nav}: entries for mkdocs.yml's `nav`")
    print(_EXPORT_HINT.format(css=STYLESHEET, js=SCRIPT))
    return 0


def _export_files(out: Path, files: Mapping[str, str]) -> None:
    """Write `files` (relative POSIX path -> text) under `out`; remove what the previous
    export wrote and this one does not, if unchanged since; record the new manifest."""
    out.mkdir(parents=True, exist_ok=True)
    previous = _read_manifest(out)
    written: dict[str, str] = {}
    for relative, text in files.items():
        data = _exported_bytes(text)
        _replace_file(_inside(out, relative), data)
        written[relative] = hashlib.sha256(data).hexdigest()
    for relative, digest in sorted(previous.items()):
        if relative in written:
            continue
        path = _written_before(out, relative)
        if path is None:
            continue
        if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            print(
                f"mkdocs-cjm: kept {path}: changed since the export that wrote it", file=sys.stderr
            )
            continue
        path.unlink()
    manifest = {"generator": "mkdocs-cjm export", "files": dict(sorted(written.items()))}
    _replace_file(out / MANIFEST, (json.dumps(manifest, indent=1) + "\n").encode("utf-8"))


def _not_exported_before(out: Path, files: Mapping[str, str]) -> list[str]:
    """The paths of `files` where `out` holds something the previous export did not write
    and that differs from what this one writes: replacing it would lose an author's work.

    A file reached through a linked folder is not counted: the link is replaced by a
    folder (see `_inside`), so what it points to is never touched."""
    previous = _read_manifest(out)
    in_the_way = []
    for relative, text in sorted(files.items()):
        if relative in previous or not _is_plain_relative(relative):
            continue
        path, folders = out, relative.split("/")[:-1]
        for index, part in enumerate(folders):
            path = path / part
            if path.is_symlink() or not path.exists():
                break
            if not path.is_dir():  # a file where a folder of generated pages goes
                in_the_way.append("/".join(folders[: index + 1]))
                break
        else:
            path = path / posixpath.basename(relative)
            if path.is_symlink() or not path.exists():
                replaceable = not path.is_symlink()  # a link of the author's is theirs too
            else:
                replaceable = path.is_file() and path.read_bytes() == _exported_bytes(text)
            if not replaceable:
                in_the_way.append(relative)
    return sorted(set(in_the_way))


def _exported_bytes(text: str) -> bytes:
    return text.replace("\r\n", "\n").encode("utf-8")


def _unwritable_file(path: Path) -> str | None:
    """Why a file cannot be written at `path` (a folder there, a file where a folder
    of its path should be), or None."""
    if path.is_dir() and not path.is_symlink():
        return f"{path} is a folder"
    for folder in path.parents:
        if folder.is_dir():
            return None
        if folder.exists() or folder.is_symlink():
            return f"{folder} is not a folder"
    return None


def _read_manifest(out: Path) -> dict[str, str]:
    """The files the previous export wrote; nothing from a manifest that is not one."""
    path = out / MANIFEST
    if path.is_symlink() or not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        return {}
    return {
        key: value
        for key, value in files.items()
        if isinstance(key, str) and isinstance(value, str) and _is_plain_relative(key)
    }


def _is_plain_relative(relative: str) -> bool:
    parts = relative.split("/")
    return (
        bool(relative)
        and not relative.startswith("/")
        and "\\" not in relative
        and "\x00" not in relative
        and all(part not in ("", ".", "..") for part in parts)
    )


def _inside(out: Path, relative: str) -> Path:
    """`out/relative` to write to, its folders made: a link among them is replaced by a
    folder (the link is removed, never what it points to), so nothing lands elsewhere."""
    if not _is_plain_relative(relative):
        raise ConfigReadError(f"refusing to write '{relative}': not a path inside the folder")
    folder = out
    for part in relative.split("/")[:-1]:
        folder = folder / part
        if folder.is_symlink():
            folder.unlink()
        if not folder.exists():
            folder.mkdir()
        elif not folder.is_dir():
            raise ConfigReadError(f"cannot write under {folder}: it is a file, not a folder")
    path = folder / posixpath.basename(relative)
    if path.is_dir() and not path.is_symlink():
        raise ConfigReadError(f"cannot write {path}: it is a folder")
    return path


def _written_before(out: Path, relative: str) -> Path | None:
    """`out/relative` if it is a plain file reached without following any link, else None."""
    path = out
    for part in relative.split("/"):
        path = path / part
        if path.is_symlink():
            return None
    return path if path.is_file() else None


def _replace_file(path: Path, data: bytes) -> None:
    """Write `path` anew: a link there is replaced by the file, never written through."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.parent / f".tmp-{secrets.token_hex(8)}{path.suffix}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)  # replaces a link itself, not its target
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def cmd_schema(args: argparse.Namespace) -> int:
    kinds = [args.kind] if args.kind else list(FILE_KINDS)
    if args.out_dir:
        out = Path(args.out_dir)
        targets = {out / f"{kind}.schema.json": kind for kind in kinds}
        # Every target checked first: a refusal after some files were written is half a job.
        if out.exists() and not out.is_dir():
            return _error(f"cannot write the schemas: {out} is not a folder; nothing was written")
        for path in targets:
            unwritable = _unwritable_file(path)
            if unwritable:
                return _error(f"cannot write the schemas: {unwritable}; nothing was written")
        try:
            for path, kind in targets.items():
                text = json.dumps(json_schema(kind), indent=2) + "\n"
                _replace_file(path, text.encode("utf-8"))
        except OSError as error:
            return _error(f"cannot write the schemas: {error}")
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
        "--strict",
        action="store_true",
        help="exit 1 on any warning too, as `mkdocs build --strict` does "
        "(and unknown keys are errors, as with `strict: true`)",
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
        help="write into a non-empty OUT_DIR, replacing the files an earlier export wrote there",
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
