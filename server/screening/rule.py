"""The screening rule: a pure function from answers to an outcome.

Five outcome levels, most urgent first:

1. ``emergency`` ("Call the emergency number now"): a "yes" to an ``emergency`` red flag
   (signs the nerves at the base of the spine are squeezed: NHS says call 999 or go to A&E).
2. ``urgent`` ("See a doctor today"): a "yes" to an ``urgent`` red flag (fever, weight loss,
   night pain, cancer history, an unexamined fall: NHS says see a GP urgently).
3. ``avoid`` ("Do not use inversion"): a "yes" to an ``avoid`` question.
4. ``ask-first`` ("Check with your clinician first"): a "yes" to an ``ask-first`` question,
   or "not sure" to ANY question, whatever its level.
5. ``no-known-reason``: every answer was "no" (which is never clearance).

Each answer on its own has a level (``answer_level``); the outcome is the highest of them.
"Not sure" is never treated as "no": it is at least ``ask-first``. It is deliberately not
raised to its question's own level: "not sure" is a reason to ask, and a carer who does not
know the person's blood pressure should hear "check with a clinician", not "do not use".
A "not sure" about a red flag is the one case that needs more: it cannot honestly be called
urgent, but it must not wait for a routine appointment either, so the outcome lists it in
``red_flags_not_sure`` and the result adds the line "ask a doctor about it today"
(``outcomes.red_flag_not_sure`` in content), whatever the level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from server.content import Level, Question


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    NOT_SURE = "not-sure"


class OutcomeLevel(StrEnum):
    """Ordered from most to least cautious; ``severity`` gives the order."""

    EMERGENCY = "emergency"
    URGENT = "urgent"
    AVOID = "avoid"
    ASK_FIRST = "ask-first"
    NO_KNOWN_REASON = "no-known-reason"

    @property
    def severity(self) -> int:
        return len(OutcomeLevel) - 1 - list(OutcomeLevel).index(self)

    @property
    def is_red_flag(self) -> bool:
        """Medical help is needed whatever inversion is: the session never opens."""
        return self in (OutcomeLevel.EMERGENCY, OutcomeLevel.URGENT)


# Question levels that are red flags: a "not sure" to one adds "ask a doctor today".
RED_FLAG_LEVELS = (Level.EMERGENCY, Level.URGENT)


# The outcome level a "yes" leads to, by question level.
YES_LEADS_TO = {
    Level.EMERGENCY: OutcomeLevel.EMERGENCY,
    Level.URGENT: OutcomeLevel.URGENT,
    Level.AVOID: OutcomeLevel.AVOID,
    Level.ASK_FIRST: OutcomeLevel.ASK_FIRST,
}


def answer_level(question: Question, answer: Answer) -> OutcomeLevel:
    """The outcome level one answer on its own leads to (see the module docstring)."""
    if answer is Answer.YES:
        return YES_LEADS_TO[question.level]
    if answer is Answer.NOT_SURE:
        return OutcomeLevel.ASK_FIRST
    return OutcomeLevel.NO_KNOWN_REASON


@dataclass(frozen=True)
class Reason:
    """One "yes" or "not sure" answer, and the level it leads to on its own."""

    question: Question
    answer: Answer
    level: OutcomeLevel


@dataclass(frozen=True)
class Outcome:
    """The result of a complete screening.

    ``reasons``: every "yes" and "not sure", in question order (so a clinician hears all).
    ``causes``: the reasons that set ``level`` (those at the outcome's own level), in question
    order; the result page marks these. ``others``: the rest of ``reasons``, listed apart.
    ``red_flags_not_sure``: "not sure" answers to red-flag questions, which add the
    "ask a doctor about it today" line at any level.
    """

    level: OutcomeLevel
    reasons: tuple[Reason, ...]

    @property
    def causes(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.level is self.level)

    @property
    def others(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.level is not self.level)

    @property
    def red_flags_not_sure(self) -> tuple[Reason, ...]:
        return tuple(
            r
            for r in self.reasons
            if r.answer is Answer.NOT_SURE and r.question.level in RED_FLAG_LEVELS
        )


def evaluate(questions: Sequence[Question], answers: Mapping[str, Answer]) -> Outcome:
    """Outcome of a complete set of answers.

    Raises KeyError when a question has no answer: an incomplete screening has no outcome.
    """
    reasons = tuple(
        Reason(q, answers[q.id], answer_level(q, answers[q.id]))
        for q in questions
        if answers[q.id] is not Answer.NO
    )
    level = max(
        (r.level for r in reasons),
        key=lambda lvl: lvl.severity,
        default=OutcomeLevel.NO_KNOWN_REASON,
    )
    return Outcome(level, reasons)


def first_unanswered(questions: Sequence[Question], answers: Mapping[str, Answer]) -> str | None:
    """Id of the first question without an answer, or None when all are answered."""
    return next((q.id for q in questions if q.id not in answers), None)


def parse_answers(raw: object, questions: Sequence[Question]) -> dict[str, Answer]:
    """Answers from untrusted cookie data; anything unknown or malformed is dropped."""
    if not isinstance(raw, dict):
        return {}
    known = {q.id for q in questions}
    values = {a.value for a in Answer}
    return {
        k: Answer(v)
        for k, v in raw.items()
        if isinstance(k, str) and k in known and isinstance(v, str) and v in values
    }
