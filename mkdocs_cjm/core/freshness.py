"""How fresh each map is: its `reviewed` date against a review interval, and its git history.

"Today" is an input, never read inside the rules: the plugin passes the option
`today`, else the environment variable MKDOCS_CJM_TODAY, else the clock, so tests
and reproducible builds fix it.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path

from mkdocs_cjm.core.model import Playbook

TODAY_VARIABLE = "MKDOCS_CJM_TODAY"
DEFAULT_REVIEW_AFTER_DAYS = 180


class TodayError(ValueError):
    pass


def resolve_today(option: str | None = None, environ: Mapping[str, str] | None = None) -> date:
    """The day reviews are judged on: `option`, else $MKDOCS_CJM_TODAY, else the clock."""
    environ = os.environ if environ is None else environ
    for text, where in ((option, "the option today"), (environ.get(TODAY_VARIABLE), None)):
        if not text:
            continue
        try:
            return date.fromisoformat(str(text).strip())
        except ValueError:
            name = where or f"the environment variable {TODAY_VARIABLE}"
            raise TodayError(f"{name} is '{text}'; expected a date written YYYY-MM-DD") from None
    return date.today()


class ReviewState(str, Enum):
    FRESH = "fresh"
    OVERDUE = "overdue"
    UNDATED = "undated"


@dataclass(frozen=True)
class ReviewPolicy:
    today: date
    after_days: int = DEFAULT_REVIEW_AFTER_DAYS


@dataclass(frozen=True)
class Review:
    """The review status of one map (a journey or a persona)."""

    kind: str  # "journey" or "persona"
    id: str
    title: str
    file: str
    reviewed: date | None
    owner: str | None
    state: ReviewState
    days_since: int | None  # days since the last review

    @property
    def needs_review(self) -> bool:
        return self.state is not ReviewState.FRESH


def review_of(
    kind: str,
    item_id: str,
    title: str,
    file: str,
    reviewed: date | None,
    owner: str | None,
    policy: ReviewPolicy,
) -> Review:
    if reviewed is None:
        return Review(kind, item_id, title, file, None, owner, ReviewState.UNDATED, None)
    days = (policy.today - reviewed).days
    state = ReviewState.OVERDUE if days > policy.after_days else ReviewState.FRESH
    return Review(kind, item_id, title, file, reviewed, owner, state, days)


def persona_owner(playbook: Playbook, persona_id: str) -> str | None:
    """A persona file has no owner of its own: the owners of the journeys that follow it."""
    owners = dict.fromkeys(
        journey.owner
        for journey in playbook.journeys
        if persona_id in journey.personas and journey.owner
    )
    return ", ".join(owner for owner in owners if owner) or None


def reviews(playbook: Playbook, policy: ReviewPolicy) -> dict[tuple[str, str], Review]:
    """Every journey's and persona's review status, by (kind, id)."""
    found: dict[tuple[str, str], Review] = {}
    for journey in playbook.journeys:
        found["journey", journey.id] = review_of(
            "journey",
            journey.id,
            journey.title,
            journey.source.path,
            journey.reviewed,
            journey.owner,
            policy,
        )
    for persona in playbook.personas:
        found["persona", persona.id] = review_of(
            "persona",
            persona.id,
            persona.name,
            persona.source.path,
            persona.reviewed,
            persona_owner(playbook, persona.id),
            policy,
        )
    return found


def needing_review(all_reviews: Iterable[Review]) -> list[Review]:
    """The maps that need review, oldest first: never reviewed, then by review date."""
    return sorted(
        (review for review in all_reviews if review.needs_review),
        key=lambda review: (
            review.reviewed is not None,
            review.reviewed or date.min,
            review.kind,
            review.id,
        ),
    )


@dataclass(frozen=True)
class FileChange:
    """The last commit that touched a file."""

    day: date
    author: str


_RECORD = "\x1e"
_FIELD = "\x1f"


def map_history(maps_dir: Path, wanted: Iterable[str]) -> dict[str, FileChange]:
    """The last change of each `wanted` file (paths relative to `maps_dir`), from one
    `git log` walk; empty outside a git repository, or without git.

    The walk reads the history newest first and stops as soon as every wanted file
    has been seen, so a long history costs only as much as it must.
    """
    remaining = set(wanted)
    found: dict[str, FileChange] = {}
    if not remaining or not maps_dir.is_dir():
        return found
    command = [
        "git",
        "-c",
        "core.quotepath=off",
        "log",
        f"--format={_RECORD}%aI{_FIELD}%an",
        "--name-only",
        "--relative",
        "--no-renames",
        "--",
        ".",
    ]
    environment = {**os.environ, "LC_ALL": "C", "GIT_TERMINAL_PROMPT": "0"}
    try:
        process = subprocess.Popen(
            command,
            cwd=maps_dir,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            stdin=subprocess.DEVNULL,
            env=environment,
            encoding="utf-8",
            errors="replace",
        )
    except OSError:
        return found  # no git on this machine
    assert process.stdout is not None
    current: FileChange | None = None
    try:
        for line in process.stdout:
            line = line.rstrip("\n")
            if line.startswith(_RECORD):
                current = _commit(line[1:])
            elif line and current is not None and line in remaining:
                found[line] = current
                remaining.discard(line)
                if not remaining:
                    break
    finally:
        process.stdout.close()
        if process.poll() is None:
            process.kill()
        process.wait()
    return found


def _commit(header: str) -> FileChange | None:
    stamp, _, author = header.partition(_FIELD)
    try:
        return FileChange(datetime.fromisoformat(stamp).date(), author.strip())
    except ValueError:
        return None


def journey_history(
    playbook: Playbook, maps_dir: Path, display_root: Path
) -> dict[str, FileChange]:
    """Last change of each journey's file, keyed by the path its `source` shows."""
    relative: dict[str, str] = {}
    for journey in playbook.journeys:
        try:
            path = (display_root / journey.source.path).resolve().relative_to(maps_dir.resolve())
        except ValueError:
            continue
        relative[path.as_posix()] = journey.source.path
    changes = map_history(maps_dir, relative)
    return {relative[name]: change for name, change in changes.items()}
