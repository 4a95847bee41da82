"""Request handlers for the pages. Answers travel in POST bodies and a signed cookie only."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.templating import Jinja2Templates

from server.content import Content, Question
from server.screening import Answer, evaluate, first_unanswered, parse_answers
from server.security import BodyTooLarge

ANSWER_LABELS = {"yes": "answer_yes", "no": "answer_no", "not-sure": "answer_not_sure"}


def contents(request: Request) -> dict[str, Content]:
    result: dict[str, Content] = request.app.state.contents
    return result


def content_for(request: Request) -> Content:
    """The content for the ``lang`` path parameter; unknown languages are a 404."""
    lang = request.path_params.get("lang", request.app.state.settings.default_language)
    content = contents(request).get(lang)
    if content is None:
        raise HTTPException(status_code=404)
    return content


def answers_of(request: Request, content: Content) -> dict[str, Answer]:
    return parse_answers(request.session.get("answers"), content.questions)


def perspective_of(request: Request) -> str:
    return "they" if request.session.get("perspective") == "they" else "you"


def render(
    request: Request,
    template: str,
    content: Content,
    page_title: str,
    status_code: int = 200,
    **context: Any,
) -> Response:
    """Render a page with what every page needs: its content, languages and narration."""
    base = {
        "content": content,
        "ui": content.ui,
        "page_title": page_title,
        "languages": sorted(contents(request).values(), key=lambda c: c.language),
        "clips": request.app.state.clips,
        "perspective": perspective_of(request),
    }
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request, template, {**base, **context}, status_code=status_code
    )


def redirect(url: str) -> RedirectResponse:
    # 303 so the browser follows a POST with a GET (post, redirect, get).
    return RedirectResponse(url, status_code=303)


async def read_form(request: Request) -> FormData:
    """The POSTed form; a body that cannot be parsed is a 400, never a 500."""
    try:
        return await request.form(max_files=0, max_fields=20)
    except (HTTPException, BodyTooLarge):
        raise
    except Exception as exc:  # multipart and urlencoded parsers raise several types
        raise HTTPException(status_code=400) from exc


async def root(request: Request) -> Response:
    """Send visitors to their language, from Accept-Language, else the default."""
    available = contents(request)
    wanted = request.headers.get("accept-language", "")
    for part in wanted.split(","):
        code = part.split(";")[0].strip().lower().split("-")[0]
        if code in available:
            return redirect(f"/{code}/")
    return redirect(f"/{request.app.state.settings.default_language}/")


async def home(request: Request) -> Response:
    content = content_for(request)
    return render(request, "home.html", content, content.home.title)


async def helping(request: Request) -> Response:
    content = content_for(request)
    return render(request, "helping.html", content, content.ui.helping_someone)


async def intro(request: Request) -> Response:
    content = content_for(request)
    return render(request, "intro.html", content, content.intro.title)


async def start(request: Request) -> Response:
    """Begin a new screening: clear old answers and remember who is answering."""
    content = content_for(request)
    form = await read_form(request)
    perspective = form.get("perspective")
    if perspective not in ("you", "they"):
        raise HTTPException(status_code=400)
    request.session["answers"] = {}
    request.session["perspective"] = perspective
    return redirect(f"/{content.language}/screening/q/{content.questions[0].id}")


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
    n = content.index_of(question.id) + 1
    m = len(content.questions)
    counter = content.ui.question_n_of_m.format(n=n, m=m)
    title = f"{counter}: {question.title}"
    if error:
        title = f"{content.ui.error_prefix} {title}"
    previous = content.questions[n - 2].id if n > 1 else None
    back_to_check = request.query_params.get("return") == "check"
    if back_to_check:
        back_url = f"/{content.language}/screening/check"
    elif previous:
        back_url = f"/{content.language}/screening/q/{previous}"
    else:
        back_url = f"/{content.language}/screening"
    current = answers_of(request, content).get(question.id)
    return render(
        request,
        "question.html",
        content,
        title,
        status_code=422 if error else 200,
        question=question,
        counter=counter,
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
    question = _question_or_404(content, request.path_params["question_id"])
    form = await read_form(request)
    raw = form.get("answer")
    if not isinstance(raw, str) or raw not in {a.value for a in Answer}:
        return _question_page(request, content, question, error=True)
    answers = {k: v.value for k, v in answers_of(request, content).items()}
    answers[question.id] = raw
    request.session["answers"] = answers
    if form.get("return") == "check":
        return redirect(f"/{content.language}/screening/check")
    parsed = parse_answers(answers, content.questions)
    following = content.questions[content.index_of(question.id) + 1 :]
    next_id = first_unanswered(following, parsed) or first_unanswered(content.questions, parsed)
    if next_id is None:
        return redirect(f"/{content.language}/screening/check")
    return redirect(f"/{content.language}/screening/q/{next_id}")


async def check_answers(request: Request) -> Response:
    content = content_for(request)
    answers = answers_of(request, content)
    missing = first_unanswered(content.questions, answers)
    if missing is not None:
        return redirect(f"/{content.language}/screening/q/{missing}")
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
        return redirect(f"/{content.language}/screening/q/{missing}")
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
    request.session.pop("answers", None)
    return redirect(f"/{content.language}/screening")
