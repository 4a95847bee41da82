"""Build the clip library: one checked MP3 per (sentence, speed) plus the manifest.

Layout::

    audio/<lang>/<key16>.mp3     bare MP3 frames, content-addressed by clip key
    audio/<lang>/manifest.json   which clip id and speed each file speaks (written last)
    audio/<lang>/.build.lock     held by the build that is running (see ``storage``)

A build holds the language folder's lock for its whole run, makes each distinct (text, speed)
once however many clip ids say it, verifies every clip before it is written (see
``integrity``), writes files atomically, and rewrites the manifest at checkpoints and when it
ends for any reason, naming only files that exist: a build stopped at any point leaves a
library that serves what it holds, and the next build resumes.
"""

from __future__ import annotations

import contextlib
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from tqdm import tqdm

from . import mp3
from .build_engines import default_engines, espeak_rate_tag
from .clips import ENGINE_CHOICES, SPEEDS, EngineChoice, Speed, clip_file_name, clip_key
from .clips import language_dir as _language_dir
from .engines import Engine, EspeakEngine, FailureBreaker
from .errors import EngineError, ManifestError
from .integrity import verify_clip
from .jobs import Job, Outcome
from .manifest import (
    MANIFEST_NAME,
    ClipEntry,
    Manifest,
    load_manifest,
    sha256_of,
    write_manifest,
)
from .processes import EspeakProcesses, checked_clip, process_count
from .prune import prune_library
from .runner import run_jobs
from .seal import seal_groups
from .storage import atomic_write, library_lock, set_aside, temp_files
from .summary import BuildSummary

__all__ = ["build_library", "prune_library"]  # prune_library re-exported from .prune


@dataclass(frozen=True, slots=True)
class _Voice:
    """The (lang, accent) an engine is called with for this language."""

    lang: str
    accent: str


class Builder:
    """One build of one language; main thread owns the manifest, workers only make files."""

    def __init__(
        self,
        manifest: Manifest,
        engine: EngineChoice,
        voices: Mapping[str, _Voice],
        engines: Mapping[str, Engine],
        breaker: FailureBreaker | None,
        espeak_processes: EspeakProcesses | None = None,
    ) -> None:
        self.manifest = manifest
        self.engine = engine
        self.voices = voices
        self.engines = engines
        self.breaker = breaker
        # The real espeak-ng voice runs in worker processes, on every core (``processes``).
        self.espeak_processes = espeak_processes
        # What a running server may still name: the files of the manifest this build found.
        self.found_files = manifest.file_names()
        self.found_retired = set(manifest.retired)
        # Clips already verified: those the manifest lists, by key, with the SHA-256 of the
        # bytes that passed (the manifest is written last, after every clip in it passed).
        self.listed = {entry.key: entry for entry in manifest.entries()}

    def key_for(self, engine: str, speed: Speed, text: str) -> str:
        voice = self.voices[engine]
        return clip_key(engine, voice.lang, voice.accent, speed == "slow", text)

    def entries_for(
        self, job: Job, engine: str, key: str, info: mp3.AudioInfo, data: bytes
    ) -> Outcome:
        voice = self.voices[engine]
        entries = tuple(
            ClipEntry(
                clip_id=clip_id,
                speed=job.speed,
                file=clip_file_name(key),
                key=key,
                text=job.text,
                engine=engine,
                lang=voice.lang,
                accent=voice.accent,
                duration=round(info.duration, 6),
                frames=info.frame_count,
                bytes=info.size,
                sha256=sha256_of(data),
            )
            for clip_id, _ in job.members
        )
        return Outcome(job, "made", entries)

    def existing(self, job: Job, engine: str) -> Outcome | None:
        """A sound clip ``engine`` already made for this job (listed in the manifest, or left
        by a build that stopped before writing its manifest), or None.

        A listed clip is kept only while its bytes are the ones verified when it was listed
        (its SHA-256): a file cut short, overwritten with noise or rotted in place, even at
        the same size and time, is made again, never adopted with its new size and hash. An
        unlisted file (or one listed before hashes) is verified in full, as a new clip is.
        """
        key = self.key_for(engine, job.speed, job.text)
        path = self.manifest.directory / clip_file_name(key)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        known = self.listed.get(key)
        listed = known is not None and known.text == job.text and known.engine == engine
        if listed and known is not None and known.sha256 is not None:
            sound = len(data) == known.bytes and sha256_of(data) == known.sha256
            return self.reuse(job, known) if sound else None
        try:
            info = verify_clip(data, engine=engine, slow=job.speed == "slow", text=job.text)
        except EngineError:
            return None
        return replace(self.entries_for(job, engine, key, info, data), status="reused")

    def reuse(self, job: Job, known: ClipEntry) -> Outcome:
        """The manifest's record of a clip, for every clip id this job speaks."""
        record = known.record().model_dump()
        entries = tuple(
            ClipEntry(clip_id=clip_id, speed=job.speed, **record) for clip_id, _ in job.members
        )
        return Outcome(job, "reused", entries)

    def make(self, job: Job, engine: str) -> Outcome:
        voice = self.voices[engine]
        slow = job.speed == "slow"
        if engine == "espeak" and self.espeak_processes is not None:
            data, info = self.espeak_processes.make(job.text, voice.lang, voice.accent, slow)
        else:
            data = self.engines[engine].synthesize(job.text, voice.lang, voice.accent, slow)
            info = checked_clip(engine, data, slow=slow, text=job.text)
        key = self.key_for(engine, job.speed, job.text)
        atomic_write(self.manifest.directory / clip_file_name(key), data)
        return self.entries_for(job, engine, key, info, data)

    def try_gtts(self, job: Job) -> Outcome | str:
        """A new gTTS clip, or why there is none."""
        if self.breaker is not None and self.breaker.is_open:
            return f"gTTS not tried: {self.breaker.last_error}"
        try:
            outcome = self.make(job, "gtts")
        except EngineError as exc:
            if self.breaker is not None:
                self.breaker.record_failure(str(exc))
            return str(exc)
        if self.breaker is not None:
            self.breaker.record_success()
        return outcome

    def run(self, job: Job) -> Outcome:
        """Produce one clip (called in a worker thread). Only engine failures are caught:
        anything else, KeyboardInterrupt included, stops the build."""
        upgrading = any(prev is not None and prev.engine == "espeak" for _, prev in job.members)
        try:
            if self.engine == "espeak":
                return self.make(job, "espeak")
            result = self.try_gtts(job)
            if isinstance(result, Outcome):
                return replace(result, status="upgraded") if upgrading else result
            if self.engine == "gtts":
                return Outcome(job, "failed", error=result)
            # auto: keep an espeak clip we already have rather than remaking it identically.
            kept = self.existing(job, "espeak")
            return kept if kept is not None else self.make(job, "espeak")
        except EngineError as exc:
            return Outcome(job, "failed", error=str(exc))

    def save(self) -> None:
        """Write the manifest, noting which files the previous generation named."""
        current = self.manifest.file_names()
        if current != self.found_files:
            self.manifest.retired = self.found_files - current
        else:
            self.manifest.retired = self.found_retired - current
        write_manifest(self.manifest)


