"""`mkdocs serve`'s fast rebuild: a change to the maps re-renders only the pages it touches.

MkDocs rebuilds the whole site on every save. When only map files changed and
the site keeps its shape (the same pages, titles and navigation), this module
instead generates again the section's pages that show a changed journey
(`incremental.py` decides which), runs the ones whose text changed through the
same MkDocs steps a full build uses (`_populate_page`, `_build_page`: every
plugin's page events, the theme's template), updates their search index entries
and lets the dev server reload the browser. Anything it cannot prove equal to a
full build (other files changed, a title changed, a plugin it does not know, a
strict-mode warning, an error in the maps) goes to MkDocs' full rebuild.

It relies on MkDocs internals (`mkdocs.commands.build._populate_page` and
`_build_page`, `LiveReloadServer.builder`, the search plugins' entry lists),
identical in the versions of `TESTED`; any other version gets full rebuilds.
"""

from __future__ import annotations

import gc
import importlib
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs_cjm.core.freshness import TodayError, journey_history
from mkdocs_cjm.core.loader import load_playbook
from mkdocs_cjm.core.problems import MapError
from mkdocs_cjm.glue.config import load_options, project_root, site_options
from mkdocs_cjm.site.generate import GeneratedAsset, GeneratedPage, SiteGenerator
from mkdocs_cjm.site.incremental import (
    FullRebuild,
    Generation,
    changed_journeys,
    plan,
    rebuilt,
    updated,
)
from mkdocs_cjm.site.nav import journey_groups

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

    from mkdocs_cjm.glue.plugin import CjmPlugin

log = logging.getLogger("mkdocs.plugins.mkdocs_cjm.plugin")

# The versions whose internals the fast path was tested with (tests/test_fast_serve.py).
TESTED = {"mkdocs": ("1.6.",), "properdocs": ("1.6.",)}

# Plugins whose page events only read the page itself, so that rendering some pages
# again gives what a full build gives. Material's tags plugin collects each page's
# tags (front matter, which a fast rebuild never changes) and fills listings once
# per build (pages with a listing are never rendered again here).
_PAGE_LOCAL_PLUGINS = {
    "mkdocs_cjm.glue.plugin.CjmPlugin",
    "material.plugins.tags.plugin.TagsPlugin",
}
# The search plugins index each page; `render` puts a page's new entries in place.
_SEARCH_PLUGINS = {
    "material.plugins.search.plugin.SearchPlugin": "entries",
    "mkdocs.contrib.search.SearchPlugin": "_entries",
    "properdocs.contrib.search.SearchPlugin": "_entries",
}


@dataclass
class LastBuild:
    """What the last complete full build (and the fast ones since) left."""

    config: MkDocsConfig
    files: Files
    nav: Navigation
    env: Any  # the theme's jinja2 Environment
    generation: Generation
    generator: SiteGenerator
    inputs: dict[str, tuple[int, int]]  # every other watched file: (mtime_ns, size)
    fence_pages: set[str] = field(default_factory=set)  # hand-written pages with `cjm` blocks


