"""`mkdocs-cjm export`: the pages the plugin builds, as files a site without the plugin builds.

The plugin hands MkDocs its pages' HTML blocks ready-made (they skip Markdown),
while an export writes them into whole Markdown pages. Building the exported
folder with the plugin off must give the very same page content, table of
contents and search entries as the plugin's own build: that proves both the
export and the plugin's shortcut.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import (
    FIXTURES,
    BuildResult,
    copy_project,
    run_build,
    small_journey,
    small_maps,
    write_project,
)
from selectolax.lexbor import LexborHTMLParser

from mkdocs_cjm.glue.cli import main as cli


class _InertTags(yaml.SafeLoader):
    """mkdocs.yml may hold `!!python/name:` tags; this test only moves them along."""


_InertTags.add_multi_constructor("", lambda loader, suffix, node: None)


def plain_site(project: Path, exported: Path, destination: Path) -> Path:
    """A copy of `project` without the plugin, its docs/ holding the exported pages."""
    config: dict[str, Any] = yaml.load(
        (project / "mkdocs.yml").read_text("utf-8"), Loader=_InertTags
    )
    config["plugins"] = [
        entry
        for entry in config.get("plugins") or []
        if entry != "cjm" and not (isinstance(entry, dict) and "cjm" in entry)
    ]
    # What the export tells its user to add.
    extensions = config.setdefault("markdown_extensions", [])
    names = [entry if isinstance(entry, str) else next(iter(entry)) for entry in extensions]
    if "attr_list" not in names:
        extensions.append("attr_list")
    config["extra_css"] = [*config.get("extra_css", []), "assets/cjm/cjm.css"]
    config["extra_javascript"] = [*config.get("extra_javascript", []), "assets/cjm/cjm.js"]
    destination.mkdir(parents=True)
    shutil.copytree(project / "docs", destination / "docs")
    shutil.copytree(exported, destination / "docs", dirs_exist_ok=True)
    (destination / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    return destination


def export(project: Path, out: Path, *extra: str) -> int:
    return cli(["export", "-f", str(project / "mkdocs.yml"), *extra, str(out)])


def generated_urls(site: Path) -> list[str]:
    return sorted(
        path.relative_to(site).as_posix() for path in (site / "playbook").rglob("index.html")
    )


def parts(html: str) -> tuple[str, str]:
    """The page's content and its table of contents."""
    tree = LexborHTMLParser(html)
    article = tree.css_first("article")
    toc = tree.css_first("nav.md-nav--secondary")
    assert article is not None
    return article.html or "", (toc.html or "") if toc else ""


# Sections whose big derived tables the plugin puts in after the search plugin read
# the page (generate._LATE_MARK): a build without the plugin indexes their text too.
LATE_SECTIONS = (
    "playbook/teams/",
    "playbook/pain-points/",
    "playbook/kpis/",
)


def _late(location: str) -> bool:
    return location.startswith(LATE_SECTIONS) or (
        location.startswith("playbook/channels/#") and location.endswith("channel-heatmap")
    )


def search_entries(site: Path) -> dict[str, dict[str, str]]:
    index = json.loads((site / "search" / "search_index.json").read_text("utf-8"))
    return {
        doc["location"]: ({"title": doc["title"]} if _late(doc["location"]) else doc)
        for doc in index["docs"]
        if doc["location"].startswith("playbook")
    }


@pytest.fixture(params=["example_site", "hostile_site"])
def plugin_site(request: pytest.FixtureRequest) -> BuildResult:
    """A playbook built with the plugin: the repository's example, and maps full of attacks."""
    return request.getfixturevalue(request.param)  # type: ignore[no-any-return]


def test_the_exported_pages_build_without_the_plugin_into_the_same_site(
    plugin_site: BuildResult, tmp_path: Path
) -> None:
    exported = tmp_path / "exported"
    assert export(plugin_site.project, exported) == 0
    plain = run_build(plain_site(plugin_site.project, exported, tmp_path / "plain"))
    assert plain.returncode == 0, plain.output

    urls = generated_urls(plugin_site.site)
    assert len(urls) > 5
    assert generated_urls(plain.site) == urls
    for url in urls:
        ours = parts(plugin_site.html(url))
        theirs = parts(plain.html(url))
        assert ours[0] == theirs[0], f"{url}: page content differs"
        assert ours[1] == theirs[1], f"{url}: table of contents differs"
    assert search_entries(plugin_site.site) == search_entries(plain.site)
    flows = sorted((plugin_site.site / "assets" / "cjm" / "flows").glob("*.svg"))
    assert flows
    for flow in flows:
        assert (plain.site / "assets/cjm/flows" / flow.name).read_bytes() == flow.read_bytes()


