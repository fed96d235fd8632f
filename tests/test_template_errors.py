"""Errors in `custom_templates` (issue 9): the file and line, no traceback; under
`mkdocs serve` the last good pages stay up, as they do for map errors.

The reproduction: a Jinja syntax error, an undefined variable or a failing include
printed a 67-line traceback and made every `mkdocs serve` request hang; a
`custom_templates` folder that does not exist was ignored silently.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import BuildResult, save_in_one_step, small_journey, small_maps
from test_config_parity import with_options
from test_serve import BUILT, Server

CONFIG = with_options("custom_templates: overrides\n")
GOOD_PERSONA = "{{ front_matter }}\n# {{ persona.name | heading }}\n\nCustom persona page.\n"


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        (
            "{{ front_matter }}\n# {{ persona.name }}\n\n{% if %}\n",
            "custom template overrides/persona.md.j2, line 4: Expected an expression, got "
            "'end of statement block'",
        ),
        (
            "{{ front_matter }}\n# {{ persona.name }}\n\n{{ nope }}\n",
            "custom template overrides/persona.md.j2, line 4: 'nope' is undefined",
        ),
        (
            "{{ front_matter }}\n# {{ persona.name }}\n\n{% include 'partials/missing.html.j2' %}\n",
            "custom template overrides/persona.md.j2, line 4: template "
            "'partials/missing.html.j2' not found",
        ),
        (
            "{{ front_matter }}\n# {{ persona.name }}\n\n{{ persona.name | no_such_filter }}\n",
            "custom template overrides/persona.md.j2, line 4: No filter named 'no_such_filter'",
        ),
        (
            "{{ front_matter }}\n# {{ persona.name }}\n\n{{ persona.goals[7] }}\n",
            "custom template overrides/persona.md.j2, line 4: ",
        ),
    ],
    ids=["syntax", "undefined", "include", "filter", "index"],
)
def test_a_template_error_names_file_and_line(
    build: Callable[..., BuildResult], template: str, expected: str
) -> None:
    files = small_maps({"alpha": small_journey("Alpha")}) | {"overrides/persona.md.j2": template}
    result = build(files, CONFIG, strict=False, expect_ok=False)
    assert result.returncode != 0
    assert expected in result.output
    assert "Traceback" not in result.output
    assert len(result.output.splitlines()) < 12, result.output


def test_an_error_in_an_overridden_partial_names_the_partial(
    build: Callable[..., BuildResult],
) -> None:
    partial = '<div class="cjm-matrix">\n{{ matrix.nope.deeper }}\n</div>\n'
    files = small_maps({"alpha": small_journey("Alpha")})
    files["overrides/partials/matrix.html.j2"] = partial
    result = build(files, CONFIG, strict=False, expect_ok=False)
    assert "custom template overrides/partials/matrix.html.j2, line 2: " in result.output
    assert "Traceback" not in result.output


@pytest.fixture
def template_server(tmp_path: Path) -> tuple[Server, Path]:
    from conftest import write_project

    files = small_maps({"alpha": small_journey("Alpha")}) | {
        "overrides/persona.md.j2": GOOD_PERSONA
    }
    project = write_project(tmp_path / "project", files, CONFIG)
    return Server(project), project


def test_serve_keeps_the_last_good_pages_on_a_template_error(
    template_server: tuple[Server, Path],
) -> None:
    running, project = template_server
    try:
        running.wait_for(lambda: running.count("Serving on http://") > 0, "the server to start")
        assert "Custom persona page." in running.get("playbook/personas/lan/")
        template = project / "overrides" / "persona.md.j2"
        broken = GOOD_PERSONA.replace("Custom persona page.", "{{ nope }}")
        save_in_one_step(project, template, broken)
        message = "custom template overrides/persona.md.j2, line 4: 'nope' is undefined"
        running.wait_for(lambda: running.count(message) > 0, "the template error")
        running.wait_for(lambda: running.count(BUILT) >= 2, "the rebuild to finish")
        assert "serving the pages of the last good templates meanwhile" in running.output
        assert "Custom persona page." in running.get("playbook/personas/lan/")
        save_in_one_step(project, template, GOOD_PERSONA.replace("Custom", "Fixed"))
        running.wait_for(
            lambda: "Fixed persona page." in running.get("playbook/personas/lan/"),
            "the fixed page to be served",
        )
        assert running.process.poll() is None
        assert "Traceback" not in running.output
    finally:
        running.stop()
