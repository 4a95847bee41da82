"""``python -m server export DIR``: the files a CDN or object storage serves for the app.

Writes ``DIR/static/<version>/...`` (the same content-hashed paths the pages name, so a
bucket needs no rewriting) and ``DIR/audio/<lang>/...`` (every built clip and session track).
Upload ``DIR`` as it is, then set ``INVERSION_STATIC_BASE_URL=https://cdn.example/static``
and ``INVERSION_AUDIO_BASE_URL=https://cdn.example/audio`` on every worker. Serve both with
``Cache-Control: public, max-age=31536000, immutable`` and ``Access-Control-Allow-Origin``
for the app's origin (scripts are ES modules, which browsers fetch with CORS).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from server.config import Settings
from server.http.static import AUDIO_PATH, ROOT_FILES, STATIC_DIR, shell_files, static_version


@dataclass(frozen=True, slots=True)
class ExportSummary:
    target: Path
    version: str
    static_files: int
    audio_files: int
    bytes: int

    def __str__(self) -> str:
        return (
            f"exported to {self.target}: static/{self.version}/ ({self.static_files} files), "
            f"audio/ ({self.audio_files} files), {self.bytes / 1e6:.1f} MB"
        )


def _copy(source: Path, destination: Path) -> int:
    destination.parent.mkdir(parents=True, exist_ok=True)
    stat = source.stat()
    try:
        same = destination.stat()
        if same.st_size == stat.st_size and same.st_mtime_ns == stat.st_mtime_ns:
            return stat.st_size  # unchanged since the last export: names are content-hashed
    except OSError:
        pass
    shutil.copy2(source, destination)
    return stat.st_size


def export_site(settings: Settings, target: Path) -> ExportSummary:
    """Copy the static files (under their version) and the narration to ``target``."""
    version = static_version()
    size = 0
    names = [n for n in shell_files() if n not in ROOT_FILES]
    for name in names:
        size += _copy(STATIC_DIR / name, target / "static" / version / name)
    audio = 0
    root = settings.audio_dir
    if root.is_dir():
        for path in sorted(root.rglob("*.mp3")):
            relative = path.relative_to(root).as_posix()
            if AUDIO_PATH.match(relative):
                size += _copy(path, target / "audio" / relative)
                audio += 1
    return ExportSummary(target, version, len(names), audio, size)