class FastRebuilds:
    """Installed as the dev server's builder: a fast rebuild when it can, else `full`."""

    def __init__(self, plugin: CjmPlugin, full: Callable[..., None]) -> None:
        self.plugin = plugin
        self.full = full
        self.cache = plugin.read_cache()
        self.last: LastBuild | None = None
        self.why_not = "the first build is not finished"  # why `last` is None

    def __call__(self, config: MkDocsConfig | None = None) -> None:
        if config is not None:  # a builder given a config builds that config
            self.full(config)
            return
        start = time.monotonic()
        # A full build leaves millions of objects; a cyclic garbage collection in the
        # middle of a fast rebuild walks them all (half a second at 600 journeys).
        # It runs once the author sees the page instead.
        collecting = gc.isenabled()
        gc.disable()
        try:
            outcome = self.try_fast()
        except Exception as error:  # never worse than MkDocs' own rebuild
            log.debug("journey maps: fast rebuild failed", exc_info=True)
            outcome = FullRebuild(f"the fast rebuild failed ({type(error).__name__}: {error})")
        finally:
            if collecting:
                gc.enable()
        if isinstance(outcome, FullRebuild):
            self.forget(outcome.reason)
            log.info(f"journey maps: full rebuild: {outcome.reason}")
            self.full()
            return
        seconds = time.monotonic() - start
        log.info(f"journey maps: fast rebuild: {outcome} in {seconds:.2f} s")
        # MkDocs' own last line of a build, which people and tools watching the log wait
        # for. Not through `mkdocs.commands.build`'s logger: MkDocs' command line gives it
        # a filter that drops a message it has printed before.
        tool = tool_of(self.last.config) if self.last is not None else "mkdocs"
        logging.getLogger(tool).info(f"Documentation built in {seconds:.2f} seconds")

    # -- what the full build leaves -------------------------------------------------

    def forget(self, why: str) -> None:
        self.last, self.why_not = None, why

    def remember(self, last: LastBuild) -> None:
        last.inputs = watched_inputs(last.config, self.plugin)
        self.last = last

    # -- the fast path ----------------------------------------------------------------

    def try_fast(self) -> str | FullRebuild:
        last = self.last
        if last is None:
            return FullRebuild(self.why_not)
        config, plugin = last.config, self.plugin
        if (why := unsupported(config)) is not None:
            return FullRebuild(why)
        inputs = watched_inputs(config, plugin)
        if inputs != last.inputs:
            return FullRebuild(f"{_first_difference(last.inputs, inputs)} changed")

        root = project_root(config)
        result = load_playbook(
            plugin.maps_dir(config),
            display_root=root,
            options=load_options(plugin.config),
            cache=self.cache,
        )
        try:
            playbook = result.raise_for_errors()
        except MapError:
            return FullRebuild("the maps have errors")
        if result.warnings:
            return FullRebuild("the maps have warnings")
        try:
            options = site_options(config, plugin.config, ready_html=True)
        except TodayError as error:
            return FullRebuild(str(error))
        old = last.generation
        if options != last.generator.options:
            return FullRebuild("the day changed")  # the rest of the options is mkdocs.yml's
        history = journey_history(playbook, plugin.maps_dir(config), root)
        changed = changed_journeys(old.playbook, playbook, old.history, history)
        if isinstance(changed, FullRebuild):
            return changed
        if changed == set() and not self.cache.read_again:
            # The dev server saw a change, but not to the maps: to something this
            # does not follow (a theme file under --watch-theme). MkDocs knows what.
            return FullRebuild("a watched file other than the maps changed")

        groups = journey_groups(
            playbook, options.layout, options.labels, plugin.config.group_journeys_over
        )
        if groups != plugin.journey_groups:
            return FullRebuild("the journeys' groups in the navigation changed")

        warnings: list[str] = []
        generator = SiteGenerator(
            playbook, options, last.generator.renderer, history, warnings.append, last.generator.env
        )
        lazy = generator.lazy_pages()
        candidates = plan(old, lazy, changed, playbook)
        if isinstance(candidates, FullRebuild):
            return candidates
        result_pages = rebuilt(old, candidates, generator.build, lambda: list(generator.assets))
        if isinstance(result_pages, FullRebuild):
            return result_pages
        if warnings:
            return FullRebuild("the generated pages have warnings")

        fence_pages = sorted(last.fence_pages) if (changed is None or changed) else []
        with _counting_warnings() as counted:
            rendered = self.render(
                last, result_pages.pages, result_pages.assets, generator, fence_pages
            )
        if isinstance(rendered, FullRebuild):
            return rendered
        if counted and config.strict:
            return FullRebuild("strict mode: the fast rebuild logged warnings")
        last.generation = updated(old, playbook, history, lazy, result_pages)
        last.generator = generator
        last.inputs = inputs
        what = (
            ", ".join(sorted(changed))
            if changed
            else ("personas, channels or phases" if changed is None else "nothing")
        )
        names = [uri.removesuffix(".md") for uri in rendered]
        shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
        return (
            f"{len(names)} page{'s' if len(names) != 1 else ''} re-rendered"
            f"{': ' + shown if names else ''} ({result_pages.generated} of "
            f"{len(last.generation.pages)} generated pages generated again; changed: {what})"
        )

    def render(
        self,
        last: LastBuild,
        pages: list[GeneratedPage],
        assets: list[GeneratedAsset],
        generator: SiteGenerator,
        fence_pages: list[str],
    ) -> list[str] | FullRebuild:
        """Put the new pages through MkDocs as a full build would; the pages rendered."""
        tool = tool_of(last.config)
        build = importlib.import_module(f"{tool}.commands.build")
        structure = importlib.import_module(f"{tool}.structure.files")
        config, files, nav, env = last.config, last.files, last.nav, last.env
        plugin = self.plugin
        plugin.replace_pages(pages, generator)
        for asset in assets:
            file = files.get_file_from_path(asset.path)
            if file is None:
                return FullRebuild(f"{asset.path} is not in the site")
            file.content_string = asset.content
            file.copy_file()

        doc_files = files.documentation_pages(inclusion=structure.InclusionLevel.is_in_serve)
        site_pages = {
            file.src_uri: (file, file.page) for file in doc_files if file.page is not None
        }
        if len(site_pages) != len(doc_files):
            return FullRebuild("a page of the site was not built")
        targets: list[tuple[Any, Page]] = []
        for generated in pages:
            if generated.src_uri not in site_pages:
                return FullRebuild(f"{generated.src_uri} is not in the site")
            file, _ = target = site_pages[generated.src_uri]
            file.content_string = generated.markdown
            targets.append(target)
        for uri in fence_pages:
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


