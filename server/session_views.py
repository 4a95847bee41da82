"""Request handlers for the guided session: gate, plans, checks, player, carer view, feedback.

Nothing about a person's sessions is stored on the server. The gate reads the screening
answers from the signed cookie (as the result page does); the cookie also carries whether a
clinician agreed to these answers and which plan's checks were just passed. Progression
history lives in the browser (localStorage, pwa/static/js/session.js).
"""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from server.content import Content
from server.narration import SPEEDS
from server.screening import Outcome, evaluate, first_unanswered
from server.session import (
    COME_UP,
    Gate,
    answers_fingerprint,
    gate_for,
    ladder_json,
    plan_script,
    suggest,
)
from server.session_content import FEELINGS, Check, Plan
from server.session_tracks import LoadedTrack, load_track
from server.views import ANSWER_LABELS, answers_of, content_for, read_form, redirect, render

Endpoint = Callable[[Request], Awaitable[Response]]

# Checks passed this long ago no longer open the player: check again before a new session.
READY_SECONDS = 3 * 60 * 60


def _gate(request: Request, content: Content) -> tuple[Gate, Outcome | None]:
    answers = answers_of(request, content)
    if first_unanswered(content.questions, answers) is not None:
        return Gate.NO_SCREENING, None
    outcome = evaluate(content.questions, answers)
    confirmed = request.session.get("clinician_ok") == answers_fingerprint(answers)
    return gate_for(outcome.level, confirmed), outcome


def _base(request: Request) -> str:
    return f"/{content_for(request).language}/session"


def gate_required(handler: Endpoint) -> Endpoint:
    """Session pages past the gate: anyone the gate does not let through goes back to it."""

    @functools.wraps(handler)
    async def guarded(request: Request) -> Response:
        content = content_for(request)
        gate, _ = _gate(request, content)
        if gate is not Gate.OPEN:
            return redirect(f"/{content.language}/session")
        return await handler(request)

    return guarded


def _plan_or_404(content: Content, plan_id: str) -> Plan:
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
        return redirect(_base(request))
    request.session["clinician_ok"] = answers_fingerprint(answers_of(request, content))
    return redirect(_base(request))


# --------------------------------------------------------------------------- plans


def _plan_url(content: Content, plan: Plan) -> str:
    return f"/{content.language}/session/plan/{plan.id}/check/{content.session.checks[0].id}"


