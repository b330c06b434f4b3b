"""The import contract: kurilsim's layers import only downwards, and no module imports in a cycle.

Layers, lowest first::

    0  kurilsim.core, kurilsim.io     errors, expressions, schema, display; file formats
    1  kurilsim.forms                 each game form: scenario, game, solvers, result
    2  kurilsim.solving               one entry that solves any scenario
    3  kurilsim.sweeps                sweeps over parameters and their results
    4  kurilsim.analysis              comparison, blocking, explanation, backtests, tipping points
    5  kurilsim.presentation          figures and widgets (matplotlib, ipywidgets)
    6  kurilsim.cli, kurilsim (the package's __init__), kurilsim.__main__

A module may import from its own layer and lower ones, and no modules may import each other in a
cycle, within a layer or across. Every import counts: at module level, inside functions and under
``TYPE_CHECKING``. Imports are read from the source with :mod:`ast`, so the check needs no import
of kurilsim and sees imports that only run when called. ``from a.b import c`` imports the module
``a.b.c`` if there is one, else ``a.b``; relative imports are resolved. The packages above an
imported module (whose ``__init__`` Python also runs) are not counted, as in grimp.

A failure lists each import as ``module -> imported (layer a -> layer b)``, or each cycle as
``a -> b -> a``. An import that cannot be removed yet goes into :data:`KNOWN_VIOLATIONS` with the
reason; its cycles are then not reported either.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

#: Each layer's packages or modules, lowest first; a module is in the layer of its longest prefix.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("kurilsim.core", "kurilsim.io"),
    ("kurilsim.forms",),
    ("kurilsim.solving",),
    ("kurilsim.sweeps",),
    ("kurilsim.analysis",),
    ("kurilsim.presentation",),
    ("kurilsim.cli", "kurilsim", "kurilsim.__main__"),
)

#: Imports that break the contract today, as ``"module -> imported": "why it is still there"``.
#: The list may only shrink: an entry whose import is gone fails the test until it is removed.
#: None is left; add one only with a reason that names the change that will remove it.
KNOWN_VIOLATIONS: dict[str, str] = {}


def module_files(root: Path, package: str) -> dict[str, Path]:
    """Every module of ``package`` under ``root`` (a src directory), by dotted name."""
    files = {}
    for path in sorted((root / package).rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        files[".".join(parts)] = path
    return files


def _known(name: str, modules: Mapping[str, Path]) -> str | None:
    """The module ``name`` refers to: itself, or its longest prefix that is a module."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str, path: Path, modules: Mapping[str, Path]) -> Iterator[str]:
    """The package's modules that ``module`` imports, anywhere in its source."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _known(alias.name, modules)
                if target is not None:
                    yield target
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            for alias in node.names:
                target = _known(f"{base}.{alias.name}", modules)  # a submodule, or a name in base
                if target is not None:
                    yield target


def import_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Each module's imports of other modules of the package."""
    modules = module_files(root, package)
    return {
        module: set(imports_of(module, path, modules)) - {module}
        for module, path in modules.items()
    }


def layer_of(module: str, layers: tuple[tuple[str, ...], ...]) -> int:
    """The layer of ``module``: that of the longest name in ``layers`` it is or lies under.

    The top-level package (a name without a dot) stands for its ``__init__`` alone.
    """
    best, found = -1, -1
    for number, prefixes in enumerate(layers):
        for prefix in prefixes:
            under = "." in prefix and module.startswith(prefix + ".")
            if (module == prefix or under) and len(prefix) > best:
                best, found = len(prefix), number
    if found < 0:
        raise AssertionError(f"{module} is in no layer; add it to LAYERS")
    return found


def layer_violations(
    graph: Mapping[str, set[str]], layers: tuple[tuple[str, ...], ...]
) -> list[str]:
    """Every import of a higher layer, as ``module -> imported (layer a -> layer b)``."""
    found = []
    for module in sorted(graph):
        own = layer_of(module, layers)
        for target in sorted(graph[module]):
            other = layer_of(target, layers)
            if other > own:
                found.append(f"{module} -> {target} (layer {own} -> layer {other})")
    return found


