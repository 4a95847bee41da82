"""A no-change ``audio build`` answered in tens of milliseconds, from a stamp.

Importing what a build needs (pydantic building the content models, the clip manifest, the
engines) takes most of half a second, while a build with nothing to do then does under a
tenth of that. So a build that found nothing to do leaves a stamp, and the same command
finds it before importing anything but the standard library.

A stamp says: *this command, with this code, these settings and this content, found this
library complete and changed nothing in it.* It is used only while all of that still holds:

* its file is named by a hash of the command line, the working folder, every
  ``INVERSION_*`` environment variable and the bytes of every ``server/**/*.py`` (so the
  settings resolve as they did, and any change to the code that decides the narration, its
  voices or its tracks takes the full build);
* every ``<lang>.yaml`` in the content folder has the bytes it had (none added or removed);
* every file under the audio folder has the size and modification time it had, and none
  was added or removed (a clip deleted, a build running or a half-written file all show).

Anything else, or any doubt (no stamp, an unreadable one), runs the full build. A build
that made, upgraded, pruned or failed anything, or that asked gTTS (``auto`` with clips
espeak made, hoping to upgrade them), writes no stamp: its next run must try again.
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = Path(__file__).resolve().parent
STAMP_DIR = ROOT / ".cache" / "audio-build"
KEEP = 32  # stamps kept (one per command line, settings and working folder)
FORMAT = 1

Listing = dict[str, list[int]]


def _code_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(SERVER.rglob("*.py")):
        digest.update(str(path.relative_to(SERVER)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def command_key(argv: Sequence[str], environ: Mapping[str, str], cwd: str) -> str:
    """What decides how the command's settings resolve and what its code does."""
    settings = sorted(
        (k.upper(), v) for k, v in environ.items() if k.upper().startswith("INVERSION_")
    )
    material = json.dumps([FORMAT, list(argv), cwd, settings, _code_digest()])
    return hashlib.sha256(material.encode()).hexdigest()[:32]


def content_digests(content_dir: Path) -> dict[str, str]:
    """Each content file's SHA-256, by name (the loader reads ``*.yaml``)."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(content_dir.glob("*.yaml"))
    }


def library_listing(audio_dir: Path) -> Listing:
    """Every file under the audio folder: relative path -> [size, mtime in ns]."""
    listing: Listing = {}
    pending = [audio_dir]
    while pending:
        folder = pending.pop()
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(Path(entry.path))
                else:
                    stat = entry.stat(follow_symlinks=False)
                    name = os.path.relpath(entry.path, audio_dir)
                    listing[name] = [stat.st_size, stat.st_mtime_ns]
    return listing


def _stamp_path(argv: Sequence[str]) -> Path:
    return STAMP_DIR / f"{command_key(argv, os.environ, os.getcwd())}.json"


def inputs(content_dir: Path, audio_dir: Path) -> dict[str, object]:
    """What a build reads besides the code: the content files and the whole library. Taken
    before a build and again after it; a stamp is written only if the two are equal."""
    return {
        "content_dir": str(content_dir.resolve()),
        "content": content_digests(content_dir),
        "audio_dir": str(audio_dir.resolve()),
        "library": library_listing(audio_dir) if audio_dir.is_dir() else {},
    }


def unchanged(argv: Sequence[str]) -> str | None:
    """The output of the last run of this build if nothing it depends on has changed since;
    None means: run the full build."""
    try:
        stamp = json.loads(_stamp_path(argv).read_text("utf-8"))
        if stamp.get("format") != FORMAT:
            return None
        now = inputs(Path(stamp["content_dir"]), Path(stamp["audio_dir"]))
        if any(stamp[name] != value for name, value in now.items()):
            return None
        return f"{stamp['output']}(nothing changed since the build of {stamp['written']})\n"
    except (OSError, ValueError, KeyError, TypeError):
        return None


def record(argv: Sequence[str], before: dict[str, object], output: str) -> None:
    """Stamp a build that found nothing to do: ``before`` is ``inputs()`` as it started (the
    caller has checked they are also what it ended with). Best effort: a project folder that
    cannot be written only means the next build runs in full."""
    stamp = {
        "format": FORMAT,
        **before,
        "output": output,
        "written": datetime.datetime.now().isoformat(timespec="seconds"),
    }
    try:
        STAMP_DIR.mkdir(parents=True, exist_ok=True)
        path = _stamp_path(argv)
        temp = path.with_suffix(f".{os.getpid()}.tmp")
        temp.write_text(json.dumps(stamp), "utf-8")
        temp.replace(path)
        for old in sorted(STAMP_DIR.glob("*.json"), key=lambda p: p.stat().st_mtime)[:-KEEP]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def forget(argv: Sequence[str]) -> None:
    """Drop this command's stamp (a build that changed something or failed)."""
    with contextlib.suppress(OSError):
        _stamp_path(argv).unlink(missing_ok=True)
