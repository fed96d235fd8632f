"""`mkdocs-cjm validate [PATH]`: the build's messages without a build, exit 0 or 1."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BASE_CONFIG, run_build
from test_errors import LAN, J, journey, make_project

from mkdocs_cjm.glue import cli

BROKEN = {
    J: journey(("channel: website", "channel: webiste"), ("emotion: 4", "emotoin: 4")),
    LAN: "name: Lan\ntagline: 28\n",
}
BROKEN_LINES = [
    "maps/journeys/j.yml:11:14: error: steps[0].channel: unknown channel 'webiste'; expected a"
    " channel id from channels.yml (hotline, store, website) (did you mean 'website'?)",
    "maps/journeys/j.yml:13:5: warning: steps[0].emotoin: unknown key 'emotoin' in a step (did"
    " you mean 'emotion'?)",
    "maps/personas/lan.yml:2:10: error: tagline: expected text, found the number 28 (put it in"
    " quotes)",
]


def validate(
    args: list[str], cwd: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, list[str], list[str]]:
    monkeypatch.chdir(cwd)
    code = cli.main(["validate", *args])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err.splitlines()


def test_valid_maps_exit_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path / "project", {})
    code, out, err = validate([], project, capsys, monkeypatch)
    assert (code, out, err) == (0, ["ok: 1 journeys, 1 personas, 3 channels"], [])


def test_broken_maps_exit_1_with_every_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path / "project", BROKEN)
    code, out, err = validate([], project, capsys, monkeypatch)
    assert code == 1
    assert out == []
    assert err == [*BROKEN_LINES, "mkdocs-cjm: 2 errors in the journey maps"]


@pytest.mark.parametrize("target", ["mkdocs.yml", ".", "maps"])
def test_path_may_be_config_project_or_maps_folder(
    target: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = make_project(tmp_path / "project", BROKEN)
    code, _, err = validate([str(project / target)], tmp_path, capsys, monkeypatch)
    assert code == 1
    # Paths are shown relative to where the command runs, so they stay clickable.
    assert err[:3] == [f"project/{line}" for line in BROKEN_LINES]


def test_project_folder_without_mkdocs_yml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path / "project", {})
    (project / "mkdocs.yml").unlink()
    code, out, _ = validate(["project"], tmp_path, capsys, monkeypatch)
    assert (code, out) == (0, ["ok: 1 journeys, 1 personas, 3 channels"])


def test_warnings_pass_unless_strict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path / "project", {J: BROKEN[J].replace("webiste", "website")})
    code, out, err = validate([], project, capsys, monkeypatch)
    assert (code, err) == (0, [BROKEN_LINES[1]])
    assert out == ["ok: 2 journeys, 1 personas, 3 channels"]

    code, out, err = validate(["--strict"], project, capsys, monkeypatch)
    assert code == 1
    assert err == [
        BROKEN_LINES[1].replace(": warning: ", ": error: "),
        "mkdocs-cjm: 1 error in the journey maps",
    ]


def test_plugin_options_in_mkdocs_yml_apply(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path / "project", {J: BROKEN[J].replace("webiste", "website")})
    (project / "maps").rename(project / "journey-maps")
    config = BASE_CONFIG.replace(
        "  - cjm\n", "  - cjm:\n      maps_dir: journey-maps\n      strict: true\n"
    )
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    code, _, err = validate([], project, capsys, monkeypatch)
    assert code == 1
    assert err[0] == BROKEN_LINES[1].replace(": warning: ", ": error: ").replace(
        "maps/", "journey-maps/"
    )


def test_missing_maps_folder_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = validate(["nowhere"], tmp_path, capsys, monkeypatch)
    assert code == 1
    assert err[0] == (
        "nowhere: error: the maps folder does not exist (create it, or set the plugin option"
        " maps_dir)"
    )


def test_console_script_prints_the_same_lines_as_the_build(tmp_path: Path) -> None:
    project = make_project(tmp_path / "project", BROKEN)
    command = [sys.executable, "-m", "mkdocs_cjm.glue.cli", "validate"]
    validated = subprocess.run(
        command, cwd=project, capture_output=True, text=True, timeout=120, check=False
    )
    assert validated.returncode == 1
    assert "Traceback" not in validated.stderr
    built = run_build(project, strict=False)
    assert built.returncode != 0
    for line in BROKEN_LINES:
        assert line in validated.stderr.splitlines()
        assert line in built.output, f"the build does not print: {line}\n{built.output}"


# Issue 21 item 8: `validate` agrees with `build --strict` when asked to (`--strict`: exit
# 1 on any warning), and a warning about a CSV that is fixed in the YAML names the
# YAML line to fix too.
KPI_WITH_ACTUAL = journey(
    (
        "  - id: awareness\n    name: Awareness\n",
        "  - id: awareness\n    name: Awareness\n"
        "    kpis:\n      - name: Lượt ghé\n        target: 80%\n        actual: 70%\n",
    )
)


def test_validate_strict_fails_on_a_warning_the_strict_build_fails_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(
        tmp_path / "project",
        {
            J: KPI_WITH_ACTUAL,
            "maps/metrics/visits.csv": "journey,stage,kpi,date,value\n"
            "j,awareness,Lượt ghé,2026-01-05,75%\n",
        },
    )
    code, out, err = validate([], project, capsys, monkeypatch)
    assert code == 0 and out[0].startswith("ok: "), err
    [warning] = err
    assert warning.startswith("maps/metrics/visits.csv:2:1: warning: ")
    # `actual: 70%` is on line 9 of the journey: where the author fixes it.
    assert warning.endswith("(remove 'actual' from the KPI in maps/journeys/j.yml:9)"), warning

    code, out, err = validate(["--strict"], project, capsys, monkeypatch)
    assert code == 1
    assert out == []
    assert err == [warning, "mkdocs-cjm: 1 warning, which --strict counts as an error"]

    built = run_build(project)  # --strict
    assert built.returncode != 0
    assert warning in built.output
