"""What the session's pages share: the gate every page past it checks, a plan by its id, a
plan's start and its facts in words."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from server.content import Content
from server.content.session import Plan
from server.screening.rule import Outcome, evaluate, first_unanswered
from server.session.gate import Gate, answers_fingerprint, gate_of
from server.web import answers_of, content_for, redirect, urls_for

Endpoint = Callable[[Request], Awaitable[Response]]


def current_gate(request: Request, content: Content) -> tuple[Gate, Outcome | None]:
    """The gate this request meets, and the outcome of complete answers (None before)."""
    answers = answers_of(request, content)
    if first_unanswered(content.questions, answers) is not None:
        return Gate.NO_SCREENING, None
    outcome = evaluate(content.questions, answers)
    return gate_of(request.session, outcome.level, answers_fingerprint(answers)), outcome


def gate_required(handler: Endpoint) -> Endpoint:
    """Session pages past the gate: anyone the gate does not let through goes back to it."""

    @functools.wraps(handler)
    async def guarded(request: Request) -> Response:
        content = content_for(request)
        gate, _ = current_gate(request, content)
        if gate is not Gate.OPEN:
            return redirect(urls_for(request, content).session())
        return await handler(request)

    return guarded


def plan_or_404(content: Content, plan_id: str) -> Plan:
    plan = content.session.plan(plan_id)
    if plan is None:
        raise HTTPException(status_code=404)
    return plan


def clock_text(seconds: float) -> str:
    """m:ss, the way a time is read on a player."""
    whole = max(0, int(seconds + 0.5))
    return f"{whole // 60}:{whole % 60:02d}"


def duration_text(content: Content, seconds: float) -> str:
    """Roughly how long, in words: whole minutes (at least one), or seconds under a minute."""
    minutes = round(seconds / 60)
    return content.session.durations.say(60 * max(1, minutes))


def plan_facts(content: Content, plan: Plan) -> list[str]:
    """The plan in plain sentences: angle, holds, rests."""
    ui = content.session.ui
    say = content.session.durations.say
    facts = [ui.plan_angle.format(angle=plan.angle)]
    if len(plan.holds) == 1:
        facts.append(ui.plan_holds.format(duration=say(plan.holds[0])))
    else:
        facts.append(
            ui.plan_holds_rest.format(
                count=len(plan.holds), duration=say(plan.holds[0]), rest=say(plan.rest_seconds)
            )
        )
    return facts


def plan_start_url(request: Request, content: Content, plan: Plan) -> str:
    """A plan starts at its first pre-session check."""
    return urls_for(request, content).session_check(plan.id, content.session.checks[0].id)