@gate_required
async def plans_page(request: Request) -> Response:
    content = content_for(request)
    session = content.session
    # Without JavaScript the server knows no history: it suggests the first plan. The page
    # script replaces the suggestion from the history kept on the device.
    suggestion = suggest(session.plans, [])
    suggested = session.plan_by_id(suggestion.plan)
    gentler = session.plan(suggestion.gentler) if suggestion.gentler else None
    plans = sorted(session.plans, key=lambda p: (p.step, not p.ladder))
    rows = [
        {
            "plan": plan,
            "facts": plan_facts(content, plan),
            "start_url": _plan_url(content, plan),
            "ahead_url": f"/{content.language}/session/plan/{plan.id}/ahead",
            "ahead": plan.step > suggested.step,
        }
        for plan in plans
    ]
    ui = session.ui
    data = {
        "plans": ladder_json(session.plans),
        "urls": {
            plan.id: {
                "start": _plan_url(content, plan),
                "ahead": f"/{content.language}/session/plan/{plan.id}/ahead",
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
        suggested_url=_plan_url(content, suggested),
        gentler_url=_plan_url(content, gentler) if gentler else None,
        plans_json=json.dumps(data, separators=(",", ":")),
    )


@gate_required
async def ahead_page(request: Request) -> Response:
    """Moving on faster than the progression asks asks to confirm first."""
    content = content_for(request)
    plan = _plan_or_404(content, request.path_params["plan_id"])
    return render(
        request,
        "session_ahead.html",
        content,
        f"{content.session.ui.ahead_title}: {plan.title}",
        plan=plan,
        facts=plan_facts(content, plan),
        start_url=_plan_url(content, plan),
    )


# --------------------------------------------------------------------------- checks


def _check_page(
    request: Request, content: Content, plan: Plan, check: Check, error: bool = False
) -> Response:
    checks = content.session.checks
    n = checks.index(check) + 1
    counter = content.session.ui.check_counter.format(n=n, m=len(checks))
    clip_id, question = content.session.check_clip(check, plan)
    title = f"{counter}: {question}"
    if error:
        title = f"{content.ui.error_prefix} {title}"
    back_url = (
        f"/{content.language}/session/plan/{plan.id}/check/{checks[n - 2].id}"
        if n > 1
        else f"/{content.language}/session/plans"
    )
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
    plan = _plan_or_404(content, request.path_params["plan_id"])
    check = _check_or_404(content, request.path_params["check_id"])
    return _check_page(request, content, plan, check)


@gate_required
async def check_answer(request: Request) -> Response:
    """Yes goes on to the next check (then the player); No or Not sure ends with advice."""
    content = content_for(request)
    plan = _plan_or_404(content, request.path_params["plan_id"])
    check = _check_or_404(content, request.path_params["check_id"])
    form = await read_form(request)
    answer = form.get("answer")
    if answer not in ANSWER_LABELS:
        return _check_page(request, content, plan, check, error=True)
    checks = content.session.checks
    if answer != "yes":
        request.session.pop("session_checks", None)
        request.session.pop("session_ready", None)
        clip_id, _ = content.session.stop_clip(check, plan)
        return render(
            request,
            "session_stop.html",
            content,
            content.session.ui.stop_title,
            plan=plan,
            advice=check.if_no.format(angle=plan.angle),
            clip_id=clip_id,
            again_url=_plan_url(content, plan),
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
        request.session["session_ready"] = {"plan": plan.id, "at": int(time.time())}
        request.session.pop("session_checks", None)
        return redirect(f"/{content.language}/session/plan/{plan.id}/play")
    return redirect(f"/{content.language}/session/plan/{plan.id}/check/{missing.id}")


def _ready(request: Request, plan: Plan) -> bool:
    state = request.session.get("session_ready")
    if not isinstance(state, dict) or state.get("plan") != plan.id:
        return False
    at = state.get("at")
    return isinstance(at, int) and 0 <= time.time() - at <= READY_SECONDS


# --------------------------------------------------------------------------- player


def _steps(content: Content, plan: Plan, track: LoadedTrack | None) -> list[dict[str, Any]]:
    """Every step with its exact spoken text, and its times when the track exists."""
    if track is not None:
        return [
            {
                "id": c["id"],
                "kind": c["kind"],
                "title": c["title"],
                "lines": [line["text"] for line in c["lines"]],
                "time": content.session.ui.step_time.format(
                    start=clock_text(c["start"]), end=clock_text(c["end"])
                ),
            }
            for c in track.chapters
        ]
    return [
        {
            "id": c.id,
            "kind": c.kind,
            "title": c.title,
            "lines": [line.text for line in c.lines],
            "time": None,
        }
        for c in plan_script(plan, content.session).chapters
    ]


def _player(request: Request, carer: bool) -> Response:
    content = content_for(request)
    plan = _plan_or_404(content, request.path_params["plan_id"])
    if not _ready(request, plan):
        return redirect(_plan_url(content, plan))
    speed = request.query_params.get("speed", "normal")
    if speed not in SPEEDS:
        speed = "normal"
    settings = request.app.state.settings
    key = plan_script(plan, content.session).key
    track = load_track(settings.audio_dir, content.language, plan.id, speed, key)
    ui = content.session.ui
    steps = _steps(content, plan, track)
    audio_url = None
    player_json = ""
    if track is not None:
        audio_url = f"{request.app.state.clips.base_url}/{content.language}/tracks/{track.file}"
        player_json = json.dumps(
            {
                "plan": plan.id,
                "lang": content.language,
                "speed": speed,
                "file": track.file,
                "duration": track.duration,
                "come_up": COME_UP,
                "app": content.ui.app_name,
                "album": f"{ui.player_caption}: {plan.title}",
                "chapters": [
                    {
                        "id": c["id"],
                        "title": c["title"],
                        "start": c["start"],
                        "end": c["end"],
                        "lines": [
                            {"start": x["start"], "end": x["end"], "text": x["text"]}
                            for x in c["lines"]
                        ],
                    }
                    for c in track.chapters
                ],
                "strings": {
                    "step_n_of_m": ui.step_n_of_m,
                    "resume_notice": ui.resume_notice,
                    "resumed_step": ui.resumed_step,
                    "ended": ui.ended,
                    "play": ui.play,
                    "pause": ui.pause,
                    "play_blocked": ui.play_blocked,
                    "carer_view": ui.carer_view,
                    "standard_view": ui.standard_view,
                    "carer_caption": ui.carer_caption,
                    "standard_caption": ui.player_caption,
                    "carer_title": f"{ui.carer_caption}: {plan.title}",
                    "standard_title": f"{ui.player_caption}: {plan.title}",
                    "page_suffix": f" - {content.ui.app_name}",
                },
            },
            separators=(",", ":"),
        )
    base = f"/{content.language}/session/plan/{plan.id}"
    query = "?speed=slow" if speed == "slow" else ""
    caption = ui.carer_caption if carer else ui.player_caption
    first = steps[0]
    return render(
        request,
        "carer_session.html" if carer else "session_player.html",
        content,
        f"{caption}: {plan.title}",
        plan=plan,
        facts=plan_facts(content, plan),
        steps=steps,
        first_step=first,
        come_up=COME_UP,
        track=track,
        audio_url=audio_url,
        total_text=clock_text(track.duration) if track else None,
        first_left_text=clock_text(track.chapters[0]["end"]) if track else None,
        player_json=player_json,
        speed=speed,
        carer=carer,
        play_url=f"{base}/play{query}",
        carer_url=f"{base}/carer{query}",
        speed_urls={
            "normal": f"{base}/{'carer' if carer else 'play'}",
            "slow": f"{base}/{'carer' if carer else 'play'}?speed=slow",
        },
        feedback_url=f"{base}/feedback",
        length_text=duration_text(content, track.duration) if track else None,
    )


@gate_required
async def player_page(request: Request) -> Response:
    return _player(request, carer=False)


@gate_required
async def carer_page(request: Request) -> Response:
    """The same player in a carer layout: very large step and time left, the stop control."""
    return _player(request, carer=True)


# --------------------------------------------------------------------------- feedback


async def feedback_page(request: Request) -> Response:
    content = content_for(request)
    plan = _plan_or_404(content, request.path_params["plan_id"])
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
    plan = _plan_or_404(content, request.path_params["plan_id"])
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
