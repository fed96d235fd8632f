"""MkDocs event glue: load the maps, generate the section's pages, wire them into the site.

The only module that knows MkDocs, and the one place where the core's errors
become `PluginError`.
"""

from __future__ import annotations

import functools
import html
import os
import posixpath
import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure import StructureItem
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

from mkdocs_cjm.core.freshness import TodayError
from mkdocs_cjm.core.loader import LoadResult, ReadCache
from mkdocs_cjm.core.pages import ASSETS_DIR, SCRIPT, STYLESHEET
from mkdocs_cjm.core.problems import MapError, Problem, format_report
from mkdocs_cjm.glue import fence
from mkdocs_cjm.glue.config import (
    CjmConfig,
    diagram_renderer,
    labels,
    project_root,
    section_options,
)
from mkdocs_cjm.glue.fast_serve import FastRebuilds, LastBuild, ServeState
from mkdocs_cjm.glue.mkdocs_internals import wrap_builder
from mkdocs_cjm.glue.serve_banner import banner_html, with_banner
from mkdocs_cjm.render.diagrams import Backend, DiagramError, DiagramRenderer
from mkdocs_cjm.site.generate import (
    GeneratedAsset,
    GeneratedPage,
    SiteGenerator,
    TemplateProblem,
    expand_blocks,
)
from mkdocs_cjm.site.incremental import Generation
from mkdocs_cjm.site.nav import (
    NavItem,
    add_section,
    grouped,
    journey_groups,
    section_rank,
    section_titles,
)
from mkdocs_cjm.site.pipeline import build_section, maps_folder

log = get_plugin_logger(__name__)


