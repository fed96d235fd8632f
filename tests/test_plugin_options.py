"""Plugin options and site integration, through real builds of small projects."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, BuildResult, copy_project, run_build, text_of


def minimal_files() -> dict[str, str]:
    maps = FIXTURES / "minimal" / "maps"
    return {
        path.relative_to(maps.parent).as_posix(): path.read_text(encoding="utf-8")
        for path in maps.rglob("*.yml")
    }


def config(plugin_options: str = "", extra: str = "") -> str:
    options = f"  - cjm:\n{plugin_options}" if plugin_options else "  - cjm\n"
    return (
        f"site_name: Options test\ntheme:\n  name: material\n{extra}plugins:\n  - search\n{options}"
    )


def test_vietnamese_labels_from_theme_language(build: Callable[..., BuildResult]) -> None:
    result = build(minimal_files(), config(extra="  language: vi\n"))
    page = result.page("playbook/journeys/buy-sunglasses/")
    headers = [text_of(h) for h in page.css("article h2")]
    assert "Giai đoạn và điểm chạm" in " ".join(headers)
    assert "Mục tiêu và KPI" in " ".join(headers)
    assert "4/5 tích cực" in text_of(page.css_first(".cjm-matrix"))
    assert "Dưới mục tiêu" in text_of(page.css_first(".cjm-kpis"))
    nav = text_of(result.page("").css_first("nav.md-nav--primary"))
    assert "Sổ tay hành trình" in nav and "Chân dung khách hàng" in nav


def test_language_option_overrides_theme(build: Callable[..., BuildResult]) -> None:
    result = build(minimal_files(), config("      language: en\n", extra="  language: vi\n"))
    page = result.page("playbook/journeys/buy-sunglasses/")
    assert "Stages and touchpoints" in " ".join(text_of(h) for h in page.css("article h2"))


def test_prefix_option_moves_the_section(build: Callable[..., BuildResult]) -> None:
    result = build(minimal_files(), config("      prefix: cx/maps\n"))
    page = result.page("cx/maps/journeys/buy-sunglasses/")
    link = page.css_first(".cjm-meta a.cjm-persona-link").attributes["href"]
    assert (
        (result.site / "cx/maps/journeys/buy-sunglasses" / link / "index.html").resolve().is_file()
    )
    assert not (result.site / "playbook").exists()


def test_no_directory_urls(build: Callable[..., BuildResult]) -> None:
    result = build(minimal_files(), config() + "use_directory_urls: false\n")
    page = result.page("playbook/journeys/buy-sunglasses.html")
    assert page.css_first("a.cjm-persona-link").attributes["href"] == "../personas/lan.html"
    assert (result.site / "playbook/personas/lan.html").is_file()


def test_maps_dir_option(tmp_path: Path) -> None:
    project = copy_project(FIXTURES / "minimal", tmp_path / "project")
    (project / "maps").rename(project / "journey-maps")
    (project / "mkdocs.yml").write_text(config("      maps_dir: journey-maps\n"), encoding="utf-8")
    result = run_build(project)
    assert result.returncode == 0, result.output
    assert result.page("playbook/journeys/buy-sunglasses/").css_first("svg.cjm-svg") is not None


def test_missing_maps_dir_is_a_clear_error(build: Callable[..., BuildResult]) -> None:
    result = build({}, config("      maps_dir: nowhere\n"), expect_ok=False)
    assert result.returncode != 0
    assert "nowhere: error: the maps folder does not exist" in result.output
    assert "Traceback" not in result.output


def test_explicit_nav_gets_the_section_appended(build: Callable[..., BuildResult]) -> None:
    result = build(minimal_files(), config() + "nav:\n  - Home: index.md\n")
    nav = text_of(result.page("").css_first("nav.md-nav--primary"))
    assert "Home" in nav and "Playbook" in nav and "Mua kính râm đa kênh" in nav


def test_explicit_nav_placing_generated_pages_is_respected(
    build: Callable[..., BuildResult],
) -> None:
    nav = (
        "nav:\n  - Home: index.md\n  - Our journeys:\n"
        "    - Sunglasses: playbook/journeys/buy-sunglasses.md\n"
    )
    result = build(minimal_files(), config() + nav, strict=False)
    primary = text_of(result.page("").css_first("nav.md-nav--primary"))
    assert "Our journeys" in primary and "Sunglasses" in primary
    assert "Playbook" not in primary
    # Pages left out of the user's nav are still built and linked from the journey.
    assert (result.site / "playbook/personas/lan/index.html").is_file()


def test_generated_page_replacing_a_docs_file_warns(build: Callable[..., BuildResult]) -> None:
    docs = {"index.md": "# Home\n", "playbook/journeys/buy-sunglasses.md": "# Mine\n"}
    result = build(minimal_files(), config(), docs, strict=False)
    assert (
        "'docs/playbook/journeys/buy-sunglasses.md' is replaced by the page generated from "
        "maps/journeys/buy-sunglasses.yml (same path playbook/journeys/buy-sunglasses.md)"
    ) in result.output
    strict = build(minimal_files(), config(), docs, expect_ok=False)
    assert strict.returncode != 0


def test_tags_plugin_lists_generated_pages(build: Callable[..., BuildResult]) -> None:
    docs = {"index.md": "# Home\n", "tags.md": "# Tags\n\n<!-- material/tags -->\n"}
    text = config().replace("  - search\n", "  - search\n  - tags\n")
    result = build(minimal_files(), text, docs)
    tags = text_of(result.page("tags/").css_first("article"))
    for name in ("Lan, văn phòng", "Hotline", "Cửa hàng"):
        assert name in tags
    assert "Mua kính râm đa kênh" in tags


def test_edit_button_opens_the_map(build: Callable[..., BuildResult]) -> None:
    text = config(extra="  features: [content.action.edit]\n")
    text += "repo_url: https://example.com/org/repo\nedit_uri: edit/main/docs/\n"
    result = build(minimal_files(), text)
    edit = result.page("playbook/journeys/buy-sunglasses/").css_first("a.md-content__button")
    assert edit is not None
    assert edit.attributes["href"].endswith("/maps/journeys/buy-sunglasses.yml")


def test_custom_templates_override_builtin(build: Callable[..., BuildResult]) -> None:
    files = minimal_files()
    files["overrides/persona.md.j2"] = (
        "# {{ persona.name | heading }}\n\n"
        '{% filter htmlblock %}<p class="custom">Custom: {{ persona.tagline }}</p>{% endfilter %}\n'
    )
    result = build(files, config("      custom_templates: overrides\n"))
    page = result.page("playbook/personas/lan/")
    assert text_of(page.css_first("p.custom")) == "Custom: Office worker, 28, Hà Nội"
    # Other pages keep the built-in templates.
    assert result.page("playbook/journeys/buy-sunglasses/").css_first(".cjm-matrix") is not None


def _svg_of(result: BuildResult) -> str:
    return (result.site / "assets/cjm/flows/buy-sunglasses.svg").read_text(encoding="utf-8")


def test_wasm_backend(build: Callable[..., BuildResult]) -> None:
    result = build(minimal_files(), config("      graphviz_backend: wasm\n"))
    svg = result.page("playbook/journeys/buy-sunglasses/").css_first("figure.cjm-flow svg")
    assert len(svg.css("g.node")) == 3
    assert "Nhận thức" in text_of(svg)  # diacritics survive the in-process renderer
    assert "Reads the product" in _svg_of(result)


@pytest.mark.skipif(shutil.which("dot") is None, reason="no Graphviz `dot` binary on PATH")
def test_dot_backend(build: Callable[..., BuildResult]) -> None:
    result = build(minimal_files(), config("      graphviz_backend: dot\n"))
    svg = result.page("playbook/journeys/buy-sunglasses/").css_first("figure.cjm-flow svg")
    assert len(svg.css("g.node")) == 3 and "Nhận thức" in text_of(svg)


def test_auto_backend_without_dot_renders_in_process(tmp_path: Path) -> None:
    project = copy_project(FIXTURES / "minimal", tmp_path / "project")
    # Only the interpreter's own folder on PATH: no `dot` can be found.
    env = {"PATH": os.path.dirname(sys.executable)}
    result = run_build(project, env=env)
    assert result.returncode == 0, result.output
    assert len(result.page("playbook/journeys/buy-sunglasses/").css("figure.cjm-flow g.node")) == 3


def test_dot_backend_without_dot_is_a_clear_error(tmp_path: Path) -> None:
    project = copy_project(FIXTURES / "minimal", tmp_path / "project")
    (project / "mkdocs.yml").write_text(config("      graphviz_backend: dot\n"), encoding="utf-8")
    result = run_build(project, env={"PATH": os.path.dirname(sys.executable)})
    assert result.returncode != 0
    assert "no `dot` binary is on PATH" in result.output
    assert "Traceback" not in result.output


def test_journey_without_persona_builds(build: Callable[..., BuildResult]) -> None:
    # The contract marks `persona` neither required nor optional; a journey that
    # names none is still a journey worth publishing.
    files = minimal_files()
    key = "maps/journeys/buy-sunglasses.yml"
    files[key] = files[key].replace("persona: lan\n", "")
    result = build(files, config())
    meta = text_of(result.page("playbook/journeys/buy-sunglasses/").css_first(".cjm-meta"))
    assert "No persona given." in meta
    persona = result.page("playbook/personas/lan/")
    assert "No journey uses this yet." in text_of(persona.css_first("article"))


def _playbook_of_three() -> dict[str, str]:
    """The minimal maps plus a journey of a second persona and one naming no persona."""
    files = minimal_files()
    lan_journey = files["maps/journeys/buy-sunglasses.yml"]
    files["maps/personas/minh.yml"] = "name: Minh, sinh viên\n"
    files["maps/journeys/a-return.yml"] = lan_journey.replace(
        "title: Mua kính râm đa kênh", "title: Đổi trả kính"
    ).replace("persona: lan", "personas: [minh, lan]")
    files["maps/journeys/z-browse.yml"] = lan_journey.replace(
        "title: Mua kính râm đa kênh", "title: Browse only"
    ).replace("persona: lan\n", "")
    return files


def _primary_nav_tree(result: BuildResult, url_path: str) -> list[str]:
    """The primary sidebar's pages and sections, indented by depth, with their labels."""
    nav = result.page(url_path).css_first("nav.md-nav--primary")
    lines = []
    for item in nav.css("li.md-nav__item"):
        ancestors = list(_ancestors(item))
        if any("md-nav--secondary" in (node.attributes.get("class") or "") for node in ancestors):
            continue  # the page's own table of contents
        depth = sum(1 for node in ancestors if node.tag == "li")
        link = item.css_first("a.md-nav__link, label.md-nav__link")
        lines.append("  " * depth + text_of(link))
    return lines


