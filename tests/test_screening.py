"""The screening rule, question by question and as a property."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.content import Content, Level, Question
from server.screening import (
    Answer,
    OutcomeLevel,
    answer_level,
    evaluate,
    first_unanswered,
    parse_answers,
)

YES_LEVEL = {
    Level.EMERGENCY: OutcomeLevel.EMERGENCY,
    Level.URGENT: OutcomeLevel.URGENT,
    Level.AVOID: OutcomeLevel.AVOID,
    Level.ASK_FIRST: OutcomeLevel.ASK_FIRST,
}


def all_no(content: Content) -> dict[str, Answer]:
    return {q.id: Answer.NO for q in content.questions}


def asking(content: Content, item: str) -> Question:
    """The one question whose `covers` names ``item``."""
    (question,) = [q for q in content.questions if item in q.covers]
    return question


def test_levels_are_ordered_most_urgent_first() -> None:
    order = [level.severity for level in OutcomeLevel]
    assert order == sorted(order, reverse=True) and len(set(order)) == 5
    assert list(OutcomeLevel) == [
        OutcomeLevel.EMERGENCY,
        OutcomeLevel.URGENT,
        OutcomeLevel.AVOID,
        OutcomeLevel.ASK_FIRST,
        OutcomeLevel.NO_KNOWN_REASON,
    ]


def test_all_no_gives_no_known_reason_and_no_reasons(content: Content) -> None:
    outcome = evaluate(content.questions, all_no(content))
    assert outcome.level is OutcomeLevel.NO_KNOWN_REASON
    assert outcome.reasons == () and outcome.causes == () and outcome.others == ()


def test_each_question_alone(content: Content) -> None:
    for q in content.questions:
        answers = all_no(content)
        answers[q.id] = Answer.YES
        outcome = evaluate(content.questions, answers)
        assert outcome.level is YES_LEVEL[q.level], q.id
        assert [r.question.id for r in outcome.reasons] == [q.id]
        assert [r.question.id for r in outcome.causes] == [q.id] and outcome.others == ()

        answers[q.id] = Answer.NOT_SURE
        outcome = evaluate(content.questions, answers)
        assert outcome.level is OutcomeLevel.ASK_FIRST, f"not sure about {q.id} counted as no"
        assert [(r.question.id, r.answer) for r in outcome.causes] == [(q.id, Answer.NOT_SURE)]


# --- The "done when" cases of issue 9 -------------------------------------------------------


def test_cataract_alone_means_check_with_your_clinician_first(content: Content) -> None:
    cataract = asking(content, "cataract")
    assert asking(content, "long-standing sight loss") is cataract
    outcome = evaluate(content.questions, all_no(content) | {cataract.id: Answer.YES})
    assert outcome.level is OutcomeLevel.ASK_FIRST
    assert [r.question.id for r in outcome.causes] == [cataract.id]


def test_retinal_detachment_means_do_not_use(content: Content) -> None:
    retina = asking(content, "retinal detachment")
    outcome = evaluate(content.questions, all_no(content) | {retina.id: Answer.YES})
    assert outcome.level is OutcomeLevel.AVOID
    assert [r.question.id for r in outcome.causes] == [retina.id]


@pytest.mark.parametrize(
    "red_flag",
    [
        "new bladder or bowel trouble",
        "numbness between the legs",
        "worsening leg weakness",
        "numbness tingling or weakness in both legs",
    ],
)
def test_an_emergency_red_flag_means_call_the_emergency_number_now(
    content: Content, red_flag: str
) -> None:
    """NHS: call the emergency number or go to A&E (CLINICAL-FACTS decision 8)."""
    question = asking(content, red_flag)
    outcome = evaluate(content.questions, all_no(content) | {question.id: Answer.YES})
    assert outcome.level is OutcomeLevel.EMERGENCY
    assert [r.question.id for r in outcome.causes] == [question.id]
    assert content.outcome_text("emergency").title == "Call the emergency number now"


@pytest.mark.parametrize(
    "red_flag",
    [
        "back pain with fever",
        "unexplained weight loss",
        "pain worse at night or not eased by rest",
        "history of cancer with new back pain",
        "back pain after a fall or injury not examined",
    ],
)
def test_a_same_day_red_flag_means_see_a_doctor_today(content: Content, red_flag: str) -> None:
    """NHS: see a GP urgently, or call 111 (CLINICAL-FACTS decision 8)."""
    question = asking(content, red_flag)
    outcome = evaluate(content.questions, all_no(content) | {question.id: Answer.YES})
    assert outcome.level is OutcomeLevel.URGENT
    assert [r.question.id for r in outcome.causes] == [question.id]
    assert content.outcome_text("urgent").title == "See a doctor today"


def test_never_seen_a_clinician_about_the_pain_is_not_a_no(content: Content) -> None:
    """Asked so that "nobody has examined me about it" is a Yes, which needs a clinician."""
    question = asking(content, "back pain never assessed")
    assert "Answer Yes if no doctor or physiotherapist has examined you" in question.you
    outcome = evaluate(content.questions, all_no(content) | {question.id: Answer.YES})
    assert outcome.level is OutcomeLevel.ASK_FIRST
    assert [r.question.id for r in outcome.causes] == [question.id]


# --- Causes and the other answers ----------------------------------------------------------


def test_causes_are_the_answers_at_the_outcomes_level_and_the_rest_are_listed_apart(
    content: Content,
) -> None:
    red_flag = asking(content, "new bladder or bowel trouble").id
    answers = all_no(content) | {
        "pregnancy": Answer.YES,
        "high-blood-pressure": Answer.NOT_SURE,
        "implants": Answer.YES,
        red_flag: Answer.YES,
    }
    outcome = evaluate(content.questions, answers)
    assert outcome.level is OutcomeLevel.EMERGENCY
    order = [q.id for q in content.questions]
    assert [r.question.id for r in outcome.reasons] == sorted(
        [red_flag, "high-blood-pressure", "implants", "pregnancy"], key=order.index
    )
    assert [r.question.id for r in outcome.causes] == [red_flag]
    assert [r.question.id for r in outcome.others] == sorted(
        ["high-blood-pressure", "implants", "pregnancy"], key=order.index
    )
    levels = {r.question.id: r.level for r in outcome.others}
    assert levels == {
        "high-blood-pressure": OutcomeLevel.ASK_FIRST,
        "implants": OutcomeLevel.ASK_FIRST,
        "pregnancy": OutcomeLevel.AVOID,
    }

    del answers[red_flag]
    answers[red_flag] = Answer.NO
    outcome = evaluate(content.questions, answers)
    assert outcome.level is OutcomeLevel.AVOID
    assert [r.question.id for r in outcome.causes] == ["pregnancy"]
    assert {r.question.id for r in outcome.others} == {"high-blood-pressure", "implants"}


def test_not_sure_about_a_red_flag_asks_for_a_doctor_today_at_any_level(
    content: Content,
) -> None:
    red_flag = asking(content, "numbness between the legs").id
    outcome = evaluate(content.questions, all_no(content) | {red_flag: Answer.NOT_SURE})
    assert outcome.level is OutcomeLevel.ASK_FIRST
    assert [r.question.id for r in outcome.red_flags_not_sure] == [red_flag]
    # Still said when something else sets a higher level.
    answers = all_no(content) | {red_flag: Answer.NOT_SURE, "glaucoma": Answer.YES}
    outcome = evaluate(content.questions, answers)
    assert outcome.level is OutcomeLevel.AVOID
    assert [r.question.id for r in outcome.red_flags_not_sure] == [red_flag]
    assert [r.question.id for r in outcome.others] == [red_flag]
    # A "not sure" to a see-a-doctor-today flag adds the line too.
    today = asking(content, "back pain with fever").id
    outcome = evaluate(content.questions, all_no(content) | {today: Answer.NOT_SURE})
    assert [r.question.id for r in outcome.red_flags_not_sure] == [today]
    # Not sure about anything else adds nothing of the kind.
    outcome = evaluate(content.questions, all_no(content) | {"glaucoma": Answer.NOT_SURE})
    assert outcome.red_flags_not_sure == ()


def test_answer_level_never_treats_not_sure_as_no(content: Content) -> None:
    for q in content.questions:
        assert answer_level(q, Answer.NO) is OutcomeLevel.NO_KNOWN_REASON
        assert answer_level(q, Answer.NOT_SURE) is OutcomeLevel.ASK_FIRST
        assert answer_level(q, Answer.YES) is YES_LEVEL[q.level]


def test_glaucoma_yes_means_do_not_use(content: Content) -> None:
    answers = all_no(content) | {"glaucoma": Answer.YES}
    outcome = evaluate(content.questions, answers)
    assert outcome.level is OutcomeLevel.AVOID
    assert [r.question.id for r in outcome.causes] == ["glaucoma"]


def test_incomplete_answers_have_no_outcome(content: Content) -> None:
    answers = all_no(content)
    del answers["size-limits"]
    with pytest.raises(KeyError):
        evaluate(content.questions, answers)
    assert first_unanswered(content.questions, answers) == "size-limits"


def test_parse_answers_drops_anything_unknown(content: Content) -> None:
    raw = {"glaucoma": "yes", "nope": "yes", "surgery": "maybe", 3: "no", "pregnancy": 1}
    assert parse_answers(raw, content.questions) == {"glaucoma": Answer.YES}
    assert parse_answers("garbage", content.questions) == {}


# --- Properties ------------------------------------------------------------------------------

ORDER = {Answer.NO: 0, Answer.NOT_SURE: 1, Answer.YES: 2}


def draw_answers(content: Content, data: st.DataObject) -> dict[str, Answer]:
    return {q.id: data.draw(st.sampled_from(list(Answer)), label=q.id) for q in content.questions}


@given(data=st.data())
def test_moving_an_answer_towards_yes_never_lowers_the_outcome(
    content: Content, data: st.DataObject
) -> None:
    answers = draw_answers(content, data)
    before = evaluate(content.questions, answers).level
    question = data.draw(st.sampled_from(content.questions), label="changed")
    current = answers[question.id]
    higher = [a for a in Answer if ORDER[a] > ORDER[current]]
    if not higher:
        return
    answers[question.id] = data.draw(st.sampled_from(higher), label="to")
    after = evaluate(content.questions, answers).level
    assert after.severity >= before.severity


@given(data=st.data())
def test_outcome_is_the_highest_answer_and_its_causes_are_at_that_level(
    content: Content, data: st.DataObject
) -> None:
    answers = draw_answers(content, data)
    outcome = evaluate(content.questions, answers)
    each = [answer_level(q, answers[q.id]) for q in content.questions]
    assert outcome.level.severity == max(level.severity for level in each)
    # Every level is reachable only through its own kind of answer.
    yes_levels = {q.level for q in content.questions if answers[q.id] is Answer.YES}
    assert (outcome.level is OutcomeLevel.EMERGENCY) == (Level.EMERGENCY in yes_levels)
    assert (outcome.level is OutcomeLevel.URGENT) == (
        Level.URGENT in yes_levels and Level.EMERGENCY not in yes_levels
    )
    assert (outcome.level is OutcomeLevel.NO_KNOWN_REASON) == all(
        a is Answer.NO for a in answers.values()
    )
    if outcome.level is OutcomeLevel.NO_KNOWN_REASON:
        assert outcome.reasons == () and outcome.causes == ()
    else:
        assert outcome.causes and all(r.level is outcome.level for r in outcome.causes)
    causes = [r.question.id for r in outcome.causes]
    others = [r.question.id for r in outcome.others]
    assert sorted(causes + others) == sorted(r.question.id for r in outcome.reasons)
    assert not set(causes) & set(others)
    assert all(r.answer is not Answer.NO for r in outcome.reasons)


# --- The session gate after the urgent outcome (HAZ-05) -----------------------------------------
# A red flag never leads to a guided session, whatever a clinician confirmation says.


@pytest.mark.parametrize("level", [OutcomeLevel.EMERGENCY, OutcomeLevel.URGENT])
@pytest.mark.parametrize("confirmed", [False, True])
def test_a_red_flag_outcome_never_opens_the_session(level: OutcomeLevel, confirmed: bool) -> None:
    from server.session.gate import Gate, gate_for

    assert gate_for(level, confirmed) is Gate.URGENT
