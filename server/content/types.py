"""Field types and the placeholder reader shared by every content model."""

from __future__ import annotations

import string
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]*$")]
NonEmpty = Annotated[str, Field(min_length=1)]


class Strict(BaseModel):
    """Content models refuse unknown keys (a typo is an error) and never change once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def placeholders(text: str) -> set[str]:
    """Names of the ``{placeholders}`` in ``text``, read the way ``str.format`` reads them."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}
    except ValueError:
        # An unbalanced brace: report it as a placeholder no string may have.
        return {"{"}