def _ancestors(node: Any) -> Iterator[Any]:
    while (node := node.parent) is not None:
        yield node


@pytest.mark.parametrize("explicit_nav", [False, True])
def test_many_journeys_are_grouped_by_first_persona(
    build: Callable[..., BuildResult], explicit_nav: bool
) -> None:
    nav = "nav:\n  - Home: index.md\n" if explicit_nav else ""
    result = build(
        _playbook_of_three(),
        config(
            "      group_journeys_over: 2\n",
            "  features: [navigation.indexes, navigation.footer]\n",
        )
        + nav,
    )
    tree = _primary_nav_tree(result, "playbook/journeys/z-browse/")
    journeys = tree.index("  Journeys")
    assert tree[journeys + 1 : journeys + 7] == [
        "    Lan, văn phòng",
        "      Mua kính râm đa kênh",
        "    Minh, sinh viên",
        "      Đổi trả kính",  # its first persona is Minh
        "    Without a persona",
        "      Browse only",
    ]
    assert tree[journeys + 7] == "  Personas"
    # The footer's previous/next links walk the pages in the sidebar's order.
    footer = result.page("playbook/journeys/buy-sunglasses/")
    previous = footer.css_first("a.md-footer__link--prev")
    following = footer.css_first("a.md-footer__link--next")
    assert previous.attributes["href"] == "../"
    assert following.attributes["href"] == "../a-return/"


