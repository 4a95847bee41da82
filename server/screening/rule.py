"""The screening rule: a pure function from answers to an outcome.

Any "yes" to an ``avoid`` question -> "Do not use inversion". Otherwise any "yes" to an
``ask-first`` question, or any "not sure" at all -> "Check with your clinician first".
Otherwise -> "No known reason to avoid inversion" (which is never clearance). "Not sure" is
never treated as "no".
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

    AVOID = "avoid"
    ASK_FIRST = "ask-first"
    NO_KNOWN_REASON = "no-known-reason"

    @property
    def severity(self) -> int:
        return {"avoid": 2, "ask-first": 1, "no-known-reason": 0}[self.value]


@dataclass(frozen=True)
class Reason:
    """One answer that led to the outcome, in question order."""

    question: Question
    answer: Answer


@dataclass(frozen=True)
class Outcome:
    level: OutcomeLevel
    reasons: tuple[Reason, ...]


def evaluate(questions: Sequence[Question], answers: Mapping[str, Answer]) -> Outcome:
    """Outcome of a complete set of answers.

    Reasons list every "yes" and "not sure", so a clinician hears all of them, not only the
    ones that set the level. Raises KeyError when a question has no answer: an incomplete
    screening has no outcome.
    """
    reasons = tuple(Reason(q, answers[q.id]) for q in questions if answers[q.id] is not Answer.NO)
    if any(r.answer is Answer.YES and r.question.level is Level.AVOID for r in reasons):
        level = OutcomeLevel.AVOID
    elif reasons:
        level = OutcomeLevel.ASK_FIRST
    else:
        level = OutcomeLevel.NO_KNOWN_REASON
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
