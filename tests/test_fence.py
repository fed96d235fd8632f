"""The `cjm` fence: views embedded in hand-written pages, with the plugin, without it,
under ProperDocs and under Zensical; and the errors of a bad block."""

from __future__ import annotations

import html as htmllib
import importlib.util
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import markdown
import pytest
import yaml
from conftest import BuildResult, run_build, text_of, write_project
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from mkdocs_cjm.glue import cli, fence
from mkdocs_cjm.glue.new import create_playbook

JOURNEY = "click-and-collect"
JOURNEY_URL = f"playbook/journeys/{JOURNEY}/"

GUIDE = f"""\
# Guide

Where the store sits in our busiest journey.

```cjm
view: map
journey: {JOURNEY}
```

```cjm
view: matrix
journey: {JOURNEY}
```

```cjm
view: flow
journey: {JOURNEY}
```

```cjm
view: emotions
journey: {JOURNEY}
```

```cjm
view: kpis
journey: {JOURNEY}
```

```cjm
view: pain-points
journey: {JOURNEY}
```

```cjm
view: channel
channel: store
```

Who runs the counter, and every channel at a glance.

```cjm
view: team
team: Store operations
```

```cjm
view: heatmap
```
"""
VIEWS = ["map", "matrix", "flow", "emotions", "kpis", "pain-points", "channel", "team", "heatmap"]
# What each view holds: the same elements the generated pages show (the emotions
# view, a table and curve of its own, is checked apart: the journey page folds
# emotions into its map and step details).
VIEW_ELEMENT = {
    "map": "[data-cjm-map]",
    "matrix": ".cjm-matrix",
    "flow": "figure.cjm-flow",
    "kpis": ".cjm-kpis",
    "pain-points": ".cjm-steps",
    "channel": ".cjm-channel-uses",
    "team": ".cjm-meta[data-team], details.cjm-team-journey",
    "heatmap": ".cjm-heatmap-block",
}
# The generated page each view comes from (the journey's page for the others), by
# its source file.
VIEW_SOURCE = {
    "channel": "playbook/channels/store.md",
    "team": "playbook/teams/store-operations.md",
    "heatmap": "playbook/channels/index.md",
}


def source_url(view: str, *, directory_urls: bool = True) -> str:
    """URL of the generated page `view` comes from."""
    source = VIEW_SOURCE.get(view, f"playbook/journeys/{JOURNEY}.md").removesuffix(".md")
    if not directory_urls:
        return f"{source}.html"
    return source.removesuffix("index") if source.endswith("/index") else f"{source}/"


def texts(node: Node, selector: str) -> list[str]:
    return [text_of(found) for found in node.css(selector)]


SUPERFENCES_ONLY = """\
site_name: Fence without the plugin
theme:
  name: material
plugins:
  - search
markdown_extensions:
  - attr_list
  - pymdownx.superfences:
      custom_fences:
        - name: cjm
          class: cjm
          format: !!python/name:mkdocs_cjm.fence.format
"""


