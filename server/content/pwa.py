"""Interface text of the voice-first app: the Start screen, voice controls, keys and offline.

It lives in each ``content/<lang>.yaml`` under ``pwa:``, so a translation stays one file. The
browser script reads these strings from the page (data attributes and ``<template>`` elements);
it holds no text of its own.
"""

from __future__ import annotations

from pydantic import model_validator

from server.content.types import NonEmpty, Strict, wrong_placeholders

# Strings the script fills in, and the placeholders each must carry.
PLACEHOLDERS: dict[str, set[str]] = {
    "offline_progress": {"done", "total", "percent"},
    "offline_ready": {"voice"},
    "offline_saved": {"voice"},
    "bytes_kb": {"n"},
    "bytes_mb": {"n"},
}


class PwaText(Strict):
    """Every string the voice, keys and offline features show or announce."""

    # The Start screen: one gesture unlocks audio for the pages that follow.
    start_title: NonEmpty
    start_body: NonEmpty
    start_button: NonEmpty
    start_without_voice: NonEmpty
    # Voice controls next to each page's narration.
    controls_label: NonEmpty
    voice: NonEmpty
    slow_voice: NonEmpty
    repeat: NonEmpty
    play: NonEmpty
    state_on: NonEmpty
    state_off: NonEmpty
    play_prompt: NonEmpty
    voice_on_announce: NonEmpty
    voice_off_announce: NonEmpty
    slow_on_announce: NonEmpty
    slow_off_announce: NonEmpty
    paused_announce: NonEmpty
    playing_announce: NonEmpty
    # Keys on question pages.
    keys_title: NonEmpty
    keys_intro: NonEmpty
    key_space: NonEmpty
    key_repeat: NonEmpty
    key_pause: NonEmpty
    key_why: NonEmpty
    keys_switch: NonEmpty
    keys_where: NonEmpty
    # The "Use offline" page.
    offline_title: NonEmpty
    offline_lead: NonEmpty
    offline_private: NonEmpty
    offline_needs_js: NonEmpty
    offline_unsupported: NonEmpty
    offline_voice_legend: NonEmpty
    offline_normal: NonEmpty
    offline_slow: NonEmpty
    offline_download: NonEmpty
    offline_progress_label: NonEmpty
    offline_progress: NonEmpty
    offline_ready: NonEmpty
    offline_saved: NonEmpty
    offline_failed: NonEmpty
    offline_you_are_offline: NonEmpty
    bytes_kb: NonEmpty
    bytes_mb: NonEmpty
    # The result worked out on the device when the server cannot be reached.
    offline_result_title: NonEmpty
    offline_result_title_they: NonEmpty
    offline_result_note: NonEmpty
    offline_result_needs_js: NonEmpty

    @model_validator(mode="after")
    def _placeholders(self) -> PwaText:
        bad = placeholder_problems(self)
        if bad:
            raise ValueError(f"pwa strings with wrong placeholders: {', '.join(bad)}")
        return self


def placeholder_problems(text: PwaText) -> list[str]:
    """Names of strings whose ``{placeholders}`` differ from what the script fills in."""
    return wrong_placeholders(text, PLACEHOLDERS)
