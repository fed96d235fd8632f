"""The templates' Jinja environment: its filters, and where a template failed.

`make_environment` searches a user's template folder before the built-in one;
`template_problem` turns an error raised while rendering into a `TemplateProblem`
naming the template's file and line.
"""

from __future__ import annotations

import functools
import re
import traceback
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from mkdocs_cjm.core import text
from mkdocs_cjm.core.loader import suggest_id
from mkdocs_cjm.core.pages import (
    channel_anchor,
    journey_anchor,
    kpis_anchor,
    persona_anchor,
    section_anchor,
    stage_anchor,
    step_anchor,
)
from mkdocs_cjm.core.problems import Problem
from mkdocs_cjm.render import trend
from mkdocs_cjm.render.emotion import emotion_class, emotion_word, face_svg
from mkdocs_cjm.site.blocks import htmlblock
from mkdocs_cjm.site.output import SiteOptions

BLANK_LINES = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)+")


def _finalize(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and not isinstance(value, Markup):
        return _escape(value)
    return value


# Author text is rendered many times over (a step's action shows in the matrix, the
# step list, the emotion table and its channel's page), and these are pure functions
# of it: memoised, they cost a dictionary lookup after the first time.
_MEMO_SIZE = 1 << 16


@functools.lru_cache(maxsize=_MEMO_SIZE)
def _escape(value: str) -> Markup:
    return text.escape(value)


def make_environment(options: SiteOptions) -> jinja2.Environment:
    """Templates of the generated pages; a user folder is searched before the built-in ones."""
    loaders: list[jinja2.BaseLoader] = []
    if options.custom_templates is not None:
        loaders.append(jinja2.FileSystemLoader(str(options.custom_templates)))
    builtin = resources.files("mkdocs_cjm.site") / "templates"
    loaders.append(jinja2.FileSystemLoader(str(builtin)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
    )
    labels = options.labels
    env.filters.update(
        inline=functools.partial(_inline, allow_html=options.allow_html),
        block=functools.partial(_block, allow_html=options.allow_html),
        heading=functools.partial(_heading, ids=options.heading_ids),
        plain=text.plain,
        shorten=lambda value, limit: text.shorten(text.plain(value), limit),
        htmlblock=htmlblock,
        lateblock=htmlblock,  # see _LATE_MARK
        latecells=lambda value: value,  # see _LATE_CELLS_MARK
        emotion_word=lambda score: emotion_word(score, labels),
        emotion_class=emotion_class,
        face=lambda score: Markup(face_svg(score)),
        slug=suggest_id,
        trend=lambda kpi: Markup(trend.trend_svg(kpi, labels)),
        step_anchor=step_anchor,
        stage_anchor=stage_anchor,
        kpis_anchor=kpis_anchor,
        journey_anchor=journey_anchor,
        persona_anchor=persona_anchor,
        channel_anchor=channel_anchor,
    )
    return env


def _heading(value: str, anchor: str = "", *, ids: bool) -> Markup:
    """A heading line's text and id: `anchor` (an item's, from pages.py) or a section's."""
    shown = text.heading(value)
    slug = (anchor or section_anchor(suggest_id(value))) if ids else ""
    # A label without a letter a slug can keep (all CJK, say) gets no id, as before.
    return Markup(f"{shown} {{: #{slug} }}") if slug else shown


@functools.lru_cache(maxsize=_MEMO_SIZE)
def _inline(value: str, *, allow_html: bool) -> Markup:
    return text.inline(value, allow_html=allow_html)


@functools.lru_cache(maxsize=_MEMO_SIZE)
def _block(value: str, *, allow_html: bool) -> Markup:
    return text.block(value, allow_html=allow_html)


class TemplateProblem(Exception):
    """A page template could not be loaded or rendered; the message names its file and line."""

    def __init__(self, message: str, file: str = "", line: int = 0, what: str = "") -> None:
        super().__init__(message)
        self.file, self.line, self.what = file, line, what or message

    def problem(self) -> Problem:
        """As a map problem is shown (the `mkdocs serve` banner lists these)."""
        return Problem(self.file, self.line, 1 if self.line else 0, "", self.what)


# Errors a template can raise while it renders (an undefined name, a filter given
# the wrong type, a failing include); anything else is a bug of this package.
TEMPLATE_ERRORS = (
    jinja2.TemplateError,
    TypeError,
    ValueError,
    AttributeError,
    KeyError,
    IndexError,
    ArithmeticError,
    RecursionError,
)


def template_problem(error: BaseException, template: str, options: SiteOptions) -> TemplateProblem:
    """Where in which template `error` happened, as `file, line N: what`, without a traceback."""
    filename: str | None = None
    line: int | None = None
    if isinstance(error, jinja2.TemplateSyntaxError):
        filename, line = error.filename, error.lineno
    else:
        # Jinja rewrites tracebacks so that template frames carry the template's
        # file and line: the innermost one is where the template failed.
        for frame in traceback.extract_tb(error.__traceback__):
            if frame.filename.endswith(".j2") or "<template>" in frame.filename:
                filename, line = frame.filename, frame.lineno
    shown = _template_display(filename, options) if filename else template
    where = f"{shown}, line {line}" if line else shown
    if isinstance(error, jinja2.TemplateNotFound):
        what = f"template '{error.name}' not found"
    elif isinstance(error, jinja2.TemplateError):
        what = error.message or type(error).__name__
    else:
        what = f"{type(error).__name__}: {error}"
    custom = (
        filename is not None
        and options.custom_templates is not None
        and Path(filename).is_relative_to(options.custom_templates)
    )
    kind = "custom template" if custom else "template"
    return TemplateProblem(f"{kind} {where}: {what}", shown, line or 0, f"{kind}: {what}")


def check_templates(options: SiteOptions) -> list[str]:
    """Syntax errors of the custom templates, each naming its file and line.

    Templates are compiled, not rendered: what only rendering finds (an
    undefined name) is reported by the build.
    """
    if options.custom_templates is None:
        return []
    env = make_environment(options)
    problems = []
    for path in sorted(options.custom_templates.rglob("*.j2")):
        name = path.relative_to(options.custom_templates).as_posix()
        try:
            env.get_template(name)
        except jinja2.TemplateError as error:
            problems.append(str(template_problem(error, name, options)))
    return problems


def _template_display(filename: str, options: SiteOptions) -> str:
    """A custom template's path from where the build runs, a built-in one's in the package."""
    path = Path(filename)
    if options.custom_templates is not None and path.is_relative_to(options.custom_templates):
        try:
            return path.relative_to(Path.cwd()).as_posix()
        except ValueError:
            return path.as_posix()
    builtin = Path(str(resources.files("mkdocs_cjm.site") / "templates"))
    try:
        return f"mkdocs_cjm/templates/{path.relative_to(builtin).as_posix()}"
    except ValueError:
        return path.as_posix()
