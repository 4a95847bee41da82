"""The narration library: one MP3 per (sentence, speed) plus a manifest per language.

Layout::

    audio/<lang>/<key16>.mp3     bare MP3 frames, content-addressed by clip key
    audio/<lang>/manifest.json   which clip id and speed each file speaks (written last)

A clip key is the SHA-256 of the engine call that made it (engine, language, accent, slow
flag, exact text), so a changed sentence gets a new file and an unchanged one is never made
again. Files are written atomically and the manifest only ever names files that exist, so a
build stopped at any point leaves a library that serves what it holds; the next build resumes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast, get_args

from tqdm import tqdm

from . import mp3
from .engines import Engine, EspeakEngine, FailureBreaker, GttsEngine
from .errors import EngineError, ManifestError

__all__ = [
    "MANIFEST_NAME",
    "MANIFEST_VERSION",
    "SPEEDS",
    "BuildSummary",
    "ClipEntry",
    "EngineChoice",
    "Manifest",
    "Speed",
    "VoiceSpec",
    "build_library",
    "check_library",
    "check_manifest",
    "clip_file_name",
    "clip_key",
    "load_manifest",
    "prune_library",
]

Speed = Literal["normal", "slow"]
SPEEDS: tuple[Speed, ...] = get_args(Speed)
EngineChoice = Literal["auto", "gtts", "espeak"]
ENGINE_CHOICES: tuple[EngineChoice, ...] = get_args(EngineChoice)

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
# Temp files are hidden and end in .part so that no server route or glob for *.mp3 sees them.
_TEMP_PREFIX = "."
_TEMP_SUFFIX = ".part"
# Frame counts make durations exact, so any difference beyond float noise is a real mismatch.
_DURATION_TOLERANCE = 0.0005


@dataclass(frozen=True)
class VoiceSpec:
    """Everything narration needs to know about one language of the content.

    ``texts`` maps clip ids to the exact sentence to speak; ``gtts_lang`` and ``tld`` choose
    Google's voice and accent; ``espeak_voice`` the offline voice ("" means ``gtts_lang``).
    """

    texts: Mapping[str, str]
    gtts_lang: str
    tld: str = "com"
    espeak_voice: str = ""


def clip_key(engine: str, lang: str, accent: str, slow: bool, text: str) -> str:
    """SHA-256 hex of the engine call that makes a clip.

    JSON encoding keeps the fields unambiguous (no separator can be forged by the text).
    """
    material = json.dumps([engine, lang, accent, slow, text], ensure_ascii=False)
    return hashlib.sha256(material.encode("utf-8")).hexdigest()


def clip_file_name(key: str) -> str:
    """File name of the clip with ``key``: its first 16 hex digits (64 bits) plus .mp3."""
    return f"{key[:16]}.mp3"


@dataclass(frozen=True, slots=True)
class ClipEntry:
    """One manifest record: a clip id at one speed and the file that speaks it."""

    clip_id: str
    speed: Speed
    file: str
    key: str
    text: str
    engine: str
    lang: str
    accent: str
    duration: float
    frames: int
    bytes: int

    def to_json(self) -> dict[str, object]:
        """The record as stored in manifest.json (id and speed are its position there)."""
        return {
            "file": self.file,
            "key": self.key,
            "text": self.text,
            "engine": self.engine,
            "lang": self.lang,
            "accent": self.accent,
            "duration": self.duration,
            "frames": self.frames,
            "bytes": self.bytes,
        }

    @classmethod
    def from_json(cls, clip_id: str, speed: Speed, raw: object) -> ClipEntry:
        """Parse one record; raise ManifestError naming the field that is wrong."""
        if not isinstance(raw, dict):
            raise ManifestError(f"clip {clip_id!r} ({speed}) is not an object")
        strings = {}
        for name in ("file", "key", "text", "engine", "lang", "accent"):
            value = raw.get(name)
            if not isinstance(value, str):
                raise ManifestError(f"clip {clip_id!r} ({speed}): {name!r} must be a string")
            strings[name] = value
        numbers: dict[str, float] = {}
        for name in ("duration", "frames", "bytes"):
            value = raw.get(name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ManifestError(f"clip {clip_id!r} ({speed}): {name!r} must be a number")
            numbers[name] = value
        return cls(
            clip_id=clip_id,
            speed=speed,
            file=strings["file"],
            key=strings["key"],
            text=strings["text"],
            engine=strings["engine"],
            lang=strings["lang"],
            accent=strings["accent"],
            duration=float(numbers["duration"]),
            frames=int(numbers["frames"]),
            bytes=int(numbers["bytes"]),
        )


@dataclass
class Manifest:
    """The clips of one language, by speed and clip id."""

    lang: str
    directory: Path
    clips: dict[Speed, dict[str, ClipEntry]] = field(
        default_factory=lambda: {speed: {} for speed in SPEEDS}
    )

    @property
    def path(self) -> Path:
        """Where this manifest lives."""
        return self.directory / MANIFEST_NAME

    def get(self, clip_id: str, speed: Speed = "normal") -> ClipEntry | None:
        """The entry for ``clip_id`` at ``speed``, or None."""
        return self.clips[speed].get(clip_id)

    def __getitem__(self, item: tuple[str, Speed]) -> ClipEntry:
        clip_id, speed = item
        return self.clips[speed][clip_id]

    def __contains__(self, item: object) -> bool:
        if not isinstance(item, tuple) or len(item) != 2:
            return False
        clip_id, speed = item
        return speed in self.clips and clip_id in self.clips[speed]

    def __len__(self) -> int:
        return sum(len(by_id) for by_id in self.clips.values())

    def entries(self, speeds: Sequence[Speed] = SPEEDS) -> Iterator[ClipEntry]:
        """Every entry at ``speeds``."""
        for speed in speeds:
            yield from self.clips[speed].values()

    def file_path(self, entry: ClipEntry) -> Path:
        """Absolute location of ``entry``'s MP3."""
        return self.directory / entry.file

    def missing(
        self, texts: Mapping[str, str], speeds: Sequence[Speed] = SPEEDS
    ) -> list[tuple[str, Speed]]:
        """(clip id, speed) pairs the content needs that have no entry for its current text."""
        out: list[tuple[str, Speed]] = []
        for speed in speeds:
            for clip_id, text in texts.items():
                entry = self.clips[speed].get(clip_id)
                if entry is None or entry.text != text:
                    out.append((clip_id, speed))
        return out

    def engine_counts(self, speeds: Sequence[Speed] = SPEEDS) -> Counter[str]:
        """How many clips each engine made."""
        return Counter(entry.engine for entry in self.entries(speeds))

    def put(self, entry: ClipEntry) -> None:
        """Add or replace an entry."""
        self.clips[entry.speed][entry.clip_id] = entry

    def discard(self, clip_id: str, speed: Speed) -> None:
        """Remove an entry if present."""
        self.clips[speed].pop(clip_id, None)

    def to_json(self) -> str:
        """Stable JSON (sorted ids) so rebuilding an unchanged library rewrites nothing."""
        body = {
            "version": MANIFEST_VERSION,
            "lang": self.lang,
            "clips": {
                speed: {cid: self.clips[speed][cid].to_json() for cid in sorted(self.clips[speed])}
                for speed in SPEEDS
            },
        }
        return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def _language_dir(audio_root: Path, lang: str) -> Path:
    # The language code becomes a folder name: refuse anything that could leave audio_root.
    if not lang or lang.startswith(".") or "/" in lang or "\\" in lang or "\0" in lang:
        raise ValueError(f"not a usable language code: {lang!r}")
    return Path(audio_root) / lang


