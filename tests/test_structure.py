"""The shape of the house: imports go one way, modules stay small, ids and URLs have one owner."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from server.config import ROOT
from server.content.perspective import PERSPECTIVES

SERVER = ROOT / "server"
# The one module that spells the perspectives ("you", "they"); the content files, which are
# not Python, spell them too.
PERSPECTIVE_MODULE = SERVER / "content" / "perspective.py"
MAX_MODULE_LINES = 400  # the "about 400", held to exactly


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


def test_the_cycle_finder_finds_cycles() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_layers_import_downwards_only() -> None:
    """content <- rules (screening, session) <- web <- views <- app; narration is a leaf."""
    graph = import_graph()
    for name, edges in graph.items():
        if name.startswith("server.narration"):
            outside = {m for m in edges if not m.startswith("server.narration")}
            assert not outside, f"{name} must import nothing else from server: {outside}"
        if name.startswith("server.content"):
            above = {m for m in edges if not m.startswith("server.content")}
            assert not above, f"{name} imports from layers above content: {above}"
        if name in ("server.screening.rule", "server.speech.script", "server.session.gate"):
            above = {m for m in edges if m.startswith(("server.web", "server.app"))}
            above |= {m for m in edges if m.endswith(".views")}
            assert not above, f"{name} is a rule and must not import views: {above}"


def test_no_server_module_is_over_about_400_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in SERVER.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, long


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
