"""The screening's hand-over pages: the summary for a clinician (page, read aloud, plain-text
download) and "Your sessions", the history kept on the device. Both are made from the cookie
or on the device: nothing is stored on the server.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from server.content import Content
from server.content.perspective import Perspective
from server.http.sealed import sealed_response
from server.screening.rule import Answer, evaluate, first_unanswered
from server.speech import clip_ids
from server.web import (
    ANSWER_LABELS,
    answers_of,
    content_for,
    perspective_of,
    redirect,
    render,
    state,
    take_perspective_note,
    to_first_unanswered,
    urls_for,
)


def _summary_clips(
    request: Request, content: Content, answers: dict[str, Answer], perspective: Perspective
) -> dict[str, list[Any]]:
    """The summary read aloud (built clips only): ``play``, its clips in reading order, each
    ``{"src", "end"}`` (``end``: where a sealed clip's words end); ``fetch``, every clip a
    reading of anyone's answers may use, which the device fetches before it starts, so the
    requests tell neither how many causes there are nor when the outcome's words end."""
    outcome = evaluate(content.questions, answers)
    outcome_id = clip_ids.outcome(outcome.level.value, perspective)
    ids = [
        clip_ids.summary("title"),
        clip_ids.summary("answered-by.they" if perspective == Perspective.THEY else "answered-by"),
        outcome_id,
    ]
    if outcome.causes:
        ids.append(clip_ids.summary("causes"))
        for reason in outcome.causes:
            ids += [
                clip_ids.question_title(reason.question.id),
                clip_ids.answer(reason.answer),
            ]
    ids.append(clip_ids.summary("answers"))
    for q in content.questions:
        ids += [clip_ids.question_title(q.id), clip_ids.answer(answers[q.id].value)]
    ids.append(clip_ids.summary("not-advice"))
    every_reading = {
        *ids,
        clip_ids.summary("causes"),
        *(clip_ids.answer(value) for value in Answer),
    }
    clips = state(request).clips
    lang = content.language
    play = [
        {"src": url, "end": clips.spoken_end(lang, clip_id)}
        for clip_id in ids
        if (url := clips.url(lang, clip_id))
    ]
    fetch = sorted(url for clip_id in every_reading if (url := clips.url(lang, clip_id)))
    return {"play": play, "fetch": fetch}


def _summary_lines(
    content: Content, answers: dict[str, Answer], perspective: Perspective
) -> list[str]:
    """The summary as plain text lines (the download)."""
    carer = content.carer
    ui = content.ui
    outcome = evaluate(content.questions, answers)
    text = content.outcome_text(outcome.level.value).for_perspective(perspective)
    label = {a.value: getattr(ui, ANSWER_LABELS[a.value]) for a in Answer}
    caused = {r.question.id for r in outcome.causes}
    they = perspective == Perspective.THEY
    by = carer.summary_answered_by_they if they else carer.summary_answered_by_you
    lines = [
        f"{ui.app_name}: {carer.summary_title}",
        carer.summary_date.format(date=_today()),
        by,
        "",
        f"{carer.summary_outcome_title}: {text.title}",
        text.summary,
        "",
        f"{carer.summary_causes_title}:",
    ]
    lines += [f"- {r.question.title}: {label[r.answer.value]}" for r in outcome.causes] or [
        f"- {carer.result_no_reasons_they if they else ui.result_no_reasons}"
    ]
    lines += ["", f"{carer.summary_answers_title}:"]
    for n, q in enumerate(content.questions, start=1):
        mark = f" ({carer.summary_caused_mark})" if q.id in caused else ""
        asked = q.asked(perspective)
        lines.append(f"{n}. {q.title}: {label[answers[q.id].value]}{mark}")
        lines.append(f"   {asked}")
    lines += ["", f"{carer.summary_sessions_title}:", carer.summary_sessions_device, ""]
    lines.append(carer.summary_not_advice)
    return lines


def _today() -> str:
    return datetime.date.today().isoformat()


async def summary(request: Request) -> Response:
    """The summary for the clinician, made from the answers in the cookie (nothing stored)."""
    content = content_for(request)
    answers = answers_of(request, content)
    if (unfinished := to_first_unanswered(request, content, answers)) is not None:
        return unfinished
    perspective = perspective_of(request)
    outcome = evaluate(content.questions, answers)
    text = content.outcome_text(outcome.level.value).for_perspective(perspective)
    return render(
        request,
        "summary.html",
        content,
        content.carer.summary_title,
        answers=answers,
        outcome=outcome,
        outcome_text=text,
        caused={r.question.id for r in outcome.causes},
        answer_labels=ANSWER_LABELS,
        today=_today(),
        read_clips=_summary_clips(request, content, answers, perspective),
        history_data=_history_data(content),
        perspective_note=take_perspective_note(request),
    )


async def summary_text(request: Request) -> Response:
    """The summary as a plain-text download; never cached anywhere."""
    content = content_for(request)
    answers = answers_of(request, content)
    if first_unanswered(content.questions, answers) is not None:
        return redirect(urls_for(request, content).check())
    body = "\n".join(_summary_lines(content, answers, perspective_of(request))) + "\n"
    name = f"inversion-guide-summary-{_today()}.txt"
    headers = {"Cache-Control": "no-store", "Content-Disposition": f'attachment; filename="{name}"'}
    # Its length would tell the answers: sealed, as the summary page is.
    return sealed_response(request, body.encode(), 200, headers, "text/plain; charset=utf-8")


def _history_data(content: Content) -> str:
    """What the history component needs to show a saved session: each plan's title, angle
    and minutes held, each feeling's label, and the strings it fills in."""
    carer = content.carer
    return json.dumps(
        {
            "plans": {
                p.id: {"title": p.title, "angle": p.angle, "minutes": p.hold_seconds / 60}
                for p in content.session.plans
            },
            "feelings": {f.id: f.label for f in content.session.feelings},
            "strings": {
                "count": carer.history_count,
                "angle": carer.history_angle_value,
                "minutes": carer.history_minutes_value,
                "row": carer.history_row_spoken,
                "empty": carer.history_empty,
                "forgotten": carer.history_forgotten,
                "confirm": carer.history_forget_confirm,
                "chart_angle": carer.history_chart_angle,
                "chart_minutes": carer.history_chart_minutes,
                "chart_title": carer.history_chart_title,
                "chart_desc": carer.history_chart_desc,
                "caption": carer.history_caption,
                "date": carer.history_date,
                "plan": carer.history_plan,
                "angle_h": carer.history_angle,
                "minutes_h": carer.history_minutes,
                "feeling_h": carer.history_feeling,
                "read": carer.history_read_aloud,
                "no_voice": carer.history_no_local_voice,
                "stop_reading": carer.summary_stop_reading,
                "forget": carer.history_forget,
                "none": carer.summary_sessions_none,
                "device_line": carer.summary_sessions_device,
            },
            "lang": content.language,
        },
        separators=(",", ":"),
    )


async def history(request: Request) -> Response:
    """ "Your sessions": the history lives on the device; the page's script shows it."""
    content = content_for(request)
    they = perspective_of(request) == Perspective.THEY
    title = content.carer.history_title_they if they else content.carer.history_title
    return render(
        request,
        "history.html",
        content,
        title,
        history_data=_history_data(content),
        perspective_note=take_perspective_note(request),
    )