def load_manifest(audio_root: Path, lang: str) -> Manifest:
    """Read ``audio_root/<lang>/manifest.json``; an absent file is an empty manifest."""
    directory = _language_dir(audio_root, lang)
    path = directory / MANIFEST_NAME
    try:
        raw = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return Manifest(lang, directory)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path}: unreadable ({exc})") from exc
    if not isinstance(raw, dict) or raw.get("version") != MANIFEST_VERSION:
        version = raw.get("version") if isinstance(raw, dict) else None
        raise ManifestError(f"{path}: unsupported manifest version {version!r}")
    if raw.get("lang") != lang:
        raise ManifestError(f"{path}: is for language {raw.get('lang')!r}, expected {lang!r}")
    clips = raw.get("clips")
    if not isinstance(clips, dict):
        raise ManifestError(f"{path}: 'clips' must be an object")
    manifest = Manifest(lang, directory)
    for speed_name, by_id in clips.items():
        if speed_name not in SPEEDS or not isinstance(by_id, dict):
            raise ManifestError(f"{path}: unknown speed section {speed_name!r}")
        speed = cast(Speed, speed_name)
        for clip_id, entry in by_id.items():
            try:
                manifest.put(ClipEntry.from_json(clip_id, speed, entry))
            except ManifestError as exc:
                raise ManifestError(f"{path}: {exc}") from None
    return manifest


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so readers see the old file or the whole new one, never half.

    The temp file lives in the same directory (os.replace is only atomic within one file
    system) and is removed on any failure, Ctrl-C included.
    """
    fd, tmp = tempfile.mkstemp(
        prefix=f"{_TEMP_PREFIX}{path.name}.", suffix=_TEMP_SUFFIX, dir=path.parent
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            # mkstemp makes 0600 files; the web server may run as another user.
            os.fchmod(handle.fileno(), 0o644)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _write_manifest(manifest: Manifest) -> bool:
    """Write the manifest if its content changed; return whether it was written."""
    text = manifest.to_json()
    with contextlib.suppress(OSError):
        if manifest.path.read_text("utf-8") == text:
            return False
    manifest.directory.mkdir(parents=True, exist_ok=True)
    atomic_write(manifest.path, text.encode("utf-8"))
    return True


def _temp_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(
        p
        for p in directory.iterdir()
        if p.name.startswith(_TEMP_PREFIX) and p.name.endswith(_TEMP_SUFFIX)
    )


# --------------------------------------------------------------------------- build


Status = Literal["made", "reused", "upgraded", "failed"]


@dataclass(frozen=True, slots=True)
class _Voice:
    """The (lang, accent) an engine is called with for this language."""

    lang: str
    accent: str


@dataclass(frozen=True, slots=True)
class _Job:
    clip_id: str
    speed: Speed
    text: str
    previous: ClipEntry | None


@dataclass(frozen=True, slots=True)
class _Outcome:
    job: _Job
    status: Status
    entry: ClipEntry | None
    error: str | None = None


@dataclass
class BuildSummary:
    """What a build did, for the CLI to print and for tests to assert on."""

    lang: str
    needed: int = 0
    made: int = 0
    reused: int = 0
    upgraded: int = 0
    failed: int = 0
    pruned: int = 0
    made_by_engine: Counter[str] = field(default_factory=Counter)
    library_by_engine: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    missing: list[tuple[str, Speed]] = field(default_factory=list)
    gtts_stopped: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when every needed clip exists and nothing failed."""
        return not self.missing and not self.failed

    def describe(self) -> str:
        """A few human lines: counts, engines, failures."""

        def engines(counts: Counter[str]) -> str:
            return ", ".join(f"{name} {n}" for name, n in sorted(counts.items())) or "none"

        lines = [
            f"{self.lang}: {self.needed} clips needed: made {self.made}"
            f" ({engines(self.made_by_engine)}), upgraded {self.upgraded},"
            f" reused {self.reused}, failed {self.failed}, pruned {self.pruned}"
            f" in {self.seconds:.1f} s",
            f"{self.lang}: library by engine: {engines(self.library_by_engine)}",
        ]
        if self.gtts_stopped:
            lines.append(f"{self.lang}: stopped asking gTTS: {self.gtts_stopped}")
        lines.extend(f"{self.lang}: failed {failure}" for failure in self.failures)
        if self.missing:
            shown = ", ".join(f"{cid} ({speed})" for cid, speed in self.missing[:10])
            more = f" and {len(self.missing) - 10} more" if len(self.missing) > 10 else ""
            lines.append(f"{self.lang}: MISSING {len(self.missing)}: {shown}{more}")
        return "\n".join(lines)


