"""Prune: delete clip files no manifest names, but not the ones a running server may name.

A server loads the manifest when it starts (or reloads), so right after a build it may still
link to files of the previous generation. Builds record those in the manifest's ``retired``
list, and prune keeps them; the next change after that retires a newer set and they go.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from .clips import language_dir
from .manifest import load_manifest
from .storage import library_lock, temp_files

__all__ = ["prune_library"]


def prune_library(audio_root: Path, lang: str) -> int:
    """Delete clip files no manifest entry names (and leftover temp files); return how many.

    Files in the manifest's ``retired`` list (named by the previous generation) are kept
    until the next prune after the next change, because a server that loaded the previous
    manifest may still link to them: restart or reload servers between two builds that
    both prune. Holds the folder's build lock (re-entered when called from a build).
    """
    directory = language_dir(audio_root, lang)
    if not directory.is_dir():
        return 0
    with library_lock(directory):
        manifest = load_manifest(Path(audio_root), lang)
        keep = manifest.file_names() | manifest.retired
        removed = 0
        leftovers = set(temp_files(directory))
        for path in sorted(directory.iterdir()):
            orphan = path.suffix == ".mp3" and path.name not in keep and path.is_file()
            if orphan or path in leftovers:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed += 1
    return removed
