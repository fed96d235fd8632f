"""Every use of MkDocs' private API, in one place, with the versions it was tested with.

The fast rebuild under `mkdocs serve` (fast_serve.py) renders some pages again
through the very steps of a full build. Those steps are not MkDocs' public API:

- `<tool>.commands.build._populate_page` and `_build_page` (the page's Markdown,
  every plugin's page events, the theme's template);
- `LiveReloadServer.builder`, the callable the dev server runs after a change,
  which `wrap_builder` replaces;
- the search plugins' list of index entries (`search_index.entries` in Material's
  plugin, `search_index._entries` in MkDocs' and ProperDocs'), regrouped by page
  before the plugin's `on_post_build` writes the index again;
- a built `File`'s `content_string` and `page`, set and read after the build.

`<tool>` is the package running the build, mkdocs or properdocs (`tool_of`). These
were checked, and are tested by tests/test_fast_serve.py, with exactly the versions
in `TESTED`. With any other version of the build tool (or of Material, when one of
its plugins is in use) `unsupported` says so, and the dev server makes MkDocs' own
full rebuild, logging why.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mkdocs_cjm.site.incremental import FullRebuild

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

# The exact versions the internals above were read in and the fast path is tested
# with (pyproject.toml's test pins; tests/test_fast_serve.py runs mkdocs and properdocs,
# with Material's theme and search plugin). Distribution name: version.
TESTED = {"mkdocs": "1.6.1", "properdocs": "1.6.7", "mkdocs-material": "9.8.2"}
# The distribution of each build tool (the package of the config's class).
_TOOLS = {"mkdocs": "mkdocs", "properdocs": "properdocs"}

# Plugins whose page events only read the page itself, so that rendering some pages
# again gives what a full build gives. Material's tags plugin collects each page's
# tags (front matter, which a fast rebuild never changes) and fills listings once
# per build (pages with a listing are never rendered again here).
PAGE_LOCAL_PLUGINS = {
    "mkdocs_cjm.glue.plugin.CjmPlugin",
    "material.plugins.tags.plugin.TagsPlugin",
}
# The search plugins index each page; `render_pages` puts a page's new entries in place.
SEARCH_PLUGINS = {
    "material.plugins.search.plugin.SearchPlugin": "entries",
    "mkdocs.contrib.search.SearchPlugin": "_entries",
    "properdocs.contrib.search.SearchPlugin": "_entries",
}
# What Material's tags plugin leaves in a page that lists tags.
_TAGS_LISTING = "<!-- material/tags"


def tool_of(config: MkDocsConfig) -> str:
    """The package running the build: mkdocs, or properdocs."""
    return type(config).__module__.split(".")[0]


def installed_version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def unsupported(config: MkDocsConfig) -> str | None:
    """Why the fast path cannot run with this tool, its version and these plugins
    (None: it can)."""
    tool = tool_of(config)
    distribution = _TOOLS.get(tool)
    if distribution is None:
        return f"unknown build tool {tool}"
    if (why := _untested(distribution)) is not None:
        return why
    kinds = {name: _kind(instance) for name, instance in config.plugins.items()}
    uses_material = any(kind.startswith("material.") for kind in kinds.values())
    if uses_material and (why := _untested("mkdocs-material")) is not None:
        return why
    for name, kind in kinds.items():
        if kind not in PAGE_LOCAL_PLUGINS and kind not in SEARCH_PLUGINS:
            return f"the plugin '{name}' may show other pages' content"
    return None


def _untested(distribution: str) -> str | None:
    version = installed_version(distribution)
    if version != TESTED[distribution]:
        return (
            f"the fast rebuild is tested with {distribution} {TESTED[distribution]}, "
            f"not {version or 'an unknown version'}"
        )
    return None


def _kind(plugin: object) -> str:
    """A plugin's class, as `PAGE_LOCAL_PLUGINS` and `SEARCH_PLUGINS` name it."""
    return f"{type(plugin).__module__}.{type(plugin).__qualname__}"


def wrap_builder(server: Any, wrap: Callable[[Callable[..., None]], Callable[..., None]]) -> None:
    """Make `wrap(builder)` what the dev server calls after a change, `builder` being
    the one it calls now (MkDocs' full build, or another plugin's)."""
    server.builder = wrap(server.builder)


