"""Author text -> safe HTML or Markdown.

Every string from a map is untrusted. Plain fields are escaped; Markdown fields
are rendered by markdown-it with raw HTML off (escaped) and links kept only for
schemes that cannot run code, unless the site says its maps are trusted
(`allow_html`).

The output is embedded in generated Markdown pages, so it must also be inert to
whatever runs on Markdown before HTML: Jinja-based plugins (`{{ }}`), snippet
includes (`--8<--`), fences (backticks, tildes) that Python-Markdown's
preprocessors find even inside raw HTML, and blank lines that would end a raw
HTML block. Escaped plain text is therefore kept on one line, and those
characters become numeric references, which read the same once parsed.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from markdown_it import MarkdownIt
from markupsafe import Markup

# Characters that mean something to a Markdown preprocessor or a Jinja pass over
# the page; as references they still read the same in text and in attributes.
_INERT = {"{": "&#123;", "}": "&#125;", "`": "&#96;", "~": "&#126;"}
_BRACES = str.maketrans(_INERT)
# Plain text also loses its line breaks, so nothing it holds starts a line.
_PLAIN = str.maketrans({**_INERT, "\n": "&#10;", "\r": "&#13;"})
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
SAFE_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_TAG = re.compile(r"<[^>]*>")
_PRE = re.compile(r"<pre\b.*?</pre>", re.DOTALL)
_BLANK_LINES = re.compile(r"\n\s*\n")
_MARKDOWN_SPECIAL = re.compile(r"[\\`*_{}\[\]()#+\-.!|~=^$:@%]")


def escape(text: str) -> Markup:
    """Text as HTML that reads literally everywhere, attributes included."""
    return Markup(html.escape(text, quote=True).translate(_PLAIN))


def html_text(text: str) -> str:
    """One line of text for places that MkDocs and Material print as HTML unescaped.

    Page titles (front matter `title`) and tag names are such places: `<`, `>`
    and `&` must arrive as references to show literally, and nothing else is
    escaped so that ordinary names stay the same tags as in hand-written pages.
    """
    return html.escape(" ".join(text.split()), quote=False)


class _SafeLinks(MarkdownIt):
    def validateLink(self, url: str) -> bool:
        # A whitelist, not markdown-it's blacklist: it lets `data:image/...` through,
        # and any scheme it has not heard of could run code in some browser.
        scheme = _SCHEME.match(url.strip())
        return scheme is None or scheme.group(1).lower() in SAFE_SCHEMES


class _TrustedLinks(MarkdownIt):
    def validateLink(self, url: str) -> bool:
        return True  # `allow_html`: the site vouches for its maps, links included


@lru_cache(maxsize=2)
def _parser(allow_html: bool) -> MarkdownIt:
    kind = _TrustedLinks if allow_html else _SafeLinks
    return kind("commonmark", {"html": allow_html}).enable(["strikethrough", "table"])


def _inert(rendered: str) -> Markup:
    rendered = _PRE.sub(lambda match: match.group().replace("\n", "&#10;"), rendered)
    rendered = _BLANK_LINES.sub("\n", rendered).strip()
    return Markup(rendered.translate(_BRACES))


def inline(text: str, *, allow_html: bool = False) -> Markup:
    """One line of Markdown inline formatting (bold, links, code) as HTML."""
    return _inert(_parser(allow_html).renderInline(text))


# Author headings sit under the page's h1 and a section's h2. Left as they are, an
# author's `# x` would be a second h1, which Material's search appends to the page
# title and MkDocs may take as the title.
_HEADING_SHIFT = 2


def block(text: str, *, allow_html: bool = False) -> Markup:
    """Multi-paragraph Markdown as HTML, its headings moved below the page's own."""
    parser = _parser(allow_html)
    env: dict[str, object] = {}
    tokens = parser.parse(text, env)
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1:]) + _HEADING_SHIFT)}"
    return _inert(parser.renderer.render(tokens, parser.options, env))


@lru_cache(maxsize=1 << 16)  # each step's text is asked for by its box and by its tooltip
def plain(text: str) -> str:
    """What a reader sees of one line of Markdown, without markup: for diagram labels.

    `**b**` gives `b`, `&amp;` gives `&`, and a raw `<b>` stays `<b>` as it does on the page.
    """
    return html.unescape(_TAG.sub("", _parser(False).renderInline(text)))


def heading(text: str) -> Markup:
    """Text for a Markdown heading line: no Markdown, HTML or line breaks take effect."""
    one_line = " ".join(text.split())
    escaped = html.escape(one_line, quote=False)
    # Entities rather than backslashes: extensions (emoji, tilde, arithmatex) and
    # Jinja-based plugins do not honour backslash escapes for their own syntax.
    return Markup(_MARKDOWN_SPECIAL.sub(lambda match: f"&#{ord(match.group())};", escaped))


_ZWJ = "\u200d"


def _extends(char: str) -> bool:
    """Whether `char` belongs to the grapheme before it rather than starting one."""
    code = ord(char)
    return (
        char == _ZWJ
        or unicodedata.category(char) in ("Mn", "Me", "Mc")  # combining marks, selectors
        or 0x1F3FB <= code <= 0x1F3FF  # emoji skin tones
        or 0xE0020 <= code <= 0xE007F  # emoji tag sequences (subdivision flags)
    )


def _regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def graphemes(text: str) -> list[str]:
    """`text` cut into what a reader sees as characters (a small part of UAX #29).

    A letter keeps its combining marks (`e` + U+0302 + U+0301 of NFD Vietnamese),
    an emoji its selector, skin tone and ZWJ-joined partners, a flag its two
    regional indicators: enough that a label is never cut inside one.
    """
    clusters: list[str] = []
    for char in text:
        if clusters and (
            _extends(char)
            or clusters[-1].endswith(_ZWJ)
            or (_regional(char) and len(clusters[-1]) == 1 and _regional(clusters[-1]))
        ):
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def wrap(text: str, width: int) -> list[str]:
    """Split text into lines of at most `width` characters (graphemes), breaking long words
    between graphemes."""
    lines: list[str] = []
    current: list[str] = []  # graphemes of the line so far
    for word_text in text.split():
        word = graphemes(word_text)
        while len(word) > width:
            if current:
                lines.append("".join(current))
                current = []
            lines.append("".join(word[: width - 1]) + "-")
            word = word[width - 1 :]
        if current and len(current) + 1 + len(word) > width:
            lines.append("".join(current))
            current = word
        else:
            current = [*current, " ", *word] if current else word
    if current:
        lines.append("".join(current))
    return lines or [""]


def shorten(text: str, limit: int) -> str:
    """`text` on one line in at most `limit` characters (graphemes), cut between words
    with an ellipsis; a single word longer than `limit` is cut between graphemes.
    The caller keeps the full text within reach (a `title`, the step's details)."""
    one_line = " ".join(text.split())
    clusters = graphemes(one_line)
    if len(clusters) <= limit:
        return one_line
    kept = clusters[: limit - 1]  # room for the ellipsis
    if clusters[limit - 1][0].isalnum() and " " in kept:  # a word goes on past the cut
        kept = kept[: len(kept) - kept[::-1].index(" ")]  # back to the last space
    return "".join(kept).rstrip(" ,;:.-–—") + "…"