class _Builder:
    """One build of one language; main thread owns the manifest, workers only make files."""

    def __init__(
        self,
        manifest: Manifest,
        engine: EngineChoice,
        voices: Mapping[str, _Voice],
        engines: Mapping[str, Engine],
        breaker: FailureBreaker,
    ) -> None:
        self.manifest = manifest
        self.engine = engine
        self.voices = voices
        self.engines = engines
        self.breaker = breaker

    def key_for(self, engine: str, speed: Speed, text: str) -> str:
        voice = self.voices[engine]
        return clip_key(engine, voice.lang, voice.accent, speed == "slow", text)

    def entry_for(self, job: _Job, engine: str, key: str, data: bytes) -> ClipEntry:
        info = mp3.analyse(data)
        voice = self.voices[engine]
        return ClipEntry(
            clip_id=job.clip_id,
            speed=job.speed,
            file=clip_file_name(key),
            key=key,
            text=job.text,
            engine=engine,
            lang=voice.lang,
            accent=voice.accent,
            duration=round(info.duration, 6),
            frames=info.frame_count,
            bytes=len(data),
        )

    def existing(self, job: _Job, engine: str) -> ClipEntry | None:
        """A usable clip already made by ``engine`` for this job: from the manifest, or a file
        left by a build that stopped before its manifest was written."""
        key = self.key_for(engine, job.speed, job.text)
        path = self.manifest.directory / clip_file_name(key)
        previous = job.previous
        if previous is not None and previous.key == key:
            with contextlib.suppress(OSError):
                if path.stat().st_size == previous.bytes:
                    return previous
        try:
            data = path.read_bytes()
            return self.entry_for(job, engine, key, data)
        except (OSError, mp3.Mp3Error):
            return None

    def make(self, job: _Job, engine: str) -> ClipEntry:
        voice = self.voices[engine]
        data = self.engines[engine].synthesize(
            job.text, voice.lang, voice.accent, job.speed == "slow"
        )
        key = self.key_for(engine, job.speed, job.text)
        try:
            entry = self.entry_for(job, engine, key, data)
        except mp3.Mp3Error as exc:
            raise EngineError(f"{engine} returned unusable audio: {exc}") from exc
        atomic_write(self.manifest.directory / entry.file, data)
        return entry

    def try_gtts(self, job: _Job) -> ClipEntry | str:
        """A new gTTS clip, or why there is none."""
        if self.breaker.is_open:
            return f"gTTS not tried: {self.breaker.last_error}"
        try:
            entry = self.make(job, "gtts")
        except EngineError as exc:
            self.breaker.record_failure(str(exc))
            return str(exc)
        self.breaker.record_success()
        return entry

    def run(self, job: _Job) -> _Outcome:
        """Produce one clip (called in a worker thread). Only engine failures are caught:
        anything else, KeyboardInterrupt included, stops the build."""
        upgrading = job.previous is not None and job.previous.engine == "espeak"
        try:
            if self.engine == "espeak":
                return _Outcome(job, "made", self.make(job, "espeak"))
            result = self.try_gtts(job)
            if isinstance(result, ClipEntry):
                return _Outcome(job, "upgraded" if upgrading else "made", result)
            if self.engine == "gtts":
                return _Outcome(job, "failed", None, result)
            # auto: keep an espeak clip we already have rather than remaking it identically.
            kept = self.existing(job, "espeak")
            if kept is not None:
                return _Outcome(job, "reused", kept)
            return _Outcome(job, "made", self.make(job, "espeak"))
        except EngineError as exc:
            return _Outcome(job, "failed", None, str(exc))


