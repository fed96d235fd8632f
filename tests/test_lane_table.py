"""The map's lanes are one table (render/canvas.py LANE_TABLE): the canvas, the
templates' macros, the CSS hooks, the labels and the docs' lane table all name the
same lanes, in the same order."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from mkdocs_cjm.render import canvas
from mkdocs_cjm.render.canvas import LANE_TABLE, LANES
from mkdocs_cjm.site.i18n import LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "mkdocs_cjm" / "site"
DOCS = (ROOT / "docs" / "journey-page.md").read_text("utf-8")


def docs_lane_rows() -> list[tuple[str, str]]:
    """(lane, one cell per) of the docs' table under "The map canvas"."""
    return re.findall(r"^\s*\| `([a-z-]+)` \| (stage|step) \|", DOCS, re.M)


def test_the_docs_lane_table_is_the_lane_table() -> None:
    assert docs_lane_rows() == [(lane.name, lane.per) for lane in LANE_TABLE]


def test_the_docs_list_every_data_lane_value() -> None:
    listed = re.search(r'`data-lane="([a-z|\\-]+)"`', DOCS)
    assert listed is not None
    assert listed.group(1).replace("\\", "").split("|") == list(LANES)


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_lane_has_a_label_in_every_language(language: str) -> None:
    labels = LANGUAGES[language]
    assert [name for name in LANES if f"lane_{name}" not in labels] == []
    assert sorted(key[5:] for key in labels if key.startswith("lane_")) == sorted(LANES)


def test_the_stylesheet_names_only_lanes_of_the_table() -> None:
    css = (SITE / "assets" / "cjm.css").read_text("utf-8")
    used = set(re.findall(r"\.cjm-lane-([a-z-]+)", css)) | set(
        re.findall(r'data-lane="([a-z-]+)"', css)
    )
    assert used, "the stylesheet styles lanes by their hooks"
    assert used <= set(LANES)


def test_every_lane_macro_exists_and_only_the_spine_has_none() -> None:
    cells = (SITE / "templates" / "partials" / "lane_cells.html.j2").read_text("utf-8")
    defined = set(re.findall(r"\{% macro (\w+)\(", cells))
    assert {lane.macro for lane in LANE_TABLE if lane.macro} == defined
    assert [lane.name for lane in LANE_TABLE if not lane.macro] == [canvas.STEPS, canvas.EMOTION]
