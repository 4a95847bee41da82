"""Request handlers for the guided session: its gate, the plans, feedback (the checks are in
``checks``, the player and carer view in ``player``).

Nothing about a person's sessions is stored on the server. The gate reads the screening
answers from the signed cookie (as the result page does); the cookie also carries whether a
clinician agreed to these answers (or said not to), whether a session felt dizzy or painful
since a clinician was last said to know (decision 20), and which plan's checks were just
passed. Progression history lives in the browser (localStorage); the browser works out the
suggestion, and sends the time of its latest dizzy or painful session with a plan's choice.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response

from server.content import Content
from server.content.session import FEELINGS, Plan
from server.content.session_ui import SessionUi
from server.screening.rule import Outcome
from server.session.gate import (
    AGREED,
    CLINICIAN_ANSWERS,
    NOT_ASKED,
    SAID_NO,
    SAID_NO_KEY,
    TOLD_KEY,
    Gate,
    allow_plan,
    answers_fingerprint,
    clinician_told,
    device_hold_back,
    hold_back,
    plan_choice,
)
from server.speech import texts as speech
from server.views.session_helpers import (
    current_gate,
    gate_required,
    plan_facts,
    plan_or_404,
    plan_start_url,
)
from server.web import (
    ANSWER_LABELS,
    answers_of,
    content_for,
    perspective_of,
    read_form,
    redirect,
    render,
    take_perspective_note,
    urls_for,
)

# Feelings after which no further session is offered until a clinician has been told.
HOLD_BACK = ("dizzy", "pain")


# --------------------------------------------------------------------------- gate


async def gate_page(request: Request) -> Response:
    """The session's front door: offered, not offered (and why), or after a clinician."""
    content = content_for(request)
    gate, outcome = current_gate(request, content)
    return _gate_response(request, content, gate.value, outcome)


def _gate_response(
    request: Request, content: Content, state: str, outcome: Outcome | None
) -> Response:
    return render(
        request,
        "session.html",
        content,
        content.session.ui.title,
        gate=state,
        outcome=outcome,
        answer_labels=ANSWER_LABELS,
        clinician_answers=CLINICIAN_ANSWERS,
        told=bool(request.session.get(TOLD_KEY)),
        perspective_note=take_perspective_note(request),
    )


# The page "not yet" leads to, by the question it answered: closed for now, and what to do.
NOT_YET = {Gate.ASK_FIRST: "not-asked", Gate.DOCTOR: "not-asked", Gate.TELL: "tell-not-yet"}


async def clinician_confirm(request: Request) -> Response:
    """The answer to "Has a doctor or clinician agreed...?" (decision 14), asked after "check
    with your clinician first", after "no known reason", and after a session that felt dizzy
    or painful (decision 20). Only "they agreed" opens the session; "they said not to" keeps
    it closed for these answers; "not asked yet, or I do not know" says what to do first."""
    content = content_for(request)
    form = await read_form(request)
    gate, outcome = current_gate(request, content)
    answer = form.get("answer")
    if gate not in NOT_YET or answer not in CLINICIAN_ANSWERS:
        return redirect(urls_for(request, content).session())
    fingerprint = answers_fingerprint(answers_of(request, content))
    if answer == AGREED:
        if gate is Gate.TELL:
            clinician_told(request.session)
        else:
            request.session["clinician_ok"] = fingerprint
    elif answer == SAID_NO:
        request.session[SAID_NO_KEY] = fingerprint
    else:
        assert answer == NOT_ASKED
        return _gate_response(request, content, NOT_YET[gate], outcome)
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


def plans_strings(ui: SessionUi) -> dict[str, str]:
    return {
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
    }


