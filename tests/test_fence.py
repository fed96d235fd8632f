"""The `cjm` fence: views embedded in hand-written pages, with the plugin, without it,
under ProperDocs and under Zensical; and the errors of a bad block."""

from __future__ import annotations

import html as htmllib
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import markdown
import pytest
from conftest import BuildResult, run_build, text_of
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from mkdocs_cjm import cli, fence
from mkdocs_cjm.new import create_playbook

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
"""
VIEWS = ["map", "matrix", "flow", "emotions", "kpis", "pain-points", "channel"]
# What each view holds: the same element the generated pages show (the emotions
# view, a table and curve of its own, is checked apart: the journey page folds
# emotions into its map and step details).
VIEW_ELEMENT = {
    "map": "[data-cjm-map]",
    "matrix": ".cjm-matrix",
    "flow": "figure.cjm-flow",
    "kpis": ".cjm-kpis",
    "pain-points": ".cjm-steps",
    "channel": ".cjm-channel-uses",
}

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
        embedded = views[name].css_first(selector)
        assert embedded is not None, f"{name}: no {selector}"
        if name == "channel":
            source = result.page("playbook/channels/store/").css_first(selector)
        else:
            source = journey_page.css_first(selector)
        assert source is not None
        assert text_of(embedded) == text_of(source), name
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


def test_with_the_plugin_views_match_the_generated_pages(tmp_path: Path) -> None:
    project = sample(tmp_path / "project")
    result = run_build(project, tmp_path / "site")
    assert result.returncode == 0, result.output
    assert_views_like_the_journey_page(result)
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
    # No generated section here: no "open full size" link to a diagram that is not there.
    assert views["flow"].css_first("a.cjm-full-size") is None
    assert not (result.site / "playbook").exists()


def test_without_the_plugin_next_to_exported_pages(tmp_path: Path) -> None:
    project = sample(tmp_path / "project")
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
            " emotions, flow, kpis, map, matrix, pain-points (did you mean 'matrix'?)",
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
            "docs/guide.md:6: cjm block: not valid YAML: expected ',' or ']', but got"
            " '<stream end>'",
        ),
    ],
    ids=["view", "journey", "channel", "missing", "key", "yaml"],
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


def test_a_view_of_a_later_version_says_so(tmp_path: Path) -> None:
    guide = "# Guide\n\n```cjm\nview: heatmap\n```\n"
    result = run_build(sample(tmp_path / "project", guide), tmp_path / "site")
    assert result.returncode == 1
    assert (
        "docs/guide.md:4: cjm block: the view 'heatmap' is not available in this version of"
        " mkdocs-cjm; available: channel, emotions, flow, kpis, map, matrix, pain-points"
    ) in result.output


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
        source_url = (
            "playbook/channels/store.html"
            if name == "channel"
            else f"playbook/journeys/{JOURNEY}.html"
        )
        source = result.page(source_url).css_first(selector)
        assert text_of(views[name].css_first(selector)) == text_of(source), name
        assert broken_links(result.site, "guide.html", views[name]) == [], name
    assert link_count(views["matrix"]) >= 6


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
        " channel, emotions, flow, kpis, map, matrix, pain-points (did you mean 'matrix'?)"
    ) in re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