def _plan(
    builder: Builder, texts: Mapping[str, str], speeds: Sequence[Speed], summary: BuildSummary
) -> list[Job]:
    """Reuse what is already sound; return one job per distinct (speed, text) left to make."""
    manifest = builder.manifest
    first = "espeak" if builder.engine == "espeak" else "gtts"
    grouped: dict[tuple[Speed, str], list[tuple[str, ClipEntry | None]]] = {}
    for speed in speeds:
        for clip_id, text in texts.items():
            grouped.setdefault((speed, text), []).append((clip_id, manifest.get(clip_id, speed)))
    to_run: list[Job] = []
    for (speed, text), members in grouped.items():
        job = Job(speed, text, tuple(members))
        ready = builder.existing(job, first)
        if ready is None:
            to_run.append(job)
            continue
        for entry in ready.entries:
            manifest.put(entry)
        summary.reused += len(ready.entries)
    return to_run


def build_library(
    audio_root: Path,
    lang: str,
    texts: Mapping[str, str],
    *,
    jobs: int,
    gtts_timeout: float | None = None,
    gtts_lang: str | None = None,
    tld: str = "com",
    espeak_voice: str | None = None,
    engine: EngineChoice = "auto",
    speeds: Sequence[Speed] = SPEEDS,
    prune: bool = False,
    progress: bool = False,
    engines: Mapping[str, Engine] | None = None,
    gtts_attempts: int | None = None,
    max_gtts_failures: int = 3,
    wait_for_lock: bool = True,
    on_wait: Callable[[str], object] | None = None,
    checkpoint_seconds: float = 2.0,
    clock: Callable[[], float] = time.monotonic,
    sealed: Sequence[Sequence[str]] = (),
) -> BuildSummary:
    """Make every missing clip of ``texts`` at ``speeds`` under ``audio_root/<lang>/``.

    ``jobs`` (clips made at once) and ``gtts_timeout`` (seconds per request to Google;
    required unless ``engine="espeak"`` or ``engines`` supplies "gtts") come from the
    project's settings. Existing sound clips whose key matches are reused. ``engine="auto"``
    retries clips espeak made earlier with gTTS ("upgraded"), falls back to espeak per clip
    when gTTS fails, and after ``max_gtts_failures`` consecutive gTTS failures sends the rest
    straight to espeak. ``engine="gtts"`` never gives up early: each clip gets
    ``gtts_attempts`` tries (``RetryPolicy`` default when None) and then fails by itself.

    The folder's build lock is held throughout: a concurrent build waits (``on_wait`` is told)
    or, with ``wait_for_lock=False``, LibraryBusyError is raised. LibraryError means the
    folder cannot be written; ManifestError that an existing manifest cannot be read.
    ``engines`` replaces the real "gtts" / "espeak" engines (tests, custom retry policies).
    ``sealed``: groups of clip ids given padded copies of one length (``seal``).
    """
    if engine not in ENGINE_CHOICES:
        raise ValueError(f"engine must be one of {ENGINE_CHOICES}, not {engine!r}")
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    started = clock()
    directory = _language_dir(audio_root, lang)
    with library_lock(directory, wait=wait_for_lock, on_wait=on_wait):
        summary = _build_locked(
            Path(audio_root),
            lang,
            texts,
            engine=engine,
            speeds=speeds,
            jobs=jobs,
            voices={
                "gtts": _Voice(gtts_lang or lang, tld),
                # espeak-ng has no accent domain: its rates stand there instead, so they are
                # part of each clip's key and a changed rate rebuilds the clips.
                "espeak": _Voice(espeak_voice or gtts_lang or lang, espeak_rate_tag(engines)),
            },
            engines=engines,
            gtts_timeout=gtts_timeout,
            gtts_attempts=gtts_attempts,
            max_gtts_failures=max_gtts_failures,
            progress=progress,
            checkpoint_seconds=checkpoint_seconds,
            clock=clock,
            sealed=sealed,
        )
        if prune:
            summary.pruned = prune_library(Path(audio_root), lang)
    summary.seconds = clock() - started
    return summary