class _Cancelled(Exception):
    """Raised in a worker that was waiting to retry when the build was interrupted.

    Deliberately not an EngineError: the clip is neither failed nor worth a fallback."""


def _cancellable_sleep(cancel: threading.Event) -> Callable[[float], None]:
    # Without this, Ctrl-C during a long backoff (Retry-After can ask for 30 s) would make
    # the build wait out the pause before it could write its manifest and exit.
    def sleep(seconds: float) -> None:
        if cancel.wait(seconds):
            raise _Cancelled

    return sleep


def _default_engines(
    manifest: Manifest, gtts_timeout: float, cancel: threading.Event
) -> dict[str, Engine]:
    target = None
    # Follow the format of a real gTTS clip when there is one, so espeak clips stay joinable
    # with Google's even if Google changes its encoding.
    for entry in manifest.entries():
        if entry.engine == "gtts":
            with contextlib.suppress(OSError, mp3.Mp3Error):
                target = mp3.first_header(manifest.file_path(entry).read_bytes()).format
                break
    espeak = EspeakEngine(target=target) if target is not None else EspeakEngine()
    gtts = GttsEngine(timeout=gtts_timeout, sleep=_cancellable_sleep(cancel))
    return {"gtts": gtts, "espeak": espeak}


def build_library(
    audio_root: Path,
    lang: str,
    texts: Mapping[str, str],
    *,
    gtts_lang: str | None = None,
    tld: str = "com",
    espeak_voice: str | None = None,
    engine: EngineChoice = "auto",
    speeds: Sequence[Speed] = SPEEDS,
    jobs: int = 4,
    prune: bool = False,
    progress: bool = False,
    engines: Mapping[str, Engine] | None = None,
    gtts_timeout: float = 15.0,
    max_gtts_failures: int = 3,
    checkpoint_seconds: float = 2.0,
    clock: Callable[[], float] = time.monotonic,
) -> BuildSummary:
    """Make every missing clip of ``texts`` at ``speeds`` under ``audio_root/<lang>/``.

    Existing clips whose key matches are reused; with ``engine="auto"`` clips that espeak
    made earlier are retried with gTTS ("upgraded"), and after ``max_gtts_failures``
    consecutive gTTS failures the rest of the build goes straight to espeak. The manifest is
    rewritten every ``checkpoint_seconds`` and when the build ends for any reason, and it
    only ever names files that exist. ``gtts_timeout`` bounds each request to Google;
    ``engines`` replaces the real "gtts" / "espeak" engines (tests, custom retry policies).
    Raises ManifestError if an existing manifest cannot be read.
    """
    if engine not in ENGINE_CHOICES:
        raise ValueError(f"engine must be one of {ENGINE_CHOICES}, not {engine!r}")
    if jobs < 1:
        raise ValueError("jobs must be at least 1")
    started = clock()
    directory = _language_dir(audio_root, lang)
    directory.mkdir(parents=True, exist_ok=True)
    for leftover in _temp_files(directory):  # from a build that was killed outright
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()
    manifest = load_manifest(Path(audio_root), lang)
    _forget_stale(manifest, texts)

    base_lang = gtts_lang or lang
    voices = {"gtts": _Voice(base_lang, tld), "espeak": _Voice(espeak_voice or base_lang, "")}
    breaker = FailureBreaker(max_gtts_failures)
    cancel = threading.Event()
    defaults = _default_engines(manifest, gtts_timeout, cancel)
    chosen: dict[str, Engine] = {**defaults, **(engines or {})}
    builder = _Builder(manifest, engine, voices, chosen, breaker)
    summary = BuildSummary(lang, needed=len(texts) * len(speeds))

    to_run: list[_Job] = []
    first = "espeak" if engine == "espeak" else "gtts"
    for speed in speeds:
        for clip_id, text in texts.items():
            job = _Job(clip_id, speed, text, manifest.get(clip_id, speed))
            ready = builder.existing(job, first)
            if ready is not None:
                manifest.put(ready)
                summary.reused += 1
            else:
                to_run.append(job)

    bar = tqdm(
        total=summary.needed,
        initial=summary.reused,
        desc=f"audio {lang}",
        unit="clip",
        file=sys.stderr,
        disable=not progress,
    )
    try:
        _run_jobs(builder, to_run, jobs, summary, bar.update, checkpoint_seconds, clock, cancel)
    finally:
        bar.close()
        _write_manifest(manifest)  # whatever happened, record exactly the clips that exist

    if prune:
        summary.pruned = prune_library(Path(audio_root), lang)
    summary.missing = manifest.missing(texts, speeds)
    summary.library_by_engine = manifest.engine_counts(speeds)
    summary.gtts_stopped = breaker.last_error if breaker.is_open else None
    summary.seconds = clock() - started
    return summary


