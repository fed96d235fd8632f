"""Adding the generated section to a user's explicit `nav`, unless they placed its pages themselves."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from typing import Any

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


def add_section(
    nav: list[NavItem], generated: list[str], prefix: str, labels: Mapping[str, str]
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
        return [index, *items]

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
