"""Real-browser fixtures: the example playbook built with --strict, served on 127.0.0.1,
and Debian's Chromium driven by Playwright.

Every test here shares one xdist worker (group "browser"), so the site is built,
served and the browser launched once per run.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "build" / "screenshots"

# The pages under test: one of each kind, chosen because they are the busiest
# of the example (two personas, the widest channel use).
PAGES = {
    "journey": "playbook/journeys/kinh-da-trong-cho-bo/",
    "persona": "playbook/personas/lan/",
    "channel": "playbook/channels/store/",
}
WIDTHS = {"desktop": 1280, "phone": 390}
HEIGHTS = {"desktop": 800, "phone": 844}
# Material picks the palette whose media query matches when the reader has not
# chosen one, so the OS colour scheme selects "default" or "slate".
SCHEMES = {"default": "light", "slate": "dark"}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: run `make browser-deps` as root (apt install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("playwright is not installed: pip install -e '.[test]'")
    return CHROMIUM


@pytest.fixture(scope="session")
def site_url(chromium_path: Path, example_site: Any) -> Iterator[str]:
    """The strictly built example site over HTTP (Material's search worker and
    instant navigation need http://, not file://)."""
    handler = functools.partial(_QuietHandler, directory=str(example_site.site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


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


@dataclass
class Opened:
    """A page loaded in a fresh context, with everything it reported as an error."""

    page: Any
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def open_page(browser: Any, site_url: str) -> Iterator[Callable[..., Opened]]:
    contexts: list[Any] = []

    def _open(
        path: str,
        *,
        width: int = WIDTHS["desktop"],
        scheme: str = "default",
        query: str = "",
    ) -> Opened:
        context = browser.new_context(
            viewport={"width": width, "height": HEIGHTS["phone" if width < 600 else "desktop"]},
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
        page.goto(site_url + path + query, wait_until="networkidle")
        actual = page.evaluate("document.body.getAttribute('data-md-color-scheme')")
        assert actual == scheme, f"asked for the {scheme} palette, Material shows {actual}"
        # Webfonts and emoji must be laid out before measuring or screenshotting.
        page.evaluate("document.fonts.ready.then(() => true)")
        return opened

    yield _open
    for context in contexts:
        context.close()


def screenshot_path(name: str, width: int, scheme: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}-{width}-{scheme}.png"
