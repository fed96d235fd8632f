"""The banner `mkdocs serve` puts on every page while the maps are broken.

The author watches the browser, not the terminal: the problems go where they look,
above the last good version of the page. Pure HTML; the plugin decides when.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence

from mkdocs_cjm.core.problems import MAX_REPORTED, Problem

_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)


_STYLE = (
    "background:#b71c1c;color:#fff;padding:.6rem 1rem;font-size:.8rem;position:relative;z-index:10"
)


def block_error_html(message: str) -> str:
    """What a bad `cjm` block shows in its place under `mkdocs serve`."""
    return (
        f'<div class="cjm-serve-errors" data-cjm-block-error role="alert" style="{_STYLE}">'
        f"<code>{html.escape(message)}</code></div>"
    )


def banner_html(problems: Sequence[Problem], labels: Mapping[str, str]) -> str:
    """A `<div role="alert">`: the title, then one escaped line per problem."""
    items = "".join(
        f"<li><code>{html.escape(str(problem))}</code></li>" for problem in problems[:MAX_REPORTED]
    )
    more = len(problems) - MAX_REPORTED
    if more > 0:
        items += f"<li>… +{more}</li>"
    return (
        f'<div class="cjm-serve-errors" data-cjm-serve-errors role="alert" style="{_STYLE}">'
        f"<strong>{html.escape(labels['serve_errors'])}</strong>"
        f'<ul style="margin:.3rem 0 0 1.2rem;padding:0">{items}</ul>'
        "</div>"
    )


def with_banner(page_html: str, banner: str) -> str:
    """`page_html` with `banner` first in its body (or first of all, without a body)."""
    match = _BODY.search(page_html)
    if match is None:
        return banner + page_html
    return page_html[: match.end()] + banner + page_html[match.end() :]
