"""The screening worked out on the device: its rules and wording (rules.json), and the page
that shows the result offline."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from server.content import Content
from server.content.perspective import PERSPECTIVES, Perspective
from server.http.urls import Urls
from server.offline.version import NO_CACHE, urls_of
from server.speech import clip_ids
from server.speech import texts as speech
from server.speech.catalog import ClipCatalog
from server.web import content_for, render, state, take_perspective_note

# --- Screening on the device -----------------------------------------------------------------


def screening_rules(urls: Urls, content: Content, clips: ClipCatalog) -> dict[str, Any]:
    """What the browser needs to finish a screening offline: questions, levels and outcomes.

    The rule itself (server/screening/rule.py) is three lines; the script repeats it from
    these levels, and a browser test checks both agree. What the result says is here in both
    perspectives, as the result page words it (``outcomes[level][perspective]`` and
    ``result[perspective]``): the device knows who is answering, the saved copy does not.
    """
    lang = content.language

    def clip_pair(clip_id: str) -> dict[str, str | None]:
        # A save holds every clip rules.json names, and the device plays them with no
        # request: sealed clips as spoken, without their padding.
        normal = clips.url(lang, clip_id, "normal", padded=False)
        slow = clips.url(lang, clip_id, "slow", padded=False)
        return {"normal": normal, "slow": slow or normal}

    outcomes = {}
    for level in speech.OUTCOME_LEVELS:
        outcome = content.outcome_text(level)
        outcomes[level] = {
            p: {
                **outcome.for_perspective(p).model_dump(),
                "clips": clip_pair(clip_ids.outcome(level, p)),
            }
            for p in PERSPECTIVES
        }
    return {
        "lang": lang,
        "levels": list(speech.OUTCOME_LEVELS),
        "intro_url": urls.intro(),
        "questions": [
            {
                "id": q.id,
                "title": q.title,
                **{p.value: q.asked(p) for p in PERSPECTIVES},
                "level": q.level.value,
                "url": urls.question(q.id),
                "clips": {p: clip_pair(clip_ids.question(q.id, p)) for p in PERSPECTIVES},
            }
            for q in content.questions
        ],
        "outcomes": outcomes,
        # Said after the outcome when a warning sign was answered Not sure (as result.html).
        "red_flag_not_sure_clips": {
            p: clip_pair(clip_ids.red_flag_not_sure(p)) for p in PERSPECTIVES
        },
        "result": {p: result_wording(content, p) for p in PERSPECTIVES},
    }


def result_wording(content: Content, perspective: Perspective) -> dict[str, str]:
    """The result page's headings and fixed lines in one perspective (as result.html)."""
    ui, carer, they = content.ui, content.carer, perspective == Perspective.THEY
    not_sure = content.outcomes.red_flag_not_sure
    pwa = content.pwa
    return {
        "page_title": pwa.offline_result_title_they if they else pwa.offline_result_title,
        "app_name": ui.app_name,
        "heading": carer.result_title_they if they else ui.result_title,
        "causes_title": carer.result_causes_title_they if they else carer.result_causes_title,
        "others_title": carer.result_others_title_they if they else ui.result_others_title,
        "no_reasons": carer.result_no_reasons_they if they else ui.result_no_reasons,
        "red_flag_not_sure": not_sure.said_to(perspective),
        "print_hint": carer.result_print_hint_they if they else ui.result_print_hint,
        "disclaimer": carer.disclaimer_they if they else content.disclaimer,
    }


async def rules_json(request: Request) -> Response:
    """``/<lang>/screening/rules.json``: no answers in it, so it may be cached."""
    content = content_for(request)
    shared = state(request)
    urls = urls_of(request.app, content.language)
    return JSONResponse(screening_rules(urls, content, shared.clips), headers=NO_CACHE)


async def offline_result(request: Request) -> Response:
    """``/<lang>/screening/offline``: the result worked out in the browser from its answers."""
    content, note = content_for(request), take_perspective_note(request)
    title = content.pwa.offline_result_title
    return render(request, "offline_result.html", content, title, perspective_note=note)
