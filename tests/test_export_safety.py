"""`mkdocs-cjm export` writes only inside OUT_DIR and removes only what it wrote (issue 9).

The reproduction: `prefix: ../docs` made export write 29 pages into docs/ and its
stale-file cleanup delete the hand-written docs/journeys/notes.md and drawing.svg;
`export --force` wrote through a symlink in OUT_DIR into the file it pointed to.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from conftest import small_journey, small_maps, write_project
from test_config_parity import with_options

from mkdocs_cjm.glue.cli import MANIFEST
from mkdocs_cjm.glue.cli import main as cli


def export(project: Path, out: Path, *extra: str) -> int:
    return cli(["export", "-f", str(project / "mkdocs.yml"), *extra, str(out)])


def project_of(root: Path, journeys: list[str], config: str | None = None) -> Path:
    files = small_maps({name: small_journey(name.title()) for name in journeys})
    return write_project(root, files, *([config] if config else []))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


def test_prefix_leaving_out_dir_is_refused_and_nothing_is_touched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = project_of(tmp_path / "site", ["alpha", "beta"], with_options("prefix: ../docs\n"))
    docs = project / "docs"
    (docs / "journeys").mkdir(parents=True)
    (docs / "journeys" / "notes.md").write_text("# My notes\n", "utf-8")
    (docs / "journeys" / "drawing.svg").write_text("<svg/>\n", "utf-8")
    before = snapshot(docs)
    out = project / "out"
    (out).mkdir()
    assert export(project, out, "--force") == 1
    err = capsys.readouterr().err
    assert "Plugin 'cjm' option 'prefix'" in err and "'..'" in err
    assert "Traceback" not in err
    assert snapshot(docs) == before
    assert list(out.iterdir()) == []


def test_stale_files_are_only_those_the_last_export_wrote(tmp_path: Path) -> None:
    project = project_of(tmp_path / "project", ["alpha", "beta"])
    out = tmp_path / "docs"
    journeys = out / "playbook" / "journeys"
    journeys.mkdir(parents=True)
    # Hand-written files in the very folders the export writes to.
    (journeys / "notes.md").write_text("# My notes\n", "utf-8")
    (out / "assets" / "cjm" / "flows").mkdir(parents=True)
    (out / "assets" / "cjm" / "flows" / "drawing.svg").write_text("<svg/>\n", "utf-8")

    assert export(project, out, "--force") == 0
    manifest = json.loads((out / MANIFEST).read_text("utf-8"))
    assert "playbook/journeys/beta.md" in manifest["files"]
    assert "playbook/journeys/notes.md" not in manifest["files"]

    (project / "maps" / "journeys" / "beta.yml").unlink()
    assert export(project, out, "--force") == 0
    assert sorted(path.name for path in journeys.iterdir()) == ["alpha.md", "index.md", "notes.md"]
    assert not (out / "assets/cjm/flows/beta.svg").exists()
    assert (out / "assets/cjm/flows/drawing.svg").read_text("utf-8") == "<svg/>\n"
    assert (journeys / "notes.md").read_text("utf-8") == "# My notes\n"


def test_an_exported_file_edited_since_is_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = project_of(tmp_path / "project", ["alpha", "beta"])
    out = tmp_path / "out"
    assert export(project, out) == 0
    edited = out / "playbook" / "journeys" / "beta.md"
    edited.write_text("# Beta, with my notes\n", "utf-8")
    (project / "maps" / "journeys" / "beta.yml").unlink()
    assert export(project, out, "--force") == 0
    assert edited.read_text("utf-8") == "# Beta, with my notes\n"
    assert f"kept {edited}" in capsys.readouterr().err


@pytest.mark.parametrize(
    "entry",
    ["../victim.md", "/VICTIM", "playbook/../../victim.md", "./victim.md", "link/victim.md"],
)
def test_a_forged_manifest_cannot_delete_anything_outside(tmp_path: Path, entry: str) -> None:
    project = project_of(tmp_path / "project", ["alpha"])
    out = tmp_path / "out"
    assert export(project, out) == 0
    victim = tmp_path / "victim.md"
    victim.write_text("precious\n", "utf-8")
    (out / "link").symlink_to(tmp_path)
    entry = entry.replace("/VICTIM", str(victim))
    digest = hashlib.sha256(b"precious\n").hexdigest()
    (out / MANIFEST).write_text(json.dumps({"files": {entry: digest}}), "utf-8")
    assert export(project, out, "--force") == 0
    assert victim.read_text("utf-8") == "precious\n"


def test_force_replaces_links_instead_of_writing_through_them(tmp_path: Path) -> None:
    project = project_of(tmp_path / "project", ["alpha"])
    out = tmp_path / "out"
    assert export(project, out) == 0
    outside = tmp_path / "outside"
    outside.mkdir()
    target = outside / "target.md"
    target.write_text("not yours\n", "utf-8")
    page = out / "playbook" / "journeys" / "alpha.md"
    page.unlink()
    page.symlink_to(target)
    # A linked folder on the way, too: nothing may land in what it points to.
    assets = out / "assets"
    shutil.rmtree(assets)
    assets.symlink_to(outside)
    nav = tmp_path / "nav.yml"
    nav.symlink_to(outside / "nav-target.yml")

    assert export(project, out, "--force", "--nav", str(nav)) == 0
    assert target.read_text("utf-8") == "not yours\n"
    assert sorted(path.name for path in outside.iterdir()) == ["target.md"]
    assert not page.is_symlink() and "Alpha" in page.read_text("utf-8")
    assert not assets.is_symlink() and (assets / "cjm" / "cjm.css").is_file()
    assert not nav.is_symlink() and "playbook/journeys/alpha.md" in nav.read_text("utf-8")


def test_every_written_file_is_in_the_manifest_and_inside_out_dir(tmp_path: Path) -> None:
    project = project_of(tmp_path / "project", ["alpha"], with_options("prefix: cx/playbook\n"))
    out = tmp_path / "out"
    assert export(project, out) == 0
    written = {path for path in snapshot(out) if path != MANIFEST}
    manifest = json.loads((out / MANIFEST).read_text("utf-8"))
    assert set(manifest["files"]) == written
    assert "cx/playbook/journeys/alpha.md" in written
    assert all(not path.startswith("..") for path in written)


# Issue 21 item 2: `export --force` refuses, before writing anything, to overwrite a
# file its manifest does not list (a hand-written page at a generated path).
@pytest.mark.parametrize(
    ("config", "hand_written"),
    [(None, "playbook/index.md"), (with_options('prefix: ""\n'), "index.md")],
)
def test_force_never_overwrites_a_file_the_export_did_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], config: str | None, hand_written: str
) -> None:
    project = project_of(tmp_path / "project", ["alpha"], config)
    out = tmp_path / "docs"
    (out / hand_written).parent.mkdir(parents=True, exist_ok=True)
    (out / hand_written).write_text("# Trang của tôi — viết tay\n", "utf-8")
    before = snapshot(out)
    assert export(project, out, "--force") == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert str(out / hand_written) in err and "nothing was written" in err
    assert snapshot(out) == before
    assert not (out / MANIFEST).exists()


def test_force_replaces_its_own_files_and_identical_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = project_of(tmp_path / "project", ["alpha"])
    out = tmp_path / "docs"
    assert export(project, out) == 0
    # The manifest lost (or an older export without one): files identical to what the
    # export writes lose nothing when written again.
    (out / MANIFEST).unlink()
    assert export(project, out, "--force") == 0
    # A listed file edited since is the export's own: replaced, as the help says.
    page = out / "playbook" / "journeys" / "alpha.md"
    page.write_text("# edited\n", "utf-8")
    assert export(project, out, "--force") == 0
    assert "Alpha" in page.read_text("utf-8")


# Issue 21 item 10: a --nav path that cannot be written is refused before any page is.
@pytest.mark.parametrize("where", ["folder", "under-a-file"])
def test_export_nav_that_cannot_be_written_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    project = project_of(tmp_path / "project", ["alpha"])
    out = tmp_path / "out"
    if where == "folder":
        nav = tmp_path / "navdir"
        nav.mkdir()
    else:
        (tmp_path / "file.yml").write_text("x\n", "utf-8")
        nav = tmp_path / "file.yml" / "nav.yml"
    assert export(project, out, "--nav", str(nav)) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert str(nav) in err or str(nav.parent) in err
    assert not out.exists()


def test_a_file_where_a_generated_folder_goes_stops_the_export_before_writing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = project_of(tmp_path / "project", ["alpha"])
    out = tmp_path / "docs"
    out.mkdir()
    (out / "playbook").write_text("not a folder\n", "utf-8")
    assert export(project, out, "--force") == 1
    err = capsys.readouterr().err
    assert f"{out / 'playbook'} would be overwritten" in err and "Traceback" not in err
    assert snapshot(out) == {"playbook": b"not a folder\n"}


# Issue 21 item 10: `schema -o` at a file, or under one, is a one-line error.
@pytest.mark.parametrize("where", ["file", "under-a-file", "kind-file-is-a-folder"])
def test_schema_out_dir_that_cannot_be_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    existing = tmp_path / "existing.json"
    existing.write_text("{}\n", "utf-8")
    target = {
        "file": existing,
        "under-a-file": existing / "sub",
        "kind-file-is-a-folder": tmp_path / "schemas",
    }[where]
    if where == "kind-file-is-a-folder":
        (target / "persona.schema.json").mkdir(parents=True)
    before = snapshot(tmp_path)
    assert cli(["schema", "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith("mkdocs-cjm: ")
    assert snapshot(tmp_path) == before