def sample(root: Path, guide: str = GUIDE, config: str | None = None) -> Path:
    """The `mkdocs-cjm new` playbook, with a hand-written page of `cjm` blocks."""
    create_playbook(root, "en")
    (root / "docs" / "guide.md").write_text(guide, encoding="utf-8")
    if config is not None:
        (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    return root


def views_of(page: HTMLParser) -> dict[str, Node]:
    found = {node.attributes["data-cjm-view"]: node for node in page.css("[data-cjm-view]")}
    assert len(found) == len(page.css("[data-cjm-view]"))
    return {name: node for name, node in found.items() if name is not None}


def resolve(page_url: str, href: str) -> str:
    parts = urlsplit(urljoin("https://site.invalid/" + page_url, htmllib.unescape(href)))
    return parts.path.lstrip("/") + (f"#{parts.fragment}" if parts.fragment else "")


def broken_links(site: Path, page_url: str, node: Node) -> list[str]:
    """Links and images in `node` whose file (or anchor) the site does not have."""
    problems = []
    for raw in re.findall(r"\s(?:src|href|xlink:href)=\"([^\"]*)\"", node.html or ""):
        if not raw or re.match(r"^[a-z][a-z0-9+.-]*:", raw):
            continue
        path, _, fragment = resolve(page_url, raw).partition("#")
        file = site / unquote(path)
        if path == "" or path.endswith("/") or file.is_dir():
            file = file / "index.html"
        if not file.is_file():
            problems.append(f"{raw}: no {file.relative_to(site)}")
        elif fragment and f'id="{fragment}"' not in file.read_text(encoding="utf-8"):
            problems.append(f"{raw}: no #{fragment}")
    return problems


def link_count(node: Node) -> int:
    return len(re.findall(r"\s(?:href|xlink:href)=\"[^#]", node.html or ""))


def assert_views_like_the_journey_page(result: BuildResult, guide_url: str = "guide/") -> None:
    guide = result.page(guide_url)
    views = views_of(guide)
    assert list(views) == VIEWS
    journey_page = result.page(JOURNEY_URL)
    for name, selector in VIEW_ELEMENT.items():
        embedded = texts(views[name], selector)
        assert embedded, f"{name}: no {selector}"
        source = result.page(source_url(name)).css_first("article")
        assert source is not None
        assert embedded == texts(source, selector), name
        assert broken_links(result.site, guide_url, views[name]) == [], name
    emotions = views["emotions"]
    rows = emotions.css(".cjm-emotions tbody tr")
    assert rows and len(rows) == len(journey_page.css(".cjm-steps tbody tr"))
    assert emotions.css_first("svg.cjm-chart") is not None
    assert views["map"].css_first("[data-cjm-key-moments]") is not None
    # Links lead to the generated pages: the steps of the journey, the channels.
    assert link_count(views["matrix"]) >= 6
    assert views["map"].css_first(f'a.cjm-map-action[href$="{JOURNEY}/#step-pickup"]') is not None
    assert views["flow"].css_first("svg") is not None
    assert views["channel"].css_first(f'a[href$="{JOURNEY}/#step-pickup"]') is not None
    assert views["team"].css_first(f'tr.cjm-moment a[href$="{JOURNEY}/#step-pickup"]') is not None
    assert views["heatmap"].css_first('a.cjm-heat-link[href$="channels/store/"]') is not None


# A page one folder down: its links climb one more level.
NESTED = """\
# The store team

```cjm
view: team
team: store-operations
```

```cjm
view: heatmap
```
"""


def add_nested(project: Path) -> None:
    (project / "docs" / "handbook").mkdir()
    (project / "docs" / "handbook" / "store.md").write_text(NESTED, encoding="utf-8")


def assert_nested_views_link_right(result: BuildResult, page_url: str) -> None:
    views = views_of(result.page(page_url))
    assert list(views) == ["team", "heatmap"]
    # Named by its slug, the team is the same as named as the maps write it.
    guide = views_of(result.page("guide.html" if page_url.endswith(".html") else "guide/"))
    assert text_of(views["team"]) == text_of(guide["team"])
    for view in views.values():
        assert link_count(view) >= 4
        assert broken_links(result.site, page_url, view) == []


def test_with_the_plugin_views_match_the_generated_pages(tmp_path: Path) -> None:
    project = sample(tmp_path / "project")
    add_nested(project)
    result = run_build(project, tmp_path / "site")
    assert result.returncode == 0, result.output
    assert_views_like_the_journey_page(result)
    assert_nested_views_link_right(result, "handbook/store/")
    # The plugin registered the fence itself: mkdocs.yml does not mention it.
    assert "superfences" not in (project / "mkdocs.yml").read_text(encoding="utf-8")


def test_without_the_plugin_the_formatter_reads_the_maps(tmp_path: Path) -> None:
    project = sample(tmp_path / "project", config=SUPERFENCES_ONLY)
    # No generated section without the plugin: the sample home page's links would dangle.
    (project / "docs" / "index.md").write_text("# Home\n\n[Guide](guide.md)\n", "utf-8")
    result = run_build(project, tmp_path / "site")
    assert result.returncode == 0, result.output
    views = views_of(result.page("guide/"))
    assert list(views) == VIEWS
    matrix = views["matrix"]
    assert "matrix of Order online, pick up in store" in text_of(matrix.css_first("caption"))
    assert "Shows the order code and collects the product" in text_of(matrix)
    assert views["flow"].css_first("svg title") is not None
    # No generated section here: no "open full size" link to a diagram that is not there,
    # and no link to a generated page; the names stay.
    assert views["flow"].css_first("a.cjm-full-size") is None
    assert not (result.site / "playbook").exists()
    for name, view in views.items():
        assert broken_links(result.site, "guide/", view) == [], name
    team = views["team"]
    assert [row.attributes["data-step"] for row in team.css("tr.cjm-moment")] == ["pickup"]
    assert "Shows the order code and collects the product" in text_of(team)
    heatmap = views["heatmap"].css_first("[data-cjm-heatmap]")
    assert heatmap is not None
    # Every channel of the maps, online ones first.
    channels = yaml.safe_load((project / "maps" / "channels.yml").read_text(encoding="utf-8"))
    shown = [text_of(th) for th in heatmap.css("th.cjm-heat-channel")]
    online = [data["name"] for data in channels.values() if data["type"] == "online"]
    assert sorted(shown[: len(online)]) == sorted(online)
    assert sorted(shown) == sorted(data["name"] for data in channels.values())


def test_without_the_plugin_next_to_exported_pages(tmp_path: Path) -> None:
    project = sample(tmp_path / "project")
    add_nested(project)
    assert (
        cli.main(["export", "-f", str(project / "mkdocs.yml"), "--force", str(project / "docs")])
        == 0
    )
    (project / "mkdocs.yml").write_text(
        SUPERFENCES_ONLY
        + "extra_css: [assets/cjm/cjm.css]\nextra_javascript: [assets/cjm/cjm.js]\n",
        encoding="utf-8",
    )
    result = run_build(project, tmp_path / "site")
    assert result.returncode == 0, result.output
    assert_views_like_the_journey_page(result)


@pytest.mark.parametrize("plugin", [True, False], ids=["plugin", "superfences-only"])
@pytest.mark.parametrize(
    ("block", "message"),
    [
        (
            "view: matirx\njourney: click-and-collect",
            "docs/guide.md:6: cjm block: unknown view 'matirx'; expected one of: channel,"
            " emotions, flow, heatmap, kpis, map, matrix, pain-points, team"
            " (did you mean 'matrix'?)",
        ),
        (
            "view: flow\njourney: click-and-colect",
            "docs/guide.md:7: cjm block: unknown journey 'click-and-colect'; expected one of:"
            " click-and-collect (did you mean 'click-and-collect'?)",
        ),
        (
            "view: channel\nchannel: shop",
            "docs/guide.md:7: cjm block: unknown channel 'shop'; expected one of: app, hotline,"
            " store, website",
        ),
        (
            "view: kpis",
            "docs/guide.md:6: cjm block: the kpis view needs 'journey:'; expected one of:"
            " click-and-collect",
        ),
        (
            "view: matrix\njourny: click-and-collect",
            "docs/guide.md:7: cjm block: unknown key 'journy'; expected one of: view, journey,"
            " channel, team (did you mean 'journey'?)",
        ),
        (
            "view: [matrix",
            "docs/guide.md:6: cjm block: not valid YAML: expected ',' or ']', but got the end"
            " of the file (while parsing a flow sequence)",
        ),
        (
            "view: team\nteam: Store operation",
            "docs/guide.md:7: cjm block: unknown team 'Store operation'; expected one of:"
            " 'Customer service', 'E-commerce team', 'Store operations'"
            " (did you mean 'Store operations'?)",
        ),
        (
            "view: team\nteam: store-operation",
            "docs/guide.md:7: cjm block: unknown team 'store-operation'; expected one of:"
            " 'Customer service', 'E-commerce team', 'Store operations'"
            " (did you mean 'Store operations'?)",
        ),
        (
            "view: team",
            "docs/guide.md:6: cjm block: the team view needs 'team:'; expected one of:"
            " 'Customer service', 'E-commerce team', 'Store operations'",
        ),
        (
            "view: team\nteam: Store operations\nchannel: store",
            "docs/guide.md:8: cjm block: the team view takes 'team:', not 'channel:'",
        ),
        (
            "view: heatmap\njourney: click-and-collect",
            "docs/guide.md:7: cjm block: the heatmap view takes only 'view:', not 'journey:'",
        ),
    ],
    ids=[
        "view",
        "journey",
        "channel",
        "missing",
        "key",
        "yaml",
        "team",
        "team-slug",
        "missing-team",
        "team-extra-key",
        "heatmap-extra-key",
    ],
)
def test_a_bad_block_names_page_line_and_nearest_name(
    block: str, message: str, plugin: bool, tmp_path: Path
) -> None:
    guide = f"# Guide\n\nText.\n\n```cjm\n{block}\n```\n"
    project = sample(tmp_path / "project", guide, None if plugin else SUPERFENCES_ONLY)
    result = run_build(project, tmp_path / "site")
    assert result.returncode == 1
    assert message in result.output.splitlines()[-3:] or f"ERROR   -  {message}" in result.output
    assert "Traceback" not in result.output


def test_a_team_is_named_as_the_maps_write_it_or_by_its_slug(tmp_path: Path) -> None:
    """The Vietnamese sample: diacritics in the block (composed or not), none in the
    slug; a name typed without its diacritics is refused, the name as written suggested."""
    project = tmp_path / "project"
    create_playbook(project, "vi")
    name, slug = "Chăm sóc khách hàng", "cham-soc-khach-hang"
    guide = (
        f"# Guide\n\n```cjm\nview: team\nteam: {name}\n```\n\n"
        f"```cjm\nview: team\nteam: {unicodedata.normalize('NFD', name)}\n```\n\n"
        f"```cjm\nview: team\nteam: {slug}\n```\n"
    )
    (project / "docs" / "guide.md").write_text(guide, encoding="utf-8")
    result = run_build(project, tmp_path / "site")
    assert result.returncode == 0, result.output
    team_page = result.page(f"playbook/teams/{slug}/").css_first("article")
    assert team_page is not None
    selector = VIEW_ELEMENT["team"]
    views = result.page("guide/").css('[data-cjm-view="team"]')
    assert len(views) == 3
    for view in views:
        assert texts(view, selector) == texts(team_page, selector)
        assert broken_links(result.site, "guide/", view) == []
    # Its moments, from the maps: the steps on the channels it runs.
    channels = yaml.safe_load((project / "maps" / "channels.yml").read_text(encoding="utf-8"))
    runs = {channel for channel, data in channels.items() if data.get("owner") == name}
    journey = yaml.safe_load(
        (project / "maps" / "journeys" / f"{JOURNEY}.yml").read_text(encoding="utf-8")
    )
    owned = [
        step["id"]
        for step in journey["steps"]
        if step.get("owner", name if step["channel"] in runs else None) == name
    ]
    assert owned
    assert [row.attributes["data-step"] for row in views[0].css("tr.cjm-moment")] == owned

    teams = "'Chăm sóc khách hàng', 'Nhóm Thương mại điện tử', 'Vận hành cửa hàng'"
    for typed, nearest in [("Cham soc khach hang", name), ("cham-soc-khach-hag", slug)]:
        (project / "docs" / "guide.md").write_text(
            f"# Guide\n\n```cjm\nview: team\nteam: {typed}\n```\n", encoding="utf-8"
        )
        result = run_build(project, tmp_path / "site")
        assert result.returncode == 1
        assert (
            f"docs/guide.md:5: cjm block: unknown team {typed!r}; expected one of: {teams}"
            f" (did you mean {nearest!r}?)"
        ) in result.output
        assert "Traceback" not in result.output


def test_the_heatmap_view_counts_steps_and_emotion_per_channel_from_the_maps(
    tmp_path: Path,
) -> None:
    """The issue-11 playbook (Vietnamese teams, phases): every cell of the embedded
    heatmap, by journey and by phase, against the YAML; the phase switch is there."""
    from test_playbook_views import FILES, MAPS, mean

    project = write_project(tmp_path / "project", FILES, docs={"index.md": "# Home\n"})
    (project / "docs" / "cx").mkdir()
    (project / "docs" / "cx" / "channels.md").write_text(
        "# Channels\n\n```cjm\nview: heatmap\n```\n", encoding="utf-8"
    )
    result = run_build(project, tmp_path / "site")
    assert result.returncode == 0, result.output
    (view,) = views_of(result.page("cx/channels/")).values()
    block = view.css_first(".cjm-heatmap-block")
    assert block is not None
    assert view.css_first(".cjm-heatmap-switch [data-cjm-heatmap-show='phases']") is not None
    by_journey = block.css("[data-cjm-heatmap] td[data-channel][data-journey]")
    assert len(by_journey) == len(MAPS.channels) * len(MAPS.journeys)
    for cell in by_journey:
        channel, journey = cell.attributes["data-channel"], cell.attributes["data-journey"]
        steps = [s for j, _, s in MAPS.steps() if j == journey and s["channel"] == channel]
        assert cell.attributes.get("data-steps", "0") == str(len(steps))
        if steps:
            assert cell.attributes["data-average"] == mean(
                [s["emotion"] for s in steps if s.get("emotion")]
            )
    phase_of = {
        (j, stage["id"]): stage.get("phase", "none")
        for j, data in MAPS.journeys.items()
        for stage in data["stages"]
    }
    by_phase = block.css("[data-cjm-heatmap-phases] td[data-channel][data-phase]")
    assert {cell.attributes["data-phase"] for cell in by_phase} == set(phase_of.values())
    for cell in by_phase:
        channel, phase = cell.attributes["data-channel"], cell.attributes["data-phase"]
        steps = [
            s
            for j, _, s in MAPS.steps()
            if s["channel"] == channel and phase_of[(j, s["stage"])] == phase
        ]
        assert cell.attributes.get("data-steps", "0") == str(len(steps)), (channel, phase)
    # The same markup as the channels page, its links right from one folder down.
    source = result.page("playbook/channels/").css_first("article")
    assert source is not None
    assert texts(view, ".cjm-heatmap-block") == texts(source, ".cjm-heatmap-block")
    assert link_count(view) == len(MAPS.channels) * 2 + len(MAPS.journeys)
    assert broken_links(result.site, "cx/channels/", view) == []


def test_standalone_markdown_caches_the_maps_by_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = sample(tmp_path / "project", config=SUPERFENCES_ONLY)
    monkeypatch.chdir(project)

    def convert() -> str:
        md = markdown.Markdown(
            extensions=["pymdownx.superfences"],
            extension_configs={"pymdownx.superfences": {"custom_fences": [fence.fence_entry()]}},
        )
        return md.convert(f"```cjm\nview: kpis\njourney: {JOURNEY}\n```\n")

    first = convert()
    assert "Checkout completion rate" in first
    (loaded,) = fence._LOADED.values()
    assert convert() == first
    (again,) = fence._LOADED.values()
    assert again is loaded  # same content: the site loaded once is used again
    journey_file = project / "maps" / "journeys" / f"{JOURNEY}.yml"
    text = journey_file.read_text(encoding="utf-8")
    journey_file.write_text(text.replace("Checkout completion rate", "Paid orders"), "utf-8")
    changed = convert()
    assert "Paid orders" in changed
    assert "Checkout completion rate" not in changed


def tool_build(tool: str, project: Path, site: Path, *, python: str = sys.executable) -> str:
    """`<tool> build` (never -q: it would hide the warnings --strict counts)."""
    strict = ["--strict"] if tool == "properdocs" else []
    command = [python, "-m", tool, "build", *strict, "-f", str(project / "mkdocs.yml")]
    if tool == "properdocs":
        command += ["-d", str(site)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    if tool == "zensical":
        env["PYTHONPATH"] = os.pathsep.join(
            [str(zensical_ui_path(project.parent)), env.get("PYTHONPATH", "")]
        )
    result = subprocess.run(
        command, capture_output=True, text=True, cwd=project, env=env, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def test_properdocs_builds_with_the_plugin(tmp_path: Path) -> None:
    if importlib.util.find_spec("properdocs") is None:
        pytest.skip("ProperDocs is not installed (pip install -e '.[test]')")
    project = sample(tmp_path / "project")
    output = tool_build("properdocs", project, tmp_path / "site")
    result = BuildResult(project, tmp_path / "site", 0, output)
    journey = result.page(JOURNEY_URL)
    assert text_of(journey.css_first("h1")).startswith("Order online, pick up in store")
    assert_views_like_the_journey_page(result)
    home = result.page("")
    assert broken_links(result.site, "", home.css_first("article")) == []


ZENSICAL_UI = '''\
"""Stand-in for the `zensical-ui` package, which the package registry here lacks:
Material for MkDocs' templates as the theme (Zensical's own theme descends from them)."""
import os

import material


def get_theme_dir():
    return os.path.join(os.path.dirname(material.__file__), "templates")
'''


def zensical_ui_path(folder: Path) -> Path:
    """A folder for PYTHONPATH that provides `zensical_ui` if the real one is missing."""
    shim = folder / "zensical-ui-shim"
    if importlib.util.find_spec("zensical_ui") is None and not shim.exists():
        (shim / "zensical_ui").mkdir(parents=True)
        (shim / "zensical_ui" / "__init__.py").write_text(ZENSICAL_UI, encoding="utf-8")
    return shim


ZENSICAL_CONFIG = """\
site_name: Zensical playbook
use_directory_urls: false  # Zensical resolves raw HTML links from the page's folder
theme:
  name: material
  variant: classic
extra_css: [assets/cjm/cjm.css]
extra_javascript: [assets/cjm/cjm.js]
markdown_extensions:
  - attr_list
  - pymdownx.superfences:
      custom_fences:
        - name: cjm
          class: cjm
          format: !!python/name:mkdocs_cjm.fence.format
"""


def test_zensical_builds_the_export_and_the_embedded_views(tmp_path: Path) -> None:
    if importlib.util.find_spec("zensical") is None:
        pytest.skip("Zensical is not installed (make .venv/.installed-stamp installs it)")
    project = sample(tmp_path / "project")
    add_nested(project)
    (project / "mkdocs.yml").write_text(ZENSICAL_CONFIG, encoding="utf-8")
    exported = cli.main(
        ["export", "-f", str(project / "mkdocs.yml"), "--force", str(project / "docs")]
    )
    assert exported == 0
    output = tool_build("zensical", project, project / "site")
    assert "Traceback" not in output
    result = BuildResult(project, project / "site", 0, output)
    journey = result.page(f"playbook/journeys/{JOURNEY}.html")
    assert "Order online, pick up in store" in text_of(journey.css_first("article"))
    assert (
        broken_links(result.site, f"playbook/journeys/{JOURNEY}.html", journey.css_first("article"))
        == []
    )
    guide = result.page("guide.html")
    views = views_of(guide)
    assert list(views) == VIEWS
    for name, selector in VIEW_ELEMENT.items():
        source = result.page(source_url(name, directory_urls=False)).css_first("article")
        assert source is not None
        assert texts(views[name], selector) == texts(source, selector), name
        assert broken_links(result.site, "guide.html", views[name]) == [], name
    assert link_count(views["matrix"]) >= 6
    assert link_count(views["team"]) >= 4
    assert_nested_views_link_right(result, "handbook/store.html")


def test_the_fence_example_in_the_docs_is_the_one_tested() -> None:
    docs = (Path(__file__).resolve().parent.parent / "docs" / "embedding.md").read_text("utf-8")
    assert "markdown_extensions:\n" + SUPERFENCES_ONLY.split("markdown_extensions:\n")[1] in docs


def test_zensical_stops_on_a_bad_block_with_its_message(tmp_path: Path) -> None:
    if importlib.util.find_spec("zensical") is None:
        pytest.skip("Zensical is not installed (make .venv/.installed-stamp installs it)")
    guide = "# Guide\n\nText.\n\n```cjm\nview: matirx\njourney: click-and-collect\n```\n"
    project = sample(tmp_path / "project", guide, ZENSICAL_CONFIG)
    (project / "docs" / "index.md").write_text("# Home\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(zensical_ui_path(tmp_path))}
    result = subprocess.run(
        [sys.executable, "-m", "zensical", "build", "-f", str(project / "mkdocs.yml")],
        capture_output=True,
        text=True,
        cwd=project,
        env=env,
        timeout=300,
        check=False,
    )
    assert result.returncode == 1
    # Zensical prints the Python stack after it; the message comes first.
    assert (
        "FenceError: docs/guide.md:6: cjm block: unknown view 'matirx'; expected one of:"
        " channel, emotions, flow, heatmap, kpis, map, matrix, pain-points, team"
        " (did you mean 'matrix'?)"
    ) in re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
