"""The clinical and interface text, loaded from ``content/<lang>.yaml`` into pydantic models.

Content is the single source of truth: a question, its spoken prompt and the level a "yes"
leads to live in one record, and every string the interface shows lives here too, so a
translation is one file.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field, model_validator

from server.content.carer import CarerText
from server.content.perspective import Perspective
from server.content.pwa import PwaText
from server.content.session import Feeling, FeelingWording, SessionText
from server.content.types import NonEmpty, Slug, Strict, wrong_placeholders
from server.content.wording import ENGLISH, WordingCheck


class Level(StrEnum):
    """How strongly a "yes" to a question counts against inverting.

    Two red-flag urgencies (CLINICAL-FACTS decision 8), whatever inversion is: ``emergency``
    ("Call the emergency number now") and ``urgent`` ("See a doctor today"); ``avoid``: a
    known reason not to invert; ``ask-first``: a clinician must look first.
    """

    EMERGENCY = "emergency"
    URGENT = "urgent"
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

    def asked(self, perspective: Perspective) -> str:
        """The question as asked of the person or of their carer."""
        return self.they if perspective == Perspective.THEY else self.you


class Group(Strict):
    id: Slug
    title: NonEmpty


class OutcomeWording(Strict):
    """What one outcome level says, in one perspective."""

    title: NonEmpty
    summary: NonEmpty
    next_steps: list[NonEmpty] = Field(min_length=1)


class Outcome(OutcomeWording):
    """The wording of one outcome level: ``title``/``summary``/``next_steps`` speak to the
    person ("you"); ``they`` is the same for a carer answering for someone ("they");
    ``source`` is where its advice comes from."""

    they: OutcomeWording
    source: NonEmpty

    def for_perspective(self, perspective: Perspective) -> OutcomeWording:
        """The wording for the person or for a carer."""
        return self.they if perspective == Perspective.THEY else self


class Perspectives(Strict):
    """One text, said to the person (``you``) and to a carer about them (``they``)."""

    you: NonEmpty
    they: NonEmpty

    def said_to(self, perspective: Perspective) -> str:
        return self.they if perspective == Perspective.THEY else self.you


class SourcedPerspectives(Perspectives):
    """A clinical text for the person and for a carer, with where its advice comes from."""

    source: NonEmpty


class Outcomes(Strict):
    """The five outcome levels, most urgent first, and the extra line shown when a red flag
    was answered "Not sure" (``red_flag_not_sure``, whatever the level)."""

    emergency: Outcome
    urgent: Outcome
    avoid: Outcome
    ask_first: Outcome
    no_known_reason: Outcome
    red_flag_not_sure: SourcedPerspectives


class SourcedLine(Strict):
    """One short spoken sentence, with where its advice comes from."""

    say: NonEmpty
    source: NonEmpty


class Emergency(Strict):
    """The "If something goes wrong" page, and the short version read at the start of every
    session track for the helper. Spoken one sentence at a time; every sentence has a source.

    ``number`` is how every page names the number to call; each sentence that tells someone
    to call must contain it word for word (checked on load).
    """

    title: NonEmpty
    lead: NonEmpty
    number: NonEmpty
    signs_title: NonEmpty
    signs: list[SourcedLine] = Field(min_length=1)
    steps_title: NonEmpty
    steps: list[SourcedLine] = Field(min_length=1)
    # A fall from the table (CLINICAL-FACTS decision 18). There is no passage for a person on
    # the table alone: someone who can see the table is there every time (decision 16).
    fall_title: NonEmpty
    fall: list[SourcedLine] = Field(min_length=1)
    short: list[SourcedLine] = Field(min_length=3, max_length=4)

    @model_validator(mode="after")
    def _number_said_in_full(self) -> Emergency:
        lines = [*self.signs, *self.steps, *self.fall, *self.short]
        for line in lines:
            # English's words and the number's own; the language's words are checked by Content.
            if (
                ENGLISH.mentions_emergency_number(line.say, self.number)
                and self.number not in line.say
            ):
                raise ValueError(f"say the number in full ({self.number!r}): {line.say!r}")
        if not any(self.number in line.say for line in self.short):
            raise ValueError("the short version must say the emergency number")
        return self

    def page_text(self) -> str:
        """The whole page as one spoken text, in reading order."""
        parts = [f"{self.title}.", self.lead, f"{self.signs_title}."]
        parts += [line.say for line in self.signs]
        parts += [f"{self.steps_title}."] + [line.say for line in self.steps]
        parts += [f"{self.fall_title}."] + [line.say for line in self.fall]
        return " ".join(parts)

    def short_text(self) -> str:
        return " ".join(line.say for line in self.short)


class Intro(Strict):
    title: NonEmpty
    paragraphs: list[NonEmpty] = Field(min_length=1)


class Home(Strict):
    title: NonEmpty
    lead: NonEmpty
    paragraphs: list[NonEmpty] = Field(min_length=1)
    # What the app is for and what the evidence says (CLINICAL-FACTS decision 21).
    source: NonEmpty


class Ui(Strict):
    """Every fixed string of the interface."""

    app_name: NonEmpty
    # The name under a home-screen icon (web manifest ``short_name``): 12 characters at most.
    app_short_name: str = Field(min_length=1, max_length=12)
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
    result_others_title: NonEmpty
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
    cross_site_title: NonEmpty
    cross_site_body: NonEmpty
    footer_disclaimer: NonEmpty
    coming_soon: NonEmpty
    perspective_you: NonEmpty
    perspective_they: NonEmpty
    emergency_link: NonEmpty
    # Voice-first pages (issue 11).
    answer_prompt: NonEmpty
    answer_chosen: NonEmpty
    why_button: NonEmpty
    in_progress_title: NonEmpty
    in_progress_body: NonEmpty
    continue_check: NonEmpty

    def placeholders_ok(self) -> list[str]:
        """Names of strings whose ``{placeholders}`` are wrong."""
        wanted = {
            "question_n_of_m": {"n", "m"},
            "answer_chosen": {"answer"},
            "in_progress_body": {"done", "total"},
        }
        return wrong_placeholders(self, wanted)


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
    emergency: Emergency
    pwa: PwaText
    session: SessionText
    carer: CarerText
    # This language's own words for the wording check (server/content/wording.py).
    wording_check: WordingCheck = Field(default_factory=WordingCheck)

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
        # The emergency number said in full wherever this language's words name it.
        number, mentions = self.emergency.number, self.wording_check.mentions_emergency_number
        for part in ("signs", "steps", "fall", "short"):
            for i, line in enumerate(getattr(self.emergency, part)):
                if mentions(line.say, number) and number not in line.say:
                    where = f"emergency.{part}[{i}].say"
                    raise ValueError(f"{where}: say the number in full: {line.say!r}")
        return self

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def index_of(self, question_id: str) -> int:
        return [q.id for q in self.questions].index(question_id)

    def outcome_text(self, level: str) -> Outcome:
        return {
            "emergency": self.outcomes.emergency,
            "urgent": self.outcomes.urgent,
            "avoid": self.outcomes.avoid,
            "ask-first": self.outcomes.ask_first,
            "no-known-reason": self.outcomes.no_known_reason,
        }[level]

    def feeling_text(self, feeling: Feeling, perspective: Perspective) -> FeelingWording:
        """The advice after a session that felt like ``feeling``, for the person or a carer."""
        return self.carer.feelings_they[feeling.id] if perspective == Perspective.THEY else feeling

    def all_strings(self) -> list[tuple[str, str]]:
        """(key, text) for every user-facing string, for wording checks."""
        out: list[tuple[str, str]] = []

        def walk(prefix: str, value: object) -> None:
            if isinstance(value, BaseModel):
                for name in type(value).model_fields:
                    walk(f"{prefix}.{name}" if prefix else name, getattr(value, name))
            elif isinstance(value, dict):
                # Mappings by id (``carer.feelings_they``) hold sentences that are said too.
                for key, item in value.items():
                    walk(f"{prefix}.{key}", item)
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    walk(f"{prefix}[{i}]", item)
            elif isinstance(value, str):
                out.append((prefix, value))

        for name in type(self).model_fields:
            if name != "wording_check":  # patterns, not words a user reads or hears
                walk(name, getattr(self, name))
        return out


def wording_problems(content: Content, file: str) -> list[str]:
    """Strings that claim a user is safe, cleared, suitable or approved (or any such form).

    Every string is checked (``reviewed`` included: it may be shown), except ``source`` fields,
    which quote other documents and are never shown or spoken to a user.
    """
    problems = []
    for key, text in content.all_strings():
        if key == "source" or key.endswith(".source") or ".sources." in key:
            continue
        for word in content.wording_check.forbidden_words(text):
            problems.append(f"{file}: {key}: must not say {word!r}: {text!r}")
    return problems
