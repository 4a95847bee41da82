"""Whether the guided session is offered, from the screening outcome in the cookie."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, MutableMapping
from enum import StrEnum

from server.screening.rule import Answer, OutcomeLevel


class Gate(StrEnum):
    """Whether the session is offered, from the screening outcome in the signed cookie."""

    NO_SCREENING = "none"
    AVOID = "avoid"
    ASK_FIRST = "ask-first"
    OPEN = "open"


def gate_for(level: OutcomeLevel | None, clinician_confirmed: bool) -> Gate:
    """OPEN after "no known reason", or after "check with your clinician first" once the
    user says a clinician has agreed; never after "do not use inversion"."""
    if level is None:
        return Gate.NO_SCREENING
    if level is OutcomeLevel.AVOID:
        return Gate.AVOID
    if level is OutcomeLevel.ASK_FIRST:
        return Gate.OPEN if clinician_confirmed else Gate.ASK_FIRST
    return Gate.OPEN


def answers_fingerprint(answers: Mapping[str, Answer]) -> str:
    """A short hash of a set of answers: a clinician's agreement applies to these answers only,
    so changing any answer (or starting again) asks for it again."""
    material = json.dumps(sorted((k, v.value) for k, v in answers.items()))
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:16]


# Checks passed this long ago no longer open the player: check again before a new session.
READY_SECONDS = 3 * 60 * 60


def mark_ready(session: MutableMapping[str, object], plan_id: str) -> None:
    """Every pre-session check for ``plan_id`` was answered Yes, just now."""
    session["session_ready"] = {"plan": plan_id, "at": int(time.time())}


def is_ready(session: Mapping[str, object], plan_id: str) -> bool:
    """The checks for ``plan_id`` were passed within the last few hours."""
    state = session.get("session_ready")
    if not isinstance(state, dict) or state.get("plan") != plan_id:
        return False
    at = state.get("at")
    return isinstance(at, int) and 0 <= time.time() - at <= READY_SECONDS


CONFIRMATIONS = ("clinician_ok", "session_checks", "session_ready")


def clear_confirmations(session: MutableMapping[str, object]) -> None:
    """Forget what the user confirmed for the session (a clinician or doctor agreed, checks
    passed): a new screening or a change of perspective must ask again."""
    for key in CONFIRMATIONS:
        session.pop(key, None)
