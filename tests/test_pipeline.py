"""The one build pipeline (site/pipeline.py): the plugin, `mkdocs-cjm validate` and
`export`, and the `cjm` fence read the maps folder relative to mkdocs.yml's folder,
wherever they are run from, and so load the same playbook and make the same pages."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BASE_CONFIG
from test_errors import make_project

from mkdocs_cjm.glue import cli, fence
from mkdocs_cjm.glue.config import read_mkdocs_config, section_options
from mkdocs_cjm.glue.plugin import CjmPlugin
from mkdocs_cjm.site.pipeline import maps_folder

MAPS = "journey-maps"


def test_the_pipeline_imports_no_mkdocs() -> None:
    code = (
        "import sys, mkdocs_cjm.site.pipeline\n"
        "hosts = ('mkdocs', 'properdocs', 'material', 'zensical')\n"
        "print([m for m in sys.modules if m.split('.')[0] in hosts])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"


def test_maps_folder_starts_at_the_project_folder(tmp_path: Path) -> None:
    assert maps_folder(tmp_path / "p", "maps") == (tmp_path / "p" / "maps").resolve()
    assert maps_folder(tmp_path / "p", "../shared") == (tmp_path / "shared").resolve()
    assert maps_folder(tmp_path / "p", tmp_path / "abs") == (tmp_path / "abs").resolve()


@pytest.fixture
def project_and_decoy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A project whose maps are in `journey-maps/` (option maps_dir), and another folder,
    the current one, holding a broken `journey-maps/` of its own: whatever read the maps
    relative to the current folder would fail."""
    monkeypatch.setenv("MKDOCS_CJM_TODAY", "2026-12-01")
    project = make_project(tmp_path / "project", {})
    (project / "maps").rename(project / MAPS)
    config = BASE_CONFIG.replace("  - cjm\n", f"  - cjm:\n      maps_dir: {MAPS}\n")
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(project / MAPS, elsewhere / MAPS)
    for path in (elsewhere / MAPS / "journeys").glob("*.yml"):
        path.write_text("title: [broken\n", encoding="utf-8")
    monkeypatch.chdir(elsewhere)
    return project, elsewhere


def _files(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def test_cli_run_from_another_folder_agrees_with_the_plugin(
    project_and_decoy: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    project, elsewhere = project_and_decoy
    config_file = project / "mkdocs.yml"

    # validate and export, run from the other folder.
    assert cli.main(["validate", str(config_file)]) == 0
    assert capsys.readouterr().out.splitlines() == ["ok: 1 journeys, 1 personas, 3 channels"]
    assert cli.main(["export", "-f", str(config_file), str(elsewhere / "out")]) == 0
    exported_elsewhere = _files(elsewhere / "out")
    # The same, from the project's folder: byte for byte the same pages.
    monkeypatch.chdir(project)
    assert cli.main(["export", "-f", "mkdocs.yml", str(elsewhere / "out-in-project")]) == 0
    assert _files(elsewhere / "out-in-project") == exported_elsewhere
    monkeypatch.chdir(elsewhere)

    # The plugin, as `mkdocs build -f project/mkdocs.yml` run from the other folder.
    config, options = read_mkdocs_config(config_file, echo=False)
    (plugin,) = [p for p in config.plugins.values() if isinstance(p, CjmPlugin)]
    plugin.on_startup(command="build", dirty=False)
    config = plugin.on_config(config)
    try:
        plugin.on_pre_build(config=config)
        generated = {page.src_uri: page for page in plugin._pages}
        plugin_playbook = fence._REGISTERED[config_file.resolve()].generator.playbook
    finally:
        fence._REGISTERED.clear()
    exported_pages = {name for name in exported_elsewhere if name.endswith(".md")}
    assert set(generated) == exported_pages
    assert {asset.path for asset in plugin._assets} == set(exported_elsewhere) - exported_pages - {
        cli.MANIFEST
    }
    for asset in plugin._assets:
        assert asset.content.encode("utf-8") == exported_elsewhere[asset.path], asset.path
    # Edit links point at the project's maps, named from its folder as in a build.
    assert generated["playbook/journeys/buy-sunglasses.md"].source == (
        f"{MAPS}/journeys/buy-sunglasses.yml"
    )

    # The fence without the plugin (Zensical, or MkDocs without it) reads the same maps.
    fence._LOADED.clear()
    try:
        fence_site = fence._load_site(config_file.resolve())
    finally:
        fence._LOADED.clear()
    assert fence_site.generator.playbook == plugin_playbook
    # And every caller resolves the same options the same way.
    assert (
        section_options(config, options, ready_html=False).maps_dir
        == (project / MAPS).resolve()
        == section_options(config, plugin.config, ready_html=True).maps_dir
    )
