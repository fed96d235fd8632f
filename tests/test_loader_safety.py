"""Smaller safety items of issue 9: links out of maps_dir, hidden and upper-case files,
labels cut inside a character."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import BuildResult, small_journey, small_maps, write_project

from mkdocs_cjm.core.loader import load_playbook
from mkdocs_cjm.core.text import graphemes, wrap
from mkdocs_cjm.render.flow import WRAP_WIDTH, flow_dot
from mkdocs_cjm.site.i18n import labels_for

SECRET = "root:x:0:0:SECRET-CONTENT:/root:/bin/bash\n"


def project(tmp_path: Path, journeys: dict[str, str] | None = None) -> Path:
    return write_project(
        tmp_path / "project", small_maps(journeys or {"alpha": small_journey("Alpha")})
    )


def problems(root: Path) -> list[str]:
    result = load_playbook(root / "maps", display_root=root)
    return [str(problem) for problem in result.problems]


def test_a_map_linked_from_outside_is_refused_unread(
    tmp_path: Path, build: Callable[..., BuildResult]
) -> None:
    secret = tmp_path / "passwd"
    secret.write_text(SECRET, "utf-8")
    root = project(tmp_path)
    (root / "maps/journeys/passwd.yml").symlink_to(secret)
    assert problems(root) == [
        "maps/journeys/passwd.yml: error: is a link to a file or folder outside the maps "
        "folder; it is not read (copy the file into the maps folder instead of linking to it)"
    ]
    # The build says the same, and never shows the file's content.
    from conftest import run_build

    result = run_build(root, strict=False)
    assert result.returncode != 0
    assert "maps/journeys/passwd.yml: error: is a link to a file or folder outside" in result.output
    assert "SECRET" not in result.output and "root:x" not in result.output


def test_a_metrics_file_linked_from_outside_is_refused_unread(tmp_path: Path) -> None:
    secret = tmp_path / "passwd.csv"
    secret.write_text(SECRET, "utf-8")
    root = project(tmp_path)
    (root / "maps/metrics").mkdir()
    (root / "maps/metrics/kpis.csv").symlink_to(secret)
    (root / "maps/metrics/._kpis.csv").write_bytes(b"\x00\x05\x16\x07Mac OS X")
    assert problems(root) == [
        "maps/metrics/kpis.csv: error: is a link to a file or folder outside the maps "
        "folder; it is not read (copy the file into the maps folder instead of linking to it)"
    ]


def test_a_linked_folder_outside_and_a_link_to_etc_passwd_are_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "minh.yml").write_text("name: Minh\n", "utf-8")
    root = project(tmp_path)
    (root / "maps/personas/lan.yml").unlink()
    (root / "maps/personas").rmdir()
    (root / "maps/personas").symlink_to(outside)
    if Path("/etc/passwd").exists():
        (root / "maps/journeys/etc.yml").symlink_to("/etc/passwd")
    found = problems(root)
    assert found[0].startswith("maps/journeys/alpha.yml")  # its persona is gone
    assert any(
        line.startswith("maps/personas: error: is a link to a file or folder outside")
        for line in found
    )
    assert not any("root:" in line for line in found)


def test_a_link_inside_the_maps_folder_is_read(tmp_path: Path) -> None:
    root = project(tmp_path)
    shared = root / "maps" / "shared"
    shared.mkdir()
    (shared / "beta.yml").write_text(small_journey("Beta"), "utf-8")
    (root / "maps/journeys/beta.yml").symlink_to(shared / "beta.yml")
    result = load_playbook(root / "maps", display_root=root)
    assert result.problems == []
    assert result.playbook is not None
    assert [journey.id for journey in result.playbook.journeys] == ["alpha", "beta"]


def test_hidden_files_are_skipped(tmp_path: Path, build: Callable[..., BuildResult]) -> None:
    files: dict[str, str | bytes] = {**small_maps({"alpha": small_journey("Alpha")})}
    files["maps/journeys/.alpha.yml"] = "title: [unclosed\n"
    files["maps/journeys/._alpha.yml"] = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        "
    files["maps/personas/._lan.yml"] = b"\x00\x05\x16\x07"
    result = build(files)
    assert "alpha.yml" not in result.output


@pytest.mark.parametrize("suffix", [".YML", ".Yaml", ".yAmL"])
def test_upper_case_suffixes_are_read(tmp_path: Path, suffix: str) -> None:
    root = project(tmp_path)
    (root / f"maps/journeys/beta{suffix}").write_text(small_journey("Beta"), "utf-8")
    (root / f"maps/personas/minh{suffix}").write_text("name: Minh\n", "utf-8")
    channels = root / "maps/channels.yml"
    channels.rename(root / f"maps/channels{suffix}")
    result = load_playbook(root / "maps", display_root=root)
    assert result.problems == []
    assert result.playbook is not None
    assert [journey.id for journey in result.playbook.journeys] == ["alpha", "beta"]
    assert [persona.id for persona in result.playbook.personas] == ["lan", "minh"]
    assert len(result.playbook.channels) == 2


def test_the_same_id_in_two_cases_of_suffix_is_reported(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "maps/journeys/alpha.YML").write_text(small_journey("Alpha again"), "utf-8")
    if len(list((root / "maps/journeys").iterdir())) < 2:
        pytest.skip("a case-insensitive file system holds one of the two names only")
    assert problems(root) == [
        "maps/journeys/alpha.yml: error: the id 'alpha' is also defined by "
        "maps/journeys/alpha.YML (keep only one of the two files)"
    ]


NFD = unicodedata.normalize("NFD", "Nguyễnthịhồngnhungđẹptraiquáđiởtrênđườngphố")
FAMILY = "👩\u200d👩\u200d👧\u200d👦"
TEXTS = [
    NFD,
    FAMILY * 12,
    "🇻🇳🇺🇸🇯🇵" * 8,
    "❤️👍🏽" * 14,
    unicodedata.normalize("NFD", "Thanh toán tại quầy khi nhận hàng ở cửa hàng gần nhất"),
]


@pytest.mark.parametrize("text", TEXTS, ids=["nfd", "zwj", "flags", "selectors", "nfd-words"])
def test_wrap_breaks_between_graphemes(text: str) -> None:
    clusters = set(graphemes(text))
    for width in (5, 10, WRAP_WIDTH):
        lines = wrap(text, width)
        assert "".join(line.rstrip("-") for line in lines).replace(" ", "") == text.replace(" ", "")
        for line in lines:
            body = line[:-1] if line.endswith("-") else line
            assert len(graphemes(body)) <= width
            assert not unicodedata.combining(body[0])
            for cluster in graphemes(body):
                assert cluster in clusters or cluster == " "


def test_graphemes() -> None:
    assert graphemes(unicodedata.normalize("NFD", "ễa")) == [
        unicodedata.normalize("NFD", "ễ"),
        "a",
    ]
    assert graphemes(FAMILY + "x") == [FAMILY, "x"]
    assert graphemes("🇻🇳🇺🇸🇯") == ["🇻🇳", "🇺🇸", "🇯"]
    assert graphemes("❤️👍🏽") == ["❤️", "👍🏽"]


def test_diagram_labels_keep_every_character_whole(tmp_path: Path) -> None:
    action = f"{NFD} {FAMILY * 10}"
    root = project(tmp_path, {"alpha": small_journey("Alpha", action=f'"{action}"')})
    playbook = load_playbook(root / "maps").raise_for_errors()
    source = flow_dot(playbook.journeys[0], playbook, labels_for("en"))
    labels = re.findall(r'label="((?:[^"\\]|\\.)*)"', source)
    lines = [line for label in labels for line in label.split("\\n")]
    assert any(FAMILY in line for line in lines)
    for line in lines:
        assert line and not unicodedata.combining(line[0]), line
        assert not line.startswith("\u200d") and not line.rstrip("-").endswith("\u200d"), line
