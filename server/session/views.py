"""Request handlers for the guided session: gate, plans, checks, player, carer view, feedback.

Nothing about a person's sessions is stored on the server. The gate reads the screening
answers from the signed cookie (as the result page does); the cookie also carries whether a
clinician agreed to these answers and which plan's checks were just passed. Progression
history lives in the browser (localStorage); the browser works out the suggestion.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from server import speech
from server.content import Content
from server.content.session import FEELINGS, Check, Plan
from server.screening.rule import Outcome, evaluate, first_unanswered
from server.session.gate import Gate, answers_fingerprint, gate_for, mark_ready
from server.web import ANSWER_LABELS, answers_of, content_for, read_form, redirect, render, urls_for

Endpoint = Callable[[Request], Awaitable[Response]]


def _gate(request: Request, content: Content) -> tuple[Gate, Outcome | None]:
    answers = answers_of(request, content)
    if first_unanswered(content.questions, answers) is not None:
        return Gate.NO_SCREENING, None
    outcome = evaluate(content.questions, answers)
    confirmed = request.session.get("clinician_ok") == answers_fingerprint(answers)
    return gate_for(outcome.level, confirmed), outcome


def gate_required(handler: Endpoint) -> Endpoint:
    """Session pages past the gate: anyone the gate does not let through goes back to it."""

    @functools.wraps(handler)
    async def guarded(request: Request) -> Response:
        content = content_for(request)
        gate, _ = _gate(request, content)
        if gate is not Gate.OPEN:
            return redirect(urls_for(request, content).session())
        return await handler(request)

    return guarded


def plan_or_404(content: Content, plan_id: str) -> Plan:
    plan = content.session.plan(plan_id)
    if plan is None:
        raise HTTPException(status_code=404)
    return plan


def _check_or_404(content: Content, check_id: str) -> Check:
    check = content.session.check(check_id)
    if check is None:
        raise HTTPException(status_code=404)
    return check


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


# --------------------------------------------------------------------------- gate


async def gate_page(request: Request) -> Response:
    """The session's front door: offered, not offered (and why), or after a clinician."""
    content = content_for(request)
    gate, outcome = _gate(request, content)
    return render(
        request,
        "session.html",
        content,
        content.session.ui.title,
        gate=gate.value,
        outcome=outcome,
        answer_labels=ANSWER_LABELS,
    )


async def clinician_confirm(request: Request) -> Response:
    """Record that a clinician agreed to inversion for THESE answers (ask-first outcome)."""
    content = content_for(request)
    form = await read_form(request)
    gate, _ = _gate(request, content)
    if form.get("confirm") != "yes" or gate is not Gate.ASK_FIRST:
        return redirect(urls_for(request, content).session())
    request.session["clinician_ok"] = answers_fingerprint(answers_of(request, content))
    return redirect(urls_for(request, content).session())


# --------------------------------------------------------------------------- plans


def ladder_json(plans: list[Plan]) -> list[dict[str, object]]:
    """What the browser needs to work out its suggestion (the history never leaves it)."""
    return [
        {
            "id": p.id,
            "title": p.title,
            "step": p.step,
            "ladder": p.ladder,
            "move_on_after": p.move_on_after,
            "gentler": p.gentler,
        }
        for p in plans
    ]


def plan_start_url(request: Request, content: Content, plan: Plan) -> str:
    """A plan starts at its first pre-session check."""
    return urls_for(request, content).session_check(plan.id, content.session.checks[0].id)


@gate_required
async def plans_page(request: Request) -> Response:
    content = content_for(request)
    session = content.session
    # Without JavaScript the server knows no history: it suggests the first plan. The page
    # script replaces the suggestion from the history kept on the device.
    suggested = session.ladder[0]
    gentler = session.plan(suggested.gentler) if suggested.gentler else None
    plans = sorted(session.plans, key=lambda p: (p.step, not p.ladder))
    rows = [
        {
            "plan": plan,
            "facts": plan_facts(content, plan),
            "start_url": plan_start_url(request, content, plan),
            "ahead_url": urls_for(request, content).ahead(plan.id),
            "ahead": plan.step > suggested.step,
        }
        for plan in plans
    ]
    ui = session.ui
    data = {
        "plans": ladder_json(session.plans),
        "urls": {
            plan.id: {
                "start": plan_start_url(request, content, plan),
                "ahead": urls_for(request, content).ahead(plan.id),
            }
            for plan in plans
        },
        "strings": {
            "first": ui.reason_first,
            "continue": ui.reason_continue,
            "move-on": ui.reason_move_on,
            "held-back": ui.reason_held_back,
            "repeat": ui.reason_repeat,
            "top": ui.reason_top,
            "start_suggested": ui.start_suggested,
            "start_gentler": ui.start_gentler,
            "history_count": ui.history_count,
            "history_forgotten": ui.history_forgotten,
        },
    }
    return render(
        request,
        "session_plans.html",
        content,
        ui.plans_title,
        rows=rows,
        suggested=suggested,
        gentler=gentler,
        suggested_url=plan_start_url(request, content, suggested),
        gentler_url=plan_start_url(request, content, gentler) if gentler else None,
        plans_json=json.dumps(data, separators=(",", ":")),
    )


