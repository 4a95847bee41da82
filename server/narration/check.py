"""``audio check``: is every clip and every session track whole, decodable and as described?

Each clip is held to what the build demanded of it (``integrity.verify_clip``: frame data a
decoder can follow and a length plausible for its words) and must agree with its manifest
record (key, name, bytes, frames, duration). Each track named by the track index must decode
fully and match its index entry and chapters file. Problems name the file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path

from . import mp3
from .clips import SPEEDS, Speed, clip_file_name, clip_key
from .errors import ManifestError
from .integrity import duration_problem, verify_audio
from .manifest import ClipEntry, Manifest, load_manifest, sha256_of
from .recipe import recipe_problems
from .seal import padded_copy
from .storage import temp_files
from .trackfiles import INDEX_NAME, load_chapters, load_track_index, tracks_dir

__all__ = ["check_clip", "check_library", "check_manifest", "check_tracks"]

# Frame counts make durations exact, so any difference beyond float noise is a real mismatch.
_DURATION_TOLERANCE = 0.0005


def check_clip(manifest: Manifest, entry: ClipEntry) -> tuple[list[str], mp3.StreamFormat | None]:
    """Problems with one clip (naming its id, speed and file) and its format if it decodes."""
    where = f"{entry.clip_id} ({entry.speed}) {entry.file}"
    problems: list[str] = []
    slow = entry.speed == "slow"
    if entry.key != clip_key(entry.engine, entry.lang, entry.accent, slow, entry.text):
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
        info = verify_audio(data)
    except mp3.Mp3Error as exc:
        return [*problems, f"{where}: does not decode: {exc}"], None
    # Decodes, at the right size, but not the bytes the build verified: noise behind intact
    # frame headers and side information, which no decoder refuses.
    if len(data) == entry.bytes and entry.sha256 not in (None, sha256_of(data)):
        problems.append(f"{where}: changed since it was built (SHA-256 differs from manifest)")
    if info.frame_count != entry.frames:
        problems.append(f"{where}: {info.frame_count} frames, manifest says {entry.frames}")
    if abs(info.duration - entry.duration) > _DURATION_TOLERANCE:
        problems.append(
            f"{where}: lasts {info.duration:.3f} s, manifest says {entry.duration:.3f} s"
        )
    implausible = duration_problem(entry.engine, slow, entry.text, info.duration)
    if implausible is not None:
        problems.append(f"{where}: {implausible}")
    if entry.padded is not None and not problems:
        problems.extend(_check_padded(manifest, entry, data))
    return problems, info.format


def _check_padded(manifest: Manifest, entry: ClipEntry, clip: bytes) -> list[str]:
    """A sealed clip's padded copy must be the clip and exact silence, as recorded."""
    padded = entry.padded
    assert padded is not None
    where = f"{entry.clip_id} ({entry.speed}) {padded.file}"
    try:
        data = (manifest.directory / padded.file).read_bytes()
    except OSError as exc:
        return [f"{where}: cannot read padded copy ({exc.strerror or exc})"]
    if len(data) != padded.bytes or sha256_of(data) != padded.sha256:
        return [f"{where}: padded copy changed since it was built"]
    try:
        if padded_copy(clip, padded.bytes) != data:
            return [f"{where}: padded copy is not its clip followed by silence"]
    except ValueError as exc:
        return [f"{where}: {exc}"]
    return []


def _check(manifest: Manifest, entries: Sequence[ClipEntry]) -> list[str]:
    problems: list[str] = []
    formats: Counter[mp3.StreamFormat] = Counter()
    for entry in entries:
        found, fmt = check_clip(manifest, entry)
        problems.extend(found)
        if fmt is not None:
            formats[fmt] += 1
    if len(formats) > 1:
        listed = "; ".join(f"{fmt} ({n} clips)" for fmt, n in formats.most_common())
        problems.append(f"clips cannot be joined into one track, formats differ: {listed}")
    problems.extend(
        f"{path.name}: temporary file left by an interrupted write"
        for path in temp_files(manifest.directory)
    )
    return problems


def check_library(
    audio_root: Path, lang: str, texts: Mapping[str, str], speeds: Sequence[Speed] = SPEEDS
) -> list[str]:
    """Problems that stop the library from narrating ``texts`` at ``speeds``; [] if none.

    Every needed clip must be in the manifest with the current text, exist, decode fully as
    bare frames of one joinable format, last plausibly for its words and exactly what the
    manifest says, and be named after its key. Reads only: works on a read-only library.
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


def check_tracks(audio_root: Path, lang: str, speeds: Sequence[Speed] = SPEEDS) -> list[str]:
    """Problems with the session tracks the track index names at ``speeds``; [] if none.

    No index means no track was built yet, which is not a problem here (the build reports
    missing tracks). Each named track must decode fully (frame data included) and agree with
    its index entry and its chapters file on bytes and frames.
    """
    directory = tracks_dir(audio_root, lang)
    try:
        index = load_track_index(audio_root, lang)
    except ManifestError as exc:
        return [str(exc)]
    if index is None:
        # No track built yet is fine; track files with no index to name them are not (the
        # server would offer none of them): the next build writes the index again.
        found = sorted(directory.glob("*.mp3")) if directory.is_dir() else []
        if found:
            return [f"tracks/{INDEX_NAME} is missing, but {len(found)} track files are there"]
        return []
    problems: list[str] = []
    for plan, by_speed in sorted(index.tracks.items()):
        for speed, entry in sorted(by_speed.items()):
            if speed not in speeds:
                continue
            where = f"track {plan} ({speed}) tracks/{entry.file}"
            try:
                chapters = load_chapters(directory / entry.chapters)
                data = (directory / entry.file).read_bytes()
            except ManifestError as exc:
                problems.append(f"{where}: {exc}")
                continue
            except OSError as exc:
                problems.append(f"{where}: cannot read file ({exc.strerror or exc})")
                continue
            if chapters.file != entry.file:
                problems.append(f"{where}: chapters describe {chapters.file}")
            if not len(data) == entry.bytes == chapters.bytes:
                problems.append(
                    f"{where}: {len(data)} bytes, index says {entry.bytes}, "
                    f"chapters say {chapters.bytes}"
                )
            try:
                info = verify_audio(data)
            except mp3.Mp3Error as exc:
                problems.append(f"{where}: does not decode: {exc}")
                continue
            if {entry.sha256, chapters.sha256} - {None, sha256_of(data)}:
                problems.append(f"{where}: changed since it was built (SHA-256 differs)")
            if not info.frame_count == entry.frames == chapters.frames:
                problems.append(
                    f"{where}: {info.frame_count} frames, index says {entry.frames}, "
                    f"chapters say {chapters.frames}"
                )
            if (info.format.sample_rate, info.format.samples_per_frame) != (
                chapters.sample_rate,
                chapters.samples_per_frame,
            ):
                problems.append(f"{where}: is {info.format}, chapters were timed for another")
            if chapters.recipe is not None:
                problems.extend(
                    f"{where}: {problem}"
                    for problem in recipe_problems(chapters.recipe, directory.parent, data)
                )
    problems.extend(
        f"tracks/{path.name}: temporary file left by an interrupted write"
        for path in temp_files(directory)
    )
    return problems
