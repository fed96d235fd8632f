"""A poisoned diagram cache cannot put script into pages; cache files follow the umask
(issue 9).

A cache folder can come from elsewhere (a CI cache restored from another branch):
its checksums prove nothing, since whoever wrote the entry wrote its checksum too.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import run_build, small_journey, small_maps, write_project

from mkdocs_cjm.render.diagrams import Backend, DiagramRenderer, is_safe_svg

SVG = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
POISONS = {
    "script": f"<svg {SVG}><script>alert(1)</script></svg>\n",
    "event": f'<svg {SVG} onload="alert(1)"><g/></svg>\n',
    "javascript-link": f'<svg {SVG}><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>\n',
    "plain-href": f'<svg {SVG}><a href="javascript:alert(1)"><text>x</text></a></svg>\n',
    "external-link": f'<svg {SVG}><a xlink:href="https://evil.example/"><text>x</text></a></svg>\n',
    "foreign-object": f"<svg {SVG}><foreignObject><div>x</div></foreignObject></svg>\n",
    "style": f"<svg {SVG}><style>*{{background:url(https://evil.example)}}</style></svg>\n",
    "image": f'<svg {SVG}><image xlink:href="https://evil.example/x.png"/></svg>\n',
    "cdata": f"<svg {SVG}><title><![CDATA[<img src=x onerror=alert(1)>]]></title></svg>\n",
    "entity": (
        f'<!DOCTYPE svg [<!ENTITY x "&#60;script&#62;">]><svg {SVG}><text>&x;</text></svg>\n'
    ),
    "fill-url": f'<svg {SVG}><path fill="url(https://evil.example/#x)" d="M0 0"/></svg>\n',
    "html-namespace": '<svg xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></svg>\n',
    "not-xml": "<svg><g></svg>\n",
}


@pytest.mark.parametrize("poison", list(POISONS.values()), ids=list(POISONS))
def test_the_allowlist_refuses(poison: str) -> None:
    assert not is_safe_svg(poison)


def test_the_allowlist_accepts_what_both_backends_draw(tmp_path: Path) -> None:
    from mkdocs_cjm.core.loader import load_playbook
    from mkdocs_cjm.render.flow import flow_dot
    from mkdocs_cjm.site.i18n import labels_for

    maps = Path(__file__).resolve().parent / "fixtures" / "hostile" / "maps"
    playbook = load_playbook(maps).raise_for_errors()
    sources = [flow_dot(journey, playbook, labels_for("en")) for journey in playbook.journeys]
    backends = [Backend.WASM] + ([Backend.DOT] if os.path.exists("/usr/bin/dot") else [])
    for backend in backends:
        for svg in DiagramRenderer(backend, None).render_all(sources):
            assert is_safe_svg(svg)


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("??/*.svg"))


def poison(entry: Path, body: str) -> None:
    checksum = hashlib.sha256(body.encode()).hexdigest()
    entry.write_text(f"<!-- cjm:sha256={checksum} -->\n{body}", "utf-8")


@pytest.mark.parametrize("name", ["script", "event", "javascript-link", "cdata"])
def test_a_poisoned_entry_is_rendered_again_not_inlined(tmp_path: Path, name: str) -> None:
    project = write_project(tmp_path / "project", small_maps({"alpha": small_journey("Alpha")}))
    first = run_build(project, tmp_path / "site1")
    assert first.returncode == 0, first.output
    clean = first.html("playbook/journeys/alpha/")
    (entry,) = entries(project / ".cache" / "cjm")
    poison(entry, POISONS[name])

    second = run_build(project, tmp_path / "site2")
    assert second.returncode == 0, second.output
    page = second.html("playbook/journeys/alpha/")
    assert "alert(1)" not in page and "<script>alert" not in page
    assert page == clean
    assert "alert(1)" not in entry.read_text("utf-8"), "the poisoned entry was not replaced"


@pytest.fixture
def umask() -> Iterator[None]:
    previous = os.umask(0o022)
    os.umask(previous)
    yield
    os.umask(previous)


@pytest.mark.usefixtures("umask")
@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_cache_files_follow_the_umask(tmp_path: Path, mask: int) -> None:
    os.umask(mask)
    cache = tmp_path / "cache"
    # wasm writes the compiled module too; both go through the one cache writer.
    backend = Backend.WASM if mask == 0o077 else Backend.AUTO
    DiagramRenderer(backend, cache).render("digraph { a -> b }")
    files = [path for path in cache.rglob("*") if path.is_file()]
    assert len(files) == (2 if backend is Backend.WASM else 1)
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask, path
