"""Loading ``content/<lang>.yaml`` into the models, with every problem named by file and key."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from server.content.models import Content, wording_problems

# The C loader (libyaml) is several times faster; the pure-Python one is the fallback.
YamlLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class ContentError(Exception):
    """Content that cannot be used; the message names each problem with file and key."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def load_file(path: Path) -> Content:
    """Load and validate one language file, raising ContentError with file and key."""
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


def load_all(content_dir: Path) -> dict[str, Content]:
    """Every ``<lang>.yaml`` in the folder, by language code; all problems reported at once."""
    contents: dict[str, Content] = {}
    problems: list[str] = []
    files = sorted(content_dir.glob("*.yaml"))
    if not files:
        raise ContentError([f"{content_dir}: no <lang>.yaml content files"])
    for path in files:
        try:
            contents[path.stem] = load_file(path)
        except ContentError as exc:
            problems.extend(exc.problems)
    if problems:
        raise ContentError(problems)
    return contents
