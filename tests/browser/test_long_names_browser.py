"""Long unbroken names wrap on every generated page (issue 9).

The reproduction: a 120-character owner or channel name without spaces made the
page 1,297 px wide on a 390 px phone. Every page of a playbook full of such
names must keep to the phone's width (wide tables scroll inside their own box).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import BuildResult, run_build, small_journey, small_maps, write_project

from mkdocs_cjm.sections import VIEWS

from .browser_support import SCREENSHOTS, serve_folder

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

LONG = ("Phòngchămsóckháchhàngvàhậumãikhuvựcmiềnbắc" * 3)[:120]
PHONE = 390


@pytest.fixture(scope="module")
def long_site(chromium_path: Path, tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    files = small_maps(
        {
            "alpha": small_journey(LONG + "T", action=LONG).replace(
                "persona: lan\n", f"persona: lan\nowner: {LONG}\n"
            )
        }
    )
    files["maps/channels.yml"] = (
        f"web:\n  name: {LONG}W\n  type: online\n  owner: {LONG}\n"
        "store:\n  name: Store\n  type: offline\n"
    )
    files["maps/personas/lan.yml"] = f"name: {LONG}L\ntagline: {LONG}\n"
    root = tmp_path_factory.mktemp("long")
    result = run_build(write_project(root / "project", files), root / "site")
    assert result.returncode == 0, result.output
    return result


@pytest.fixture(scope="module")
def long_url(long_site: BuildResult) -> Iterator[str]:
    with serve_folder(long_site.site) as url:
        yield url


def test_no_page_is_wider_than_a_phone(browser: Any, long_site: BuildResult, long_url: str) -> None:
    pages = sorted(
        path.relative_to(long_site.site).as_posix().removesuffix("index.html")
        for path in (long_site.site / "playbook").rglob("index.html")
    )
    # Every generated section's index page is among them (the registry lists them),
    # and the item pages of the journey, persona and channels.
    sections = {f"playbook/{view.folder}/".replace("//", "/") for view in VIEWS}
    items = {"playbook/journeys/alpha/", "playbook/personas/lan/", "playbook/channels/web/"}
    assert sections | items <= set(pages), sorted(set(pages))
    context = browser.new_context(viewport={"width": PHONE, "height": 844})
    try:
        page = context.new_page()
        wide = {}
        for path in pages:
            page.goto(long_url + path, wait_until="networkidle")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE:
                wide[path] = width
            # The long name is on the page, wrapped rather than cut (the KPI board and
            # the pain-point register list only KPIs and pain points: these maps have none).
            if path not in ("playbook/kpis/", "playbook/pain-points/"):
                assert LONG[:40] in page.inner_text("article"), path
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.goto(long_url + "playbook/journeys/alpha/", wait_until="networkidle")
        page.screenshot(path=str(SCREENSHOTS / "long-names-390.png"))
    finally:
        context.close()
    assert not wide, f"pages wider than {PHONE} px: {wide}"
