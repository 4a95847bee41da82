"""Loading ``content/<lang>.yaml`` into the models, with every problem named by file and key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from server.content.models import Content, wording_problems
from server.content.parity import parity_problems

# The C loader (libyaml) is several times faster; the pure-Python one is the fallback.
YamlLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ContentError(Exception):
    """Content that cannot be used; the message names each problem with file and key."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def read_raw(path: Path) -> dict[str, Any]:
    """The YAML of one language file as written, raising ContentError with the file."""
    name = str(path)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=YamlLoader)
    except OSError as exc:
        raise ContentError([f"{name}: cannot read: {exc.strerror}"]) from exc
    except UnicodeDecodeError as exc:
        raise ContentError([f"{name}: not UTF-8 text (bad byte at {exc.start})"]) from None
    except yaml.YAMLError as exc:
        raise ContentError([f"{name}: not valid YAML: {exc}"]) from exc
    if not isinstance(raw, dict):
        raise ContentError([f"{name}: top level must be a mapping"])
    return raw


def load_file(path: Path, raw: dict[str, Any] | None = None) -> Content:
    """Load and validate one language file, raising ContentError with file and key."""
    name = str(path)
    if raw is None:
        raw = read_raw(path)
    try:
        content = Content.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]) or "(top level)"
            problems.append(f"{name}: {key}: {err['msg']}")
        raise ContentError(problems) from None
    problems = wording_problems(content, name)
    if content.language != path.stem:
        problems.append(f"{name}: language: {content.language!r} must match the file name")
    if problems:
        raise ContentError(problems)
    return content


def load_all(content_dir: Path, default_language: str = "en") -> dict[str, Content]:
    """Every ``<lang>.yaml`` in the folder, by language code; all problems reported at once.

    Each language must have exactly the keys of ``default_language`` (``server.content.parity``),
    so a key added to English is named in every other language until it is translated.
    """
    contents: dict[str, Content] = {}
    raws: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    files = sorted(content_dir.glob("*.yaml"))
    if not files:
        raise ContentError([f"{content_dir}: no <lang>.yaml content files"])
    for path in files:
        try:
            raws[path.stem] = read_raw(path)
            contents[path.stem] = load_file(path, raws[path.stem])
        except ContentError as exc:
            problems.extend(exc.problems)
    problems += parity_problems(raws, {p.stem: str(p) for p in files}, default_language)
    if problems:
        raise ContentError(problems)
    return contents
