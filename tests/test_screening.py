"""The screening rule, question by question and as a property."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from server.content import Content, Level
from server.screening import Answer, OutcomeLevel, evaluate, first_unanswered, parse_answers


def all_no(content: Content) -> dict[str, Answer]:
    return {q.id: Answer.NO for q in content.questions}


def test_all_no_gives_no_known_reason_and_no_reasons(content: Content) -> None:
    outcome = evaluate(content.questions, all_no(content))
    assert outcome.level is OutcomeLevel.NO_KNOWN_REASON
    assert outcome.reasons == ()


def test_each_question_alone(content: Content) -> None:
    for q in content.questions:
        answers = all_no(content)
        answers[q.id] = Answer.YES
        outcome = evaluate(content.questions, answers)
        expected = OutcomeLevel.AVOID if q.level is Level.AVOID else OutcomeLevel.ASK_FIRST
        assert outcome.level is expected, q.id
        assert [r.question.id for r in outcome.reasons] == [q.id]

        answers[q.id] = Answer.NOT_SURE
        outcome = evaluate(content.questions, answers)
        assert outcome.level is OutcomeLevel.ASK_FIRST, f"not sure about {q.id} counted as no"
        assert [(r.question.id, r.answer) for r in outcome.reasons] == [(q.id, Answer.NOT_SURE)]


def test_glaucoma_yes_means_do_not_use(content: Content) -> None:
    answers = all_no(content) | {"glaucoma": Answer.YES}
    outcome = evaluate(content.questions, answers)
    assert outcome.level is OutcomeLevel.AVOID
    assert [r.question.title for r in outcome.reasons] == ["Glaucoma"]


def test_avoid_lists_every_yes_and_not_sure_in_question_order(content: Content) -> None:
    answers = all_no(content) | {
        "pregnancy": Answer.YES,
        "high-blood-pressure": Answer.NOT_SURE,
        "implants": Answer.YES,
    }
    outcome = evaluate(content.questions, answers)
    assert outcome.level is OutcomeLevel.AVOID
    assert [r.question.id for r in outcome.reasons] == [
        "high-blood-pressure",
        "implants",
        "pregnancy",
    ]


def test_incomplete_answers_have_no_outcome(content: Content) -> None:
    answers = all_no(content)
    del answers["obesity"]
    with pytest.raises(KeyError):
        evaluate(content.questions, answers)
    assert first_unanswered(content.questions, answers) == "obesity"


def test_parse_answers_drops_anything_unknown(content: Content) -> None:
    raw = {"glaucoma": "yes", "nope": "yes", "obesity": "maybe", 3: "no", "pregnancy": 1}
    assert parse_answers(raw, content.questions) == {"glaucoma": Answer.YES}
    assert parse_answers("garbage", content.questions) == {}


ORDER = {Answer.NO: 0, Answer.NOT_SURE: 1, Answer.YES: 2}


@given(data=st.data())
def test_moving_an_answer_towards_yes_never_lowers_the_outcome(
    content: Content, data: st.DataObject
) -> None:
    answers = {
        q.id: data.draw(st.sampled_from(list(Answer)), label=q.id) for q in content.questions
    }
    before = evaluate(content.questions, answers).level
    question = data.draw(st.sampled_from(content.questions), label="changed")
    current = answers[question.id]
    higher = [a for a in Answer if ORDER[a] > ORDER[current]]
    if not higher:
        return
    answers[question.id] = data.draw(st.sampled_from(higher), label="to")
    after = evaluate(content.questions, answers).level
    assert after.severity >= before.severity
