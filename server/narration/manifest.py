"""The clip manifest: which clip id and speed each file speaks (``audio/<lang>/manifest.json``).

The JSON is described by pydantic models, so a damaged or foreign file is refused with a
message naming the field, and nothing downstream handles untyped dicts. The manifest is
written last by a build and only ever names files that exist.

``retired`` lists the files the previous manifest generation named and this one does not: a
server that loaded the previous manifest may still link to them, so ``prune`` keeps them for
one more generation (see ``prune_library``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .clips import SPEEDS, Speed, language_dir
from .errors import ManifestError
from .storage import atomic_write

__all__ = [
    "MANIFEST_NAME",
    "MANIFEST_VERSION",
    "ClipEntry",
    "ClipRecord",
    "Manifest",
    "ManifestDocument",
    "PaddedFile",
    "load_manifest",
    "sha256_of",
    "write_manifest",
]

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION: Literal[1] = 1


class PaddedFile(BaseModel):
    """A clip's copy padded with silence to its sealed group's length (``seal``): the file
    pages link, while the clip's own record serves reuse, healing and tracks."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    file: str
    bytes: int = Field(ge=0)
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    frames: int = Field(ge=0)
    duration: float = Field(strict=False)


class ClipRecord(BaseModel):
    """One clip as stored in manifest.json (its id and speed are its position there)."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    file: str
    key: str
    text: str
    engine: str
    lang: str
    accent: str
    # JSON has one number type: accept an integral duration, but never a bool or a string.
    duration: float = Field(strict=False)
    frames: int = Field(ge=0)
    bytes: int = Field(ge=0)
    # The file's SHA-256 as the build verified it: `audio check` finds any later change on
    # disk, even one that keeps every frame header and decodes as noise. None in manifests
    # written before it was recorded (the next build adds it).
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")
    # Set for a clip of a sealed group: the padded copy pages link instead of ``file``.
    padded: PaddedFile | None = None

    @property
    def served_file(self) -> str:
        """The file a page links: the padded copy of a sealed clip, else the clip."""
        return self.padded.file if self.padded is not None else self.file


def sha256_of(data: bytes) -> str:
    """The hex SHA-256 a manifest or track index records for a file's bytes."""
    return hashlib.sha256(data).hexdigest()


class ClipEntry(ClipRecord):
    """A manifest record together with the clip id and speed it speaks."""

    clip_id: str
    speed: Speed

    def record(self) -> ClipRecord:
        """The part stored in the JSON file."""
        return ClipRecord(**self.model_dump(exclude={"clip_id", "speed"}))


class ManifestDocument(BaseModel):
    """The whole manifest.json file."""

    model_config = ConfigDict(extra="forbid", strict=True)

    version: Literal[1]
    lang: str
    clips: dict[Speed, dict[str, ClipRecord]] = Field(default_factory=dict, strict=False)
    retired: list[str] = Field(default_factory=list)


@dataclass
class Manifest:
    """The clips of one language, by speed and clip id."""

    lang: str
    directory: Path
    clips: dict[Speed, dict[str, ClipEntry]] = field(
        default_factory=lambda: {speed: {} for speed in SPEEDS}
    )
    retired: set[str] = field(default_factory=set)

    @property
    def path(self) -> Path:
        """Where this manifest lives."""
        return self.directory / MANIFEST_NAME

    def get(self, clip_id: str, speed: Speed = "normal") -> ClipEntry | None:
        """The entry for ``clip_id`` at ``speed``, or None."""
        return self.clips[speed].get(clip_id)

    def current(self, clip_id: str, speed: Speed, text: str) -> ClipEntry | None:
        """The entry that speaks exactly ``text`` and whose file is on disk at the size it was
        built, or None.

        The one answer to "can this clip be played": pages and tracks ask here, so a changed
        sentence never plays stale audio and a deleted, emptied or cut file is never linked.
        (``check_library`` goes further: it decodes the file and compares its SHA-256.)
        """
        entry = self.clips[speed].get(clip_id)
        if entry is None or entry.text != text:
            return None
        try:
            if self.file_path(entry).stat().st_size != entry.bytes:
                return None
            padded = entry.padded
            if padded is not None and (self.directory / padded.file).stat().st_size != padded.bytes:
                return None
        except OSError:
            return None
        return entry

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

    def file_names(self) -> set[str]:
        """Every file some entry names (padded copies included)."""
        return {name for entry in self.entries() for name in (entry.file, entry.served_file)}

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

    def document(self) -> ManifestDocument:
        """The JSON model of this manifest (ids sorted, so output is stable)."""
        return ManifestDocument(
            version=MANIFEST_VERSION,
            lang=self.lang,
            clips={
                speed: {cid: self.clips[speed][cid].record() for cid in sorted(self.clips[speed])}
                for speed in SPEEDS
            },
            retired=sorted(self.retired - self.file_names()),
        )

    def to_json(self) -> str:
        """Stable JSON so rebuilding an unchanged library rewrites nothing."""
        body = self.document().model_dump(mode="json", exclude_none=True)
        return json.dumps(body, ensure_ascii=False, indent=2) + "\n"


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"]) or "document"
    return f"{where}: {error['msg']}"


def load_manifest(audio_root: Path, lang: str) -> Manifest:
    """Read ``audio_root/<lang>/manifest.json``; an absent file is an empty manifest.

    Raises ManifestError naming the file and the first field that is wrong.
    """
    directory = language_dir(audio_root, lang)
    path = directory / MANIFEST_NAME
    try:
        raw = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return Manifest(lang, directory)
    except NotADirectoryError:
        raise ManifestError(f"{path}: a file is in the way of the narration folder") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ManifestError(f"{path}: unreadable ({exc})") from exc
    if not isinstance(raw, dict) or raw.get("version") != MANIFEST_VERSION:
        version = raw.get("version") if isinstance(raw, dict) else None
        raise ManifestError(f"{path}: unsupported manifest version {version!r}")
    try:
        document = ManifestDocument.model_validate(raw)
    except ValidationError as exc:
        raise ManifestError(f"{path}: {_first_error(exc)}") from None
    if document.lang != lang:
        raise ManifestError(f"{path}: is for language {document.lang!r}, expected {lang!r}")
    manifest = Manifest(lang, directory, retired=set(document.retired))
    for speed, by_id in document.clips.items():
        for clip_id, record in by_id.items():
            manifest.put(ClipEntry(clip_id=clip_id, speed=speed, **record.model_dump()))
    return manifest


def write_manifest(manifest: Manifest) -> bool:
    """Write the manifest if its content changed; return whether it was written."""
    text = manifest.to_json()
    with contextlib.suppress(OSError):
        if manifest.path.read_text("utf-8") == text:
            return False
    manifest.directory.mkdir(parents=True, exist_ok=True)
    atomic_write(manifest.path, text.encode("utf-8"))
    return True
