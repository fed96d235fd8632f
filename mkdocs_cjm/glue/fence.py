"""The `cjm` fence: a `pymdownx.superfences` custom fence formatter that embeds a view.

```yaml
markdown_extensions:
  - pymdownx.superfences:
      custom_fences:
        - name: cjm
          class: cjm
          format: !!python/name:mkdocs_cjm.fence.format
```

Three hosts call it: MkDocs (or ProperDocs) with the plugin, which registers the
fence and hands it the playbook it loaded (`register_site`); MkDocs without the
plugin; and Zensical, which runs Markdown extensions but no plugins. Without the
plugin the formatter finds the site's mkdocs.yml through what the host attached
to the Markdown instance and loads the maps itself, cached by their content.
Like `plugin.py` this is glue: it knows the hosts; the views are in `views.py`.
"""

from __future__ import annotations

import hashlib
import html
import logging
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markdown import Markdown
from mkdocs.exceptions import BuildError
from pymdownx.superfences import SuperFencesException

from mkdocs_cjm.core.freshness import TodayError
from mkdocs_cjm.core.problems import MapError, format_report
from mkdocs_cjm.glue.config import (
    ConfigReadError,
    default_options,
    diagram_renderer,
    read_mkdocs_config,
    section_options,
)
from mkdocs_cjm.glue.serve_banner import block_error_html
from mkdocs_cjm.render.diagrams import DiagramError
from mkdocs_cjm.site.generate import SiteGenerator, flow_asset
from mkdocs_cjm.site.pipeline import build_section
from mkdocs_cjm.site.views import BlockError, EmbedContext, parse_block, render_view

FENCE_NAME = "cjm"
# Under MkDocs' logger, so `mkdocs serve` prints it like the plugin's messages.
log = logging.getLogger("mkdocs.plugins.mkdocs_cjm.fence")


class FenceError(SuperFencesException, BuildError):  # type: ignore[misc]
    """A bad `cjm` block. SuperFences lets only its own exception type through (any
    other makes it print the block as code); MkDocs prints a BuildError's message
    and stops, without a traceback."""


@dataclass(frozen=True)
class _Site:
    generator: SiteGenerator
    section_published: bool
    # Under `mkdocs serve` a bad block shows its error in place (the author watches
    # the browser) instead of stopping the rebuild, which would leave the old page up.
    serving: bool = False


@dataclass(frozen=True)
class _Page:
    display: str  # the page's file, as messages name it
    url: str  # site-relative URL
    text: str  # its Markdown source ("" when unknown)
    config_file: Path | None


# Sites the plugin loaded, by their mkdocs.yml; and sites loaded here, by content.
_REGISTERED: dict[Path, _Site] = {}
_LOADED: dict[tuple[Path, str], tuple[_Site, tuple[Path, ...]]] = {}
# mkdocs.yml as MkDocs loaded it, by its path and content.
_CONFIGS: dict[tuple[Path, str], Any] = {}


def register_site(config_file: Path, generator: SiteGenerator, *, serving: bool = False) -> None:
    """Called by the plugin on every build: the fence shows what the pages show."""
    _REGISTERED[config_file.resolve()] = _Site(generator, True, serving)


def fence_entry() -> dict[str, Any]:
    """The `custom_fences` entry the plugin adds to `pymdownx.superfences`."""
    return {"name": FENCE_NAME, "class": FENCE_NAME, "format": format}


def format(
    source: str,
    language: str,
    css_class: str,
    options: Any,
    md: Markdown,
    **kwargs: Any,
) -> str:
    """Superfences' formatter: the view the block asks for, as HTML."""
    page = _page_of(md)
    site: _Site | None = None
    try:
        site = _site_for(page)
        request = parse_block(source, site.generator)
        where = EmbedContext(page.url, site.section_published)
        body = render_view(site.generator, request, where)
    except BlockError as error:
        line = _block_line(page, source) + error.line
        where_text = f"{page.display}:{line}" if line else page.display
        return _fail(site, f"{where_text}: cjm block: {error.message}")
    except MapError as error:
        return _fail(
            site,
            f"{page.display}:{_block_line(page, source)}: cjm block: "
            f"cannot show the view: {format_report(error.errors)}",
        )
    except DiagramError as error:
        return _fail(site, f"{page.display}: cjm block: {error}")
    except TodayError as error:
        return _fail(site, f"{page.display}: cjm block: {error}")
    except ConfigReadError as error:
        return _fail(site, f"{page.display}: cjm block: cannot read mkdocs.yml: {error}")
    except FenceError:
        raise
    except Exception as error:
        # SuperFences would print the block as code and the build would pass: any
        # failure of a block stops the build with one line, not a traceback.
        return _fail(
            site,
            f"{page.display}:{_block_line(page, source)}: cjm block: cannot show the view: "
            f"{type(error).__name__}: {str(error)[:200]}",
        )
    classes = " ".join(name for name in (css_class, "cjm-embed") if name)
    return (
        f'<div class="{html.escape(classes)}" data-cjm-view="{html.escape(request.view)}">\n'
        f"{body}\n</div>"
    )


def _fail(site: _Site | None, message: str) -> str:
    if site is None or not site.serving:
        raise FenceError(message)
    log.error(message)
    return block_error_html(message)


