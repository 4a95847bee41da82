"""Field types and the placeholder reader shared by every content model."""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]
NonEmpty = Annotated[str, Field(min_length=1)]


class Strict(BaseModel):
    """Content models refuse unknown keys (a typo is an error) and never change once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def wrong_placeholders(
    model: BaseModel, wanted: Mapping[str, set[str]], every_field: bool = False
) -> list[str]:
    """Names of the fields of ``model`` whose ``{placeholders}`` are not ``wanted[name]``.

    Only the fields named in ``wanted`` are checked, or with ``every_field`` all text fields
    (a field not named must then have none). A list of texts counts the placeholders of all
    its items; fields that hold no text (nested models, mappings) are left to their own checks.
    """
    names = type(model).model_fields if every_field else wanted
    bad = []
    for name in names:
        value = getattr(model, name)
        texts = [value] if isinstance(value, str) else value
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            continue
        found: set[str] = set().union(*(placeholders(t) for t in texts))
        if found != wanted.get(name, set()):
            bad.append(name)
    return bad


def placeholders(text: str) -> set[str]:
    """Names of the ``{placeholders}`` in ``text``, read the way ``str.format`` reads them."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        # An unbalanced brace: report it as a placeholder no string may have.
        return {"{"}
