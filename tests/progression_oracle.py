"""A Python copy of the session progression rule, kept ONLY as a test oracle.

The app suggests the next plan in the browser (the history never leaves the device); browser
and Node tests compare that JavaScript against this independent copy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from server.content.session import FEELINGS, Plan

# Feelings after a session that hold the progression back one plan.
HOLD_BACK = frozenset({"dizzy", "pain"})


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One finished session as the device remembers it: plan, local day, how it felt."""

    plan: str
    day: str
    feeling: str


Reason = Literal["first", "continue", "move-on", "held-back", "repeat", "top"]


@dataclass(frozen=True, slots=True)
class Suggestion:
    plan: str
    reason: Reason
    done: int = 0
    needed: int = 0
    gentler: str | None = field(default=None)


def parse_history(raw: object, plans: Sequence[Plan]) -> list[HistoryEntry]:
    """History from untrusted data (a device's storage); unknown or malformed entries drop."""
    if not isinstance(raw, list):
        return []
    known = {p.id for p in plans}
    out = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        plan, day, feeling = item.get("plan"), item.get("day"), item.get("feeling")
        if (
            isinstance(plan, str)
            and plan in known
            and isinstance(day, str)
            and len(day) == 10
            and isinstance(feeling, str)
            and feeling in FEELINGS
        ):
            out.append(HistoryEntry(plan, day, feeling))
    return out


def suggest(plans: Sequence[Plan], history: Sequence[HistoryEntry]) -> Suggestion:
    """The plan to suggest next, from the sessions this device remembers (oldest first).

    - No sessions: the first plan of the ladder.
    - Last session dizzy or painful: one plan gentler than the latest ladder plan used
      (never below the first); only sessions after it count towards moving on.
    - Last session "something else": the same plan again.
    - Otherwise the latest ladder plan, until it has ``move_on_after`` sessions that felt fine
      on different days (since the last dizzy or painful one); then the next plan.
    Off-ladder plans (intermittent) never move the position on the ladder.
    The app runs the JavaScript version (pwa/static/js); tests compare the two.
    """
    ladder = sorted((p for p in plans if p.ladder), key=lambda p: p.step)
    by_id = {p.id: p for p in plans}

    def result(plan: Plan, reason: Reason, done: int = 0, needed: int = 0) -> Suggestion:
        return Suggestion(plan.id, reason, done, needed, plan.gentler)

    if not history:
        return result(ladder[0], "first")
    on_ladder = [h for h in history if h.plan in by_id and by_id[h.plan].ladder]
    index = ladder.index(by_id[on_ladder[-1].plan]) if on_ladder else 0
    current = ladder[index]
    last = history[-1]
    if last.feeling in HOLD_BACK:
        return result(ladder[max(index - 1, 0)], "held-back")
    if last.feeling == "other":
        return result(current, "repeat")
    since = 0
    for i, entry in enumerate(history):
        if entry.feeling in HOLD_BACK:
            since = i + 1
    fine_days = {h.day for h in history[since:] if h.plan == current.id and h.feeling == "fine"}
    if index == len(ladder) - 1:
        return result(current, "top")
    needed = current.move_on_after or 1
    if len(fine_days) >= needed:
        return result(ladder[index + 1], "move-on")
    return result(current, "continue", len(fine_days), needed)


def is_ahead(plans: Sequence[Plan], chosen: str, suggested: str) -> bool:
    """Whether choosing ``chosen`` moves further along than the suggestion (asks to confirm)."""
    by_id = {p.id: p for p in plans}
    return by_id[chosen].step > by_id[suggested].step