def _build_locked(
    audio_root: Path,
    lang: str,
    texts: Mapping[str, str],
    *,
    engine: EngineChoice,
    speeds: Sequence[Speed],
    jobs: int,
    voices: Mapping[str, _Voice],
    engines: Mapping[str, Engine] | None,
    gtts_timeout: float | None,
    gtts_attempts: int | None,
    max_gtts_failures: int,
    progress: bool,
    checkpoint_seconds: float,
    clock: Callable[[], float],
    sealed: Sequence[Sequence[str]],
) -> BuildSummary:
    directory = _language_dir(audio_root, lang)
    for leftover in temp_files(directory):  # from a build that was killed outright
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    manifest = _load_or_set_aside(audio_root, lang)
    cancel = threading.Event()
    chosen: dict[str, Engine] = dict(engines or {})
    if not {"gtts", "espeak"} <= chosen.keys():
        need_gtts = engine != "espeak" and "gtts" not in chosen
        defaults = default_engines(
            manifest, need_gtts, gtts_timeout, gtts_attempts, engine == "gtts", cancel
        )
        chosen = {**defaults, **chosen}
    breaker = FailureBreaker(max_gtts_failures) if engine == "auto" else None
    espeak = chosen.get("espeak")
    processes = None
    if isinstance(espeak, EspeakEngine) and engine != "gtts" and process_count(jobs) > 1:
        processes = EspeakProcesses(espeak, process_count(jobs))
    builder = Builder(manifest, engine, voices, chosen, breaker, processes)
    _forget_stale(manifest, texts)
    summary = BuildSummary(lang, needed=len(texts) * len(speeds))
    to_run = _plan(builder, texts, speeds, summary)
    bar = tqdm(
        total=summary.needed,
        initial=summary.reused,
        desc=f"audio {lang}",
        unit="clip",
        file=sys.stderr,
        disable=not progress,
    )
    try:
        run_jobs(builder, to_run, jobs, summary, bar.update, checkpoint_seconds, clock, cancel)
        # Groups whose every clip now exists get their padded copies of one length.
        seal_groups(manifest, [[c for c in g if c in texts] for g in sealed], speeds)
    finally:
        bar.close()
        if processes is not None:
            processes.close()
        builder.save()  # whatever happened, record exactly the clips that exist
    summary.missing = manifest.missing(texts, speeds)
    summary.library_by_engine = manifest.engine_counts(speeds)
    if breaker is not None and breaker.is_open:
        summary.gtts_stopped = breaker.last_error
    return summary


def _load_or_set_aside(audio_root: Path, lang: str) -> Manifest:
    """The manifest, or, when it cannot be read (empty, cut short, garbage, another
    version), an empty one: the unreadable file is kept beside it under a new name, one line
    says so, and the build then lists again every clip file that verifies in full (see
    ``Builder.existing``). Anything else wrong (a file where the folder should be) still stops
    the build."""
    try:
        return load_manifest(audio_root, lang)
    except ManifestError as exc:
        path = _language_dir(audio_root, lang) / MANIFEST_NAME
        if not path.is_file():
            raise
        set_aside(path, str(exc), "rebuilding the manifest from the clips that verify")
        return load_manifest(audio_root, lang)


def _forget_stale(manifest: Manifest, texts: Mapping[str, str]) -> None:
    """Drop entries for removed or changed sentences, and entries whose file is gone.

    A stale entry must not survive an interrupted build: it would make the server speak a
    sentence the content no longer says. The old files stay until ``prune``.
    """
    for entry in list(manifest.entries()):
        text = texts.get(entry.clip_id)
        if text is None or manifest.current(entry.clip_id, entry.speed, text) is None:
            manifest.discard(entry.clip_id, entry.speed)
