"""Text for carers, the clinician summary and the "Your sessions" page (the ``carer:`` part
of content). Helper lines are added to the session track when a carer answered for the person
(the "they" perspective); each has a ``source``, like every other clinical sentence.
"""

from __future__ import annotations

from pydantic import Field, model_validator

from server.content.session import FeelingWording
from server.content.types import NonEmpty, Strict, placeholders, wrong_placeholders

# The steps of a track that may carry helper lines (a subset of ``session.steps``): only steps
# without a fixed length, so a helper line never crowds a timed cue.
HELPER_STEPS = ("setup", "tilt_back", "up_between", "tilt_again", "come_up", "sit_up")


class HelperLine(Strict):
    """One sentence said to the helper during a session track, with the silence after it."""

    say: NonEmpty
    pause: float = Field(default=0.0, ge=0, le=60)
    source: NonEmpty


class HelperLines(Strict):
    """Helper lines by step, said after that step's own lines (``{angle}`` may be filled in)."""

    setup: list[HelperLine] = Field(default_factory=list)
    tilt_back: list[HelperLine] = Field(default_factory=list)
    up_between: list[HelperLine] = Field(default_factory=list)
    tilt_again: list[HelperLine] = Field(default_factory=list)
    come_up: list[HelperLine] = Field(default_factory=list)
    sit_up: list[HelperLine] = Field(default_factory=list)

    def for_step(self, step: str) -> list[HelperLine]:
        return list(getattr(self, step, []) or [])


class FeelingThey(FeelingWording):
    """The after-session advice for one feeling, said to a carer about the person."""


class CarerText(Strict):
    """Carer wording, the perspective switch, the clinician summary and the history page."""

    # The perspective switch (a small form at the end of every page once a check started).
    perspective_label: NonEmpty
    switch_to_they: NonEmpty
    switch_to_you: NonEmpty
    switched_to_they: NonEmpty
    switched_to_you: NonEmpty
    # The result page.
    result_title_they: NonEmpty
    result_causes_title: NonEmpty
    result_causes_title_they: NonEmpty
    # Carer forms of shared lines on the result and summary pages.
    result_print_hint_they: NonEmpty
    disclaimer_they: NonEmpty
    result_others_title_they: NonEmpty
    result_no_reasons_they: NonEmpty
    result_leads_on: NonEmpty
    result_session_link: NonEmpty
    result_session_link_they: NonEmpty
    result_change_answers: NonEmpty
    result_summary_link: NonEmpty
    # The carer's session view.
    carer_player_help: NonEmpty
    carer_stop_hint: NonEmpty
    helper_track_note: NonEmpty
    # After the session, for a carer.
    feedback_title_they: NonEmpty
    feedback_lead_they: NonEmpty
    feedback_saved_they: NonEmpty
    feelings_they: dict[str, FeelingThey]
    # Helper lines in the carer's session track.
    helper: HelperLines
    # The clinician summary.
    summary_title: NonEmpty
    summary_lead: NonEmpty
    summary_date: NonEmpty
    summary_answered_by_you: NonEmpty
    summary_answered_by_they: NonEmpty
    summary_outcome_title: NonEmpty
    summary_causes_title: NonEmpty
    summary_answers_title: NonEmpty
    summary_question: NonEmpty
    summary_answer: NonEmpty
    summary_caused_mark: NonEmpty
    summary_sessions_title: NonEmpty
    summary_sessions_device: NonEmpty
    summary_sessions_none: NonEmpty
    summary_print: NonEmpty
    summary_download: NonEmpty
    summary_read_aloud: NonEmpty
    summary_stop_reading: NonEmpty
    summary_back: NonEmpty
    summary_not_advice: NonEmpty
    # "Your sessions", the history kept on this device.
    history_link: NonEmpty
    history_link_they: NonEmpty
    history_title: NonEmpty
    history_title_they: NonEmpty
    history_lead: NonEmpty
    history_needs_js: NonEmpty
    history_needs_js_they: NonEmpty
    history_empty: NonEmpty
    history_count: NonEmpty
    history_caption: NonEmpty
    history_date: NonEmpty
    history_plan: NonEmpty
    history_angle: NonEmpty
    history_minutes: NonEmpty
    history_feeling: NonEmpty
    history_angle_value: NonEmpty
    history_minutes_value: NonEmpty
    history_chart_title: NonEmpty
    history_chart_desc: NonEmpty
    history_chart_angle: NonEmpty
    history_chart_minutes: NonEmpty
    history_read_aloud: NonEmpty
    history_no_local_voice: NonEmpty
    history_row_spoken: NonEmpty
    history_forget: NonEmpty
    history_forget_confirm: NonEmpty
    history_forgotten: NonEmpty

    @model_validator(mode="after")
    def _placeholders(self) -> CarerText:
        wanted = {
            "summary_date": {"date"},
            "history_count": {"count"},
            "history_angle_value": {"angle"},
            "history_minutes_value": {"minutes"},
            "history_row_spoken": {"date", "plan", "angle", "minutes", "feeling"},
        }
        bad = wrong_placeholders(self, wanted, every_field=True)
        for step in HELPER_STEPS:
            for line in self.helper.for_step(step):
                if placeholders(line.say) - {"angle"}:
                    bad.append(f"helper.{step}")
        if set(self.feelings_they) != {"fine", "dizzy", "pain", "other"}:
            bad.append("feelings_they (needs fine, dizzy, pain, other)")
        if bad:
            raise ValueError(f"carer strings with wrong placeholders or keys: {', '.join(bad)}")
        return self