@gate_required
async def ahead_page(request: Request) -> Response:
    """Moving on faster than the progression asks asks to confirm first."""
    content = content_for(request)
    plan = plan_or_404(content, request.path_params["plan_id"])
    return render(
        request,
        "session_ahead.html",
        content,
        f"{content.session.ui.ahead_title}: {plan.title}",
        plan=plan,
        facts=plan_facts(content, plan),
        start_url=plan_start_url(request, content, plan),
    )


# --------------------------------------------------------------------------- checks


def _check_page(
    request: Request, content: Content, plan: Plan, check: Check, error: bool = False
) -> Response:
    checks = content.session.checks
    n = checks.index(check) + 1
    counter = content.session.ui.check_counter.format(n=n, m=len(checks))
    clip_id, question = speech.check_clip(content.session, check, plan)
    title = f"{counter}: {question}"
    if error:
        title = f"{content.ui.error_prefix} {title}"
    urls = urls_for(request, content)
    back_url = urls.session_check(plan.id, checks[n - 2].id) if n > 1 else urls.plans()
    return render(
        request,
        "session_check.html",
        content,
        title,
        status_code=422 if error else 200,
        plan=plan,
        check=check,
        counter=counter,
        question=question,
        clip_id=clip_id,
        back_url=back_url,
        error=error,
    )


@gate_required
async def check_page(request: Request) -> Response:
    content = content_for(request)
    plan = plan_or_404(content, request.path_params["plan_id"])
    check = _check_or_404(content, request.path_params["check_id"])
    return _check_page(request, content, plan, check)


@gate_required
async def check_answer(request: Request) -> Response:
    """Yes goes on to the next check (then the player); No or Not sure ends with advice."""
    content = content_for(request)
    plan = plan_or_404(content, request.path_params["plan_id"])
    check = _check_or_404(content, request.path_params["check_id"])
    form = await read_form(request)
    answer = form.get("answer")
    if answer not in ANSWER_LABELS:
        return _check_page(request, content, plan, check, error=True)
    checks = content.session.checks
    if answer != "yes":
        request.session.pop("session_checks", None)
        request.session.pop("session_ready", None)
        clip_id, _ = speech.stop_clip(content.session, check, plan)
        return render(
            request,
            "session_stop.html",
            content,
            content.session.ui.stop_title,
            plan=plan,
            advice=check.if_no.format(angle=plan.angle),
            clip_id=clip_id,
            again_url=plan_start_url(request, content, plan),
        )
    state = request.session.get("session_checks")
    passed: list[str] = []
    if isinstance(state, dict) and state.get("plan") == plan.id:
        raw = state.get("passed")
        passed = [c for c in raw if isinstance(c, str)] if isinstance(raw, list) else []
    # Checks count only in order: a "yes" to a later check, reached by its address, does not
    # stand in for the ones before it.
    earlier = [c.id for c in checks[: checks.index(check)]]
    if all(c in passed for c in earlier) and check.id not in passed:
        passed.append(check.id)
    request.session["session_checks"] = {"plan": plan.id, "passed": passed}
    missing = next((c for c in checks if c.id not in passed), None)
    if missing is None:
        mark_ready(request.session, plan.id)
        request.session.pop("session_checks", None)
        return redirect(urls_for(request, content).play(plan.id))
    return redirect(urls_for(request, content).session_check(plan.id, missing.id))


# --------------------------------------------------------------------------- feedback


async def feedback_page(request: Request) -> Response:
    content = content_for(request)
    plan = plan_or_404(content, request.path_params["plan_id"])
    return render(
        request,
        "session_feedback.html",
        content,
        content.session.ui.feedback_title,
        plan=plan,
        feeling=None,
        error=False,
    )


async def feedback_answer(request: Request) -> Response:
    """Advice for how the session felt. The answer is not stored here: the page script
    records it on the device, where the progression is worked out."""
    content = content_for(request)
    plan = plan_or_404(content, request.path_params["plan_id"])
    form = await read_form(request)
    raw = form.get("feeling")
    feeling = content.session.feeling(raw) if isinstance(raw, str) and raw in FEELINGS else None
    title = feeling.title if feeling else content.session.ui.feedback_title
    if feeling is None:
        title = f"{content.ui.error_prefix} {title}"
    return render(
        request,
        "session_feedback.html",
        content,
        title,
        status_code=200 if feeling else 422,
        plan=plan,
        feeling=feeling,
        error=feeling is None,
    )
