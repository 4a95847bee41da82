"""Session tracks: one MP3 per plan, language and speed, joined from the clip library.

Layout, beside the clips of a language::

    audio/<lang>/tracks/<plan>-<speed>-<hash16>.mp3            the track (immutable name)
    audio/<lang>/tracks/<plan>-<speed>-<hash16>.chapters.json  chapter times from frame counts
    audio/<lang>/tracks/<plan>-they-<speed>-<hash16>.mp3       the carer's track ("they")
    audio/<lang>/tracks/index.json                             current track per plan and speed

There is one track per plan x speed x perspective. The carer's ("they") track of a plan is
listed in the index under ``<plan>.they`` (plan ids are slugs, so never hold a dot); the
person's own track under the plan id, as before.

The hash covers every input (clip files, silences, script), so a changed sentence or pause
gives a new file name and browsers never keep a stale track; an unchanged plan is reused
without being rebuilt. Files are written atomically and the index last, so a build stopped at
any point leaves the previous tracks in service.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, cast

from server.content import Content
from server.content.perspective import PERSPECTIVES, Perspective
from server.narration import (
    SPEEDS,
    Manifest,
    ManifestError,
    Segment,
    Speed,
    assemble_track,
    atomic_write,
    load_manifest,
    mp3,
    sha256_of,
)
from server.narration.recipe import make_recipe, recipe_problems
from server.narration.storage import set_aside
from server.narration.trackfiles import (
    CHAPTERS_VERSION,
    INDEX_NAME,
    chapters_name,
    index_entry,
    load_chapters,
    load_track_index,
    named_files,
    tracks_dir,
    write_chapters,
    write_track_index,
)
from server.session.timeline import FrameClock, Timeline, TimelineError, lay_out
from server.session.track_index import index_key, plan_of_key
from server.speech.script import content_script

Status = Literal["made", "reused", "missing", "failed"]


@dataclass
class TrackResult:
    """What happened to one plan at one speed."""

    plan: str
    speed: str
    status: Status
    file: str | None = None
    frames: int = 0
    duration: float = 0.0
    bytes: int = 0
    seconds: float = 0.0  # time spent laying out and assembling
    detail: str = ""


@dataclass
class TrackBuildSummary:
    """The result of ``build_session_tracks`` for one language."""

    lang: str
    results: list[TrackResult] = field(default_factory=list)
    pruned: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every plan has a current track at every speed asked for."""
        return all(r.status in ("made", "reused") for r in self.results)

    def count(self, status: Status) -> int:
        return sum(1 for r in self.results if r.status == status)

    def describe(self) -> str:
        """A few human lines for the ``audio build`` command."""
        lines = [
            f"{self.lang}: {len(self.results)} session tracks: made {self.count('made')},"
            f" reused {self.count('reused')}, missing clips {self.count('missing')},"
            f" failed {self.count('failed')}, pruned {self.pruned} in {self.seconds:.1f} s"
        ]
        lines.extend(
            f"{self.lang}: track {r.plan} ({r.speed}) {r.status}: {r.detail}"
            for r in self.results
            if r.status in ("missing", "failed")
        )
        return "\n".join(lines)


def _track_hash(timeline: Timeline, files: dict[str, str], fmt: mp3.StreamFormat) -> str:
    material = json.dumps(
        [
            str(fmt),
            timeline.script_key,
            [[kind, files[cid] if cid else None, n] for kind, cid, n in timeline.segments],
        ]
    )
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:16]


def chapters_document(
    timeline: Timeline, lang: str, speed: str, file: str, data: bytes
) -> dict[str, Any]:
    """The ``.chapters.json`` written beside a track of ``data``."""
    return {
        "version": CHAPTERS_VERSION,
        "lang": lang,
        "plan": timeline.plan_id,
        "speed": speed,
        "file": file,
        "script_key": timeline.script_key,
        "sample_rate": timeline.clock.sample_rate,
        "samples_per_frame": timeline.clock.samples_per_frame,
        "frames": timeline.frames,
        "duration": round(timeline.duration, 6),
        "bytes": len(data),
        "sha256": sha256_of(data),
        "chapters": timeline.chapters_json(),
    }