@gate_required
async def plans_page(request: Request) -> Response:
    """Every plan, each started by a form that carries what the device knows: its suggestion
    and how many sessions it remembers. Without JavaScript that is "none yet", so only the
    first plans can be started (the server never sees the history)."""
    content = content_for(request)
    session = content.session
    suggested = session.ladder[0]
    gentler = session.plan(suggested.gentler) if suggested.gentler else None
    plans = sorted(session.plans, key=lambda p: (p.step, not p.ladder))
    rows = [
        {
            "plan": plan,
            "facts": plan_facts(content, plan),
            "choice": plan_choice(session, plan, suggested.id, 0),
        }
        for plan in plans
    ]
    # The reasons the device fills in speak of the person to a carer ("Last time they felt...").
    ui = session.ui.for_perspective(perspective_of(request))
    data = {"plans": ladder_json(session.plans), "strings": plans_strings(ui)}
    return render(
        request,
        "session_plans.html",
        content,
        session.ui.plans_title,
        rows=rows,
        suggested=suggested,
        gentler=gentler,
        plans_json=json.dumps(data, separators=(",", ":")),
        perspective_note=take_perspective_note(request),
    )


def _sessions(raw: object) -> int:
    return int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 5 else 0


@gate_required
async def choose_plan(request: Request) -> Response:
    """Start a plan within the safeguards: up to the suggestion at once, one step beyond it
    after a spoken warning, further not at all; with no sessions saved, only the first plans."""
    content = content_for(request)
    plan = plan_or_404(content, request.path_params["plan_id"])
    form = await read_form(request)
    suggested = str(form.get("suggested") or "")
    sessions = _sessions(form.get("sessions"))
    if device_hold_back(request.session, form.get("held_back")):
        # The device remembers a dizzy or painful session no clinician was said to know of.
        return redirect(urls_for(request, content).session())
    choice = plan_choice(content.session, plan, suggested, sessions)
    ui = content.session.ui
    facts = plan_facts(content, plan)
    if choice == "beyond":
        return render(
            request,
            "session_beyond.html",
            content,
            f"{ui.beyond_title}: {plan.title}",
            plan=plan,
            facts=facts,
            first_only=sessions == 0,
            perspective_note=take_perspective_note(request),
        )
    if choice == "ahead" and form.get("confirm") != "yes":
        return render(
            request,
            "session_ahead.html",
            content,
            f"{ui.ahead_title}: {plan.title}",
            plan=plan,
            facts=facts,
            suggested=suggested,
            sessions=sessions,
            perspective_note=take_perspective_note(request),
        )
    allow_plan(request.session, plan.id)
    return redirect(plan_start_url(request, content, plan))


# --------------------------------------------------------------------------- feedback


async def feedback_page(request: Request) -> Response:
    content = content_for(request)
    plan = plan_or_404(content, request.path_params["plan_id"])
    title, lead = speech.feedback_wording(content, perspective_of(request))
    return render(
        request,
        "session_feedback.html",
        content,
        title,
        plan=plan,
        feeling=None,
        advice=None,
        error=False,
        feedback_title=title,
        feedback_lead=lead,
        perspective_note=take_perspective_note(request),
    )


async def feedback_answer(request: Request) -> Response:
    """Advice for how the session felt. The answer is not stored here: the page script
    records it on the device, where the progression is worked out."""
    content = content_for(request)
    plan = plan_or_404(content, request.path_params["plan_id"])
    form = await read_form(request)
    raw = form.get("feeling")
    feeling = content.session.feeling(raw) if isinstance(raw, str) and raw in FEELINGS else None
    perspective = perspective_of(request)
    feedback_title, feedback_lead = speech.feedback_wording(content, perspective)
    advice = content.feeling_text(feeling, perspective) if feeling else None
    if feeling is not None and feeling.id in HOLD_BACK:
        # The app follows its own advice (decision 20): the next session asks first. Kept
        # in the encrypted cookie, so it holds with JavaScript off too.
        hold_back(request.session)
    title = advice.title if advice else f"{content.ui.error_prefix} {feedback_title}"
    return render(
        request,
        "session_feedback.html",
        content,
        title,
        status_code=200 if feeling else 422,
        plan=plan,
        feeling=feeling,
        advice=advice,
        error=feeling is None,
        feedback_title=feedback_title,
        feedback_lead=feedback_lead,
        perspective_note=take_perspective_note(request),
    )
