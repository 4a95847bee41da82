"""Which sentences are narrated: every text a user can hear, by clip id.

The narration build makes one clip per entry of ``narration_texts``; pages ask
``ClipCatalog`` for a clip by the same id. Ids come from ``server.speech.clip_ids`` only.
"""

from __future__ import annotations

from server.content import Content
from server.content.perspective import PERSPECTIVES, Perspective
from server.content.session import Check, Plan, SessionText
from server.content.types import placeholders
from server.speech import clip_ids
from server.speech.script import content_script

# Clip ids used as they are by the page views.
CHECK = clip_ids.CHECK
OUTCOME_LEVELS = clip_ids.OUTCOME_LEVELS
# The session gate's states said in a clip of their own (``session.html``): "open" is said the
# same way to whoever holds the phone, and "doctor" has a clip id of its own.
GATE_STATES = (
    "none",
    "avoid",
    "urgent",
    "ask-first",
    "tell",
    "said-no",
    "not-asked",
    "tell-not-yet",
)


def outcome_speech(
    content: Content, level: str, perspective: Perspective = Perspective.YOU, not_sure: bool = False
) -> str:
    """The result page's outcome as said; ``not_sure``: with the line for a warning sign
    answered "Not sure" after it, as the page shows it."""
    o = content.outcome_text(level).for_perspective(perspective)
    said = [o.title + ".", o.summary, *o.next_steps]
    if not_sure:
        line = content.outcomes.red_flag_not_sure
        said.append(line.said_to(perspective))
    return " ".join(said)


def sealed_groups(content: Content) -> tuple[tuple[str, ...], ...]:
    """Clips that must all be one byte length, each group padded with silence to its longest
    by the narration build (``narration/seal.py``), because which clip of the group a page
    fetches tells something about the person to anyone who sees the size of its traffic:
    the outcome on the result page; the answer a question page confirms ("Yes." or "Not
    sure."); the session gate, which follows the outcome (and folds its clinician question
    into one clip, so the number of clips fetched tells nothing either); which check stopped
    a session today; and how the session felt."""
    session = content.session
    gates = [clip_ids.gate("open")] + [
        gate_id
        for perspective in PERSPECTIVES
        for gate_id in (
            *(clip_ids.gate(state, perspective) for state in GATE_STATES),
            clip_ids.doctor(perspective),
        )
    ]
    stops = sorted(
        {
            stop_clip(session, check, plan, perspective)[0]
            for plan in session.plans
            for check in session.checks
            for perspective in PERSPECTIVES
        }
    )
    feelings = [
        clip_ids.feeling(feeling.id, perspective)
        for feeling in session.feelings
        for perspective in PERSPECTIVES
    ]
    return (
        tuple(clip_ids.outcomes()),
        tuple(clip_ids.answer(value) for value in ("yes", "no", "not-sure")),
        tuple(gates),
        tuple(stops),
        tuple(feelings),
    )


def check_clip(
    session: SessionText, check: Check, plan: Plan, perspective: Perspective = Perspective.YOU
) -> tuple[str, str]:
    """(clip id, text) of a pre-session check's question for ``plan``, asked of
    ``perspective``."""
    question = check.asked(perspective)
    plan_id = plan.id if placeholders(question) else None
    text = question.format(angle=plan.angle)
    return clip_ids.session_check(check.id, plan_id, perspective), text


def stop_clip(
    session: SessionText, check: Check, plan: Plan, perspective: Perspective = Perspective.YOU
) -> tuple[str, str]:
    """(clip id, text) of the "do not invert today" advice when ``check`` stops a session."""
    raw = check.advice(perspective)
    plan_id = plan.id if placeholders(raw) else None
    title = session.ui.for_perspective(perspective).stop_title
    text = f"{title}. {raw.format(angle=plan.angle)}"
    return clip_ids.session_stop(check.id, plan_id, perspective), text


def feedback_wording(content: Content, perspective: Perspective) -> tuple[str, str]:
    """(title, lead) of "How did that feel?", asked of the person or of a carer about them."""
    if perspective == Perspective.THEY:
        return content.carer.feedback_title_they, content.carer.feedback_lead_they
    return content.session.ui.feedback_title, content.session.ui.feedback_lead


def screening_texts(content: Content) -> dict[str, str]:
    texts: dict[str, str] = {
        clip_ids.HOME: f"{content.home.title}. {content.home.lead}",
        clip_ids.HELPING: f"{content.ui.helping_someone}. {content.ui.perspective_they}",
        clip_ids.INTRO: " ".join(
            [content.intro.title + ".", *content.intro.paragraphs, content.disclaimer]
        ),
        clip_ids.CHECK: f"{content.ui.check_title}. {content.ui.check_lead}",
        clip_ids.ERROR_NO_ANSWER: content.ui.error_no_answer,
        clip_ids.ANSWER_PROMPT: content.ui.answer_prompt,
        clip_ids.answer("yes"): content.ui.answer_yes + ".",
        clip_ids.answer("no"): content.ui.answer_no + ".",
        clip_ids.answer("not-sure"): content.ui.answer_not_sure + ".",
    }
    total = len(content.questions)
    for n in range(1, total + 1):
        texts[clip_ids.counter(n)] = content.ui.question_n_of_m.format(n=n, m=total) + "."
    for q in content.questions:
        for perspective in PERSPECTIVES:
            texts[clip_ids.question(q.id, perspective)] = q.asked(perspective)
        texts[clip_ids.question_why(q.id)] = q.why
    for level in OUTCOME_LEVELS:
        for perspective in PERSPECTIVES:
            for not_sure in (False, True):
                texts[clip_ids.outcome(level, perspective, not_sure)] = outcome_speech(
                    content, level, perspective, not_sure
                )
    # The on-device result says the line after the outcome's own clip (nothing crosses the
    # network there, so the one sealed clip is not needed, and a save stays small).
    line = content.outcomes.red_flag_not_sure
    for perspective in PERSPECTIVES:
        texts[clip_ids.red_flag_not_sure(perspective)] = line.said_to(perspective)
    texts[clip_ids.EMERGENCY] = content.emergency.page_text()
    texts[clip_ids.EMERGENCY_SHORT] = content.emergency.short_text()
    return texts