def test_the_exported_folder_builds_under_properdocs(
    example_site: BuildResult, tmp_path: Path
) -> None:
    if importlib.util.find_spec("properdocs") is None:
        pytest.skip("ProperDocs is not installed (pip install -e '.[test]')")
    exported = tmp_path / "exported"
    assert export(example_site.project, exported) == 0
    project = plain_site(example_site.project, exported, tmp_path / "properdocs")
    site = tmp_path / "properdocs-site"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "properdocs",
            "build",
            "--strict",
            "-f",
            str(project / "mkdocs.yml"),
            "-d",
            str(site),
        ],
        capture_output=True,
        text=True,
        cwd=project,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    built = BuildResult(project, site, result.returncode, result.stdout + result.stderr)

    urls = generated_urls(example_site.site)
    assert generated_urls(site) == urls
    for url in urls:
        assert parts(built.html(url))[0] == parts(example_site.html(url))[0], url
    assert search_entries(site).keys() == search_entries(example_site.site).keys()


def small_project(root: Path, journeys: list[str]) -> Path:
    return write_project(root, small_maps({name: small_journey(name.title()) for name in journeys}))


def test_export_into_a_folder_that_is_not_empty_needs_force_and_keeps_other_pages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = small_project(tmp_path / "project", ["alpha", "beta"])
    docs = tmp_path / "docs"
    (docs / "playbook").mkdir(parents=True)
    (docs / "index.md").write_text("# Home\n", "utf-8")
    (docs / "playbook" / "guide.md").write_text("# How to read the maps\n", "utf-8")

    assert export(project, docs) == 1
    assert "--force" in capsys.readouterr().err
    assert not (docs / "playbook" / "journeys").exists()

    assert export(project, docs, "--force") == 0
    journeys = docs / "playbook" / "journeys"
    assert sorted(path.name for path in journeys.glob("*.md")) == [
        "alpha.md",
        "beta.md",
        "index.md",
    ]

    (project / "maps" / "journeys" / "beta.yml").unlink()
    assert export(project, docs, "--force") == 0
    assert sorted(path.name for path in journeys.glob("*.md")) == ["alpha.md", "index.md"]
    assert not (docs / "assets" / "cjm" / "flows" / "beta.svg").exists()
    assert (docs / "assets" / "cjm" / "flows" / "alpha.svg").is_file()
    # Hand-written pages around the section are left alone.
    assert (docs / "index.md").read_text("utf-8") == "# Home\n"
    assert (docs / "playbook" / "guide.md").is_file()


def test_export_of_broken_maps_fails_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = small_project(tmp_path / "project", ["alpha"])
    (project / "maps" / "journeys" / "alpha.yml").write_text(
        small_journey("Alpha").replace("channel: web", "channel: webb"), "utf-8"
    )
    out = tmp_path / "out"
    assert export(project, out) == 1
    assert "webb" in capsys.readouterr().err
    assert not out.exists()


def test_exported_pages_are_whole_markdown(tmp_path: Path) -> None:
    project = copy_project(FIXTURES / "minimal", tmp_path / "project")
    out = tmp_path / "out"
    assert export(project, out) == 0
    page = (out / "playbook" / "journeys" / "buy-sunglasses.md").read_text("utf-8")
    assert "data-cjm-html" not in page
    assert "<table" in page and "<svg" in page


def test_generated_html_survives_extensions_that_rewrite_html(tmp_path: Path, build: Any) -> None:
    """pymdownx.striphtml removes HTML comments from what Markdown outputs: the blocks
    the plugin puts back after Markdown must not depend on anything it strips."""
    config = (
        "site_name: Strip\ntheme:\n  name: material\nplugins:\n  - search\n  - cjm\n"
        "markdown_extensions:\n  - attr_list\n  - pymdownx.striphtml\n"
    )
    result = build(small_maps({"alpha": small_journey("Alpha")}), config)
    page = result.page("playbook/journeys/alpha/")
    assert page.css_first("article figure.cjm-flow svg") is not None
    assert page.css_first("article .cjm-matrix table") is not None
    assert "data-cjm-html" not in result.html("playbook/journeys/alpha/")


