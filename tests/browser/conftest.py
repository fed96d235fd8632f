"""Real-browser fixtures: the example playbook built with --strict, served on 127.0.0.1,
and Debian's Chromium driven by Playwright.

Every test here shares one xdist worker (group "browser"), so the site is built,
served and the browser launched once per run.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, copy_project, run_build

from .browser_support import (
    BLIND20,
    CHROMIUM,
    HEIGHTS,
    ROOT,
    SCHEMES,
    WIDTHS,
    Opened,
    serve_folder,
)

WIDE_JOURNEY = FIXTURES / "browser" / "b2b-uniform-contract.yml"


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is missing: run `make browser-deps` as root (apt install chromium)"
        )
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("playwright is not installed: pip install -e '.[test]'")
    return CHROMIUM


def _serve_built(project: Path) -> Iterator[str]:
    """Build `project` with --strict (naming the server in site_url) and serve its site."""
    with serve_folder(project / "site") as url:
        config = project / "mkdocs.yml"
        lines = config.read_text(encoding="utf-8").splitlines()
        lines = [line for line in lines if not line.startswith("site_url:")]
        config.write_text("\n".join([f"site_url: {url}", *lines]) + "\n", encoding="utf-8")
        result = run_build(project)
        assert result.returncode == 0, result.output
        assert result.site == project / "site"
        yield url


@pytest.fixture(scope="session")
def blind20_url(chromium_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The blind playbook, served; the theme's web fonts off as in the example (no network)."""
    project = copy_project(BLIND20, tmp_path_factory.mktemp("blind20") / "project")
    config = project / "mkdocs.yml"
    palette = (
        "  font: false\n  palette:\n"
        '    - media: "(prefers-color-scheme: light)"\n      scheme: default\n'
        '    - media: "(prefers-color-scheme: dark)"\n      scheme: slate\n'
    )
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("  name: material\n", "  name: material\n" + palette), encoding="utf-8"
    )
    yield from _serve_built(project)


@pytest.fixture(scope="session")
def site_url(chromium_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The example playbook, built with --strict and served over HTTP on 127.0.0.1.

    Built here rather than through `example_site` because, like `mkdocs serve`,
    it must name the server in `site_url`: Material's instant navigation only
    takes over links found in sitemap.xml, which is written from `site_url`
    (and matched including the port).
    """
    project = copy_project(ROOT, tmp_path_factory.mktemp("browser") / "project")
    # Plus a journey long enough to print in slices (the example's all print whole).
    shutil.copy(WIDE_JOURNEY, project / "maps" / "journeys" / WIDE_JOURNEY.name)
    yield from _serve_built(project)


@pytest.fixture(scope="session")
def browser(chromium_path: Path) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(chromium_path),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def open_page(browser: Any, site_url: str) -> Iterator[Callable[..., Opened]]:
    contexts: list[Any] = []

    def _open(
        path: str,
        *,
        width: int = WIDTHS["desktop"],
        scheme: str = "default",
        query: str = "",
        base: str | None = None,
        height: int | None = None,
    ) -> Opened:
        context = browser.new_context(
            viewport={
                "width": width,
                "height": height or HEIGHTS["phone" if width < 600 else "desktop"],
            },
            color_scheme=SCHEMES[scheme],
            # A phone reports its real pixel density; screenshots stay 1:1 for review.
            device_scale_factor=1,
        )
        contexts.append(context)
        page = context.new_page()
        opened = Opened(page)
        page.on(
            "console",
            lambda message: (
                opened.errors.append(f"console: {message.text}")
                if message.type == "error"
                else None
            ),
        )
        page.on("pageerror", lambda error: opened.errors.append(f"pageerror: {error}"))
        page.on(
            "requestfailed",
            lambda request: opened.errors.append(
                f"request failed: {request.url} ({request.failure})"
            ),
        )
        response = page.goto((base or site_url) + path + query, wait_until="networkidle")
        assert response is not None and response.ok, f"{path}: HTTP {response and response.status}"
        # Material sets the palette of the reader's colour scheme from its bundle, which
        # may finish after the network is idle on a busy machine: wait for it.
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(
                "scheme => document.body.getAttribute('data-md-color-scheme') === scheme",
                arg=scheme,
                timeout=10_000,
            )
        actual = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
        assert actual == scheme, f"asked for the {scheme} palette, Material shows {actual}"
        # Webfonts and emoji must be laid out before measuring or screenshotting.
        page.evaluate("document.fonts.ready.then(() => true)")
        return opened

    yield _open
    for context in contexts:
        context.close()