def session_page_texts(content: Content) -> dict[str, str]:
    """Spoken versions of the session pages (beside their text on the page), said to the person
    and, from the carer forms of the same strings, to a carer about them."""
    session = content.session
    ui = session.ui
    texts = {
        # Said the same way to whoever holds the phone: how the session works, and the notes
        # about confirmations and pressing play.
        clip_ids.gate("open"): " ".join([ui.gate_open_title + ".", *ui.how_it_works]),
        clip_ids.SESSION_CONFIRM_CLEARED: ui.confirm_cleared,
        clip_ids.SESSION_ARRIVAL: ui.arrival,
    }
    for perspective in PERSPECTIVES:
        said = ui.for_perspective(perspective)
        feedback_title, feedback_lead = feedback_wording(content, perspective)
        texts |= {
            clip_ids.gate("none", perspective): f"{said.gate_none_title}. {said.gate_none_body}",
            clip_ids.gate("avoid", perspective): f"{said.gate_avoid_title}. {said.gate_avoid_body}",
            clip_ids.gate("urgent", perspective): (
                f"{said.gate_urgent_title}. {said.gate_urgent_body}"
            ),
            # The gates that ask "Has a doctor agreed?" say the question in the same clip.
            clip_ids.gate("ask-first", perspective): (
                f"{said.gate_ask_title}. {said.gate_ask_body} {said.gate_ask_question}"
            ),
            clip_ids.plans(perspective): f"{said.plans_title}. {said.plans_lead}",
            clip_ids.plan_ahead(perspective): " ".join([said.ahead_title + ".", *said.ahead_body]),
            clip_ids.plan_beyond(perspective): " ".join(
                [said.beyond_title + ".", *said.beyond_body]
            ),
            clip_ids.first_only(perspective): said.first_only_body,
            clip_ids.doctor(perspective): " ".join(
                [said.doctor_title + ".", *said.doctor_body, said.doctor_question]
            ),
            clip_ids.gate("tell", perspective): " ".join(
                [said.tell_title + ".", *said.tell_body, said.tell_question]
            ),
            clip_ids.gate("said-no", perspective): " ".join(
                [said.said_no_title + ".", *said.said_no_body]
            ),
            clip_ids.gate("not-asked", perspective): " ".join(
                [said.not_asked_title + ".", *said.not_asked_body]
            ),
            clip_ids.gate("tell-not-yet", perspective): " ".join(
                [said.tell_title + ".", *said.tell_not_yet_body]
            ),
            clip_ids.feedback(perspective): f"{feedback_title} {feedback_lead}",
        }
        for feeling in session.feelings:
            advice = content.feeling_text(feeling, perspective)
            texts[clip_ids.feeling(feeling.id, perspective)] = " ".join(
                [advice.title + ".", *advice.advice]
            )
    for plan in session.plans:
        for check in session.checks:
            for perspective in PERSPECTIVES:
                for clip_id, text in (
                    check_clip(session, check, plan, perspective),
                    stop_clip(session, check, plan, perspective),
                ):
                    texts[clip_id] = text
    return texts


def track_texts(content: Content) -> dict[str, str]:
    """Every sentence of every plan's session track, in both perspectives (the carer's track
    adds the helper's lines; every track opens with the short emergency chapter)."""
    texts: dict[str, str] = {}
    for plan in content.session.plans:
        for perspective in PERSPECTIVES:
            texts.update(content_script(content, plan, perspective).clip_texts())
    return texts


def summary_texts(content: Content) -> dict[str, str]:
    """The clinician summary read aloud: its fixed sentences and each question's title, played
    one after another (answers reuse the answer-label clips, the outcome its outcome clips)."""
    carer = content.carer
    texts = {
        clip_ids.summary("title"): f"{carer.summary_title}.",
        clip_ids.summary("answered-by"): carer.summary_answered_by_you,
        clip_ids.summary("answered-by.they"): carer.summary_answered_by_they,
        clip_ids.summary("causes"): f"{carer.summary_causes_title}.",
        clip_ids.summary("answers"): f"{carer.summary_answers_title}.",
        clip_ids.summary("not-advice"): carer.summary_not_advice,
    }
    for q in content.questions:
        texts[clip_ids.question_title(q.id)] = f"{q.title}:"
    return texts


def narration_texts(content: Content) -> dict[str, str]:
    """Every sentence a user can hear in one language, by clip id."""
    return {
        **screening_texts(content),
        **session_page_texts(content),
        **track_texts(content),
        **summary_texts(content),
    }
