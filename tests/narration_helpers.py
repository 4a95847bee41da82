"""Narration for tests, never from the network: the real offline espeak-ng voice (browser
tests, which listen to it), or exact silence of the right length (HTTP tests, which only
need valid MP3 clips of plausible lengths: the fast loop starts no espeak-ng per clip)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from server.content import Content
from server.narration import (
    GTTS_REFERENCE_FORMAT,
    SPEEDS,
    Speed,
    build_library,
    load_manifest,
    mp3,
)
from server.session.tracks import TrackBuildSummary, build_session_tracks
from server.speech import texts as speech


@dataclass
class QuietEngine:
    """A stand-in voice for HTTP tests: exact MP3 silence (null frames in gTTS's format) as
    long as the sentence would take to say, so clips pass every integrity check and tracks
    join, without an espeak-ng process per clip. It signs its clips as espeak's."""

    normal_wpm: int = 160
    slow_wpm: int = 120
    name: str = field(default="espeak", init=False)

    def synthesize(self, text: str, lang: str, tld: str, slow: bool) -> bytes:
        wpm = self.slow_wpm if slow else self.normal_wpm
        seconds = 0.4 + 60 * len(text.split()) / wpm
        fmt = GTTS_REFERENCE_FORMAT
        return mp3.silence_frames(fmt, mp3.frames_for_seconds(fmt, seconds))


def narrate(
    root: Path,
    content: Content,
    texts: dict[str, str],
    speeds: Sequence[Speed],
    quiet: bool = False,
) -> None:
    """Build ``texts`` in the content's espeak-ng voice (or the QuietEngine standing in for it)."""
    clips = build_library(
        root,
        content.language,
        texts,
        gtts_lang=content.voice.gtts_lang,
        tld=content.voice.tld,
        espeak_voice=content.voice.espeak_voice,
        engine="espeak",
        engines={"espeak": QuietEngine()} if quiet else None,
        speeds=speeds,
        jobs=4,
        sealed=speech.sealed_groups(content),
    )
    assert clips.ok, clips.describe()


def build_session_audio(
    root: Path,
    content: Content,
    speeds: Sequence[Speed] = SPEEDS,
    texts: dict[str, str] | None = None,
    voice: str = "espeak",  # or "quiet": QuietEngine
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
    narrate(root, content, wanted, speeds, quiet=voice == "quiet")
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
    narrate(root, content, texts, ("normal",))
    tracks = build_session_tracks(root, content.language, content, ("normal",))
    made = {r.plan for r in tracks.results if r.status in ("made", "reused")}
    assert plan_id in made, tracks.describe()


# The plan whose track the Spanish browser tests play (tests/test_browser_es.py).
SPANISH_PLAN = "first-20"


def build_live_library(root: Path) -> None:
    """What the browser tests' live server narrates (``live_audio_dir``): the whole English
    library (clips at both speeds, every session track) and the Spanish pages' clips and one
    plan's track, built with espeak-ng. Incremental: a second call finds it built."""
    from server.config import ROOT
    from server.content import load_all

    contents = load_all(ROOT / "content")
    build_session_audio(root, contents["en"])
    build_pages_and_one_track(root, contents["es"], SPANISH_PLAN)


if __name__ == "__main__":
    # scripts/test builds the browser tests' library first, outside any one test's time limit
    # (with espeak-ng on a loaded machine it can take longer than a test may).
    import sys

    build_live_library(Path(sys.argv[1]))
