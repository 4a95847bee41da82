"""The screening: ``rule`` (pure: answers -> Outcome) and ``views`` (its pages).

The rule's names are re-exported here; the views are imported by the app factory only.
"""

from server.screening.rule import (
    Answer,
    Outcome,
    OutcomeLevel,
    evaluate,
    first_unanswered,
    parse_answers,
)

__all__ = ["Answer", "Outcome", "OutcomeLevel", "evaluate", "first_unanswered", "parse_answers"]
