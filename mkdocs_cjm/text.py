"""Author text -> safe HTML or Markdown.

Every string from a map is untrusted. Plain fields are escaped; Markdown fields
are rendered by markdown-it with raw HTML off (escaped) and unsafe link schemes
dropped, unless the site says its maps are trusted (`allow_html`).

The output is embedded in generated Markdown pages, so it must also be inert to
whatever runs on Markdown before HTML: Jinja-based plugins (`{{ }}`), snippet
includes (`--8<--`), and blank lines that would end a raw HTML block.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup

_BRACES = str.maketrans({"{": "&#123;", "}": "&#125;"})
_PRE = re.compile(r"<pre\b.*?</pre>", re.DOTALL)
_BLANK_LINES = re.compile(r"\n\s*\n")
_MARKDOWN_SPECIAL = re.compile(r"[\\`*_{}\[\]()#+\-.!|~=^$:@%]")


def escape(text: str) -> Markup:
    """Text as HTML that reads literally everywhere, attributes included."""
    return Markup(html.escape(text, quote=True).translate(_BRACES))


@lru_cache(maxsize=2)
def _parser(allow_html: bool) -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": allow_html}).enable(["strikethrough", "table"])


def _inert(rendered: str) -> Markup:
    rendered = _PRE.sub(lambda match: match.group().replace("\n", "&#10;"), rendered)
    rendered = _BLANK_LINES.sub("\n", rendered).strip()
    return Markup(rendered.translate(_BRACES))


def inline(text: str, *, allow_html: bool = False) -> Markup:
    """One line of Markdown inline formatting (bold, links, code) as HTML."""
    return _inert(_parser(allow_html).renderInline(text))


def block(text: str, *, allow_html: bool = False) -> Markup:
    """Multi-paragraph Markdown as HTML."""
    return _inert(_parser(allow_html).render(text))


def heading(text: str) -> Markup:
    """Text for a Markdown heading line: no Markdown, HTML or line breaks take effect."""
    one_line = " ".join(text.split())
    escaped = html.escape(one_line, quote=False)
    # Entities rather than backslashes: extensions (emoji, tilde, arithmatex) and
    # Jinja-based plugins do not honour backslash escapes for their own syntax.
    return Markup(_MARKDOWN_SPECIAL.sub(lambda match: f"&#{ord(match.group())};", escaped))


def wrap(text: str, width: int) -> list[str]:
    """Split text into lines of at most `width` characters, breaking long words."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        while len(word) > width:
            if current:
                lines.append(current)
                current = ""
            lines.append(word[: width - 1] + "-")
            word = word[width - 1 :]
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return lines or [""]
