"""The shape of the house: imports go one way between modules and between packages, modules
are about one concept (their size is a guide), ids and URLs have one owner."""

from __future__ import annotations

import ast
import re
import warnings
from pathlib import Path

import pytest

from server.config import ROOT
from server.content.perspective import PERSPECTIVES

SERVER = ROOT / "server"
# The one module that spells the perspectives ("you", "they"); the content files, which are
# not Python, spell them too.
PERSPECTIVE_MODULE = SERVER / "content" / "perspective.py"
MAX_MODULE_LINES = 400  # a guide (issue 24): past it, a warning, not a failure
# The units of server/, bottom layer first: a package, or a module at the root. A unit imports
# only from layers below its own (so the leaves of the first layer import nothing of server).
LAYERS: tuple[tuple[str, ...], ...] = (
    ("config", "build_stamp", "content", "narration"),
    ("speech",),  # what is said and under which id
    ("http", "screening"),  # HTTP plumbing; the screening's rule
    ("session",),  # the session's rules and tracks
    ("web",),  # the request toolkit
    ("page_cache", "audio_watch"),
    ("views", "offline", "export"),  # the handlers
    ("app",),
    ("cli",),
    ("__main__",),
)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def server_imports(path: Path) -> set[str]:
    """Every ``server.*`` module ``path`` imports, at any depth (function-local ones too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    )
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("server")}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            if not base.startswith("server"):
                continue
            # ``from server.speech import texts`` imports the module server.speech.texts; ``from
            # server.web import render`` imports server.web.
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                is_module = (ROOT / Path(*candidate.split("."))).with_suffix(".py").exists() or (
                    ROOT / Path(*candidate.split(".")) / "__init__.py"
                ).exists()
                found.add(candidate if is_module else base)
    return found


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in SERVER.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        # Importing a.b always runs a/__init__ first; that is how packages work, not a cycle.
        edges = {
            m
            for m in server_imports(path)
            if m in modules and m != name and not name.startswith(m + ".")
        }
        graph[name] = edges
    return graph


def unit_of(module: str) -> str:
    """The package (or root module) of server that ``module`` belongs to."""
    return ".".join(module.split(".")[:2])


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    """``graph`` between units (packages, and the modules at the root): a unit imports another
    when any of its modules imports any of the other's."""
    units: dict[str, set[str]] = {}
    for name, edges in graph.items():
        unit = unit_of(name)
        units.setdefault(unit, set()).update(u for m in edges if (u := unit_of(m)) != unit)
    return units


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_server_imports_have_no_cycle() -> None:
    graph = import_graph()
    assert "server.speech.texts" in graph["server.app"]  # the graph really was read
    cycle = find_cycle(graph)
    assert cycle is None, " -> ".join(cycle or [])


def test_server_packages_have_no_cycle() -> None:
    """No two packages import each other, even through different modules."""
    units = package_graph(import_graph())
    assert "server.speech" in units["server.session"]  # the graph really was read
    cycle = find_cycle(units)
    assert cycle is None, " -> ".join(cycle or [])


def test_the_cycle_finder_finds_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_package_cycle_finder_finds_cycles() -> None:
    """Modules without a cycle can still make one between their packages."""
    modules = {
        "server.a.one": {"server.b.one"},
        "server.b.one": set(),
        "server.b.two": {"server.a.two"},
        "server.a.two": set(),
        "server.c": {"server.a.one"},
    }
    assert find_cycle(modules) is None
    units = package_graph(modules)
    assert units == {"server.a": {"server.b"}, "server.b": {"server.a"}, "server.c": {"server.a"}}
    assert find_cycle(units) == ["server.a", "server.b", "server.a"]
    assert find_cycle(package_graph({"server.a.one": {"server.b.one"}})) is None


def test_layers_import_downwards_only() -> None:
    """Each unit of server (package or root module) imports only from layers below its own:
    content, narration and config are leaves; speech <- http, screening <- session <- web <-
    the handlers (views, offline) <- app <- cli."""
    layer = {f"server.{unit}": n for n, units in enumerate(LAYERS) for unit in units}
    units = package_graph(import_graph())
    assert not set(units) - {"server"} - set(layer), "place each new unit in LAYERS"
    for unit, edges in units.items():
        if unit == "server":
            continue
        above = sorted(u for u in edges if layer[u] >= layer[unit])
        assert not above, f"{unit} imports from its own layer or above: {above}"


def long_modules(limit: int) -> dict[str, int]:
    """The modules of server/ over ``limit`` lines, with their line counts."""
    return {
        str(p.relative_to(ROOT)): n
        for p in SERVER.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > limit
    }


@pytest.mark.filterwarnings("always::UserWarning")
def test_long_modules_are_noted() -> None:
    """A module is one concept; over about 400 lines is a reason to look, not a failure: a
    warning names it (pytest's warnings summary shows it)."""
    # The measure itself works: app.py is well over 10 lines, an empty __init__.py is not.
    assert "server/app.py" in long_modules(10)
    assert "server/__init__.py" not in long_modules(10)
    for path, lines in sorted(long_modules(MAX_MODULE_LINES).items()):
        warnings.warn(f"{path} has {lines} lines: is it still one concept?", stacklevel=1)


def test_clip_ids_and_urls_are_not_assembled_outside_their_owners() -> None:
    """Clip ids are spelled in server/speech/clip_ids.py only; app URLs come from named routes."""
    clip_id = re.compile(r"""f?["'](q|outcome|session)\.[a-z{][a-z-]*[.{]""")
    url = re.compile(r"""f["']/\{""")
    offenders = []
    for path in [*SERVER.rglob("*.py"), *(ROOT / "pwa" / "templates").glob("*.html")]:
        if path.name in ("clip_ids.py", "app.py"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if clip_id.search(line) or url.search(line) or '"/" ~' in line:
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def perspective_literals(source: str) -> list[int]:
    """The lines of ``source`` with a string literal that is a whole perspective's value."""
    values = {p.value for p in PERSPECTIVES}
    return sorted(
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in values
    )


def test_perspectives_are_spelled_only_by_their_type() -> None:
    """A perspective is a ``Perspective`` (issue 24): no module of ``server`` compares with,
    stores or passes "you" or "they" as a bare string."""
    assert len(perspective_literals(PERSPECTIVE_MODULE.read_text(encoding="utf-8"))) == 2
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted(SERVER.rglob("*.py"))
        if path != PERSPECTIVE_MODULE
        for number in perspective_literals(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, "use server.content.perspective.Perspective: " + ", ".join(offenders)


def test_templates_name_perspectives_through_their_type() -> None:
    """Templates compare with, and post, ``Perspective.THEY`` (a Jinja global), never a
    quoted "you" or "they"."""
    values = "|".join(p.value for p in PERSPECTIVES)
    quoted = re.compile(rf"""["'](?:{values})["']""")
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "pwa" / "templates").glob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if quoted.search(line)
    ]
    assert not offenders, offenders


def test_the_perspective_finder_counts_whole_literals_only() -> None:
    source = (
        'x = "they" if p == \'you\' else f"{p}.they"\n'
        'y = ("you are", ".they", "they said", "You")\n'
        'z = f"they"\n'
    )
    assert perspective_literals(source) == [1, 1, 3]