def _forget_stale(manifest: Manifest, texts: Mapping[str, str]) -> None:
    """Drop entries for removed or changed sentences, and entries whose file is gone.

    A stale entry must not survive an interrupted build: it would make the server speak a
    sentence the content no longer says. The old files stay until ``prune``.
    """
    for entry in list(manifest.entries()):
        if texts.get(entry.clip_id) != entry.text or not manifest.file_path(entry).is_file():
            manifest.discard(entry.clip_id, entry.speed)


def _run_jobs(
    builder: _Builder,
    to_run: Sequence[_Job],
    jobs: int,
    summary: BuildSummary,
    advance: Callable[[int], object],
    checkpoint_seconds: float,
    clock: Callable[[], float],
    cancel: threading.Event,
) -> None:
    manifest = builder.manifest
    applied: set[Future[_Outcome]] = set()

    def apply(future: Future[_Outcome]) -> None:
        outcome = future.result()
        applied.add(future)
        job = outcome.job
        if outcome.entry is not None:
            manifest.put(outcome.entry)
        if outcome.status == "failed":
            summary.failed += 1
            summary.failures.append(f"{job.clip_id} ({job.speed}): {outcome.error}")
        elif outcome.status == "reused":
            summary.reused += 1
        else:
            if outcome.status == "made":
                summary.made += 1
            else:
                summary.upgraded += 1
            assert outcome.entry is not None
            summary.made_by_engine[outcome.entry.engine] += 1
        advance(1)

    executor = ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="narration")
    futures = [executor.submit(builder.run, job) for job in to_run]
    last_checkpoint = clock()
    try:
        for future in as_completed(futures):
            apply(future)
            if clock() - last_checkpoint >= checkpoint_seconds:
                _write_manifest(manifest)
                last_checkpoint = clock()
    except BaseException:
        # Ctrl-C or a worker's unexpected error: cancel queued clips, cut short any backoff
        # pause, let clips in progress finish (one request or one espeak run each), and keep
        # every clip that did get written.
        cancel.set()
        executor.shutdown(wait=True, cancel_futures=True)
        for future in futures:
            if future in applied or not future.done() or future.cancelled():
                continue
            if future.exception() is None:
                apply(future)
        raise
    finally:
        executor.shutdown(wait=True)