_TAGS_LISTING = "<!-- material/tags"


def tool_of(config: MkDocsConfig) -> str:
    """The package running the build: mkdocs, or properdocs."""
    return type(config).__module__.split(".")[0]


def unsupported(config: MkDocsConfig) -> str | None:
    """Why the fast path cannot run with this tool and these plugins (None: it can)."""
    tool = tool_of(config)
    try:
        version = importlib.import_module(tool).__version__
    except (ImportError, AttributeError):
        return f"unknown build tool {tool}"
    if not version.startswith(TESTED.get(tool, ("-",))):
        return f"the fast rebuild is tested with {tool} {', '.join(TESTED.get(tool, ()))}x, not {version}"
    for name, instance in config.plugins.items():
        if _kind(instance) in _PAGE_LOCAL_PLUGINS or _kind(instance) in _SEARCH_PLUGINS:
            continue
        return f"the plugin '{name}' may show other pages' content"
    return None


def _kind(plugin: object) -> str:
    """A plugin's class, as `_PAGE_LOCAL_PLUGINS` and `_SEARCH_PLUGINS` name it."""
    return f"{type(plugin).__module__}.{type(plugin).__qualname__}"


def _search_index(config: MkDocsConfig) -> tuple[Any, list[dict[str, Any]]] | None:
    """The search plugin and the live list of its index entries (None: no search)."""
    for instance in config.plugins.values():
        attribute = _SEARCH_PLUGINS.get(_kind(instance))
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


def watched_inputs(config: MkDocsConfig, plugin: CjmPlugin) -> dict[str, tuple[int, int]]:
    """Every file but the maps that a change of makes the dev server rebuild:
    docs_dir, mkdocs.yml, the custom templates, the theme's own folder, `watch:`."""
    maps = plugin.maps_dir(config)
    roots = [Path(config.docs_dir)]
    if config.config_file_path:
        roots.append(Path(config.config_file_path))
    if plugin.config.custom_templates:
        roots.append(project_root(config) / plugin.config.custom_templates)
    custom_dir = config.theme.custom_dir
    if custom_dir:
        roots.append(Path(custom_dir))
    roots += [Path(path) for path in config.watch]
    found: dict[str, tuple[int, int]] = {}
    for root in roots:
        for path in _files(root.resolve(), maps.resolve()):
            try:
                stat = path.stat()
            except OSError:
                continue
            found[str(path)] = (stat.st_mtime_ns, stat.st_size)
    return found


def _files(root: Path, skip: Path) -> Iterator[Path]:
    if root == skip or root.is_relative_to(skip):
        return
    if root.is_file():
        yield root
        return
    for folder, folders, names in os.walk(root):
        here = Path(folder)
        folders[:] = sorted(name for name in folders if here / name != skip)
        yield from (here / name for name in sorted(names))


def _first_difference(old: dict[str, tuple[int, int]], new: dict[str, tuple[int, int]]) -> str:
    for path in sorted(set(old) | set(new)):
        if old.get(path) != new.get(path):
            return path
    return "a watched file"


class _counting_warnings:
    """Counts the warnings MkDocs' loggers get meanwhile (strict mode fails on any)."""

    def __enter__(self) -> list[logging.LogRecord]:
        self.records: list[logging.LogRecord] = []
        self.handler = _ListHandler(self.records)
        logging.getLogger("mkdocs").addHandler(self.handler)
        logging.getLogger("properdocs").addHandler(self.handler)
        return self.records

    def __exit__(self, *exc: object) -> None:
        logging.getLogger("mkdocs").removeHandler(self.handler)
        logging.getLogger("properdocs").removeHandler(self.handler)


class _ListHandler(logging.Handler):
    def __init__(self, records: list[logging.LogRecord]) -> None:
        super().__init__(logging.WARNING)
        self.records = records

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
