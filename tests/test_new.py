"""`mkdocs-cjm new`: a playbook that builds with --strict at once, in English and Vietnamese."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import run_build, text_of


def new(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs_cjm.glue.cli", "new", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("lang", "matrix_heading", "home_link"),
    [("en", "Stage × touchpoint matrix", "Journeys"), ("vi", "Ma trận", "Hành trình")],
)
def test_new_playbook_builds_strict(
    lang: str, matrix_heading: str, home_link: str, tmp_path: Path
) -> None:
    created = new("playbook", "--lang", lang, cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    project = tmp_path / "playbook"
    assert "next: cd playbook && mkdocs serve" in created.stdout
    assert sorted(p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()) == [
        ".gitignore",
        "docs/index.md",
        "maps/channels.yml",
        "maps/journeys/click-and-collect.yml",
        "maps/personas/an.yml",
        "maps/personas/lan.yml",
        "mkdocs.yml",
    ]
    result = run_build(project)  # --strict, never -q
    assert result.returncode == 0, result.output
    assert "WARNING" not in result.output

    home = result.page("")
    assert home.css_first("html").attributes["lang"] == lang
    content = home.css_first("article")
    hrefs = {text_of(a): a.attributes["href"] for a in content.css("a")}
    assert hrefs[home_link] == "playbook/journeys/"
    assert hrefs[next(t for t in hrefs if t.startswith(("Order online", "Đặt online")))] == (
        "playbook/journeys/click-and-collect/"
    )

    page = result.page("playbook/journeys/click-and-collect/")
    assert matrix_heading in page.html
    # Two personas, four channels, one journey with a branch and KPIs.
    assert len(page.css(".cjm-meta dd")[0].css("a")) == 2
    assert len(list((result.site / "playbook" / "channels").glob("*/index.html"))) == 4
    branch = page.css_first("#step-stock").css("td")[-1]
    assert [a.attributes["href"] for a in branch.css("a")] == ["#step-pay-online", "#step-call"]
    assert len(page.css(".cjm-kpis tbody tr")) == 5
    assert page.css(".cjm-kpis tr.cjm-below")
    # Reviewed the day it was made: a healthy map, not one that opens on "needs review".
    assert page.css_first("[data-cjm-review]") is None


def test_new_in_the_current_folder(tmp_path: Path) -> None:
    created = new(cwd=tmp_path)
    assert created.returncode == 0, created.stderr
    assert "next: mkdocs serve" in created.stdout
    assert (tmp_path / "mkdocs.yml").is_file()
    assert "language: en" in (tmp_path / "mkdocs.yml").read_text(encoding="utf-8")


def test_new_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    project = tmp_path / "site"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "index.md").write_text("# Mine\n", encoding="utf-8")
    created = new("site", "--lang", "vi", cwd=tmp_path)
    assert created.returncode == 1
    assert created.stdout == ""
    assert created.stderr == (
        "mkdocs-cjm: site/docs/index.md already exists; nothing was written "
        "(choose a new or empty folder: mkdocs-cjm new DIR)\n"
    )
    assert (project / "docs" / "index.md").read_text(encoding="utf-8") == "# Mine\n"
    assert [p.name for p in project.rglob("*")] == ["docs", "index.md"]


def test_new_rejects_an_unknown_language(tmp_path: Path) -> None:
    created = new("x", "--lang", "fr", cwd=tmp_path)
    assert created.returncode == 2
    assert "argument --lang: invalid choice: 'fr'" in created.stderr
    assert not (tmp_path / "x").exists()


def test_new_playbook_serves_at_once(tmp_path: Path) -> None:
    from test_serve import Server

    assert new("playbook", cwd=tmp_path).returncode == 0
    running = Server(tmp_path / "playbook")
    try:
        running.wait_for(lambda: running.count("Serving on http://") > 0, "the server to start")
        assert "Order online, pick up in store" in running.get(
            "playbook/journeys/click-and-collect/"
        )
        assert 'href="playbook/journeys/"' in running.get("")
        assert "WARNING" not in running.output
    finally:
        running.stop()


def every_entry(folder: Path) -> dict[str, str]:
    """Each path under `folder` (links not followed): what it is, and a link's target."""
    return {
        path.relative_to(folder).as_posix(): (
            f"-> {os.readlink(path)}" if path.is_symlink() else "dir" if path.is_dir() else "file"
        )
        for path in sorted(folder.rglob("*"))
    }


