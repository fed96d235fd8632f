"""The one build pipeline: options -> the maps loaded -> the generated section.

The plugin, its fast rebuild under `mkdocs serve`, `mkdocs-cjm validate` and
`export`, and the `cjm` fence all go through `build_section` (validate through its
first step, `load_maps`), so they read the same folder, show the same paths and
make the same pages. Pure: no MkDocs here; `glue/config.py` turns mkdocs.yml and
the plugin's options into `SectionOptions`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from mkdocs_cjm.core.freshness import FileChange, journey_history
from mkdocs_cjm.core.loader import LoadOptions, LoadResult, ReadCache, load_playbook
from mkdocs_cjm.core.model import Playbook
from mkdocs_cjm.render.diagrams import DiagramRenderer
from mkdocs_cjm.site.generate import GeneratedAsset, GeneratedPage, SiteGenerator, SiteOptions


def maps_folder(root: Path, maps_dir: str | Path) -> Path:
    """The maps folder: the option `maps_dir` relative to the project's folder (that of
    mkdocs.yml), never to the current folder; an absolute option stays as it is. Links
    are followed (`resolve`), as the loader's check that a map is inside the folder does."""
    return (root.resolve() / maps_dir).resolve()


@dataclass(frozen=True)
class SectionOptions:
    """Everything the pipeline reads: where the project and its maps are, how to load
    them and how to generate the pages."""

    root: Path  # the project's folder (that of mkdocs.yml), resolved
    maps_dir: Path  # `maps_folder(root, option)`
    load: LoadOptions
    site: SiteOptions
    # Where the paths in messages and `source` start: the project's folder, except for
    # the command line, which shows them from the current folder (clickable there).
    display_root: Path | None = None

    @classmethod
    def of(
        cls,
        root: Path,
        maps_dir: str | Path,
        load: LoadOptions,
        site: SiteOptions,
        display_root: Path | None = None,
    ) -> SectionOptions:
        return cls(root.resolve(), maps_folder(root, maps_dir), load, site, display_root)

    @property
    def shown_from(self) -> Path:
        return self.display_root if self.display_root is not None else self.root


@dataclass
class Section:
    """What the pipeline made: the load's result and, when the maps have no error, the
    generator (with its pages and assets, unless only the generator was asked for)."""

    options: SectionOptions
    loaded: LoadResult
    generator: SiteGenerator | None = None
    history: Mapping[str, FileChange] = field(default_factory=dict)
    pages: list[GeneratedPage] = field(default_factory=list)
    assets: list[GeneratedAsset] = field(default_factory=list)

    @property
    def playbook(self) -> Playbook | None:
        return self.generator.playbook if self.generator is not None else None


def load_maps(options: SectionOptions, cache: ReadCache | None = None) -> LoadResult:
    """The pipeline's first step: the maps folder read and checked."""
    return load_playbook(
        options.maps_dir, display_root=options.shown_from, options=options.load, cache=cache
    )


def build_section(
    options: SectionOptions,
    renderer: Callable[[], DiagramRenderer],
    *,
    cache: ReadCache | None = None,
    warn: Callable[[str], None] | None = None,
    env: jinja2.Environment | None = None,
    generate: bool = True,
    loaded: Callable[[LoadResult], None] | None = None,
) -> Section:
    """Load the maps and generate the section's pages.

    `renderer` is called only once the maps loaded without error (so a broken map is
    reported before anything about Graphviz). `cache`: the maps read so far (under
    `mkdocs serve`); `env`: an earlier generator's template environment, reused;
    `generate` false: the generator only, its pages made on demand (the fence, the
    fast rebuild); `loaded` is told the load's result first (its problems are then
    reported before generation's warnings). Raises what generation raises
    (`DiagramError`, `TemplateProblem`).
    """
    result = load_maps(options, cache)
    if loaded is not None:
        loaded(result)
    if result.errors or result.playbook is None:
        return Section(options, result)
    playbook = result.playbook
    history = journey_history(playbook, options.maps_dir, options.shown_from)
    generator = SiteGenerator(playbook, options.site, renderer(), history, warn, env)
    section = Section(options, result, generator, history)
    if generate:
        section.pages, section.assets = generator.generate()
    return section
