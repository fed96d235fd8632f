"""The personas index, `<prefix>/personas/`, and a page per persona."""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterator

from mkdocs_cjm.core.model import Journey, Persona
from mkdocs_cjm.core.pages import PageKind, PageRef
from mkdocs_cjm.site.base import SiteBase
from mkdocs_cjm.site.output import GeneratedPage, LazyPage


def rows(journey: Journey) -> Hashable:
    """What the index shows of a journey: a link under each of its personas."""
    return journey.id, journey.title, journey.personas


def persona_pages(generator: SiteBase) -> Iterator[LazyPage]:
    """A page per persona; it shows its journeys (whole: their reviews, owners...)."""
    by_persona = generator.index.journeys_by_persona
    for persona in generator.playbook.personas:
        yield LazyPage(
            generator.options.layout.src_uri(PageRef(PageKind.PERSONA, persona.id)),
            functools.partial(persona_page, generator, persona),
            frozenset(journey.id for journey in by_persona.get(persona.id, ())),
        )


def persona_page(generator: SiteBase, persona: Persona) -> GeneratedPage:
    page = PageRef(PageKind.PERSONA, persona.id)
    journeys = generator.index.journeys_by_persona.get(persona.id, ())
    markdown = generator.render(
        "persona.md.j2",
        page,
        persona=persona,
        journeys=journeys,
        review=generator.reviews.get(("persona", persona.id)),
        front_matter=generator.front_matter(persona.name, persona.name),
    )
    return GeneratedPage(generator.options.layout.src_uri(page), markdown, persona.source.path)