def prune_library(audio_root: Path, lang: str) -> int:
    """Delete MP3 files (and leftover temp files) that no manifest entry references."""
    manifest = load_manifest(Path(audio_root), lang)
    keep = {entry.file for entry in manifest.entries()}
    removed = 0
    if not manifest.directory.is_dir():
        return 0
    for path in sorted(manifest.directory.iterdir()):
        orphan = path.suffix == ".mp3" and path.name not in keep and path.is_file()
        if orphan or path in _temp_files(manifest.directory):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
    return removed


# --------------------------------------------------------------------------- check


def _verify_entry(
    manifest: Manifest, entry: ClipEntry
) -> tuple[list[str], mp3.StreamFormat | None]:
    where = f"{entry.clip_id} ({entry.speed}) {entry.file}"
    problems: list[str] = []
    expected_key = clip_key(
        entry.engine, entry.lang, entry.accent, entry.speed == "slow", entry.text
    )
    if entry.key != expected_key:
        problems.append(f"{where}: key does not match its engine, voice and text")
    if entry.file != clip_file_name(entry.key):
        problems.append(f"{where}: file name does not match key {entry.key[:16]}")
    try:
        data = manifest.file_path(entry).read_bytes()
    except OSError as exc:
        return [*problems, f"{where}: cannot read file ({exc.strerror or exc})"], None
    if len(data) != entry.bytes:
        problems.append(f"{where}: {len(data)} bytes, manifest says {entry.bytes}")
    try:
        info = mp3.analyse(data)
    except mp3.Mp3Error as exc:
        return [*problems, f"{where}: does not decode: {exc}"], None
    if info.frame_count != entry.frames:
        problems.append(f"{where}: {info.frame_count} frames, manifest says {entry.frames}")
    if abs(info.duration - entry.duration) > _DURATION_TOLERANCE:
        problems.append(
            f"{where}: lasts {info.duration:.3f} s, manifest says {entry.duration:.3f} s"
        )
    return problems, info.format


def _check(manifest: Manifest, entries: Sequence[ClipEntry]) -> list[str]:
    problems: list[str] = []
    formats: Counter[mp3.StreamFormat] = Counter()
    for entry in entries:
        found, fmt = _verify_entry(manifest, entry)
        problems.extend(found)
        if fmt is not None:
            formats[fmt] += 1
    if len(formats) > 1:
        listed = "; ".join(f"{fmt} ({n} clips)" for fmt, n in formats.most_common())
        problems.append(f"clips cannot be joined into one track, formats differ: {listed}")
    problems.extend(
        f"{path.name}: temporary file left by an interrupted write"
        for path in _temp_files(manifest.directory)
    )
    return problems


def check_library(
    audio_root: Path, lang: str, texts: Mapping[str, str], speeds: Sequence[Speed] = SPEEDS
) -> list[str]:
    """Problems that stop the library from narrating ``texts`` at ``speeds``; [] if none.

    Every needed clip must be in the manifest with the current text, exist, decode as bare
    frames of one joinable format, be named after its key, and last what the manifest says.
    """
    try:
        manifest = load_manifest(Path(audio_root), lang)
    except ManifestError as exc:
        return [str(exc)]
    problems = [
        f"{clip_id} ({speed}): no clip for the current text"
        for clip_id, speed in manifest.missing(texts, speeds)
    ]
    needed = [
        entry
        for speed in speeds
        for clip_id in texts
        if (entry := manifest.get(clip_id, speed)) is not None and entry.text == texts[clip_id]
    ]
    return problems + _check(manifest, needed)


def check_manifest(audio_root: Path, lang: str) -> list[str]:
    """Like ``check_library`` but only for what the manifest holds (e.g. after an interrupted
    build): every entry must be sound, whether or not the content needs more."""
    try:
        manifest = load_manifest(Path(audio_root), lang)
    except ManifestError as exc:
        return [str(exc)]
    return _check(manifest, list(manifest.entries()))
