"""Accessibility of the generated pages: axe-core in the browser, and the structure
screen-reader users rely on (captions, header scopes, labelled SVGs, emotion in
words as well as colour)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from .browser_support import AXE, PAGES, SCHEMES, WIDTHS, Opened

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


# Findings in mkdocs-material's own page chrome, which this plugin does not
# render (axe-core 4.14.1, mkdocs-material 9.8): each is (rule, CSS selector of
# the element). Everything inside the generated content is checked in full.
MATERIAL_CHROME = {
    # The search overlay is role="dialog" without an accessible name.
    ("aria-dialog-name", ".md-search"),
    # "Made with Material for MkDocs" in the footer: #7f7f7f on #171717, 4.47:1.
    ("color-contrast", ".md-copyright"),
}


def _serious(violations: list[dict[str, Any]]) -> list[str]:
    lines = []
    for violation in violations:
        if violation["impact"] not in ("serious", "critical"):
            continue
        nodes = [
            node
            for node in violation["nodes"]
            if (violation["id"], node["target"][-1]) not in MATERIAL_CHROME
        ]
        if nodes:
            targets = [node["target"] for node in nodes[:5]]
            summary = nodes[0]["failureSummary"].replace("\n", " ")
            lines.append(f"{violation['id']} x{len(nodes)}: {targets}: {summary}")
    return lines


@pytest.mark.parametrize("scheme", list(SCHEMES))
@pytest.mark.parametrize("device", list(WIDTHS))
@pytest.mark.parametrize("kind", list(PAGES))
def test_axe_finds_no_serious_or_critical_violation(
    open_page: Callable[..., Opened], kind: str, device: str, scheme: str
) -> None:
    if not AXE.is_file():
        pytest.skip(f"{AXE} is missing: run `make browser-deps` (npm install axe-core)")
    page = open_page(PAGES[kind], width=WIDTHS[device], scheme=scheme).page
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => {
          const result = await axe.run(document, {resultTypes: ["violations"]});
          return {violations: result.violations, passes: result.passes.length,
                  version: axe.version};
        }"""
    )
    # axe really ran over the page: it reports the rules it checked and passed.
    assert result["passes"] > 10, result
    assert _serious(result["violations"]) == []


STRUCTURE_PROBE = """
() => {
  const out = {tables: [], svgs: [], emotions: []};
  for (const table of document.querySelectorAll("article div.cjm-table table")) {
    const caption = table.querySelector(":scope > caption");
    out.tables.push({
      caption: caption ? caption.textContent.trim() : "",
      headers: [...table.querySelectorAll("th")].map(th => th.getAttribute("scope")),
    });
  }
  for (const svg of document.querySelectorAll("article .cjm-figure-body > svg")) {
    const title = svg.querySelector(":scope > title");
    const ids = (svg.getAttribute("aria-labelledby") || "").split(/\\s+/).filter(Boolean);
    out.svgs.push({
      role: svg.getAttribute("role"),
      title: title ? title.textContent.trim() : "",
      labelledBy: ids.map(id => {
        const target = document.getElementById(id);
        return target && svg.contains(target) ? target.textContent.trim() : null;
      }),
    });
  }
  for (const element of document.querySelectorAll("article [class*='cjm-emotion-']")) {
    const match = /cjm-emotion-([1-5])\\b/.exec(element.getAttribute("class"));
    if (!match) continue;
    out.emotions.push({
      score: match[1],
      tag: element.tagName.toLowerCase(),
      text: element.textContent.replace(/\\s+/g, " ").trim(),
    });
  }
  return out;
}
"""


@pytest.mark.parametrize("kind", list(PAGES))
def test_tables_svgs_and_emotions_carry_their_meaning_in_text(
    open_page: Callable[..., Opened], kind: str
) -> None:
    page = open_page(PAGES[kind]).page
    found = page.evaluate(STRUCTURE_PROBE)

    assert found["tables"], f"no generated table on the {kind} page"
    for table in found["tables"]:
        assert table["caption"], "a generated table has no caption"
        assert table["headers"] and all(
            scope in ("col", "row", "colgroup", "rowgroup") for scope in table["headers"]
        ), f"header cells without a scope in table {table['caption']!r}: {table['headers']}"

    if kind == "journey":
        assert (
            len(found["svgs"]) == 1
        )  # the flow (the map's curve is decorative: points carry the text)
    for svg in found["svgs"]:
        assert svg["role"] == "img"
        assert svg["title"], "an SVG has no <title>"
        # Named by its title and described by its <desc>, both inside the SVG.
        assert len(svg["labelledBy"]) == 2 and all(svg["labelledBy"]), svg

    # Every element coloured by an emotion also says which one, as "n/5".
    # (A persona page gives average emotions as plain numbers, with no colour; the
    # overview lists moments, reviews and evidence, no emotion.)
    assert found["emotions"] or kind in ("persona", "overview"), (
        f"no emotion shown on the {kind} page"
    )
    wordless = [
        item for item in found["emotions"] if not re.search(rf"\b{item['score']}/5\b", item["text"])
    ]
    assert wordless == []
    if kind == "journey":
        tags = {item["tag"] for item in found["emotions"]}
        # Chips in tables, boxes in the flow diagram, points on the curve.
        assert {"span", "g"} <= tags
