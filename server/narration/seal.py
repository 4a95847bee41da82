"""Sealed clips: a group of clips made one byte length with exact silence at their ends.

Which outcome a result page plays must not show in the size of the clip it fetches (issue
23). The build makes each clip of a sealed group as usual, then writes beside it a padded
copy: its frames followed by null frames (``mp3.silence_frames``: every decoder outputs
zeros) up to the length of the group's longest clip. The manifest keeps the clip's own record
(so reuse, healing and tracks work on the clip as ever) and names the copy in ``padded``;
pages link the copy.

Null frames come in two lengths, with and without the padding slot (one byte apart), so any
number of bytes past a few kilobytes is made exactly of frames; the group's length is the
first at or above its longest clip that every clip of it can reach.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from pathlib import Path

from . import mp3
from .clips import SPEEDS, Speed
from .manifest import ClipEntry, Manifest, PaddedFile, sha256_of
from .storage import atomic_write

__all__ = ["padded_copy", "seal_groups", "sealed_length"]


def _frame_lengths(header: mp3.FrameHeader) -> tuple[int, int]:
    """(bytes of a null frame without, with the padding slot)."""
    plain = dataclasses.replace(header, padding=False, protected=False)
    return plain.frame_length, dataclasses.replace(plain, padding=True).frame_length


def _reachable(extra: int, header: mp3.FrameHeader) -> bool:
    """Whether ``extra`` bytes can be made of whole null frames of ``header``'s format."""
    plain, padded = _frame_lengths(header)
    frames = extra // plain
    return extra >= 0 and extra - frames * plain <= frames * (padded - plain)


def sealed_length(sizes: Sequence[tuple[int, mp3.FrameHeader]]) -> int:
    """The smallest length at or above the longest clip that every clip can be padded to."""
    target = max(size for size, _ in sizes)
    while not all(_reachable(target - size, header) for size, header in sizes):
        target += 1
    return target


def padded_copy(data: bytes, length: int) -> bytes:
    """``data`` (bare frames) followed by null frames to exactly ``length`` bytes."""
    header = mp3.first_header(data)
    extra = length - len(data)
    if not _reachable(extra, header):
        raise ValueError(f"{extra} bytes cannot be made of whole frames")
    plain, padded = _frame_lengths(header)
    frames = extra // plain
    with_slot = extra - frames * plain  # frames that carry the padding byte
    silence = dataclasses.replace(header, padding=False, protected=False)
    tail = mp3.silence_frames(silence, frames - with_slot)
    slot = dataclasses.replace(silence, padding=True)
    tail += (slot.to_bytes() + bytes(padded - 4)) * with_slot
    return data + tail


def _padded_name(entry: ClipEntry, length: int) -> str:
    return f"{entry.key[:16]}-{length}.mp3"


def seal_groups(
    manifest: Manifest, groups: Iterable[Sequence[str]], speeds: Sequence[Speed] = SPEEDS
) -> int:
    """Give every clip of each group, at each speed, a padded copy of the group's length;
    returns how many copies were written (a copy already on disk as recorded is kept). A
    group with a clip missing is left as it is until the build that completes it."""
    written = 0
    for group in groups:
        for speed in speeds:
            entries = [manifest.get(clip_id, speed) for clip_id in group]
            present = [e for e in entries if e is not None]
            if not present or len(present) < len(entries):
                continue
            datas = {e.file: manifest.file_path(e).read_bytes() for e in present}
            sizes = [(len(datas[e.file]), mp3.first_header(datas[e.file])) for e in present]
            length = sealed_length(sizes)
            for entry in present:
                name = _padded_name(entry, length)
                kept = entry.padded
                path = manifest.directory / name
                if kept is not None and kept.file == name and _unchanged(path, kept):
                    continue
                data = padded_copy(datas[entry.file], length)
                atomic_write(path, data)
                info = mp3.analyse(data)
                padded = PaddedFile(
                    file=name,
                    bytes=len(data),
                    sha256=sha256_of(data),
                    frames=info.frame_count,
                    duration=round(info.duration, 6),
                )
                manifest.put(entry.model_copy(update={"padded": padded}))
                written += 1
    return written


def _unchanged(path: Path, kept: PaddedFile) -> bool:
    """Whether the copy at ``path`` is still the bytes recorded."""
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return len(data) == kept.bytes and sha256_of(data) == kept.sha256
