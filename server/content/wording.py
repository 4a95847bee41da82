"""The wording check: words the product must never use about a person's fitness to invert, and
how a sentence names the number to call in an emergency.

English's words are checked in every language (a new language starts as a copy of en.yaml). A
language adds its own words, the phrases that deny clearance, and how it names "the emergency
number", in its content file under ``wording_check``, so adding a language needs no code.
"""

from __future__ import annotations

import functools
import re

from pydantic import Field, field_validator

from server.content.types import Strict

# Each pattern is matched against lower-cased text, in any form of the word.
FORBIDDEN_PATTERNS: dict[str, str] = {
    "safe": r"\bsafe(?:r|st|ly)?\b",
    "cleared": r"\bcleared\b",
    "clearance": r"\bclearances?\b",
    "suitable": r"\w*suitab\w*",  # suitable, suitability, unsuitable
    "suits": r"\bsuit(?:s|ed)?\b",  # "inversion suits you" claims the same
    "all clear": r"\ball[\s-]+clear\b",
    "OK to": r"\b(?:ok|okay)\s+to\b",
    "go ahead": r"\b(?:go|goes|going|gone|went)[\s-]+ahead\b",
    "approved": r"\w*approv\w*",  # approve, approved, approval, unapproved
}
# ...except inside these exact phrases, which deny clearance rather than grant it.
ALLOWED_PHRASES = ("this is not medical clearance",)
# How English names the number to call; a sentence naming it must say the number in full.
EMERGENCY_NUMBER_WORDS = r"\bemergency numbers?\b"


def _compiles(pattern: str) -> str:
    try:
        re.compile(pattern)
    except re.error as error:
        raise ValueError(f"not a regular expression ({error}): {pattern!r}") from None
    return pattern


class WordingCheck(Strict):
    """A language's own part of the wording check (``wording_check`` in its content file).

    ``forbidden``: name -> pattern on lower-cased text, for the language's words that claim a
    person is safe, cleared, suitable or approved; ``allowed_phrases``: lower-case phrases that
    deny clearance and may use such a word; ``emergency_number_words``: a pattern for how the
    language names the emergency number in a sentence.
    """

    forbidden: dict[str, str] = Field(default_factory=dict)
    allowed_phrases: list[str] = Field(default_factory=list)
    emergency_number_words: str | None = None

    @field_validator("forbidden")
    @classmethod
    def _patterns_compile(cls, value: dict[str, str]) -> dict[str, str]:
        return {name: _compiles(pattern) for name, pattern in value.items()}

    @field_validator("emergency_number_words")
    @classmethod
    def _words_compile(cls, value: str | None) -> str | None:
        return None if value is None else _compiles(value)

    def forbidden_words(self, text: str) -> list[str]:
        """The forbidden words ``text`` uses (by their pattern's name): English's, then this
        language's own."""
        lowered = text.lower()
        for phrase in (*ALLOWED_PHRASES, *self.allowed_phrases):
            lowered = lowered.replace(phrase, "")
        patterns = _compiled(tuple({**FORBIDDEN_PATTERNS, **self.forbidden}.items()))
        return [name for name, pattern in patterns if pattern.search(lowered)]

    def mentions_emergency_number(self, text: str, number: str) -> bool:
        """Whether ``text`` speaks of the number to call: the start of ``number`` itself, any
        of its digits, or English's or this language's words for it."""
        lowered = text.lower()
        head = number.split("(")[0].strip().lower()
        if head and head in lowered:
            return True
        if any(re.search(rf"(?<!\d){digits}(?!\d)", text) for digits in re.findall(r"\d+", number)):
            return True
        words = [EMERGENCY_NUMBER_WORDS, *filter(None, [self.emergency_number_words])]
        return any(re.search(pattern, lowered) for pattern in words)


ENGLISH = WordingCheck()


@functools.cache
def _compiled(patterns: tuple[tuple[str, str], ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Compiled once per language (every sentence of every file is checked)."""
    return tuple((name, re.compile(pattern)) for name, pattern in patterns)


def forbidden_wording(text: str, check: WordingCheck = ENGLISH) -> list[str]:
    """The forbidden words ``text`` uses, in English and the language of ``check``."""
    return check.forbidden_words(text)
