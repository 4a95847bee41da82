"""The fixed strings of the session pages (``session.ui`` in content), and their carer forms.

A string said to the person that a carer must read and hear about them instead has a carer
form beside it, ``<name>_they``. Pages and the narration take both from ``for_perspective``, so
a page or a clip uses the carer's wording without a branch of its own.
"""

from __future__ import annotations

from pydantic import Field

from server.content.perspective import Perspective
from server.content.types import NonEmpty, Strict, wrong_placeholders


class SessionUi(Strict):
    """Fixed strings of the session pages; a ``<name>_they`` field is the carer form of
    ``<name>``."""

    title: NonEmpty
    lead: NonEmpty
    lead_they: NonEmpty
    how_it_works: list[NonEmpty] = Field(min_length=1)
    device_only: NonEmpty
    device_only_they: NonEmpty
    gate_none_title: NonEmpty
    gate_none_body: NonEmpty
    gate_none_body_they: NonEmpty
    gate_avoid_title: NonEmpty
    gate_avoid_body: NonEmpty
    gate_avoid_body_they: NonEmpty
    gate_urgent_title: NonEmpty
    gate_urgent_body: NonEmpty
    gate_urgent_body_they: NonEmpty
    gate_avoid_reasons: NonEmpty
    gate_instead_title: NonEmpty
    gate_ask_title: NonEmpty
    gate_ask_title_they: NonEmpty
    gate_ask_body: NonEmpty
    gate_ask_body_they: NonEmpty
    # Asked with the three answers below (decision 14): agreed, said not to, not asked.
    gate_ask_question: NonEmpty
    gate_ask_question_they: NonEmpty
    gate_ask_confirmed: NonEmpty
    gate_ask_confirmed_they: NonEmpty
    gate_open_title: NonEmpty
    choose_plan: NonEmpty
    plans_title: NonEmpty
    plans_lead: NonEmpty
    plans_lead_they: NonEmpty
    reason_first: NonEmpty
    reason_continue: NonEmpty
    reason_continue_they: NonEmpty
    reason_move_on: NonEmpty
    reason_move_on_they: NonEmpty
    reason_held_back: NonEmpty
    reason_held_back_they: NonEmpty
    reason_repeat: NonEmpty
    reason_top: NonEmpty
    start_suggested: NonEmpty
    start_gentler: NonEmpty
    suggested_tag: NonEmpty
    suggested_tag_they: NonEmpty
    all_plans_title: NonEmpty
    plan_angle: NonEmpty
    plan_holds: NonEmpty
    plan_holds_rest: NonEmpty
    plan_length: NonEmpty
    use_plan: NonEmpty
    history_count: NonEmpty
    forget_history: NonEmpty
    history_forgotten: NonEmpty
    ahead_title: NonEmpty
    ahead_body: list[NonEmpty] = Field(min_length=1)
    ahead_body_they: list[NonEmpty] = Field(min_length=1)
    ahead_confirm: NonEmpty
    ahead_back: NonEmpty
    # Safeguards (issue 9 item 5): plans further than one step beyond the suggestion, and a
    # first session on a device with no history, cannot be started; these say why.
    beyond_title: NonEmpty
    beyond_body: list[NonEmpty] = Field(min_length=1)
    beyond_body_they: list[NonEmpty] = Field(min_length=1)
    first_only_body: NonEmpty
    first_only_body_they: NonEmpty
    # Before a first session after "no known reason": has a doctor or clinician AGREED that
    # the person may use an inversion table (CLINICAL-FACTS decision 14)? Asking is not enough.
    doctor_title: NonEmpty
    doctor_title_they: NonEmpty
    doctor_body: list[NonEmpty] = Field(min_length=1)
    doctor_body_they: list[NonEmpty] = Field(min_length=1)
    doctor_question: NonEmpty
    doctor_question_they: NonEmpty
    doctor_confirmed: NonEmpty
    doctor_confirmed_they: NonEmpty
    # The three answers to every "has a clinician agreed?" question (doctor, ask-first, and
    # after dizziness or pain). Only the first opens the session.
    clinician_agreed: NonEmpty
    clinician_said_no: NonEmpty
    clinician_not_asked: NonEmpty
    clinician_not_asked_they: NonEmpty
    # "They said not to": the session stays closed for these answers, and says why.
    said_no_title: NonEmpty
    said_no_body: list[NonEmpty] = Field(min_length=1)
    said_no_body_they: list[NonEmpty] = Field(min_length=1)
    # "I have not asked yet, or I do not know": closed for now, and what to do.
    not_asked_title: NonEmpty
    not_asked_body: list[NonEmpty] = Field(min_length=1)
    not_asked_body_they: list[NonEmpty] = Field(min_length=1)
    # After a session that felt dizzy or painful (decision 20): no further session until a
    # clinician has been told and agreed.
    tell_title: NonEmpty
    tell_body: list[NonEmpty] = Field(min_length=1)
    tell_body_they: list[NonEmpty] = Field(min_length=1)
    tell_question: NonEmpty
    tell_question_they: NonEmpty
    tell_not_yet_body: list[NonEmpty] = Field(min_length=1)
    tell_not_yet_body_they: list[NonEmpty] = Field(min_length=1)
    tell_confirmed: NonEmpty
    tell_confirmed_they: NonEmpty
    # Said when a new screening, a changed answer or a change of perspective clears an earlier
    # confirmation (a clinician's or a doctor's).
    confirm_cleared: NonEmpty
    # After a stop on a check with retake_check (health changed).
    stop_retake: NonEmpty
    check_counter: NonEmpty
    check_title: NonEmpty
    check_title_they: NonEmpty
    stop_title: NonEmpty
    stop_title_they: NonEmpty
    stop_body: NonEmpty
    stop_body_they: NonEmpty
    stop_again: NonEmpty
    stop_plans: NonEmpty
    player_caption: NonEmpty
    now_label: NonEmpty
    step_n_of_m: NonEmpty
    line_label: NonEmpty
    elapsed: NonEmpty
    remaining: NonEmpty
    step_remaining: NonEmpty
    audio_label: NonEmpty
    play: NonEmpty
    pause: NonEmpty
    previous_step: NonEmpty
    next_step: NonEmpty
    stop_now: NonEmpty
    stop_hint: NonEmpty
    player_help: NonEmpty
    # A carer keeps the screen in view (the standard view too): never "put your phone away".
    player_help_they: NonEmpty
    track_missing: NonEmpty
    steps_title: NonEmpty
    step_time: NonEmpty
    voice_speed: NonEmpty
    speed_normal: NonEmpty
    speed_slow: NonEmpty
    carer_view: NonEmpty
    standard_view: NonEmpty
    carer_caption: NonEmpty
    carer_hint: NonEmpty
    resume_notice: NonEmpty
    resumed_step: NonEmpty
    # Time head-down never grows (decision 15; pwa/static/js/lib/hold-clock.js): what the
    # player says when a hold's clock moved the track on, or kept it from going back.
    hold_went_on: NonEmpty
    hold_over: NonEmpty
    hold_no_repeat: NonEmpty
    # A pause the person did not ask for (the browser froze the page, a call took the sound).
    paused_notice: NonEmpty
    ended: NonEmpty
    play_blocked: NonEmpty
    hold_n_of_m: NonEmpty
    feedback_link: NonEmpty
    feedback_title: NonEmpty
    feedback_lead: NonEmpty
    feedback_saved: NonEmpty
    feedback_error: NonEmpty
    back_to_session: NonEmpty
    # The player's arrival and the come-up page reached without JavaScript (issue 11).
    arrival: NonEmpty
    come_up_title: NonEmpty
    come_up_lead: NonEmpty
    come_up_back: NonEmpty
    # Where the clinical strings above come from, by field name (never shown or spoken).
    sources: dict[str, NonEmpty] = Field(default_factory=dict)

    def source_problems(self) -> list[str]:
        """Names in ``sources`` that are not strings of these pages."""
        return [name for name in self.sources if name not in type(self).model_fields]

    def placeholder_problems(self) -> list[str]:
        """Names of strings whose ``{placeholders}`` are not the ones the pages fill in."""
        wanted = {
            "reason_continue": {"done", "needed"},
            "start_suggested": {"plan"},
            "start_gentler": {"plan"},
            "plan_angle": {"angle"},
            "plan_holds": {"duration"},
            "plan_holds_rest": {"count", "duration", "rest"},
            "plan_length": {"duration"},
            "use_plan": {"plan"},
            "history_count": {"count"},
            "check_counter": {"n", "m"},
            "step_n_of_m": {"n", "m"},
            "step_time": {"start", "end"},
            "resume_notice": {"step"},
            "resumed_step": {"step"},
            "hold_over": {"step"},
            "hold_n_of_m": {"n", "m", "angle"},
        }
        # A carer form fills in what the string it replaces fills in.
        wanted |= {f"{name}_they": want for name, want in wanted.items() if name in CARER_FORMS}
        return wrong_placeholders(self, wanted, every_field=True)

    def for_perspective(self, perspective: Perspective) -> SessionUi:
        """These strings as said to ``perspective``: for a carer ("they"), every string with a
        carer form is that form. Pages and clips read ``gate_ask_body`` whoever answers, so no
        page can show a carer the person's wording by forgetting a ``_they``."""
        if perspective != Perspective.THEY:
            return self
        return self.model_copy(update={name: getattr(self, f"{name}_they") for name in CARER_FORMS})


# The strings of SessionUi that have a carer form (``<name>_they``).
CARER_FORMS = tuple(
    name.removesuffix("_they") for name in SessionUi.model_fields if name.endswith("_they")
)
