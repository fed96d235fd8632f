"""Every page of the hostile fixture in Chromium: no payload may ever open a dialog.

The payloads call alert() from every kind of markup (script, event attributes,
javascript: URLs, SVG onload), so any one of them running shows up as a dialog.
Pages are also hovered, focused and searched, because some payloads only fire then
and Material's search renders its index as HTML.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .browser_support import serve_folder

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# Fire the handlers an injected attribute could hang on, on every element.
_PROVOKE = """() => {
  for (const element of document.querySelectorAll("body *")) {
    for (const type of ["mouseover", "mouseenter", "focus", "focusin", "load", "error"]) {
      element.dispatchEvent(new Event(type));
    }
  }
}"""


@pytest.fixture(scope="module")
def hostile_url(chromium_path: Path, hostile_site: Any) -> Iterator[str]:
    with serve_folder(hostile_site.site) as url:
        yield url


@pytest.fixture
def watched_page(browser: Any) -> Iterator[tuple[Any, list[str]]]:
    context = browser.new_context()
    page = context.new_page()
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(f"{page.url}: {dialog.type} {dialog.message!r}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    try:
        yield page, dialogs
    finally:
        context.close()


def test_no_page_opens_a_dialog(
    hostile_site: Any, hostile_url: str, watched_page: tuple[Any, list[str]]
) -> None:
    page, dialogs = watched_page
    site = Path(hostile_site.site)
    documents = sorted(
        path.relative_to(site).as_posix()
        for pattern in ("**/*.html", "assets/cjm/flows/*.svg")
        for path in site.glob(pattern)
    )
    assert len(documents) > 60
    for document in documents:
        url = hostile_url + document.removesuffix("index.html")
        page.goto(url, wait_until="load")
        page.evaluate(_PROVOKE)
    assert not dialogs, "\n".join(dialogs)


def test_search_results_open_no_dialog(
    hostile_url: str, watched_page: tuple[Any, list[str]]
) -> None:
    """Material's search puts index entries into the page as HTML: show many of them.

    The queries are whole words of the payloads (the index splits on spaces and
    hyphens), so the results are the journey pages with every payload in their text.
    """
    page, dialogs = watched_page
    page.goto(hostile_url, wait_until="networkidle")
    page.click("input.md-search__input")
    for query in ("line", "hidden", "unclosed", "bold"):
        page.fill("input.md-search__input", "")
        # Typed, not filled: Material searches on key events.
        page.keyboard.type(query)
        # Results link with `?h=<query>` (search.highlight): these are this query's.
        page.wait_for_selector(f'.md-search-result__item a[href*="h={query}"]', timeout=20_000)
        page.evaluate(_PROVOKE)
    assert not dialogs, "\n".join(dialogs)
