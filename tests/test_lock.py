"""uv.lock is what pyproject.toml asks for, so the scripts install what the code was tested with.

`scripts/check` runs `uv lock --check` too; this test needs no uv and runs in the fast loop.
After a change to pyproject.toml's dependencies: `scripts/lock`, then commit uv.lock.
"""

from __future__ import annotations

import tomllib
from typing import Any

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from server.config import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
LOCK = tomllib.loads((ROOT / "uv.lock").read_text(encoding="utf-8"))
PROJECT = canonicalize_name(PYPROJECT["project"]["name"])

# Libraries whose internals the code relies on: each keeps an upper bound (pyproject.toml says
# where), so a lock update never crosses a minor release nobody has checked.
BOUNDED = {"starlette": "server/page_cache.py", "uvicorn": "server/http/connections.py"}
BOUNDED["gtts"] = "server/narration/gtts_engine.py"

Key = tuple[str, str, str, str]  # name, extras, specifier, extra it belongs to ("" for none)


def declared() -> set[Key]:
    """Every dependency in pyproject.toml, with the extra it belongs to."""
    project = PYPROJECT["project"]
    found = {key(Requirement(text), "") for text in project["dependencies"]}
    for extra, texts in project.get("optional-dependencies", {}).items():
        found |= {key(Requirement(text), extra) for text in texts}
    return found


def key(req: Requirement, extra: str) -> Key:
    extras = ",".join(sorted(req.extras))
    return (canonicalize_name(req.name), extras, str(SpecifierSet(str(req.specifier))), extra)


def locked_project() -> dict[str, Any]:
    (package,) = [p for p in LOCK["package"] if p["name"] == PROJECT]
    found: dict[str, Any] = package
    return found


def recorded() -> set[Key]:
    """The project's dependencies as uv.lock recorded them when it was made."""
    found: set[Key] = set()
    for item in locked_project()["metadata"]["requires-dist"]:
        marker = item.get("marker", "")
        extra = marker.removeprefix("extra == '").removesuffix("'") if marker else ""
        extras = ",".join(sorted(item.get("extras", [])))
        spec = str(SpecifierSet(item.get("specifier", "")))
        found.add((canonicalize_name(item["name"]), extras, spec, extra))
    return found


def test_the_lock_records_pyproject_dependencies() -> None:
    missing, stale = declared() - recorded(), recorded() - declared()
    assert not missing and not stale, (
        f"pyproject.toml and uv.lock disagree (run scripts/lock): only in pyproject.toml "
        f"{sorted(missing)}, only in uv.lock {sorted(stale)}"
    )


def test_each_locked_version_is_within_pyproject_range() -> None:
    versions: dict[str, list[Version]] = {}
    for package in LOCK["package"]:
        versions.setdefault(package["name"], []).append(Version(package["version"]))
    for name, _, spec, _ in declared():
        assert name in versions, f"{name} is not in uv.lock (run scripts/lock)"
        for version in versions[name]:
            assert version in SpecifierSet(spec), f"uv.lock has {name} {version}, not {spec}"


def test_libraries_used_through_their_internals_have_an_upper_bound() -> None:
    for name, user in BOUNDED.items():
        (spec,) = [s for n, _, s, extra in declared() if n == name and not extra]
        assert any(s.operator in ("<", "<=", "==", "~=") for s in SpecifierSet(spec)), (
            f"{name} needs an upper bound in pyproject.toml: {user} relies on its internals"
        )
