"""`mkdocs-cjm new [DIR] [--lang vi|en]`: a working playbook to start from.

The sample files ship inside the package (`mkdocs_cjm/scaffold/<lang>/`) and are
copied as they are, but for their review dates (today's): what the tests build is
what a newcomer gets.
"""

from __future__ import annotations

import argparse
import re
import sys
from datetime import date
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from mkdocs_cjm.core.freshness import TodayError, resolve_today

LANGUAGES = ("en", "vi")
# Dot-files would be hidden in the package (and some packagers drop them): shipped
# under a plain name, written under the real one.
_RENAMED = {"gitignore": ".gitignore"}


def scaffold_files(language: str) -> dict[str, bytes]:
    """The sample project of a language: relative path -> content."""
    root = resources.files("mkdocs_cjm.glue") / "scaffold" / language
    files: dict[str, bytes] = {}

    def walk(folder: Traversable, prefix: str) -> None:
        for entry in sorted(folder.iterdir(), key=lambda item: item.name):
            if entry.name == "__pycache__":
                continue
            if entry.is_dir():
                walk(entry, f"{prefix}{entry.name}/")
            else:
                name = _RENAMED.get(entry.name, entry.name) if not prefix else entry.name
                files[prefix + name] = entry.read_bytes()

    walk(root, "")
    return files


# A sample map's `reviewed:` date, at the start of its line.
_REVIEWED = re.compile(rb"^(reviewed: *)\d{4}-\d{2}-\d{2}", re.MULTILINE)


def reviewed_on(files: dict[str, bytes], day: date) -> dict[str, bytes]:
    """The sample maps, reviewed on `day`: a new playbook is reviewed the day it is made,
    so `mkdocs-cjm validate --stale` passes on it and no page opens on "needs review"."""
    stamp = rb"\g<1>" + day.isoformat().encode()
    return {
        name: _REVIEWED.sub(stamp, content) if name.startswith("maps/") else content
        for name, content in files.items()
    }


def create_playbook(target: Path, language: str) -> list[str]:
    """Write the sample project into `target`; refuse (writing nothing) if anything is in
    the way: a file, a dangling link, a file where a folder goes, a link leading out of
    `target`.

    Returns the relative paths written. Raises FileExistsError naming what is in the way.
    """
    files = reviewed_on(scaffold_files(language), resolve_today())
    if target.is_symlink() and not target.exists():
        raise FileExistsError(
            f"{target.as_posix()} is a link to a folder that does not exist "
            f"({target.resolve()}); nothing was written"
        )
    if target.exists() and not target.is_dir():
        raise FileExistsError(f"{target} exists and is not a folder")
    in_the_way = _in_the_way(target, list(files))
    if in_the_way:
        raise FileExistsError(
            f"{'; '.join(in_the_way)}; nothing was written "
            "(choose a new or empty folder: mkdocs-cjm new DIR)"
        )
    for name, content in files.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("xb") as handle:  # never through a link made since the check
            handle.write(content)
    return list(files)


def _in_the_way(target: Path, names: list[str]) -> list[str]:
    """What stops writing `names` under `target`, each said once: every check is done
    before the first file is written, so a refusal leaves nothing half made."""
    root = target.resolve()
    existing: dict[str, None] = {}
    problems: dict[str, None] = {}
    for name in names:
        path = target
        parts = name.split("/")
        for depth, part in enumerate(parts, 1):
            path = path / part
            shown = path.as_posix()
            if path.is_symlink() and not path.resolve().is_relative_to(root):
                problems[f"{shown} is a link to {path.resolve()}, outside {target.as_posix()}"] = (
                    None
                )
                break
            if not path.exists():
                if path.is_symlink():  # dangling: writing there would create its target
                    existing[shown] = None
                break
            if depth == len(parts):
                existing[shown] = None
            elif not path.is_dir():
                problems[f"{shown} is a file where the sample needs a folder"] = None
                break
    if existing:
        verb = "exists" if len(existing) == 1 else "exist"
        problems[f"{', '.join(existing)} already {verb}"] = None
    return list(problems)


def cmd_new(args: argparse.Namespace) -> int:
    target = Path(args.dir)
    try:
        written = create_playbook(target, args.lang)
    except (FileExistsError, OSError, TodayError) as error:
        print(f"mkdocs-cjm: {error}", file=sys.stderr)
        return 1
    shown = target.as_posix()
    print(f"created a playbook in {shown}/ ({len(written)} files):")
    for name in written:
        print(f"  {name}")
    go = "" if shown == "." else f"cd {shown} && "
    print(f"next: {go}mkdocs serve    (then open http://127.0.0.1:8000)")
    return 0


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    new = commands.add_parser(
        "new",
        help="create a working playbook (mkdocs.yml, docs/, sample maps/) to start from",
    )
    new.add_argument("dir", nargs="?", default=".", metavar="DIR", help="folder to create it in")
    new.add_argument(
        "--lang",
        choices=LANGUAGES,
        default="en",
        help="language of the interface labels and the sample (default: en)",
    )
    new.set_defaults(run=cmd_new)
