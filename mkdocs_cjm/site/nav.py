"""The generated section's navigation: its order, its titles, and journeys grouped by persona.

Pure: the plugin applies these to MkDocs' own navigation (auto or explicit),
and `mkdocs-cjm export` writes them out for a site without the plugin.
"""

from __future__ import annotations

import posixpath
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from mkdocs_cjm.core.model import Playbook
from mkdocs_cjm.core.pages import Layout, PageKind, PageRef
from mkdocs_cjm.sections import SECTIONS, VIEW_BY_NAME

NavItem = Any  # str | dict[str, str | list[NavItem]]: MkDocs' own nav shape


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
) -> list[NavItem]:
    """The journey pages as `{persona name: [paths]}` entries, once there are more than
    `group_over` journeys (a negative `group_over` never groups); otherwise none.

    A flat list of hundreds of journeys is hard to browse, and with Material's
    `navigation.prune` a page then carries only its own group's links rather than
    every journey's. A journey goes under its first persona, groups follow the
    personas' order, and journeys naming no persona come last. A single group
    would only add a level, so there is none then either; more than
    `LETTERS_OVER` groups are filed under their names' initials.
    """
    if group_over < 0 or len(playbook.journeys) <= group_over:
        return []
    members: dict[str, list[str]] = {persona.id: [] for persona in playbook.personas}
    loose: list[str] = []
    for journey in sorted(playbook.journeys, key=lambda journey: journey.id):
        path = layout.src_uri(PageRef(PageKind.JOURNEY, journey.id))
        first = journey.personas[0] if journey.personas else ""
        members.get(first, loose).append(path)
    groups = [
        (persona.name, members[persona.id]) for persona in playbook.personas if members[persona.id]
    ]
    tail: list[NavItem] = [{labels["journeys_without_persona"]: loose}] if loose else []
    if len(groups) + len(tail) < 2:
        return []
    if len(groups) <= LETTERS_OVER:
        return [{title: paths} for title, paths in groups] + tail
    by_letter: dict[str, list[tuple[str, list[str]]]] = {}
    for title, paths in groups:
        by_letter.setdefault(initial(title), []).append((title, paths))
    letters = sorted(by_letter, key=lambda letter: (letter.replace("Đ", "D"), letter))
    return [
        {letter: [{title: paths} for title, paths in by_letter[letter]]} for letter in letters
    ] + tail


LETTERS_OVER = 20
GROUP_JOURNEYS_OVER = 50  # the plugin option's default


def initial(name: str) -> str:
    """The letter a name is filed under: its first letter without accents ("Ấ" -> "A",
    while Vietnamese "Đ" is a letter of its own), "#" for a digit or a sign."""
    first = unicodedata.normalize("NFD", name.strip())[:1].upper()
    return first if first.isalpha() else "#"


def grouped(paths: Sequence[str], groups: Sequence[NavItem]) -> list[NavItem]:
    """`paths` in order, with those the `groups` hold replaced by the groups, where
    the first of them was."""
    members = nav_paths(list(groups))
    items: list[NavItem] = []
    placed = False
    for path in paths:
        if path not in members:
            items.append(path)
        elif not placed:
            items += groups
            placed = True
    return items


def add_section(
    nav: list[NavItem],
    generated: list[str],
    prefix: str,
    labels: Mapping[str, str],
    groups: Sequence[NavItem] = (),
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
    section = [overview, *({labels[view.label]: folder(view.folder)} for view in SECTIONS)]
    return [*nav, {labels[OVERVIEW_LABEL]: section}]


OVERVIEW_LABEL = VIEW_BY_NAME[PageKind.OVERVIEW].label


def section_titles(prefix: str, labels: Mapping[str, str]) -> dict[str, str]:
    """Title of each generated folder, for the sections MkDocs derives from folder names."""
    titles = {posixpath.join(prefix, view.folder): labels[view.label] for view in SECTIONS}
    if prefix:
        titles[prefix] = labels[OVERVIEW_LABEL]
    return titles


def section_rank(folder: str, prefix: str) -> int:
    """The sections in the registry's order; anything else keeps its place after them."""
    for rank, view in enumerate(SECTIONS):
        if folder == posixpath.join(prefix, view.folder):
            return rank
    return len(SECTIONS)
