"""Printing a journey page: A3 landscape, the journey map whole on the first sheet,
the matrix at full width, the flow diagram in slices large enough to read, and every
fact of the page in the PDF's text."""

from __future__ import annotations

import io
import math
import re
import unicodedata
from collections.abc import Callable

import pytest

from .browser_support import PAGES, SCREENSHOTS, Opened

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

# A3 landscape in PDF points, and the page box left inside 10 mm margins in CSS px.
A3_LANDSCAPE = (1190.55, 841.89)
MM = 96 / 25.4
CONTENT_WIDTH = round((420 - 20) * MM)
CONTENT_HEIGHT = (297 - 20) * MM


def _words(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


@pytest.mark.parametrize(("name", "sliced"), [("journey", False), ("wide-journey", True)])
def test_journey_prints_legibly_in_print_media(
    open_page: Callable[..., Opened], name: str, sliced: bool
) -> None:
    page = open_page(PAGES[name], width=CONTENT_WIDTH).page
    page.emulate_media(media="print")
    layout = page.evaluate(
        """() => {
          const matrix = document.querySelector("div.cjm-matrix");
          const slices = [...document.querySelectorAll("figure.cjm-flow .cjm-print-slices svg")];
          const heights = (root) => [...root.querySelectorAll("text")]
            .map(t => t.getBoundingClientRect().height).filter(h => h > 0);
          return {
            width: document.documentElement.clientWidth,
            pageWidth: document.documentElement.scrollWidth,
            matrix: [matrix.scrollWidth, matrix.clientWidth],
            matrixFont: parseFloat(getComputedStyle(matrix.querySelector("td")).fontSize),
            screenDiagram: getComputedStyle(
              document.querySelector("figure.cjm-flow .cjm-figure-body")).display,
            slices: slices.map(s => ({
              right: s.getBoundingClientRect().right,
              smallest: Math.min(...heights(s)),
              labels: heights(s).length,
            })),
            labels: heights(document.querySelector("figure.cjm-flow .cjm-figure-body svg")).length,
            diagram: (() => {
              const svg = document.querySelector("figure.cjm-flow .cjm-figure-body svg");
              return {right: svg.getBoundingClientRect().right, smallest: Math.min(...heights(svg))};
            })(),
          };
        }"""
    )
    # Nothing is cut off at the right edge of the paper: the matrix needs no scrolling.
    assert layout["pageWidth"] <= layout["width"]
    assert layout["matrix"][0] <= layout["matrix"][1] + 1, layout["matrix"]
    assert layout["matrixFont"] >= 8 * 96 / 72 - 0.01  # 8 pt
    # Diagrams up to 1000 pt wide (see cjm.js) print whole, wider ones in slices.
    assert bool(layout["slices"]) == sliced, layout["slices"]
    if not sliced:
        # Fitted to the paper, labels still legible.
        assert layout["screenDiagram"] != "none"
        assert layout["diagram"]["right"] <= layout["width"]
        assert layout["diagram"]["smallest"] >= 7 * 96 / 72, layout["diagram"]
        return
    # A wider one gives way to slices that together hold every label.
    assert layout["screenDiagram"] == "none"
    assert len(layout["slices"]) >= 2
    assert sum(s["labels"] for s in layout["slices"]) >= layout["labels"]
    for piece in layout["slices"]:
        assert piece["right"] <= layout["width"]
        assert piece["smallest"] >= 7 * 96 / 72, piece  # labels print at 7 pt or more


def test_journey_prints_to_an_a3_landscape_pdf_with_its_text(
    open_page: Callable[..., Opened],
) -> None:
    from pypdf import PdfReader

    page = open_page(PAGES["journey"]).page
    title = page.locator("article h1").evaluate("h => h.firstChild.textContent.trim()")
    actions = [_words(a) for a in page.locator("div.cjm-matrix a.cjm-action").all_text_contents()]
    stages = [_words(s) for s in page.locator("div.cjm-matrix thead th[id]").all_text_contents()]
    labels = {
        _words(text)
        for text in page.locator(
            "figure.cjm-flow .cjm-figure-body svg g.node text"
        ).all_text_contents()
    }
    assert actions and stages and labels

    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "journey-print.pdf").write_bytes(pdf)

    # How many pages the content needs at the very least, from its height when
    # laid out for paper: the PDF holds all of it, without wasting page after page.
    page.set_viewport_size({"width": CONTENT_WIDTH, "height": round(CONTENT_HEIGHT)})
    page.emulate_media(media="print")
    height = page.evaluate("document.documentElement.scrollHeight")
    needed = math.ceil(height / CONTENT_HEIGHT)

    reader = PdfReader(io.BytesIO(pdf))
    assert needed <= len(reader.pages) <= needed * 1.5, (len(reader.pages), needed)
    for number, sheet in enumerate(reader.pages, start=1):
        size = (float(sheet.mediabox.width), float(sheet.mediabox.height))
        assert size == pytest.approx(A3_LANDSCAPE, abs=1), f"page {number} is {size}"

    text = _words(" ".join(sheet.extract_text() for sheet in reader.pages))
    assert title in text
    missing = [item for item in [*stages, *actions] if item not in text]
    assert missing == []
    # Step boxes of the diagram are text in the PDF too (not a picture of text).
    unprinted = [label for label in labels if label not in text]
    assert unprinted == []
