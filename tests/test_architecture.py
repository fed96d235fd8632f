"""The package's layering, as ARCHITECTURE.md states it: `core/` never imports MkDocs
or anything above it, only `glue/` imports MkDocs, no module imports one that imports
it back (counting imports inside functions: moving an import into a function hides a
circle, it does not remove it), and no module grows past what one reader holds."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mkdocs_cjm"
HOSTS = ("mkdocs", "material", "properdocs", "zensical", "pymdownx", "markdown")
# What each layer may import of the package: lower layers only.
LAYERS = {
    "core": {"core"},
    "render": {"core", "render"},
    "sections": {"core", "render", "sections", "site"},
    "site": {"core", "render", "sections", "site"},
    "glue": {"core", "render", "sections", "site", "glue"},
}
MAX_LINES = 550


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def imports_of(path: Path) -> set[str]:
    """Every module `path` imports at run time (under `if TYPE_CHECKING:` excluded)."""
    tree = ast.parse(path.read_text("utf-8"))
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if _type_checking_only(node):
            skipped |= {id(child) for child in ast.walk(node)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def package_graph() -> dict[str, set[str]]:
    known = modules()
    return {
        name: {target for target in imports_of(path) if target in known and target != name}
        for name, path in known.items()
    }


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) >= 2 and parts[1] in LAYERS else None


def test_only_the_glue_imports_a_host() -> None:
    offenders = {
        name: sorted(t for t in imports_of(path) if t.split(".")[0] in HOSTS)
        for name, path in modules().items()
        if layer_of(name) != "glue" and name != "mkdocs_cjm.fence"
    }
    assert {name: found for name, found in offenders.items() if found} == {}


def test_each_layer_imports_only_the_layers_below() -> None:
    wrong = {}
    for name, targets in package_graph().items():
        layer = layer_of(name)
        if layer is None:
            continue
        bad = sorted(t for t in targets if (layer_of(t) or "top") not in LAYERS[layer])
        if bad:
            wrong[name] = bad
    assert wrong == {}


def test_no_import_circles() -> None:
    graph = package_graph()
    # A package's __init__ importing its own modules is how a package is made.
    for name in graph:
        graph[name] = {t for t in graph[name] if not t.startswith(name + ".")}
    circles = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                circles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert circles == []


@pytest.mark.parametrize("name", sorted(modules()))
def test_no_module_over_the_limit(name: str) -> None:
    lines = len(modules()[name].read_text("utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines: split it by job"