def test_few_journeys_stay_one_list_and_pruning_keeps_pages_small(
    build: Callable[..., BuildResult],
) -> None:
    files = _playbook_of_three()
    flat = build(files, config())
    tree = _primary_nav_tree(flat, "playbook/journeys/z-browse/")
    journeys = tree.index("  Journeys")
    assert tree[journeys + 1 : journeys + 5] == [
        "    Journeys",  # the section's index page
        "    Đổi trả kính",
        "    Mua kính râm đa kênh",
        "    Browse only",
    ]
    pruned = build(
        files,
        config("      group_journeys_over: 0\n", "  features: [navigation.prune]\n"),
    )
    links = [
        text_of(link)
        for link in pruned.page("playbook/journeys/z-browse/").css("nav.md-nav--primary a")
    ]
    # Another persona's group is one link (to its first journey), not its list.
    assert "Browse only" in links and "Minh, sinh viên" in links
    assert "Đổi trả kính" not in links and "Mua kính râm đa kênh" not in links


def test_many_persona_groups_are_filed_under_initials(build: Callable[..., BuildResult]) -> None:
    files = minimal_files()
    journey = files.pop("maps/journeys/buy-sunglasses.yml")
    names = ["Ánh", "Bảo", "Đào"] * 7  # 21 personas: more than the 20 groups listed flat
    for index, name in enumerate(names):
        files[f"maps/personas/p{index:02}.yml"] = f"name: {name} {index:02}\n"
        files[f"maps/journeys/j{index:02}.yml"] = journey.replace(
            "persona: lan", f"persona: p{index:02}"
        ).replace("title: Mua kính râm đa kênh", f"title: Journey {index:02}")
    result = build(files, config("      group_journeys_over: 0\n"))
    tree = _primary_nav_tree(result, "playbook/journeys/j01/")
    journeys = tree.index("  Journeys")
    assert tree[journeys + 2 : journeys + 5] == ["    A", "      Ánh 00", "        Journey 00"]
    letters = [line.strip() for line in tree if line.startswith("    ") and len(line.strip()) == 1]
    assert letters == ["A", "B", "Đ"]
    assert "        Journey 20" in tree
