"""Which sentences are narrated: every text a user can hear, by clip id.

The narration build makes one clip per entry of ``narration_texts``; pages ask
``ClipCatalog`` for a clip by the same id. Ids come from ``server.clip_ids`` only.
"""

from __future__ import annotations

from server import clip_ids
from server.content import Content, Question
from server.content.session import Check, Plan, SessionText
from server.content.types import placeholders
from server.session.script import plan_script

# Clip ids used as they are by the page views.
CHECK = clip_ids.CHECK
OUTCOME_LEVELS = ("avoid", "ask-first", "no-known-reason")


def question_clip(question: Question, perspective: str) -> str:
    return clip_ids.question(question.id, "they" if perspective == "they" else "you")


def outcome_clip(level: str) -> str:
    return clip_ids.outcome(level)


def outcome_speech(content: Content, level: str) -> str:
    o = content.outcome_text(level)
    return " ".join([o.title + ".", o.summary, *o.next_steps])


def check_clip(session: SessionText, check: Check, plan: Plan) -> tuple[str, str]:
    """(clip id, text) of a pre-session check's question for ``plan``."""
    if placeholders(check.question):
        return clip_ids.session_check(check.id, plan.id), check.question.format(angle=plan.angle)
    return clip_ids.session_check(check.id), check.question


def stop_clip(session: SessionText, check: Check, plan: Plan) -> tuple[str, str]:
    """(clip id, text) of the "do not invert today" advice after a "no" to ``check``."""
    advice = check.if_no.format(angle=plan.angle)
    plan_id = plan.id if placeholders(check.if_no) else None
    return clip_ids.session_stop(check.id, plan_id), f"{session.ui.stop_title}. {advice}"


def screening_texts(content: Content) -> dict[str, str]:
    texts: dict[str, str] = {
        clip_ids.HOME: f"{content.home.title}. {content.home.lead}",
        clip_ids.INTRO: " ".join(
            [content.intro.title + ".", *content.intro.paragraphs, content.disclaimer]
        ),
        clip_ids.CHECK: f"{content.ui.check_title}. {content.ui.check_lead}",
        clip_ids.ERROR_NO_ANSWER: content.ui.error_no_answer,
    }
    for q in content.questions:
        texts[clip_ids.question(q.id, "you")] = q.you
        texts[clip_ids.question(q.id, "they")] = q.they
        texts[clip_ids.question_why(q.id)] = q.why
    for level in OUTCOME_LEVELS:
        texts[clip_ids.outcome(level)] = outcome_speech(content, level)
    return texts


def session_page_texts(session: SessionText) -> dict[str, str]:
    """Spoken versions of the session pages (beside their text on the page)."""
    ui = session.ui
    texts = {
        clip_ids.gate("none"): f"{ui.gate_none_title}. {ui.gate_none_body}",
        clip_ids.gate("avoid"): f"{ui.gate_avoid_title}. {ui.gate_avoid_body}",
        clip_ids.gate("ask-first"): f"{ui.gate_ask_title}. {ui.gate_ask_body}",
        clip_ids.gate("open"): " ".join([ui.gate_open_title + ".", *ui.how_it_works]),
        clip_ids.SESSION_PLANS: f"{ui.plans_title}. {ui.plans_lead}",
        clip_ids.SESSION_AHEAD: " ".join([ui.ahead_title + ".", *ui.ahead_body]),
        clip_ids.SESSION_FEEDBACK: f"{ui.feedback_title} {ui.feedback_lead}",
    }
    for plan in session.plans:
        for check in session.checks:
            for clip_id, text in (
                check_clip(session, check, plan),
                stop_clip(session, check, plan),
            ):
                texts[clip_id] = text
    for feeling in session.feelings:
        texts[clip_ids.feeling(feeling.id)] = " ".join([feeling.title + ".", *feeling.advice])
    return texts


def track_texts(session: SessionText) -> dict[str, str]:
    """Every sentence of every plan's session track."""
    texts: dict[str, str] = {}
    for plan in session.plans:
        texts.update(plan_script(plan, session).clip_texts())
    return texts


def narration_texts(content: Content) -> dict[str, str]:
    """Every sentence a user can hear in one language, by clip id."""
    return {
        **screening_texts(content),
        **session_page_texts(content.session),
        **track_texts(content.session),
    }
