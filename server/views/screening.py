"""The screening's pages: home, intro, one question per page, check your answers, result.

Answers travel in POST bodies and the session cookie only (post, redirect, get), never in a
URL or a log line.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from server.content import Content, Question
from server.content.perspective import Perspective
from server.http.session_cookie import new_session
from server.page_cache import page_key
from server.screening.rule import (
    Answer,
    OutcomeLevel,
    evaluate,
    first_unanswered,
    parse_answers,
)
from server.session.gate import (
    Gate,
    answers_fingerprint,
    clear_confirmations,
    gate_of,
    hold_back_markers,
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
    to_first_unanswered,
    urls_for,
)


async def home(request: Request) -> Response:
    content = content_for(request)
    return render(request, "home.html", content, content.home.title, personal=False)


async def helping(request: Request) -> Response:
    """ "I am helping someone": a check for them. With answers in progress it offers to carry
    on first, as the intro does, so its Start never wipes them unasked."""
    content = content_for(request)
    return _with_progress(request, content, "helping.html", content.ui.helping_someone)


async def emergency(request: Request) -> Response:
    """ "If something goes wrong": what to do, for the person and for a helper."""
    content = content_for(request)
    title = content.emergency.title
    return render(request, "emergency.html", content, title, personal=False)


async def intro(request: Request) -> Response:
    """The check's first page. With answers in progress it offers to carry on, so "Start"
    never wipes them without the user choosing to."""
    content = content_for(request)
    return _with_progress(request, content, "intro.html", content.intro.title)


def _with_progress(request: Request, content: Content, template: str, title: str) -> Response:
    """A page that starts a check: shared (cacheable) with no answers in progress; else it
    says how far the check got and links to carry on (personal then: no-store)."""
    answers = answers_of(request, content)
    if not answers:
        return render(request, template, content, title, personal=False)
    missing = first_unanswered(content.questions, answers)
    urls = urls_for(request, content)
    in_progress = {
        "done": len(answers),
        "total": len(content.questions),
        "url": urls.question(missing) if missing else urls.check(),
    }
    return render(
        request,
        template,
        content,
        title,
        in_progress=in_progress,
        perspective_note=take_perspective_note(request),
    )


async def start(request: Request) -> Response:
    """Begin a new screening: clear old answers and remember who is answering."""
    content = content_for(request)
    form = await read_form(request)
    perspective = Perspective.parse(form.get("perspective"))
    if perspective is None:
        raise HTTPException(status_code=400)
    # A new screening: a new session id, and nothing of the old one carried over but the
    # question still owed after a dizzy or painful session (decision 20: a new check does
    # not answer whether a clinician was told; only "Start again" forgets it).
    owed = hold_back_markers(request.session)
    new_session(request.session)
    request.session.update(owed)
    request.session["answers"] = {}
    request.session["perspective"] = perspective
    return redirect(urls_for(request, content).question(content.questions[0].id))


def _question_or_404(content: Content, question_id: str) -> Question:
    question = content.question(question_id)
    if question is None:
        raise HTTPException(status_code=404)
    return question


def _question_page(
    request: Request,
    content: Content,
    question: Question,
    error: bool = False,
) -> Response:
    urls = urls_for(request, content)
    n = content.index_of(question.id) + 1
    m = len(content.questions)
    counter = content.ui.question_n_of_m.format(n=n, m=m)
    title = f"{counter}: {question.title}"
    if error:
        title = f"{content.ui.error_prefix} {title}"
    previous = content.questions[n - 2].id if n > 1 else None
    back_to_check = request.query_params.get("return") == "check"
    if back_to_check:
        back_url = urls.check()
    elif previous:
        back_url = urls.question(previous)
    else:
        back_url = urls.intro()
    current = answers_of(request, content).get(question.id)
    # Before the note is taken: the page the cache would keep for this state, or not.
    state = page_key(request.scope, request.path_params, question_shows)
    return render(
        request,
        "question.html",
        content,
        title,
        status_code=422 if error else 200,
        question=question,
        counter=counter,
        number=n,
        back_url=back_url,
        back_to_check=back_to_check,
        current=current,
        error=error,
        answer_labels=ANSWER_LABELS,
        perspective_note=take_perspective_note(request),
        same_for_state=state is not None,
    )


def question_shows(params: Mapping[str, Any], session: Mapping[str, Any]) -> Hashable:
    """What a question page shows of the session besides what every personal page shows
    (``server.page_cache.page_key``): the answer given to this question, as ``answers_of``
    reads it (an unknown value shows as no answer)."""
    answers = session.get("answers")
    given = answers.get(params["question_id"]) if isinstance(answers, dict) else None
    return given if isinstance(given, str) and given in ANSWER_LABELS else None


async def question_page(request: Request) -> Response:
    content = content_for(request)
    question = _question_or_404(content, request.path_params["question_id"])
    return _question_page(request, content, question)


async def answer_question(request: Request) -> Response:
    content = content_for(request)
    urls = urls_for(request, content)
    question = _question_or_404(content, request.path_params["question_id"])
    form = await read_form(request)
    raw = form.get("answer")
    if not isinstance(raw, str) or raw not in {a.value for a in Answer}:
        return _question_page(request, content, question, error=True)
    answers = {k: v.value for k, v in answers_of(request, content).items()}
    answers[question.id] = raw
    request.session["answers"] = answers
    if form.get("return") == "check":
        return redirect(urls.check())
    parsed = parse_answers(answers, content.questions)
    following = content.questions[content.index_of(question.id) + 1 :]
    next_id = first_unanswered(following, parsed) or first_unanswered(content.questions, parsed)
    if next_id is None:
        return redirect(urls.check())
    return redirect(urls.question(next_id))


async def check_answers(request: Request) -> Response:
    content = content_for(request)
    answers = answers_of(request, content)
    if (unfinished := to_first_unanswered(request, content, answers)) is not None:
        return unfinished
    return render(
        request,
        "check.html",
        content,
        content.ui.check_title,
        answers=answers,
        answer_labels=ANSWER_LABELS,
        perspective_note=take_perspective_note(request),
    )


async def result(request: Request) -> Response:
    content = content_for(request)
    answers = answers_of(request, content)
    if (unfinished := to_first_unanswered(request, content, answers)) is not None:
        return unfinished
    outcome = evaluate(content.questions, answers)
    perspective = perspective_of(request)
    text = content.outcome_text(outcome.level.value).for_perspective(perspective)
    gate = gate_of(request.session, outcome.level, answers_fingerprint(answers))
    heading = (
        content.carer.result_title_they
        if perspective == Perspective.THEY
        else content.ui.result_title
    )
    return render(
        request,
        "result.html",
        content,
        f"{heading}: {text.title}",
        outcome=outcome,
        outcome_text=text,
        result_heading=heading,
        # The session is one link away when its gate is open, or after "no known reason",
        # where the session page itself asks whether they asked their doctor. Never after
        # "get medical help now" or "do not use inversion".
        gate_open=gate in (Gate.OPEN, Gate.DOCTOR)
        and outcome.level in (OutcomeLevel.ASK_FIRST, OutcomeLevel.NO_KNOWN_REASON),
        answer_labels=ANSWER_LABELS,
        perspective_note=take_perspective_note(request),
    )


async def switch_perspective(request: Request) -> Response:
    """Switch between answering "for myself" and "for someone I help", keeping the answers.

    What was confirmed for a session (a clinician's agreement, passed checks) was said in the
    other voice, so it is asked again. The page the form came from is shown again, with a
    note saying the answers are kept.
    """
    content = content_for(request)
    form = await read_form(request)
    perspective = Perspective.parse(form.get("perspective"))
    if perspective is None:
        raise HTTPException(status_code=400)
    back = form.get("back")
    prefix = urls_for(request, content).home()  # only a page of this app and language
    if not isinstance(back, str) or not back.startswith(prefix) or "//" in back or "\\" in back:
        back = urls_for(request, content).home()
    if "perspective" not in request.session:
        new_session(request.session)
        request.session["answers"] = {}
    if request.session.get("perspective") != perspective:
        clear_confirmations(request.session)
    request.session["perspective"] = perspective
    request.session["perspective_note"] = perspective
    return redirect(back)


async def restart(request: Request) -> Response:
    content = content_for(request)
    await read_form(request)
    new_session(request.session)
    return redirect(urls_for(request, content).intro())
