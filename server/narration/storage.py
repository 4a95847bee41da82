"""Files on disk: atomic writes, leftover temp files, and the one-build-at-a-time lock.

Every writer of the library (clips, manifest, session tracks) goes through ``atomic_write`` so
readers see an old file or a whole new one, never half. A build holds ``library_lock`` on its
language folder for its whole run, so two builds (say ``--speed normal`` and ``--speed slow``
started together) take turns instead of overwriting each other's manifest.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import LibraryBusyError, LibraryError

__all__ = [
    "LOCK_NAME",
    "atomic_write",
    "build_running",
    "is_temp_file",
    "library_lock",
    "prepare_writable_dir",
    "temp_files",
]

# Temp files are hidden and end in .part so that no server route or glob for *.mp3 sees them.
_TEMP_PREFIX = "."
_TEMP_SUFFIX = ".part"
LOCK_NAME = ".build.lock"


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


def set_aside(path: Path, problem: str, then: str) -> Path:
    """Keep an unreadable ``path`` beside itself as ``<name>.unreadable-<UTC time>`` and say
    so in one line (``problem``; what the build does ``then``); returns the new path. A build
    then writes a new file from what verifies, instead of refusing until someone deletes it."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    aside = path.with_name(f"{path.name}.unreadable-{stamp}")
    path.replace(aside)
    print(f"{problem}; set aside as {aside.name}, {then}", file=sys.stderr)
    return aside


def is_temp_file(path: Path) -> bool:
    """True for a temp file left by an ``atomic_write`` that never finished."""
    return path.name.startswith(_TEMP_PREFIX) and path.name.endswith(_TEMP_SUFFIX)


def temp_files(directory: Path) -> list[Path]:
    """Leftover temp files in ``directory`` (none if it is not a folder)."""
    try:
        return sorted(p for p in directory.iterdir() if is_temp_file(p))
    except OSError:
        return []


def _not_a_folder(path: Path) -> Path | None:
    """The first existing ancestor-or-self of ``path`` that is not a folder, if any."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return None if candidate.is_dir() else candidate
    return None


def prepare_writable_dir(directory: Path) -> None:
    """Create ``directory`` if needed; raise LibraryError (one clear line) if it cannot be.

    Called before a build touches anything, so "the audio folder is a file" or "the library
    is on a read-only file system" is reported once instead of as a traceback mid-build.
    """
    blocker = _not_a_folder(directory)
    if blocker is not None:
        raise LibraryError(f"{blocker} is a file, not a folder: cannot keep narration there")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LibraryError(
            f"cannot create the narration folder {directory}: {exc.strerror or exc}"
        ) from None


# flock conflicts between two open file descriptions even inside one process, so threads are
# excluded from each other too; a thread that already holds a folder's lock re-enters it
# (the CLI holds it across the clip build and the track build that follows).
_held = threading.local()


def _held_depths() -> dict[Path, int]:
    depths: dict[Path, int] | None = getattr(_held, "depths", None)
    if depths is None:
        depths = {}
        _held.depths = depths
    return depths


@contextlib.contextmanager
def library_lock(
    directory: Path, *, wait: bool = True, on_wait: Callable[[str], object] | None = None
) -> Iterator[None]:
    """Hold the build lock of one language folder (``<directory>/.build.lock``).

    If another build holds it: with ``wait`` block until it ends (after calling ``on_wait``
    with a message saying so), otherwise raise LibraryBusyError. Raises LibraryError when
    the folder cannot be written (read-only, a file in the way).
    """
    directory = Path(directory)
    prepare_writable_dir(directory)
    key = directory.resolve()
    depths = _held_depths()
    if depths.get(key, 0):
        depths[key] += 1
        try:
            yield
        finally:
            depths[key] -= 1
        return
    path = directory / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise LibraryError(
            f"cannot write to the narration folder {directory} ({exc.strerror or exc}); "
            "build the library where it is writable (reading and checking it need no write)"
        ) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            message = f"another narration build is using {directory}"
            if not wait:
                raise LibraryBusyError(f"{message}; try again when it has finished") from None
            if on_wait is not None:
                on_wait(f"{message}; waiting for it to finish...")
            fcntl.flock(fd, fcntl.LOCK_EX)
        depths[key] = 1
        try:
            yield
        finally:
            depths.pop(key, None)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def build_running(directory: Path) -> bool:
    """True while a build (in another process) holds the lock of this language folder; reads
    only, so it works on a folder this process cannot write."""
    try:
        fd = os.open(Path(directory) / LOCK_NAME, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False  # no lock file: no build has ever run here
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            return True
        raise
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)
