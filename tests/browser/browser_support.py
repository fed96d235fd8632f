"""What the browser tests share: the pages under test, colour arithmetic (WCAG 2.x)
and in-page probes."""

from __future__ import annotations

import contextlib
import functools
import http.server
import re
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "build" / "screenshots"
# A playbook written blind from the format: a journey of 6 stages and 20 steps.
BLIND20 = ROOT / "tests" / "fixtures" / "blind20"

# The pages under test: one of each kind, chosen because they are the busiest
# of the example (two personas, the widest channel use).
PAGES = {
    "journey": "playbook/journeys/kinh-da-trong-cho-bo/",
    "wide-journey": "playbook/journeys/b2b-uniform-contract/",  # tests/fixtures/browser
    "persona": "playbook/personas/lan/",
    "channel": "playbook/channels/store/",
    # Living maps: a future journey's comparison, the overview's review and evidence lists.
    "compare": "playbook/journeys/mua-kinh-ram-da-kenh-2027/",
    "overview": "playbook/",
}
WIDTHS = {"desktop": 1280, "phone": 390}
HEIGHTS = {"desktop": 800, "phone": 844}
# Material picks the palette whose media query matches when the reader has not
# chosen one, so the OS colour scheme selects "default" or "slate".
SCHEMES = {"default": "light", "slate": "dark"}


@dataclass
class Opened:
    """A page loaded in a fresh context, with everything it reported as an error."""

    page: Any
    errors: list[str] = field(default_factory=list)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextlib.contextmanager
def serve_folder(path: Path) -> Iterator[str]:
    """Serve the files of `path` over HTTP on 127.0.0.1 (a free port) from a thread,
    yielding the server's URL ('http://127.0.0.1:PORT/'). The folder may be built after
    the server starts, for a site that must name its server in `site_url`."""
    handler = functools.partial(_QuietHandler, directory=str(path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def screenshot_path(name: str, width: int, scheme: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS / f"{name}-{width}-{scheme}.png"


RGBA = tuple[float, float, float, float]

_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?%?"


def _channel(token: str, scale: float) -> float:
    if token.endswith("%"):
        return float(token[:-1]) / 100 * scale
    return float(token)


def parse_colour(text: str) -> RGBA | None:
    """A computed CSS colour as (r, g, b in 0..255, alpha 0..1); None for `none`.

    Chromium serialises computed colours as rgb()/rgba(), or as color(srgb ...)
    when they come from color-mix().
    """
    text = text.strip()
    if text in ("none", "") or text.startswith("url("):
        return None
    if text == "transparent":
        return (0.0, 0.0, 0.0, 0.0)
    numbers = re.findall(_NUMBER, text)
    if text.startswith("rgb"):
        r, g, b = (_channel(n, 255) for n in numbers[:3])
        alpha = _channel(numbers[3], 1) if len(numbers) > 3 else 1.0
        return (r, g, b, alpha)
    if text.startswith("color(srgb"):
        r, g, b = (_channel(n, 1) * 255 for n in numbers[:3])
        alpha = _channel(numbers[3], 1) if len(numbers) > 3 else 1.0
        return (r, g, b, alpha)
    raise ValueError(f"colour format not understood: {text!r}")


def over(top: RGBA, bottom: RGBA) -> RGBA:
    """`top` painted over an opaque `bottom`."""
    alpha = top[3]
    return (
        top[0] * alpha + bottom[0] * (1 - alpha),
        top[1] * alpha + bottom[1] * (1 - alpha),
        top[2] * alpha + bottom[2] * (1 - alpha),
        1.0,
    )


def flatten(layers: Sequence[RGBA | None], base: RGBA = (255.0, 255.0, 255.0, 1.0)) -> RGBA:
    """Layers listed bottom to top, composited over `base` (the browser's white canvas)."""
    colour = base
    for layer in layers:
        if layer is not None:
            colour = over(layer, colour)
    return colour


def luminance(colour: RGBA) -> float:
    def linear(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    r, g, b, _ = colour
    return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)


def contrast(first: RGBA, second: RGBA) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


# For every <text> of the visible diagrams and charts: its fill, and the fills of
# the shapes painted before it that cover its centre (in paint order), and the
# backgrounds of the page under the SVG (outermost first). Containment is
# decided by the browser (isPointInFill), so rounded boxes, circles and
# transformed groups are all handled the same way.
SVG_TEXT_PROBE = """
(selector) => {
  const shapes = "path, polygon, rect, circle, ellipse";
  const out = [];
  const backgrounds = (element) => {
    const chain = [];
    for (let node = element; node; node = node.parentElement) {
      chain.unshift(getComputedStyle(node).backgroundColor);
    }
    return chain;
  };
  for (const svg of document.querySelectorAll(selector)) {
    if (!svg.getBoundingClientRect().width) continue;
    const page = backgrounds(svg.parentElement);
    const candidates = [...svg.querySelectorAll(shapes)];
    for (const text of svg.querySelectorAll("text")) {
      const box = text.getBoundingClientRect();
      if (!box.width || !text.textContent.trim()) continue;
      const point = new DOMPoint(box.x + box.width / 2, box.y + box.height / 2);
      const layers = [];
      for (const shape of candidates) {
        if (!(shape.compareDocumentPosition(text) & Node.DOCUMENT_POSITION_FOLLOWING)) continue;
        const style = getComputedStyle(shape);
        if (style.fill === "none" || style.visibility === "hidden") continue;
        const local = point.matrixTransform(shape.getScreenCTM().inverse());
        if (shape.isPointInFill(local)) {
          layers.push({fill: style.fill, opacity: parseFloat(style.fillOpacity) * parseFloat(style.opacity)});
        }
      }
      const style = getComputedStyle(text);
      out.push({
        svg: svg.id || svg.getAttribute("class"),
        text: text.textContent.trim(),
        fill: style.fill,
        opacity: parseFloat(style.fillOpacity) * parseFloat(style.opacity),
        layers,
        page,
      });
    }
  }
  return out;
}
"""


def with_opacity(colour: RGBA | None, opacity: float) -> RGBA | None:
    if colour is None:
        return None
    return (colour[0], colour[1], colour[2], colour[3] * opacity)


def text_contrasts(probe: list[dict[str, object]]) -> list[tuple[float, str]]:
    """(contrast ratio, description) of every probed SVG text against what is behind it."""
    results = []
    for item in probe:
        page = [parse_colour(str(colour)) for colour in item["page"]]  # type: ignore[attr-defined]
        behind = flatten(
            [
                *page,
                *(
                    with_opacity(parse_colour(layer["fill"]), layer["opacity"])
                    for layer in item["layers"]  # type: ignore[attr-defined]
                ),
            ]
        )
        fill = with_opacity(parse_colour(str(item["fill"])), float(item["opacity"]))  # type: ignore[arg-type]
        assert fill is not None, f"text without a fill: {item}"
        ratio = contrast(over(fill, behind), behind)
        results.append((ratio, f"{item['svg']}: {item['text']!r} fill {item['fill']}"))
    return results
