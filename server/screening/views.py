"""The screening's pages: home, intro, one question per page, check your answers, result.

Answers travel in POST bodies and the session cookie only (post, redirect, get), never in a
URL or a log line.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from server.content import Content, Question
from server.screening.rule import Answer, evaluate, first_unanswered, parse_answers
from server.session_cookie import new_session
from server.web import (
    ANSWER_LABELS,
    answers_of,
    content_for,
    read_form,
    redirect,
    render,
    urls_for,
)


async def home(request: Request) -> Response:
    content = content_for(request)
    return render(request, "home.html", content, content.home.title, personal=False)


async def helping(request: Request) -> Response:
    content = content_for(request)
    return render(request, "helping.html", content, content.ui.helping_someone, personal=False)


async def emergency(request: Request) -> Response:
    """ "If something goes wrong": what to do, for the person and for a helper."""
    content = content_for(request)
    title = content.emergency.title
    return render(request, "emergency.html", content, title, personal=False)


async def intro(request: Request) -> Response:
    """The check's first page. With answers in progress it offers to carry on, so "Start"
    never wipes them without the user choosing to (the page is then personal: no-store)."""
    content = content_for(request)
    answers = answers_of(request, content)
    if not answers:
        return render(request, "intro.html", content, content.intro.title, personal=False)
    urls = urls_for(request, content)
    missing = first_unanswered(content.questions, answers)
    return render(
        request,
        "intro.html",
        content,
        content.intro.title,
        in_progress={
            "done": len(answers),
            "total": len(content.questions),
            "url": urls.question(missing) if missing else urls.check(),
        },
    )


async def start(request: Request) -> Response:
    """Begin a new screening: clear old answers and remember who is answering."""
    content = content_for(request)
    form = await read_form(request)
    perspective = form.get("perspective")
    if perspective not in ("you", "they"):
        raise HTTPException(status_code=400)
    # A new screening: a new session id, and nothing of the old one carried over.
    new_session(request.session)
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
    )


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
    missing = first_unanswered(content.questions, answers)
    if missing is not None:
        return redirect(urls_for(request, content).question(missing))
    return render(
        request,
        "check.html",
        content,
        content.ui.check_title,
        answers=answers,
        answer_labels=ANSWER_LABELS,
    )


async def result(request: Request) -> Response:
    content = content_for(request)
    answers = answers_of(request, content)
    missing = first_unanswered(content.questions, answers)
    if missing is not None:
        return redirect(urls_for(request, content).question(missing))
    outcome = evaluate(content.questions, answers)
    text = content.outcome_text(outcome.level.value)
    return render(
        request,
        "result.html",
        content,
        f"{content.ui.result_title}: {text.title}",
        outcome=outcome,
        outcome_text=text,
        answer_labels=ANSWER_LABELS,
    )


async def restart(request: Request) -> Response:
    content = content_for(request)
    await read_form(request)
    new_session(request.session)
    return redirect(urls_for(request, content).intro())
