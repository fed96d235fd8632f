"""Ids that collide with generated names (issue 9).

A journey or persona with the valid id `index` replaced the listing page; ids
such as `flow`, `emotions`, `step-enquiry` or a persona `journeys` produced
duplicate HTML ids, so a diagram node jumped to the wrong place; a hand-written
`playbook/personas/lan/index.md` shared a URL with the generated
`playbook/personas/lan.md` without a word; hand-written files under
`docs/assets/cjm/` were replaced silently.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import BuildResult, small_journey, small_maps
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from mkdocs_cjm.core.pages import section_anchor

# Ids an author may legally choose that are also (or were) generated names.
TRICKY_JOURNEYS = ["flow", "emotions", "step-enquiry", "stages-and-touchpoints", "journey-x"]


def tricky_maps() -> dict[str, str]:
    journeys = {}
    for name in TRICKY_JOURNEYS:
        journeys[name] = (
            small_journey(name.title())
            .replace("id: browse", "id: enquiry")
            .replace("id: look", "id: flow")
            .replace("stage: look", "stage: flow")
            .replace("persona: lan", "persona: journeys")
        )
    files = small_maps(journeys)
    del files["maps/personas/lan.yml"]
    files["maps/personas/journeys.yml"] = "name: Journeys\n"
    files["maps/channels.yml"] = (
        files["maps/channels.yml"].replace("web:", "flow:").replace("channel: web", "channel: flow")
    )
    for name in TRICKY_JOURNEYS:
        key = f"maps/journeys/{name}.yml"
        files[key] = files[key].replace("channel: web", "channel: flow")
    return files


def ids_of(html: str) -> Counter[str]:
    tree = HTMLParser(html)
    return Counter(node.attributes["id"] or "" for node in tree.css("[id]"))


def test_no_page_holds_an_id_twice(build: Callable[..., BuildResult]) -> None:
    result = build(tricky_maps())
    pages = sorted((result.site / "playbook").rglob("*.html"))
    assert len(pages) >= 10
    for page in pages:
        repeated = {key: n for key, n in ids_of(page.read_text("utf-8")).items() if n > 1}
        assert not repeated, f"{page.relative_to(result.site)}: {repeated}"


def test_a_diagram_node_leads_to_its_own_step_row(build: Callable[..., BuildResult]) -> None:
    result = build(tricky_maps())
    page = result.page("playbook/journeys/step-enquiry/")
    title = page.css_first("article h1")
    assert title is not None and title.attributes["id"] == "journey-step-enquiry"
    node = page.css_first("figure.cjm-flow svg g.node a")
    assert node is not None
    href = node.attributes.get("xlink:href") or node.attributes.get("href")
    assert href == "#step-enquiry"
    targets = page.css('[id="step-enquiry"]')
    assert len(targets) == 1 and targets[0].tag == "tr"
    flow_heading = page.css('[id="flow"]')
    assert len(flow_heading) == 1 and flow_heading[0].tag == "h2"
    assert result.page("playbook/personas/journeys/").css_first("h1").attributes["id"] == (
        "persona-journeys"
    )
    assert result.page("playbook/channels/flow/").css_first("h1").attributes["id"] == (
        "channel-flow"
    )


def test_section_anchors_never_look_like_item_anchors() -> None:
    assert section_anchor("flow") == "flow"
    assert section_anchor("emotions") == "emotions"
    for slug in ("stage-notes", "step-by-step", "journey-map", "persona-x", "channel-y", "cjm-x"):
        assert section_anchor(slug) == f"section-{slug}"
    # One-to-one: a slug that already starts with the added prefix is prefixed again.
    assert section_anchor("section-stage-a") != section_anchor("stage-a")


@pytest.mark.parametrize(
    ("path", "text", "message"),
    [
        (
            "maps/journeys/index.yml",
            small_journey("Index"),
            "maps/journeys/index.yml: error: the id 'index' is reserved: journeys/index.md is "
            "the page listing all journeys",
        ),
        (
            "maps/personas/index.yml",
            "name: Index\n",
            "maps/personas/index.yml: error: the id 'index' is reserved: personas/index.md is "
            "the page listing all personas",
        ),
        (
            "maps/channels.yml",
            "index:\n  name: Index\n  type: online\n" + small_maps({})["maps/channels.yml"],
            "maps/channels.yml:1:1: error: index: the id 'index' is reserved: channels/index.md "
            "is the page listing all channels",
        ),
    ],
    ids=["journey", "persona", "channel"],
)
def test_the_id_index_is_refused(
    build: Callable[..., BuildResult], path: str, text: str, message: str
) -> None:
    files = small_maps({"alpha": small_journey("Alpha")}) | {path: text}
    result = build(files, strict=False, expect_ok=False)
    assert result.returncode != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert "in docs" not in result.output


def test_hand_written_page_with_a_generated_url_warns_naming_both(
    build: Callable[..., BuildResult],
) -> None:
    docs = {"index.md": "# Home\n", "playbook/personas/lan/index.md": "# My Lan\n"}
    files = small_maps({"alpha": small_journey("Alpha")})
    result = build(files, docs=docs, strict=False)
    assert (
        "'docs/playbook/personas/lan/index.md' and the page generated from "
        "maps/personas/lan.yml (playbook/personas/lan.md) have the same URL "
        "'playbook/personas/lan/'"
    ) in result.output
    # The generated page is the one published, whole.
    assert result.page("playbook/personas/lan/").css_first("h1").text().strip() == "Lan"
    strict = build(files, docs=docs, expect_ok=False)
    assert strict.returncode != 0


def test_hand_written_files_under_the_plugins_assets_warn(
    build: Callable[..., BuildResult],
) -> None:
    docs = {
        "index.md": "# Home\n",
        "assets/cjm/cjm.css": "body { color: red }\n",
        "assets/cjm/mine.css": "p { color: blue }\n",
    }
    result = build(small_maps({"alpha": small_journey("Alpha")}), docs=docs, strict=False)
    assert "'docs/assets/cjm/cjm.css' is replaced by the plugin's file of that name" in (
        result.output
    )
    assert "'docs/assets/cjm/mine.css' is in the folder that belongs to the plugin" in (
        result.output
    )
    assert "color: red" not in (result.site / "assets/cjm/cjm.css").read_text("utf-8")
    strict = build(small_maps({"alpha": small_journey("Alpha")}), docs=docs, expect_ok=False)
    assert strict.returncode != 0


def test_other_hand_written_pages_beside_the_section_do_not_warn(
    build: Callable[..., BuildResult],
) -> None:
    docs = {"index.md": "# Home\n", "playbook/guide.md": "# Guide\n", "assets/mine.css": "p{}\n"}
    result = build(small_maps({"alpha": small_journey("Alpha")}), docs=docs)
    assert "WARNING" not in result.output


def test_validate_refuses_index_like_the_build(tmp_path: Path) -> None:
    from mkdocs_cjm.core.loader import load_playbook

    root = tmp_path / "project"
    for name, text in small_maps({"index": small_journey("Index")}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    result = load_playbook(root / "maps", display_root=root)
    assert [str(problem) for problem in result.errors] == [
        "maps/journeys/index.yml: error: the id 'index' is reserved: journeys/index.md is the "
        "page listing all journeys, which a journey page of that name would replace (rename "
        "the file, e.g. to 'index-journey.yml')"
    ]
