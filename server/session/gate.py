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
    # A doctor or clinician said not to use an inversion table (for these answers).
    SAID_NO = "said-no"
    # The last session felt dizzy or painful: a clinician must be told, and agree, first.
    TELL = "tell"
    OPEN = "open"


# The answers to "Has a doctor or clinician agreed that you may use an inversion table?"
# (CLINICAL-FACTS decision 14). Only AGREED opens; the others keep the session closed.
AGREED = "agreed"
SAID_NO = "said-no"
NOT_ASKED = "not-asked"
CLINICIAN_ANSWERS = (AGREED, SAID_NO, NOT_ASKED)


def gate_for(
    level: OutcomeLevel | None, confirmed: bool, *, said_no: bool = False, tell: bool = False
) -> Gate:
    """Never open after "get medical help now" or "do not use inversion". After "check with
    your clinician first" or "no known reason", open only once the user says a doctor or
    clinician AGREED (to these answers); if they said a clinician said not to, stay closed.
    After a session that felt dizzy or painful (``tell``), ask again: a clinician must have
    been told and agreed (decision 20)."""
    if level is None:
        return Gate.NO_SCREENING
    if level.is_red_flag:
        return Gate.URGENT
    if level is OutcomeLevel.AVOID:
        return Gate.AVOID
    if said_no:
        return Gate.SAID_NO
    if not confirmed:
        return Gate.ASK_FIRST if level is OutcomeLevel.ASK_FIRST else Gate.DOCTOR
    return Gate.TELL if tell else Gate.OPEN


# The fingerprint of the answers for which the user said a clinician said not to invert.
SAID_NO_KEY = "clinician_no"


def gate_of(session: Mapping[str, object], level: OutcomeLevel, fingerprint: str) -> Gate:
    """The gate for this session's cookie: ``gate_for`` with what the user said about a
    clinician for these answers (agreed, said no) and any dizzy or painful session since."""
    return gate_for(
        level,
        session.get("clinician_ok") == fingerprint,
        said_no=session.get(SAID_NO_KEY) == fingerprint,
        tell=tell_pending(session),
    )


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

# After "dizzy" or "pain" (decision 20). Markers are whole milliseconds: TELL_KEY holds the
# latest session that felt dizzy or painful, TOLD_KEY the latest one a clinician was told
# about. Both outlive a new screening (the dizziness happened whatever the answers are).
TELL_KEY = "tell_clinician"
TOLD_KEY = "clinician_told"


def _marker(session: Mapping[str, object], key: str) -> int:
    value = session.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def hold_back(session: MutableMapping[str, object], marker: int | None = None) -> None:
    """A session felt dizzy or painful: no further session until a clinician has been told.

    ``marker`` is when (ms), from the device's history when the page sent it; without one the
    server's clock, never earlier than the last confirmation, so the hold always takes."""
    now = int(time.time() * 1000) if marker is None else marker
    if marker is None:
        now = max(now, _marker(session, TOLD_KEY) + 1)
    session[TELL_KEY] = max(_marker(session, TELL_KEY), now)


def hold_back_markers(session: Mapping[str, object]) -> dict[str, object]:
    """The decision-20 markers in ``session``, to carry into a new check: answering the
    check again does not say that a clinician has been told about a dizzy or painful
    session."""
    return {key: session[key] for key in (TELL_KEY, TOLD_KEY) if key in session}


def tell_pending(session: Mapping[str, object]) -> bool:
    """A session felt dizzy or painful after the last time a clinician was said to know."""
    return _marker(session, TELL_KEY) > _marker(session, TOLD_KEY)


def clinician_told(session: MutableMapping[str, object]) -> None:
    """The user says a clinician has been told, and agreed: every hold so far is answered."""
    session[TOLD_KEY] = max(_marker(session, TELL_KEY), _marker(session, TOLD_KEY))


def device_hold_back(session: MutableMapping[str, object], raw: object) -> bool:
    """The plans page sends the time (ms) of the latest dizzy or painful session in the
    device's history; when a clinician was not said to know of it, hold back. True if so."""
    if not (isinstance(raw, str) and raw.isdigit() and len(raw) <= 15):
        return False
    marker = int(raw)
    if marker <= _marker(session, TOLD_KEY):
        return False
    hold_back(session, marker)
    return True


def clear_confirmations(session: MutableMapping[str, object]) -> None:
    """Forget what the user confirmed for the session (a clinician or doctor agreed, checks
    passed): a new screening or a change of perspective must ask again."""
    for key in CONFIRMATIONS:
        session.pop(key, None)