class CjmPlugin(BasePlugin[CjmConfig]):  # type: ignore[no-untyped-call]
    supports_multiple_instances = False

    def __init__(self) -> None:
        self._renderer: DiagramRenderer | None = None
        self._renderer_key: tuple[Backend, Path, float] | None = None
        self._auto_nav = True
        self._pages: list[GeneratedPage] = []
        self._assets: list[GeneratedAsset] = []
        self._serving = False
        self._groups: list[NavItem] = []
        self._last_good: tuple[list[GeneratedPage], list[GeneratedAsset], list[NavItem]] | None = (
            None
        )
        self._blocks: dict[str, tuple[str, ...]] = {}
        # Under `mkdocs serve`: the errors of the maps while the last good pages are shown.
        self._serve_errors: list[Problem] = []
        # Under `mkdocs serve` (not --dirty): what the fast rebuild of map edits needs,
        # and what the build being made will leave for it (see fast_serve.py).
        self._serve_state: ServeState | None = None
        self._read_cache: ReadCache | None = None
        self._dirty = False
        self._generator: SiteGenerator | None = None
        self._generation: Generation | None = None
        self._built: dict[str, Any] = {}
        self._fence_pages: set[str] = set()

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defined so MkDocs keeps this object across `mkdocs serve` rebuilds:
        # the renderer's in-memory diagram cache then survives them.
        self._serving = command == "serve"
        self._dirty = dirty

    def _cache(self) -> ReadCache:
        """Under `mkdocs serve`: the maps read so far, so unchanged ones are not parsed again."""
        if self._read_cache is None:
            self._read_cache = ReadCache()
        return self._read_cache

    def _root(self, config: MkDocsConfig) -> Path:
        return project_root(config)

    def _labels(self, config: MkDocsConfig) -> Mapping[str, str]:
        return labels(config, self.config)

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        self._pages, self._assets, self._groups = [], [], []
        self._generator, self._generation, self._built = None, None, {"config": config}
        self._fence_pages = set()
        if "attr_list" not in config.markdown_extensions:
            config.markdown_extensions.append("attr_list")  # for the generated heading ids
        _register_fence(config)
        if STYLESHEET not in config.extra_css:
            config.extra_css.append(STYLESHEET)
        if SCRIPT not in [str(script) for script in config.extra_javascript]:
            config.extra_javascript.append(SCRIPT)
        return config

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        # Everything that can fail happens here, before MkDocs cleans site_dir:
        # a broken map or template leaves the last good site in place.
        root = self._root(config)
        try:
            options = section_options(config, self.config, ready_html=True)
        except TodayError as error:
            raise PluginError(f"journey maps: {error}") from None

        def loaded(result: LoadResult) -> None:
            for warning in result.warnings:
                log.warning(str(warning))

        try:
            section = build_section(
                options,
                lambda: self._diagram_renderer(root),
                cache=self._cache() if self._serving else None,
                warn=log.warning,
                loaded=loaded,
            )
        except DiagramError as error:
            raise PluginError(f"journey maps: {error}") from None
        except TemplateProblem as error:
            self._fail(f"journey maps: {error}", "templates", [error.problem()])
            return
        generator = section.generator
        if generator is None:
            errors = MapError(section.loaded.problems).errors
            self._fail(format_report(errors), "maps", errors)
            return

        self._serve_errors = []
        pages, assets = section.pages, section.assets
        self._pages, self._assets = pages, assets
        self._groups = journey_groups(
            generator.playbook,
            options.site.layout,
            options.site.labels,
            self.config.group_journeys_over,
        )
        self._register_fence_site(config, generator)
        self._last_good = (self._pages, self._assets, self._groups)
        if self._serving:
            self._generator = generator
            self._generation = Generation.of(
                generator.playbook, section.history, generator.lazy, pages, assets
            )

    def _register_fence_site(self, config: MkDocsConfig, generator: SiteGenerator) -> None:
        # `cjm` blocks in hand-written pages show the views from these very maps.
        fence.register_site(
            Path(config.config_file_path or "mkdocs.yml"),
            SiteGenerator(
                generator.playbook,
                replace(generator.options, ready_html=False),
                generator.renderer,
            ),
            serving=self._serving,
        )

    def _replace_pages(self, pages: list[GeneratedPage], generator: SiteGenerator) -> None:
        """A fast rebuild's new versions of some generated pages (see fast_serve.py)."""
        new = {page.src_uri: page for page in pages}
        self._pages = [new.get(page.src_uri, page) for page in self._pages]
        for page in pages:
            self._blocks[page.src_uri] = tuple(block.expandtabs(4) for block in page.blocks)
        self._last_good = (self._pages, self._assets, self._groups)
        self._register_fence_site(self._built["config"], generator)

    def _fail(self, report: str, what: str, problems: list[Problem]) -> None:
        """Stop the build with `report`; under `mkdocs serve`, keep the last good pages
        (and show the problems on them)."""
        if self._serving and self._last_good is not None:
            # MkDocs' dev server holds every request while a rebuild fails; keep
            # serving the last good pages until the author fixes the cause.
            log.error(f"{report}\n  (serving the pages of the last good {what} meanwhile)")
            self._pages, self._assets, self._groups = self._last_good
            self._serve_errors = problems
            return
        raise PluginError(report)

    def _diagram_renderer(self, root: Path) -> DiagramRenderer:
        backend = Backend(self.config.graphviz_backend)
        cache_dir = root / self.config.cache_dir
        key = (backend, cache_dir, self.config.graphviz_timeout)
        if self._renderer is None or self._renderer_key != key:
            try:
                self._renderer = diagram_renderer(self.config, root, progress=log.info)
            except DiagramError as error:
                raise PluginError(f"journey maps: {error}") from None
            self._renderer_key = key
        return self._renderer

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files:
        root = self._root(config)
        # Python-Markdown expands tabs in all of a page's source, raw HTML included
        # (at its fixed tab length of 4); blocks that skip it get the same treatment.
        self._blocks = {
            page.src_uri: tuple(block.expandtabs(4) for block in page.blocks)
            for page in self._pages
            if page.blocks
        }
        by_destination = {file.dest_uri: file for file in files}
        for page in self._pages:
            generated = File.generated(config, page.src_uri, content=page.markdown)
            origin = (
                f"the page generated from {page.source}"
                if page.source
                else "a page generated from the journey maps"
            )
            existing = files.get_file_from_path(page.src_uri)
            if existing is not None:
                log.warning(
                    f"'{_in_docs(config, existing)}' is replaced by {origin} (same path "
                    f"{page.src_uri}); move it, or change the plugin option 'prefix'"
                )
                files.remove(existing)
            same_url = by_destination.get(generated.dest_uri)
            if same_url is not None and same_url is not existing:
                log.warning(
                    f"'{_in_docs(config, same_url)}' and {origin} ({page.src_uri}) have the "
                    f"same URL '{generated.url}'; the generated page replaces it: move "
                    f"{same_url.src_uri}, or change the plugin option 'prefix'"
                )
                files.remove(same_url)
            if page.source:
                # Material's edit button then opens the map, not a page that has no file.
                generated.edit_uri = _edit_uri(root / page.source, Path(config.docs_dir))
            files.append(generated)
        assets = {asset.path for asset in self._assets}
        for file in list(files):
            if file.generated_by is None and file.src_uri.startswith(f"{ASSETS_DIR}/"):
                what = (
                    "is replaced by the plugin's file of that name"
                    if (file.src_uri in assets)
                    else "is in the folder that belongs to the plugin"
                )
                log.warning(
                    f"'{_in_docs(config, file)}' {what} ({ASSETS_DIR}/, from the journey maps); "
                    f"move it out of {ASSETS_DIR}/"
                )
                if file.src_uri in assets:
                    files.remove(file)
        for asset in self._assets:
            files.append(File.generated(config, asset.path, content=asset.content))
        self._built["files"] = files
        self._auto_nav = config.nav is None
        if self.config.nav and config.nav is not None:
            config.nav = add_section(
                config.nav,
                [page.src_uri for page in self._pages],
                self.config.prefix,
                self._labels(config),
                self._groups,
            )
        return files

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation:
        self._built["nav"] = nav
        if not self._auto_nav:
            return nav
        # MkDocs names auto-nav sections after folders ("Playbook", "Journeys"):
        # give them the site language's labels and a reading order instead.
        prefix = self.config.prefix
        titles = section_titles(prefix, self._labels(config))
        journeys_folder = posixpath.join(prefix, "journeys")

        def folder_of(section: Section) -> str | None:
            for child in section.children:
                if isinstance(child, Page) and child.file.src_uri.endswith("index.md"):
                    return posixpath.dirname(child.file.src_uri)
            return None

        def visit(items: list[Any]) -> None:
            for item in items:
                if isinstance(item, Section):
                    folder = folder_of(item)
                    if folder in titles:
                        item.title = titles[folder]
                    if folder == prefix:
                        item.children.sort(
                            key=lambda child: (
                                section_rank(folder_of(child) or "", prefix)
                                if isinstance(child, Section)
                                else -1
                            )
                        )
                    if folder == journeys_folder and self._groups:
                        item.children = _grouped_children(item, self._groups)
                    visit(item.children)

        visit(nav.items)
        _relink_pages(nav)
        return nav

    @event_priority(100)  # first, so other plugins see the whole page
    def on_page_content(
        self, html_text: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str:
        # The generated HTML blocks skipped Markdown (see GeneratedPage.blocks); put
        # them back, and tell MkDocs which anchors they hold, as its own scan of raw
        # HTML would have, so that links to them from other pages validate.
        anchors: set[str] = set()

        def used(block: str) -> None:
            anchors.update(html.unescape(anchor) for anchor in _ANCHOR.findall(block))

        html_text = expand_blocks(html_text, self._blocks, used, late=False)
        if anchors and page.present_anchor_ids is not None:
            page.present_anchor_ids.update(anchors)
        if page.file.src_uri not in self._blocks and _EMBEDDED.search(html_text):
            self._fence_pages.add(page.file.src_uri)  # a fast rebuild renders it again
        return html_text

    @event_priority(-100)  # last: the environment the pages are rendered with
    def on_env(self, env: Any, /, *, config: MkDocsConfig, files: Files) -> Any:
        self._built["env"] = env
        return env

    @event_priority(-100)  # last: after the search plugin wrote its index
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        state = self._serve_state
        if state is None:
            return
        built = self._built
        if self._serve_errors or self._generator is None or self._generation is None:
            state.forget("the last build showed errors in the maps")
            return
        state.remember(
            LastBuild(
                config,
                self.config,
                built["files"],
                built["nav"],
                built["env"],
                self._generation,
                self._generator,
                list(self._groups),
                fence_pages=set(self._fence_pages),
            )
        )

    def on_build_error(self, *, error: Exception) -> None:
        if self._serve_state is not None:
            self._serve_state.forget(f"the last build failed ({error})")

    @event_priority(100)  # first, so that other plugins (minifiers) see the whole page
    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str:
        # The late blocks (see generate._LATE_MARK) go in after the search plugin read the page.
        output = expand_blocks(output, self._blocks, late=True)
        if not self._serve_errors:
            return output
        return with_banner(output, banner_html(self._serve_errors, self._labels(config)))

    def on_serve(
        self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        maps_dir = maps_folder(self._root(config), self.config.maps_dir)
        if maps_dir.is_dir():
            server.watch(str(maps_dir))
        if self.config.custom_templates:
            templates = self._root(config) / self.config.custom_templates
            if templates.is_dir():
                server.watch(str(templates))
        if self.config.fast_rebuild and not self._dirty:
            # The dev server calls `builder` after every change; this one takes the fast
            # path when it can (fast_serve.py). The first build has been made already.
            self._serve_state = ServeState(self._cache(), self._replace_pages)
            self.on_post_build(config=config)
            wrap_builder(server, functools.partial(FastRebuilds, self._serve_state))
        return server


def _register_fence(config: MkDocsConfig) -> None:
    """`pymdownx.superfences` with the `cjm` custom fence, unless the site lists it already."""
    if SUPERFENCES not in config.markdown_extensions:
        config.markdown_extensions.append(SUPERFENCES)
    settings = config.mdx_configs.setdefault(SUPERFENCES, {})
    fences = settings.setdefault("custom_fences", [])
    if not any(entry.get("name") == fence.FENCE_NAME for entry in fences):
        fences.append(fence.fence_entry())


SUPERFENCES = "pymdownx.superfences"


def _grouped_children(section: Section, groups: list[NavItem]) -> list[StructureItem]:
    """The section's children with the grouped journey pages moved into sub-sections;
    anything else in the folder (an author's own sub-folder) stays, after them."""
    by_path = {child.file.src_uri: child for child in section.children if isinstance(child, Page)}

    def build(entry: NavItem, parent: Section) -> StructureItem:
        if isinstance(entry, str):
            page = by_path[entry]
            page.parent = parent
            return page
        ((title, members),) = entry.items()
        group = Section(title, [])
        group.parent = parent
        group.children = [
            build(member, group)
            for member in members
            if isinstance(member, dict) or member in by_path
        ]
        return group

    children = [build(entry, section) for entry in grouped(list(by_path), groups)]
    return children + [child for child in section.children if not isinstance(child, Page)]


def _relink_pages(nav: Navigation) -> None:
    """Previous/next links in the order the navigation now shows its pages, as MkDocs
    sets them from the order it found them in (before this plugin moved sections)."""

    def walk(items: list[Any]) -> list[Page]:
        found: list[Page] = []
        for item in items:
            if isinstance(item, Page):
                found.append(item)
            elif isinstance(item, Section):
                found += walk(item.children)
        return found

    pages = walk(nav.items)
    nav.pages[:] = pages
    for before, page, after in zip([None, *pages[:-1]], pages, [*pages[1:], None], strict=True):
        page.previous_page, page.next_page = before, after


_ANCHOR = re.compile(r'\s(?:id|name)="([^"]*)"')
# What a `cjm` block leaves in a page: its view, or (under serve) its error.
_EMBEDDED = re.compile(r"data-cjm-view=|data-cjm-block-error")


def _in_docs(config: MkDocsConfig, file: File) -> str:
    """A hand-written file's path as its author knows it: docs/playbook/x.md."""
    return posixpath.join(Path(config.docs_dir).name, file.src_uri)


def _edit_uri(source: Path, docs_dir: Path) -> str | None:
    """The map file's path as MkDocs expects a File.edit_uri: relative to docs_dir."""
    try:
        return Path(os.path.relpath(source.resolve(), docs_dir.resolve())).as_posix()
    except ValueError:
        return None