def render_pages(
    config: MkDocsConfig,
    files: Files,
    nav: Navigation,
    env: Any,
    pages: dict[str, str],
    assets: dict[str, str],
    also: list[str],
) -> list[str] | FullRebuild:
    """Put new versions of generated pages (`pages`: src_uri: Markdown) and assets
    (path: content) through MkDocs as a full build would, with the hand-written pages
    `also` (that embed views); the pages rendered, in the site's order of targets."""
    tool = tool_of(config)
    build = importlib.import_module(f"{tool}.commands.build")
    structure = importlib.import_module(f"{tool}.structure.files")
    for path, content in assets.items():
        file = files.get_file_from_path(path)
        if file is None:
            return FullRebuild(f"{path} is not in the site")
        file.content_string = content
        file.copy_file()

    doc_files = files.documentation_pages(inclusion=structure.InclusionLevel.is_in_serve)
    site_pages = {file.src_uri: (file, file.page) for file in doc_files if file.page is not None}
    if len(site_pages) != len(doc_files):
        return FullRebuild("a page of the site was not built")
    targets: list[tuple[Any, Page]] = []
    for src_uri, markdown in pages.items():
        if src_uri not in site_pages:
            return FullRebuild(f"{src_uri} is not in the site")
        file, _ = target = site_pages[src_uri]
        file.content_string = markdown
        targets.append(target)
    for uri in also:
        if uri in site_pages:
            if _TAGS_LISTING in (site_pages[uri][1].markdown or ""):
                return FullRebuild(f"{uri} has a tags listing")
            targets.append(site_pages[uri])

    search = _search_index(config)
    order = [page.url for _, page in site_pages.values()]
    kept = _entries_by_page(search[1], order) if search is not None else {}
    for file, page in targets:
        title = page.title
        build._populate_page(page, config, files)
        if page.title != title:
            return FullRebuild(f"the title of {file.src_uri} changed")
    if search is not None:
        del search[1][:]
    for file, page in targets:
        excluded = file.inclusion.is_excluded()
        build._build_page(page, config, doc_files, nav, env, excluded=excluded)
    level = config.validation.links.anchors
    for _, page in site_pages.values():
        page.validate_anchor_links(files=files, log_level=level)
    if search is not None:
        search_plugin, entries = search
        fresh = _entries_by_page(entries, order)
        kept.update((page.url, fresh.get(page.url, [])) for _, page in targets)
        entries[:] = [entry for url in order for entry in kept.get(url, [])]
        search_plugin.on_post_build(config=config)
    return [file.src_uri for file, _ in targets]


def _search_index(config: MkDocsConfig) -> tuple[Any, list[dict[str, Any]]] | None:
    """The search plugin and the live list of its index entries (None: no search)."""
    for instance in config.plugins.values():
        attribute = SEARCH_PLUGINS.get(_kind(instance))
        if attribute is None:
            continue
        if getattr(getattr(instance, "config", None), "enabled", True) is False:
            return None
        index = getattr(instance, "search_index", None)
        entries = getattr(index, attribute, None)
        if not isinstance(entries, list):
            raise TypeError("the search plugin keeps its index in an unknown way")
        return instance, entries
    return None


def _entries_by_page(
    entries: list[dict[str, Any]], order: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """Index entries by the URL of their page (`location` is the URL, maybe with `#anchor`)."""
    known = set(order)
    grouped: dict[str, list[dict[str, Any]]] = {}
    for entry in entries:
        url = str(entry.get("location", "")).split("#", 1)[0]
        if url not in known:
            raise KeyError(f"a search entry of an unknown page: {url}")
        grouped.setdefault(url, []).append(entry)
    return grouped


class counting_warnings:
    """Counts the warnings the build tool's loggers get meanwhile (strict mode fails on any)."""

    def __enter__(self) -> list[logging.LogRecord]:
        self.records: list[logging.LogRecord] = []
        self.handler = _ListHandler(self.records)
        for tool in _TOOLS:
            logging.getLogger(tool).addHandler(self.handler)
        return self.records

    def __exit__(self, *exc: object) -> None:
        for tool in _TOOLS:
            logging.getLogger(tool).removeHandler(self.handler)


class _ListHandler(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.WARNING)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