# Issue 21 items 6 and 11: `new` checks every target first, never writes through a
# link to outside DIR, takes a dangling link for a file, and writes nothing on refusal.
@pytest.mark.parametrize(
    ("arrange", "named"),
    [
        (lambda project, outside: (project / "docs").symlink_to(outside), "site/docs"),
        (
            lambda project, outside: (project / "mkdocs.yml").symlink_to(outside / "nếu.yml"),
            "site/mkdocs.yml",
        ),
        (
            lambda project, outside: (
                (project / "maps").mkdir(),
                (project / "maps" / "journeys").symlink_to(outside),
            ),
            "site/maps/journeys",
        ),
        (
            lambda project, outside: (
                (project / "maps").mkdir(),
                (project / "maps" / "journeys").write_text("tệp\n", "utf-8"),
            ),
            "site/maps/journeys",
        ),
        (
            lambda project, outside: (project / ".gitignore").symlink_to(project / "missing"),
            "site/.gitignore",
        ),
    ],
    ids=["linked-docs", "dangling-config", "linked-journeys", "file-for-folder", "dangling-inside"],
)
def test_new_refuses_links_and_files_in_the_way_and_writes_nothing(
    tmp_path: Path, arrange: Any, named: str
) -> None:
    project, outside = tmp_path / "site", tmp_path / "ngoài"
    project.mkdir()
    outside.mkdir()
    arrange(project, outside)
    before = every_entry(tmp_path)
    created = new("site", cwd=tmp_path)
    assert created.returncode == 1
    assert created.stdout == ""
    assert "Traceback" not in created.stderr and "Errno" not in created.stderr
    assert len(created.stderr.splitlines()) == 1 and named in created.stderr, created.stderr
    assert "nothing was written" in created.stderr
    assert every_entry(tmp_path) == before


def test_new_into_a_dangling_link_says_so(tmp_path: Path) -> None:
    (tmp_path / "site").symlink_to(tmp_path / "gone")
    created = new("site", cwd=tmp_path)
    assert created.returncode == 1
    assert created.stderr == (
        "mkdocs-cjm: site is a link to a folder that does not exist "
        f"({tmp_path / 'gone'}); nothing was written\n"
    )
    assert not (tmp_path / "gone").exists()


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_new_playbook_passes_validate_stale_on_the_day_it_is_made(
    lang: str, tmp_path: Path
) -> None:
    # Issue 18: every sample map says it was reviewed the day `new` wrote it, so CI's
    # `validate --stale` passes on a fresh playbook and fails once the review is due.
    made = {**os.environ, "MKDOCS_CJM_TODAY": "2027-03-05"}
    created = subprocess.run(
        [sys.executable, "-m", "mkdocs_cjm.glue.cli", "new", "playbook", "--lang", lang],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=made,
        timeout=120,
        check=False,
    )
    assert created.returncode == 0, created.stderr
    project = tmp_path / "playbook"
    maps = sorted((project / "maps").rglob("*.yml"))
    reviewed = {
        path.relative_to(project).as_posix(): [
            line.split("#")[0].strip()
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith("reviewed:")
        ]
        for path in maps
        if path.parent.name in {"journeys", "personas"}
    }
    assert reviewed == {
        "maps/journeys/click-and-collect.yml": ["reviewed: 2027-03-05"],
        "maps/personas/an.yml": ["reviewed: 2027-03-05"],
        "maps/personas/lan.yml": ["reviewed: 2027-03-05"],
    }

    def validate_stale(today: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "mkdocs_cjm.glue.cli", "validate", "--stale", "--today", today],
            capture_output=True,
            text=True,
            cwd=project,
            env=made,
            timeout=120,
            check=False,
        )

    fresh = validate_stale("2027-03-05")
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr
    assert fresh.stdout.startswith("ok: every map was reviewed in the last 180 days")
    due = validate_stale("2027-09-02")  # 181 days later
    assert due.returncode == 1
    assert "3 maps need review" in due.stderr


def test_new_with_a_bad_today_says_so_and_writes_nothing(tmp_path: Path) -> None:
    created = subprocess.run(
        [sys.executable, "-m", "mkdocs_cjm.glue.cli", "new", "playbook"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "MKDOCS_CJM_TODAY": "2027-02-30"},
        timeout=120,
        check=False,
    )
    assert created.returncode == 1
    assert created.stderr == (
        "mkdocs-cjm: the environment variable MKDOCS_CJM_TODAY is '2027-02-30'; "
        "expected a date written YYYY-MM-DD\n"
    )
    assert not (tmp_path / "playbook").exists()


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_new_home_page_checks_with_what_publishing_checks(lang: str, tmp_path: Path) -> None:
    """Issue 21 item 8: the home page's check is `validate --strict`, which passes on the
    sample: "ok" there means `mkdocs build --strict` publishes."""
    assert new("site", "--lang", lang, cwd=tmp_path).returncode == 0
    home = (tmp_path / "site" / "docs" / "index.md").read_text(encoding="utf-8")
    assert "`mkdocs-cjm validate --strict`" in home
    assert "`mkdocs-cjm validate`" not in home
    checked = subprocess.run(
        [sys.executable, "-m", "mkdocs_cjm.glue.cli", "validate", "--strict"],
        capture_output=True,
        text=True,
        cwd=tmp_path / "site",
        timeout=120,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr
    assert checked.stderr == ""
