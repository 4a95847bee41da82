"""The pre-session checks' pages: asked in the order a real table needs, of the person or of
their carer, one per page.

Each check has the one answer that lets the session go on (Yes to "Is
the tether set?", No to "Has your health changed?"); any other answer, Not sure included,
ends with advice, and a change in health sends the person back to the screening.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from server.content import Content
from server.content.perspective import Perspective
from server.content.session import Check, Plan
from server.session.gate import mark_ready, plan_allowed
from server.speech import texts as speech
from server.views.session_helpers import gate_required, plan_or_404, plan_start_url
from server.web import (
    ANSWER_LABELS,
    content_for,
    perspective_of,
    read_form,
    redirect,
    render,
    take_perspective_note,
    urls_for,
)


def check_or_404(content: Content, check_id: str) -> Check:
    check = content.session.check(check_id)
    if check is None:
        raise HTTPException(status_code=404)
    return check


def _check_page(
    request: Request, content: Content, plan: Plan, check: Check, error: bool = False
) -> Response:
    checks = content.session.checks
    n = checks.index(check) + 1
    counter = content.session.ui.check_counter.format(n=n, m=len(checks))
    perspective = perspective_of(request)
    clip_id, question = speech.check_clip(content.session, check, plan, perspective)
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
        perspective_note=take_perspective_note(request),
    )


def _chosen_plan(request: Request, content: Content) -> Plan | Response:
    """The plan in the path, if the user chose it on the plans page (within the safeguards);
    otherwise the way back to the plans page."""
    plan = plan_or_404(content, request.path_params["plan_id"])
    if not plan_allowed(request.session, plan.id):
        return redirect(urls_for(request, content).plans())
    return plan


@gate_required
async def check_page(request: Request) -> Response:
    content = content_for(request)
    plan = _chosen_plan(request, content)
    if isinstance(plan, Response):
        return plan
    check = check_or_404(content, request.path_params["check_id"])
    return _check_page(request, content, plan, check)


def _stop_page(request: Request, content: Content, plan: Plan, check: Check) -> Response:
    request.session.pop("session_checks", None)
    request.session.pop("session_ready", None)
    perspective = perspective_of(request)
    clip_id, _ = speech.stop_clip(content.session, check, plan, perspective)
    return render(
        request,
        "session_stop.html",
        content,
        content.session.ui.for_perspective(perspective).stop_title,
        plan=plan,
        advice=check.advice(perspective).format(angle=plan.angle),
        clip_id=clip_id,
        retake=check.retake_check,
        again_url=plan_start_url(request, content, plan),
        perspective_note=take_perspective_note(request),
    )


def _passed(request: Request, plan: Plan) -> list[str]:
    state = request.session.get("session_checks")
    if isinstance(state, dict) and state.get("plan") == plan.id:
        raw = state.get("passed")
        return [c for c in raw if isinstance(c, str)] if isinstance(raw, list) else []
    return []


@gate_required
async def check_answer(request: Request) -> Response:
    """The go-on answer leads to the next check (then the player); any other ends with advice."""
    content = content_for(request)
    plan = _chosen_plan(request, content)
    if isinstance(plan, Response):
        return plan
    check = check_or_404(content, request.path_params["check_id"])
    form = await read_form(request)
    answer = form.get("answer")
    if not isinstance(answer, str) or answer not in ANSWER_LABELS:
        return _check_page(request, content, plan, check, error=True)
    if check.stops(answer):
        return _stop_page(request, content, plan, check)
    checks = content.session.checks
    passed = _passed(request, plan)
    # Checks count only in order: an answer to a later check, reached by its address, does
    # not stand in for the ones before it.
    earlier = [c.id for c in checks[: checks.index(check)]]
    if all(c in passed for c in earlier) and check.id not in passed:
        passed.append(check.id)
    request.session["session_checks"] = {"plan": plan.id, "passed": passed}
    missing = next((c for c in checks if c.id not in passed), None)
    urls = urls_for(request, content)
    if missing is None:
        mark_ready(request.session, plan.id)
        request.session.pop("session_checks", None)
        return redirect(
            urls.carer(plan.id)
            if perspective_of(request) == Perspective.THEY
            else urls.play(plan.id)
        )
    return redirect(urls.session_check(plan.id, missing.id))
