"""Whether the guided session is offered (the screening outcome in the cookie), which plans
may be started (the safeguards of the progression), and what the user confirmed."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping, MutableMapping
from enum import StrEnum
from typing import Literal

from server.content.session import Plan, SessionText
from server.screening.rule import Answer, OutcomeLevel


class Gate(StrEnum):
    """Whether the session is offered, from the screening outcome in the cookie."""

    NO_SCREENING = "none"
    URGENT = "urgent"
    AVOID = "avoid"
    ASK_FIRST = "ask-first"
    DOCTOR = "doctor"
    OPEN = "open"


def gate_for(level: OutcomeLevel | None, confirmed: bool) -> Gate:
    """Never open after "get medical help now" or "do not use inversion". After "check with
    your clinician first", open once the user says a clinician agreed to these answers; after
    "no known reason", once they say they asked their doctor (the outcome told them to)."""
    if level is None:
        return Gate.NO_SCREENING
    if level.is_red_flag:
        return Gate.URGENT
    if level is OutcomeLevel.AVOID:
        return Gate.AVOID
    if level is OutcomeLevel.ASK_FIRST:
        return Gate.OPEN if confirmed else Gate.ASK_FIRST
    return Gate.OPEN if confirmed else Gate.DOCTOR


Choice = Literal["start", "ahead", "beyond"]


def plan_choice(session: SessionText, chosen: Plan, suggested_id: str, sessions: int) -> Choice:
    """May ``chosen`` be started, given the device's suggestion and how many sessions it
    remembers (both sent by the page: the history never leaves the device)?

    - No sessions yet: only the first plans (the gentlest step, 20 degrees).
    - Up to the suggested plan: start.
    - The next plan of the ladder after the suggestion: only after a spoken warning.
    - Anything further: not yet.
    """
    ladder = session.ladder
    first = ladder[0]
    if sessions <= 0:
        return "start" if chosen.step <= first.step else "beyond"
    suggested = session.plan(suggested_id) or first
    if chosen.step <= suggested.step:
        return "start"
    following = next((p for p in ladder if p.step > suggested.step), None)
    if following is not None and chosen.step <= following.step:
        return "ahead"
    return "beyond"


def allow_plan(session: MutableMapping[str, object], plan_id: str) -> None:
    """The user chose ``plan_id`` within the safeguards: its checks may begin."""
    session["plan_ok"] = plan_id
    session.pop("session_checks", None)
    session.pop("session_ready", None)


def plan_allowed(session: Mapping[str, object], plan_id: str) -> bool:
    return session.get("plan_ok") == plan_id


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


CONFIRMATIONS = ("clinician_ok", "plan_ok", "session_checks", "session_ready")


def clear_confirmations(session: MutableMapping[str, object]) -> None:
    """Forget what the user confirmed for the session (a clinician or doctor agreed, checks
    passed): a new screening or a change of perspective must ask again."""
    for key in CONFIRMATIONS:
        session.pop(key, None)
