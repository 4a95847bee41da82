"""Build real narration for tests with the offline espeak-ng voice (never the network)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from server import speech
from server.content import Content
from server.narration import SPEEDS, Speed, build_library, load_manifest
from server.session.tracks import TrackBuildSummary, build_session_tracks


def build_session_audio(
    root: Path,
    content: Content,
    speeds: Sequence[Speed] = SPEEDS,
    texts: dict[str, str] | None = None,
) -> TrackBuildSummary:
    """Narrate clips with espeak-ng (all of the content's by default), then build the session
    tracks, as ``python -m server audio build --engine espeak`` does. Both steps are
    incremental, so calling this again on the same folder is quick.

    Entries already built for the current content are passed along, so the build (which
    forgets entries it is not given) leaves them in a shared folder's manifest.
    """
    everything = speech.narration_texts(content)
    wanted = dict(everything if texts is None else texts)
    for entry in load_manifest(root, content.language).entries():
        if everything.get(entry.clip_id) == entry.text:
            wanted[entry.clip_id] = entry.text
    clips = build_library(
        root,
        content.language,
        wanted,
        gtts_lang=content.voice.gtts_lang,
        tld=content.voice.tld,
        espeak_voice=content.voice.espeak_voice,
        engine="espeak",
        speeds=speeds,
        jobs=4,
    )
    assert clips.ok, clips.describe()
    tracks = build_session_tracks(root, content.language, content, speeds)
    assert tracks.ok, tracks.describe()
    return tracks


def build_pages_and_one_track(root: Path, content: Content, plan_id: str) -> None:
    """Narrate, at normal speed only, every clip a page can play and the clips of one plan's
    session track, then build that track: what a browser test in a second language needs,
    in a fraction of the time of the whole library."""
    others = [p.id for p in content.session.plans if p.id != plan_id]
    texts = {
        clip_id: text
        for clip_id, text in speech.narration_texts(content).items()
        if not any(f".{other}." in f"{clip_id}." for other in others)
    }
    clips = build_library(
        root,
        content.language,
        texts,
        gtts_lang=content.voice.gtts_lang,
        tld=content.voice.tld,
        espeak_voice=content.voice.espeak_voice,
        engine="espeak",
        speeds=("normal",),
        jobs=4,
    )
    assert clips.ok, clips.describe()
    tracks = build_session_tracks(root, content.language, content, ("normal",))
    made = {r.plan for r in tracks.results if r.status in ("made", "reused")}
    assert plan_id in made, tracks.describe()