def test_exported_nav_gives_a_plain_site_the_plugins_navigation(tmp_path: Path) -> None:
    config = (
        "site_name: Nav\ntheme:\n  name: material\n  features: [navigation.indexes]\n"
        "plugins:\n  - search\n  - cjm:\n      group_journeys_over: 0\n"
        "nav:\n  - index.md\n"
    )
    files = small_maps(
        {
            "buy": small_journey("Mua kính"),
            "browse": small_journey("Browse").replace("persona: lan", "persona: minh"),
            "ask": small_journey("Ask").replace("persona: lan\n", ""),
        }
    )
    files["maps/personas/minh.yml"] = "name: Minh\n"
    project = write_project(tmp_path / "project", files, config)
    ours = run_build(project)
    assert ours.returncode == 0, ours.output
    exported, nav_file = tmp_path / "exported", tmp_path / "nav.yml"
    assert export(project, exported, "--nav", str(nav_file)) == 0
    section = yaml.safe_load(nav_file.read_text("utf-8"))
    assert section[0]["Playbook"][1] == {
        "Journeys": [
            "playbook/journeys/index.md",
            {"Lan": ["playbook/journeys/buy.md"]},
            {"Minh": ["playbook/journeys/browse.md"]},
            {"Without a persona": ["playbook/journeys/ask.md"]},
        ]
    }
    plain_project = plain_site(project, exported, tmp_path / "plain")
    plain_config = yaml.safe_load((plain_project / "mkdocs.yml").read_text("utf-8"))
    plain_config["nav"] = ["index.md", *section]
    (plain_project / "mkdocs.yml").write_text(yaml.safe_dump(plain_config), "utf-8")
    plain = run_build(plain_project)
    assert plain.returncode == 0, plain.output
    for url in ("", "playbook/journeys/browse/", "playbook/personas/minh/"):
        theirs = plain.page(url).css_first("nav.md-nav--primary").html
        assert ours.page(url).css_first("nav.md-nav--primary").html == theirs, url


# Fragments with the whitespace the search parser collapses, kept tags, entities,
# attributes holding ">" and text around; each is read in several surroundings.
SEARCH_FRAGMENTS = [
    "<table>\n<caption>Steps</caption>\n<thead><tr>\n<th>A</th>\n<th>B</th>\n</tr></thead>"
    "\n<tbody>\n<tr><td>x</td>\n<td><ul><li>p &amp; q</li><li>r</li></ul></td>\n"
    '<td><span title="a > b"> <strong>3/5</strong> <span>ok</span></span></td>\n</tr>\n'
    "</tbody>\n</table>",
    "<td> </td>\n\n<td>  lead</td><td>trail  </td> \n<td>\n</td>",
    "<td><ul>\n<li> </li>\n</ul></td><td>\n<ul><li><a href='x'>link</a>: text</li></ul></td>",
    '<td><svg viewBox="0 0 2 2"><circle r="1"/></svg> <b>x</b>  </td>',
    "<p>x</p><br>",
]
SURROUNDINGS = [("", ""), ("before", "after"), ("before ", " after"), ("<p>", "</p>"), ("\n", "\n")]


@pytest.mark.parametrize("fragment", SEARCH_FRAGMENTS)
def test_search_text_reads_as_the_fragment_does(fragment: str) -> None:
    from material.plugins.search.plugin import Parser

    from mkdocs_cjm.site.generate import search_text

    def read(html: str) -> list[tuple[str, str]]:
        parser = Parser()
        parser.feed(html)
        parser.close()
        return [("".join(s.title), "".join(s.text)) for s in parser.data]

    searched = search_text(fragment)
    assert searched is not None
    assert searched.count("<") < fragment.count("<")
    for before, after in SURROUNDINGS:
        page = f"<h2 id='s'>Section</h2><div>{before}{{}}{after}</div>"
        cheap = page.format(f'<div data-cjm-late="x.md:0">{searched}</div>')
        assert read(cheap) == read(page.format(fragment)), (before, after)


@pytest.mark.parametrize(
    "fragment",
    [
        "<td>\tx</td>",
        "<td><script>x</script></td>",
        "<td>a < b</td>",
        "<pre>x</pre>",
        "text<td>x</td>",
        "<td>x</td>\n",
    ],
)
def test_search_text_leaves_what_it_cannot_match(fragment: str) -> None:
    from mkdocs_cjm.site.generate import search_text

    assert search_text(fragment) is None
