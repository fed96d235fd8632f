"""The generated section's navigation: its order, its titles, and journeys grouped by persona.

Pure: the plugin applies these to MkDocs' own navigation (auto or explicit),
and `mkdocs-cjm export` writes them out for a site without the plugin.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping, Sequence
from typing import Any

from .model import Playbook
from .pages import Layout, PageKind, PageRef

NavItem = Any  # str | dict[str, str | list[NavItem]]: MkDocs' own nav shape
JourneyGroup = tuple[str, list[str]]  # a title, and the journey pages under it


def nav_paths(nav: list[NavItem]) -> set[str]:
    """Every page path an explicit nav lists, at any depth."""
    found: set[str] = set()
    for item in nav:
        if isinstance(item, str):
            found.add(item)
        elif isinstance(item, dict):
            for value in item.values():
                if isinstance(value, str):
                    found.add(value)
                elif isinstance(value, list):
                    found |= nav_paths(value)
    return found


def journey_groups(
    playbook: Playbook, layout: Layout, labels: Mapping[str, str], group_over: int
) -> list[JourneyGroup]:
    """The journey pages under their first persona's name, once there are more than
    `group_over` journeys (a negative `group_over` never groups); otherwise none.

    A flat list of hundreds of journeys is hard to browse, and with Material's
    `navigation.prune` a page then carries only its own group's links rather than
    every journey's. Groups follow the personas' order; journeys naming no persona
    come last. A single group would only add a level, so there is none then either.
    """
    if group_over < 0 or len(playbook.journeys) <= group_over:
        return []
    groups: dict[str, JourneyGroup] = {
        persona.id: (persona.name, []) for persona in playbook.personas
    }
    loose: JourneyGroup = (labels["journeys_without_persona"], [])
    for journey in sorted(playbook.journeys, key=lambda journey: journey.id):
        path = layout.src_uri(PageRef(PageKind.JOURNEY, journey.id))
        first = journey.personas[0] if journey.personas else None
        groups.get(first or "", loose)[1].append(path)
    found = [group for group in (*groups.values(), loose) if group[1]]
    return found if len(found) > 1 else []


def grouped(paths: Sequence[str], groups: Sequence[JourneyGroup]) -> list[NavItem]:
    """`paths` in order, with those the `groups` hold replaced by one `{title: [paths]}`
    entry per group, in the groups' order, where the first of them was."""
    members = {path for _, group in groups for path in group}
    items: list[NavItem] = []
    for path in paths:
        if path not in members:
            items.append(path)
        elif not any(isinstance(item, dict) for item in items):
            items += [{title: list(group)} for title, group in groups]
    return items


def add_section(
    nav: list[NavItem],
    generated: list[str],
    prefix: str,
    labels: Mapping[str, str],
    groups: Sequence[JourneyGroup] = (),
) -> list[NavItem]:
    """`nav` with a playbook section appended, or unchanged if it lists any generated page."""
    if nav_paths(nav) & set(generated):
        return nav

    def folder(name: str) -> list[NavItem]:
        base = posixpath.join(prefix, name)
        index = posixpath.join(base, "index.md")
        items = sorted(
            path for path in generated if posixpath.dirname(path) == base and path != index
        )
        return [index, *grouped(items, groups)]

    overview = posixpath.join(prefix, "index.md")
    section = [
        overview,
        {labels["journeys"]: folder("journeys")},
        {labels["personas"]: folder("personas")},
        {labels["channels"]: folder("channels")},
    ]
    return [*nav, {labels["playbook"]: section}]


SECTION_ORDER = ("journeys", "personas", "channels")


def section_titles(prefix: str, labels: Mapping[str, str]) -> dict[str, str]:
    """Title of each generated folder, for the sections MkDocs derives from folder names."""
    titles = {posixpath.join(prefix, name): labels[name] for name in SECTION_ORDER}
    if prefix:
        titles[prefix] = labels["playbook"]
    return titles


def section_rank(folder: str, prefix: str) -> int:
    """Journeys, personas, channels in that order; anything else keeps its place after them."""
    for rank, name in enumerate(SECTION_ORDER):
        if folder == posixpath.join(prefix, name):
            return rank
    return len(SECTION_ORDER)