def _build_one(
    directory: Path,
    lang: str,
    content: Content,
    plan_id: str,
    speed: Speed,
    manifest: Manifest,
    perspective: Perspective = Perspective.YOU,
) -> tuple[TrackResult, dict[str, Any] | None]:
    started = time.perf_counter()
    plan = content.session.plan_by_id(plan_id)
    script = content_script(content, plan, perspective)
    shown_id = index_key(plan_id, perspective)
    frames: dict[str, int] = {}
    files: dict[str, str] = {}
    shas: dict[str, str | None] = {}
    missing: list[str] = []
    for clip_id, text in script.clip_texts().items():
        entry = manifest.current(clip_id, speed, text)
        if entry is None:
            missing.append(clip_id)
            continue
        frames[clip_id] = entry.frames
        files[clip_id] = entry.file
        shas[entry.file] = entry.sha256
    if missing:
        shown = ", ".join(missing[:3]) + (
            f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        )
        return TrackResult(shown_id, speed, "missing", detail=f"no clip for {shown}"), None
    try:
        first = manifest.directory / next(iter(files.values()))
        fmt = mp3.first_header(first.read_bytes()).format
        clock = FrameClock(fmt.sample_rate, fmt.samples_per_frame)
        timeline = lay_out(script, frames, clock)
    except (OSError, mp3.Mp3Error, TimelineError) as exc:
        return TrackResult(shown_id, speed, "failed", detail=str(exc)), None

    variant = f"{plan_id}-they" if perspective == Perspective.THEY else plan_id
    name = f"{variant}-{speed}-{_track_hash(timeline, files, fmt)}"
    mp3_path = directory / f"{name}.mp3"
    chapters_path = directory / chapters_name(mp3_path.name)
    with contextlib.suppress(OSError, ManifestError):
        existing = load_chapters(chapters_path)  # the model audio check reads too
        # Kept only while its bytes are the ones recorded when it was made: a track cut short,
        # or with noise or rot at the same size, is made again, never adopted.
        data = mp3_path.read_bytes()
        same = len(data) == existing.bytes and existing.frames == timeline.frames
        # Older chapters files (no checksum, or no recipe) are made again, as is a track whose
        # recipe names a clip the manifest now records with other bytes.
        fresh = existing.recipe is not None and all(
            shas.get(clip.file) in (None, clip.sha256) for clip in existing.recipe.clips
        )
        if same and fresh and existing.sha256 == sha256_of(data):
            result = TrackResult(
                shown_id,
                speed,
                "reused",
                mp3_path.name,
                timeline.frames,
                timeline.duration,
                existing.bytes,
                time.perf_counter() - started,
            )
            return result, existing.model_dump()

    segments: list[Segment] = []
    parts: list[Path | int] = []
    for kind, segment_clip, count in timeline.segments:
        if kind == "clip" and segment_clip is not None:
            segments.append(("clip", manifest.directory / files[segment_clip]))
            parts.append(manifest.directory / files[segment_clip])
        else:
            segments.append(("silence", clock.seconds(count)))
            parts.append(count)
    try:
        track = assemble_track(segments, template=fmt)
        recipe = make_recipe(fmt, parts)
    except (OSError, mp3.Mp3Error, ValueError) as exc:
        return TrackResult(shown_id, speed, "failed", detail=str(exc)), None
    # The manifest's frame counts planned the timeline; the files decide. They must agree.
    placed = [s.frame_count for s in track.segments]
    if placed != [count for _, _, count in timeline.segments]:
        detail = "clip files differ from the manifest's frame counts; run `audio check`"
        return TrackResult(shown_id, speed, "failed", detail=detail), None
    document = chapters_document(timeline, lang, speed, mp3_path.name, track.data)
    document["perspective"] = perspective
    # Checked as `audio check` checks it: a recipe that does not make these very bytes is
    # left out (the device then downloads the track whole), never published.
    if not recipe_problems(recipe, manifest.directory, track.data):
        document["recipe"] = recipe.model_dump()
    atomic_write(mp3_path, track.data)
    write_chapters(chapters_path, document)
    result = TrackResult(
        shown_id,
        speed,
        "made",
        mp3_path.name,
        timeline.frames,
        timeline.duration,
        len(track.data),
        time.perf_counter() - started,
    )
    return result, document