def _page_of(md: Markdown) -> _Page:
    """The page being converted, from what the host attached to `md`."""
    # MkDocs and ProperDocs: the link-rewriting tree processor knows the page and config.
    relpath = _registered(md.treeprocessors, "relpath")
    if relpath is not None and hasattr(relpath, "file") and hasattr(relpath, "config"):
        file, config = relpath.file, relpath.config
        config_file = Path(config.config_file_path) if config.config_file_path else None
        return _Page(
            _display(Path(file.abs_src_path) if file.abs_src_path else None, config_file)
            or file.src_uri,
            file.url,
            _content(file),
            config_file,
        )
    # Zensical: a preprocessor that holds the page and the configuration.
    context = _registered(md.preprocessors, "rendering_context")
    if context is not None and hasattr(context, "page"):
        config = getattr(context, "config", {}) or {}
        root_dir = Path(config.get("root_dir") or ".")
        config_file = Path(config.get("config_file_path") or root_dir / "mkdocs.yml")
        docs_dir = root_dir / str(config.get("docs_dir") or "docs")
        path = docs_dir / str(context.page.path)
        text = path.read_text(encoding="utf-8-sig") if path.is_file() else ""
        # Zensical rewrites every relative link, raw HTML included, as relative to the
        # page's source folder: links are made from there, not from the page's URL.
        folder = posixpath.dirname(str(context.page.path))
        url = f"{folder}/" if folder else ""
        return _Page(_display(path, config_file) or str(context.page.path), url, text, config_file)
    # Plain Python-Markdown: the project in the working folder.
    return _Page("<markdown>", "", "", Path("mkdocs.yml"))


def _registered(registry: Any, name: str) -> Any:
    """A processor of a Markdown registry by name, or None (registries have no `get`)."""
    return registry[name] if name in registry else None  # noqa: SIM401


def _content(file: Any) -> str:
    try:
        return str(file.content_string)
    except (OSError, UnicodeDecodeError):
        return ""


def _display(path: Path | None, config_file: Path | None) -> str:
    if path is None:
        return ""
    if config_file is not None:
        try:
            return path.resolve().relative_to(config_file.resolve().parent).as_posix()
        except ValueError:
            pass
    return path.as_posix()


_OPENING = re.compile(r"^[ \t>]*(`{3,}|~{3,})[ \t]*\{?[ \t]*\.?" + FENCE_NAME + r"\b")


def _block_line(page: _Page, source: str) -> int:
    """Line of the block's opening fence in the page (0 if not found): the first `cjm`
    fence whose content is `source`."""
    lines = page.text.splitlines()
    wanted = source.rstrip("\n").splitlines()
    first_found = 0
    for number, line in enumerate(lines, start=1):
        if not _OPENING.match(line):
            continue
        first_found = first_found or number
        body = [text.lstrip(" \t>") for text in lines[number : number + len(wanted)]]
        if body == [text.lstrip(" \t>") for text in wanted]:
            return number
    return first_found


def _site_for(page: _Page) -> _Site:
    config_file = (page.config_file or Path("mkdocs.yml")).resolve()
    registered = _REGISTERED.get(config_file)
    if registered is not None:
        return registered
    return _load_site(config_file)


def _load_site(config_file: Path) -> _Site:
    """The playbook of the site at `config_file`, read as the plugin would read it:
    mkdocs.yml through MkDocs' own loader, the options through the plugin's schema
    (the same reading as `mkdocs-cjm export`, so the fence and exported pages agree)."""

    if config_file.is_file():
        text = config_file.read_bytes()
        key = (config_file, hashlib.sha256(text).hexdigest())
        if key not in _CONFIGS:
            _CONFIGS.clear()
            _CONFIGS[key] = read_mkdocs_config(config_file, echo=False)
        config, options = _CONFIGS[key]
    else:
        config, options = None, default_options()
    root = config_file.parent
    inputs = section_options(config, options, ready_html=False, root=root)
    maps_dir = inputs.maps_dir
    for (loaded_file, digest), (site, files) in list(_LOADED.items()):
        if loaded_file == config_file and digest == _digest(config_file, maps_dir, files):
            return site
    section = build_section(inputs, lambda: diagram_renderer(options, root), generate=False)
    generator = section.generator
    if generator is None:
        raise MapError(section.loaded.problems)
    playbook = generator.playbook
    docs_dir = Path(config.docs_dir) if config is not None else root / "docs"
    # Exported pages (`mkdocs-cjm export` into docs/) are what links can lead to.
    published = any((docs_dir / flow_asset(journey.id)).is_file() for journey in playbook.journeys)
    site = _Site(generator, section_published=published)
    _LOADED.clear()  # one version per site is enough: edits replace it
    inputs_read = section.loaded.inputs
    _LOADED[(config_file, _digest(config_file, maps_dir, inputs_read))] = (site, inputs_read)
    return site


def _digest(config_file: Path, maps_dir: Path, inputs: tuple[Path, ...]) -> str:
    """The cache key of a loaded site: mkdocs.yml and every file its load read (the
    loader's own list: maps whatever their suffix's case, metrics, ...), by content, and
    the names of every file under the maps folder, so a file added there loads again."""
    sha = hashlib.sha256()
    for path in [config_file, *inputs]:
        try:
            content = path.read_bytes()
        except OSError:
            content = b"\1"  # gone or unreadable since: differs from any content read
        sha.update(path.as_posix().encode() + b"\0" + content + b"\0")
    try:
        names = sorted(path.as_posix() for path in maps_dir.rglob("*"))
    except OSError:
        names = []
    sha.update("\0".join(names).encode("utf-8", "surrogateescape"))
    return sha.hexdigest()
