"""Every language says everything the default language says: the same keys, nothing more.

Each language file's key tree is compared with the default language's (``en``), on the YAML as
written (before the models fill in defaults, so an optional key left out is still named):

- a mapping must have the same keys: a missing one and an extra one are both named, by path;
- a list whose items all have an ``id`` (questions, groups, plans, checks, feelings) must have
  the same ids in the same order, and is then compared item by item (``questions[glaucoma]``);
- any other list (paragraphs, next steps, spoken lines) must have the same length, so no
  clinical step or spoken line is lost in translation;
- what is not words must not change: numbers, true/false, ids and codes (``level``,
  ``group``, ``stop_on``, ``gentler``) equal the default language's, so a translation can never
  change an angle, a pause or the level a "Yes" leads to;
- a text must carry the same ``{placeholders}``.

The keys that describe the language itself (``LANGUAGE_OWN``) are not compared.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from server.content.types import placeholders

# Keys that belong to one language and are not translations of the default language's.
LANGUAGE_OWN = frozenset(
    {"language", "language_name", "reviewed", "voice", "direction", "wording_check"}
)
# Text values that are codes, not words: the same in every language.
CODES = frozenset({"id", "group", "level", "stop_on", "gentler"})


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a text"
    return "a value"


def _ids(items: list[Any]) -> list[str] | None:
    """The items' ids when every item is a mapping with an ``id``, else None."""
    if items and all(isinstance(i, dict) and "id" in i for i in items):
        return [str(i["id"]) for i in items]
    return None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def key_problems(
    reference: Any, other: Any, path: str = "", reference_name: str = "en.yaml"
) -> list[str]:
    """``path: problem`` for every way ``other`` differs in shape from ``reference``."""
    where = path or "(top level)"
    if _kind(reference) != _kind(other):
        return [f"{where}: is {_kind(other)} here, but {_kind(reference)} in {reference_name}"]
    if isinstance(reference, dict):
        problems = []
        for key in reference:
            if not path and key in LANGUAGE_OWN:
                continue
            if key not in other:
                problems.append(f"{_join(path, str(key))}: missing (it is in {reference_name})")
            else:
                problems += key_problems(
                    reference[key], other[key], _join(path, str(key)), reference_name
                )
        for key in other:
            if key not in reference and not (not path and key in LANGUAGE_OWN):
                problems.append(f"{_join(path, str(key))}: not in {reference_name} (extra key)")
        return problems
    if isinstance(reference, list):
        return _list_problems(reference, other, path, reference_name)
    last = path.rsplit(".", 1)[-1]
    if isinstance(reference, str) and last not in CODES:
        if placeholders(reference) != placeholders(other):
            want = ", ".join(sorted(placeholders(reference))) or "none"
            return [f"{where}: placeholders must be the same as in {reference_name} ({want})"]
        return []
    if reference != other:
        return [f"{where}: must be {reference!r} as in {reference_name} (not words), not {other!r}"]
    return []


def _list_problems(reference: list[Any], other: list[Any], path: str, ref: str) -> list[str]:
    ref_ids, other_ids = _ids(reference), _ids(other)
    if ref_ids is not None:
        if other_ids is None:
            return [f"{path}: every item needs an id, as in {ref}"]
        problems = [f"{path}[{i}]: missing (it is in {ref})" for i in ref_ids if i not in other_ids]
        problems += [
            f"{path}[{i}]: not in {ref} (extra item)" for i in other_ids if i not in ref_ids
        ]
        if not problems and ref_ids != other_ids:
            problems.append(f"{path}: the ids must be in the same order as in {ref}")
        by_id = dict(zip(other_ids, other, strict=True))
        for item_id, item in zip(ref_ids, reference, strict=True):
            if item_id in by_id:
                problems += key_problems(item, by_id[item_id], f"{path}[{item_id}]", ref)
        return problems
    if len(reference) != len(other):
        return [f"{path}: has {len(other)} items, but {len(reference)} in {ref}"]
    problems = []
    for n, (a, b) in enumerate(zip(reference, other, strict=True)):
        problems += key_problems(a, b, f"{path}[{n}]", ref)
    return problems


def parity_problems(
    raw: dict[str, dict[str, Any]], files: dict[str, str], default_language: str
) -> list[str]:
    """``file: key: problem`` for every language whose keys differ from the default's."""
    reference = raw.get(default_language)
    if reference is None:
        return []
    reference_name = Path(files[default_language]).name
    problems = []
    for lang in sorted(raw):
        if lang == default_language:
            continue
        for problem in key_problems(reference, raw[lang], "", reference_name):
            problems.append(f"{files[lang]}: {problem}")
    return problems
