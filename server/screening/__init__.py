"""The screening's rule (pure: answers -> Outcome), re-exported here; its pages are in
``server.views.screening`` and ``server.views.summary``."""

from server.screening.rule import (
    Answer,
    Outcome,
    OutcomeLevel,
    answer_level,
    evaluate,
    first_unanswered,
    parse_answers,
)

__all__ = [
    "Answer",
    "Outcome",
    "OutcomeLevel",
    "answer_level",
    "evaluate",
    "first_unanswered",
    "parse_answers",
]