def build_session_tracks(
    audio_root: Path,
    lang: str,
    content: Content,
    speeds: Sequence[str] = SPEEDS,
    *,
    prune: bool = False,
) -> TrackBuildSummary:
    """Build (or reuse) one track per plan and speed from the clips already in the library.

    Call after the clips of ``lang`` are built: a plan whose clips are missing is reported
    ("missing") and keeps its previous track only if that track still matches the content.
    ``prune`` deletes track files the index no longer names. Raises ManifestError if the
    clip manifest cannot be read, and ValueError for an unknown speed.
    """
    started = time.perf_counter()
    for speed in speeds:
        if speed not in SPEEDS:
            raise ValueError(f"speed must be one of {SPEEDS}, not {speed!r}")
    manifest = load_manifest(Path(audio_root), lang)
    directory = tracks_dir(audio_root, lang)
    directory.mkdir(parents=True, exist_ok=True)
    summary = TrackBuildSummary(lang)
    previous, previous_retired = _read_index(Path(audio_root), lang)
    index: dict[str, dict[str, dict[str, Any]]] = {}
    for plan in content.session.plans:
        for perspective in PERSPECTIVES:
            key = content_script(content, plan, perspective).key
            slot = index_key(plan.id, perspective)
            for speed in speeds:
                result, document = _build_one(
                    directory, lang, content, plan.id, cast(Speed, speed), manifest, perspective
                )
                summary.results.append(result)
                entry = index_entry(document) if document else None
                if entry is None:
                    old = previous.get(slot, {}).get(speed)
                    if old and old.get("script_key") == key and (directory / old["file"]).is_file():
                        entry = old
                if entry is not None:
                    index.setdefault(slot, {})[speed] = entry
    # Speeds not built this time keep their entries.
    for plan_id, by_speed in previous.items():
        if content.session.plan(plan_of_key(plan_id)) is None:
            continue
        for speed, old in by_speed.items():
            if speed not in speeds and (directory / str(old.get("file"))).is_file():
                index.setdefault(plan_id, {}).setdefault(speed, old)
    # A running server loaded the previous index and may still link its tracks: they are kept
    # (``retired``) through this build's prune, and go at the prune after the next change, as
    # clips do (server/narration/prune.py).
    found, current = named_files(previous), named_files(index)
    retired = (found if current != found else previous_retired) - current
    write_track_index(directory, lang, index, retired)
    if prune:
        summary.pruned = _prune(directory, current | retired)
    summary.seconds = time.perf_counter() - started
    return summary


def _read_index(
    audio_root: Path, lang: str
) -> tuple[dict[str, dict[str, dict[str, Any]]], set[str]]:
    """The track index as plain entries, and its retired files, read through its model (as
    ``audio check`` and the server read it). One that cannot be read is set aside under a new
    name, with one line saying so, and this build writes a new one from the tracks that
    verify."""
    try:
        index = load_track_index(audio_root, lang)
    except ManifestError as exc:
        set_aside(tracks_dir(audio_root, lang) / INDEX_NAME, str(exc), "making a new track index")
        return {}, set()
    if index is None:
        return {}, set()
    tracks = {
        plan: {str(speed): entry.model_dump() for speed, entry in by_speed.items()}
        for plan, by_speed in index.tracks.items()
    }
    return tracks, set(index.retired)


def _prune(directory: Path, keep: set[str]) -> int:
    """Delete every file of the tracks folder but the index and the files in ``keep``."""
    keep = keep | {INDEX_NAME}
    removed = 0
    for path in directory.iterdir():
        if path.is_file() and path.name not in keep:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
    return removed


__all__ = [
    "ManifestError",
    "TrackBuildSummary",
    "TrackResult",
    "build_session_tracks",
    "chapters_document",
]
