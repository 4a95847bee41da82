"""The clinical and interface text, loaded from ``content/<lang>.yaml`` into pydantic models.

Content is the single source of truth: a question, its spoken prompt and the level a "yes"
leads to live in one record, and every string the interface shows lives here too, so a
translation is one file.
"""

from __future__ import annotations

import re
from enum import StrEnum

from pydantic import BaseModel, Field, model_validator

from server.content.pwa import PwaText
from server.content.session import SessionText
from server.content.types import NonEmpty, Slug, Strict, placeholders

# Words the product must never use about a person's fitness to invert.
FORBIDDEN_WORDS = ("safe", "cleared", "approved", "clearance")
# ...except inside these exact phrases, which deny clearance rather than grant it.
ALLOWED_PHRASES = (
    "this is not medical clearance",
    "a licensed physician has approved",
    "a clinician approved",
    "a clinician has approved",
)


class Level(StrEnum):
    """How strongly a "yes" to a question counts against inverting."""

    AVOID = "avoid"
    ASK_FIRST = "ask-first"


class Voice(Strict):
    """How narration is made for this language."""

    gtts_lang: NonEmpty
    tld: NonEmpty = "com"
    espeak_voice: NonEmpty


class Question(Strict):
    """One screening question: one idea, asked of the person or of their carer."""

    id: Slug
    group: Slug
    title: NonEmpty
    you: NonEmpty
    they: NonEmpty
    why: NonEmpty
    level: Level
    source: NonEmpty
    covers: list[NonEmpty] = Field(min_length=1)


class Group(Strict):
    id: Slug
    title: NonEmpty


class Outcome(Strict):
    """The wording of one outcome level."""

    title: NonEmpty
    summary: NonEmpty
    next_steps: list[NonEmpty] = Field(min_length=1)


class Outcomes(Strict):
    avoid: Outcome
    ask_first: Outcome
    no_known_reason: Outcome


class Intro(Strict):
    title: NonEmpty
    paragraphs: list[NonEmpty] = Field(min_length=1)


class Home(Strict):
    title: NonEmpty
    lead: NonEmpty
    paragraphs: list[NonEmpty] = Field(min_length=1)


class Ui(Strict):
    """Every fixed string of the interface."""

    app_name: NonEmpty
    skip_link: NonEmpty
    language_label: NonEmpty
    nav_label: NonEmpty
    home_link: NonEmpty
    start_check: NonEmpty
    helping_someone: NonEmpty
    guided_session: NonEmpty
    use_offline: NonEmpty
    start_for_me: NonEmpty
    start_for_them: NonEmpty
    back: NonEmpty
    question_n_of_m: NonEmpty
    answer_yes: NonEmpty
    answer_no: NonEmpty
    answer_not_sure: NonEmpty
    why_we_ask: NonEmpty
    listen: NonEmpty
    audio_missing: NonEmpty
    error_summary_title: NonEmpty
    error_no_answer: NonEmpty
    error_prefix: NonEmpty
    check_title: NonEmpty
    check_lead: NonEmpty
    change: NonEmpty
    change_hidden: NonEmpty
    see_result: NonEmpty
    result_title: NonEmpty
    result_reasons_title: NonEmpty
    result_no_reasons: NonEmpty
    result_next_title: NonEmpty
    result_print_hint: NonEmpty
    start_again: NonEmpty
    not_found_title: NonEmpty
    not_found_body: NonEmpty
    bad_request_title: NonEmpty
    bad_request_body: NonEmpty
    too_large_title: NonEmpty
    too_large_body: NonEmpty
    footer_disclaimer: NonEmpty
    coming_soon: NonEmpty
    perspective_you: NonEmpty
    perspective_they: NonEmpty

    def placeholders_ok(self) -> list[str]:
        """Names of strings whose ``{placeholders}`` are wrong."""
        wanted = {"question_n_of_m": {"n", "m"}}
        bad = []
        for name, fields in wanted.items():
            found = placeholders(getattr(self, name))
            if found != fields:
                bad.append(name)
        return bad


class Content(Strict):
    """Everything one language says."""

    language: Slug
    language_name: NonEmpty
    direction: str = Field(default="ltr", pattern=r"^(ltr|rtl)$")
    reviewed: NonEmpty
    voice: Voice
    ui: Ui
    home: Home
    intro: Intro
    disclaimer: NonEmpty
    groups: list[Group] = Field(min_length=1)
    questions: list[Question] = Field(min_length=1)
    outcomes: Outcomes
    pwa: PwaText
    session: SessionText

    @model_validator(mode="after")
    def _consistent(self) -> Content:
        ids = [q.id for q in self.questions]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"question ids repeat: {', '.join(dupes)}")
        groups = {g.id for g in self.groups}
        for q in self.questions:
            if q.group not in groups:
                raise ValueError(f"question {q.id!r} names unknown group {q.group!r}")
        bad = self.ui.placeholders_ok()
        if bad:
            raise ValueError(f"ui strings with wrong placeholders: {', '.join(bad)}")
        return self

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def index_of(self, question_id: str) -> int:
        return [q.id for q in self.questions].index(question_id)

    def outcome_text(self, level: str) -> Outcome:
        return {
            "avoid": self.outcomes.avoid,
            "ask-first": self.outcomes.ask_first,
            "no-known-reason": self.outcomes.no_known_reason,
        }[level]

    def all_strings(self) -> list[tuple[str, str]]:
        """(key, text) for every user-facing string, for wording checks."""
        out: list[tuple[str, str]] = []

        def walk(prefix: str, value: object) -> None:
            if isinstance(value, BaseModel):
                for name in type(value).model_fields:
                    walk(f"{prefix}.{name}" if prefix else name, getattr(value, name))
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    walk(f"{prefix}[{i}]", item)
            elif isinstance(value, str):
                out.append((prefix, value))

        walk("", self)
        return out


def wording_problems(content: Content, file: str) -> list[str]:
    """Strings that claim a user is safe, cleared or approved."""
    problems = []
    for key, text in content.all_strings():
        if key in {"source", "reviewed"} or key.endswith(".source"):
            continue
        lowered = text.lower()
        for phrase in ALLOWED_PHRASES:
            lowered = lowered.replace(phrase, "")
        for word in FORBIDDEN_WORDS:
            if re.search(rf"\b{word}\b", lowered):
                problems.append(f"{file}: {key}: must not say {word!r}: {text!r}")
    return problems