def cycles(graph: Mapping[str, set[str]]) -> list[str]:
    """One cycle through each strongly connected group of modules, as ``a -> b -> a``."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(module: str) -> None:  # Tarjan's strongly connected components
        index[module] = low[module] = len(index)
        stack.append(module)
        for target in sorted(graph.get(module, ())):
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return [" -> ".join(_cycle_through(group, graph)) for group in sorted(groups)]


def _cycle_through(group: list[str], graph: Mapping[str, set[str]]) -> list[str]:
    """A shortest cycle from the group's first module back to it, inside the group."""
    start, members = group[0], set(group)
    paths = {start: [start]}
    queue = [start]
    while queue:
        module = queue.pop(0)
        for target in sorted(graph[module] & members):
            if target == start:
                return [*paths[module], start]
            if target not in paths:
                paths[target] = [*paths[module], target]
                queue.append(target)
    raise AssertionError(f"no cycle through {start}")  # a strongly connected group has one


def without_known(graph: Mapping[str, set[str]], known: Mapping[str, str]) -> dict[str, set[str]]:
    """The graph without the imports listed in ``known`` (as ``module -> imported``)."""
    return {
        module: {target for target in targets if f"{module} -> {target}" not in known}
        for module, targets in graph.items()
    }


@pytest.fixture(scope="module")
def graph():
    return import_graph(SRC, "kurilsim")


def test_every_module_is_in_a_layer(graph):
    for module in graph:
        layer_of(module, LAYERS)


def test_layers_import_only_downwards(graph):
    violations = layer_violations(without_known(graph, KNOWN_VIOLATIONS), LAYERS)
    assert not violations, "imports of a higher layer:\n" + "\n".join(violations)


def test_no_import_cycles(graph):
    found = cycles(without_known(graph, KNOWN_VIOLATIONS))
    assert not found, "import cycles:\n" + "\n".join(found)


def test_known_violations_still_exist(graph):
    edges = {f"{module} -> {target}" for module, targets in graph.items() for target in targets}
    gone = sorted(set(KNOWN_VIOLATIONS) - edges)
    assert not gone, "fixed; remove from KNOWN_VIOLATIONS:\n" + "\n".join(gone)


# The checker itself, on a small package with planted faults.


def write_package(root: Path, files: Mapping[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


PLANTED_LAYERS = (("pkg.low",), ("pkg.high", "pkg"))


def test_checker_catches_imports_in_functions_and_under_type_checking(tmp_path):
    write_package(
        tmp_path,
        {
            "pkg/__init__.py": "from pkg.high import view\n",
            "pkg/low/__init__.py": "",
            "pkg/low/model.py": """\
                from typing import TYPE_CHECKING
                if TYPE_CHECKING:
                    from ..high.view import View
                def draw():
                    import pkg.high.view
                """,
            "pkg/low/clean.py": "from . import model\nfrom pkg.low.model import draw\n",
            "pkg/high/__init__.py": "",
            "pkg/high/view.py": "from pkg.low import model\nclass View: ...\n",
        },
    )
    graph = import_graph(tmp_path, "pkg")
    assert graph["pkg.low.model"] == {"pkg.high.view"}
    assert graph["pkg.low.clean"] == {"pkg.low.model"}
    assert graph["pkg"] == {"pkg.high.view"}
    assert layer_violations(graph, PLANTED_LAYERS) == [
        "pkg.low.model -> pkg.high.view (layer 0 -> layer 1)"
    ]
    assert cycles(graph) == ["pkg.high.view -> pkg.low.model -> pkg.high.view"]
    known = {"pkg.low.model -> pkg.high.view": "planted"}
    assert layer_violations(without_known(graph, known), PLANTED_LAYERS) == []
    assert cycles(without_known(graph, known)) == []


def test_checker_finds_cycles_within_a_layer(tmp_path):
    write_package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/low/__init__.py": "",
            "pkg/low/a.py": "def f():\n    from pkg.low.b import g\n",
            "pkg/low/b.py": "from .c import h\n",
            "pkg/low/c.py": "from . import a\n",
        },
    )
    graph = import_graph(tmp_path, "pkg")
    assert layer_violations(graph, PLANTED_LAYERS) == []
    assert cycles(graph) == ["pkg.low.a -> pkg.low.b -> pkg.low.c -> pkg.low.a"]


def test_checker_names_a_module_outside_every_layer(tmp_path):
    write_package(tmp_path, {"pkg/__init__.py": "", "pkg/stray.py": ""})
    graph = import_graph(tmp_path, "pkg")
    with pytest.raises(AssertionError, match=r"pkg\.stray is in no layer"):
        layer_violations(graph, PLANTED_LAYERS)
    assert set(graph) == {"pkg", "pkg.stray"}
