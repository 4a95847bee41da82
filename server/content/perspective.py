"""Who a text is said to: the person answering for themselves, or a carer answering for them.

``Perspective`` is a ``StrEnum``: its values are the very strings that name a perspective in
the session cookie, form fields, query parameters, clip ids, track names, manifests, rules.json
and templates, so a member can stand wherever one of those strings stood. They are spelled
here only; a test holds the rest of ``server`` to that.
"""

from __future__ import annotations

from enum import StrEnum


class Perspective(StrEnum):
    """The person themselves (``YOU``) or a carer about the person they help (``THEY``)."""

    YOU = "you"
    THEY = "they"

    def __repr__(self) -> str:
        # Reads back as its string: a session script's key is a hash of its repr, and the
        # narration library's tracks keep the keys they were made with.
        return repr(self.value)

    @classmethod
    def parse(cls, value: object) -> Perspective | None:
        """``value`` (a form field, a query parameter) as a perspective, or None."""
        if not isinstance(value, str):
            return None
        try:
            return cls(value)
        except ValueError:
            return None

    @classmethod
    def of(cls, value: object) -> Perspective:
        """The perspective a session holds: the carer's only when it says so, else the person's."""
        return cls.THEY if value == cls.THEY else cls.YOU


# Every perspective, the person's first (the order of clips, tracks and rules.json).
PERSPECTIVES: tuple[Perspective, ...] = tuple(Perspective)
