"""Static files, narration files and the one Jinja2 environment.

Static files are served under ``/static/<version>/<name>``, where the version is a hash of
the whole static folder, worked out once at start-up. One version for the whole folder (not
one per file) so a script's relative ES-module imports resolve under the same versioned path
and can never mix old and new files. Versioned URLs are cached for a year as immutable.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import Scope

from server import clip_ids
from server.config import ROOT

TEMPLATES_DIR = ROOT / "pwa" / "templates"
STATIC_DIR = ROOT / "pwa" / "static"
# Served at the site root by their own routes, not as /static/ files.
ROOT_FILES = frozenset({"js/sw.js", "manifest.webmanifest"})
IMMUTABLE = "public, max-age=31536000, immutable"

# Narration files are content-addressed: <lang>/<16 hex>.mp3 (and session tracks below).
AUDIO_PATH = re.compile(r"^[a-z][a-z0-9-]*/(tracks/)?[a-z0-9-]+\.mp3$")
VERSION = re.compile(r"^[0-9a-f]{10}$")


@lru_cache(maxsize=512)
def _digest(path: Path, mtime_ns: int, size: int) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest()


def file_digest(path: Path) -> bytes:
    """SHA-256 of a file, read again only when its modification time or size changes."""
    stat = path.stat()
    return _digest(path, stat.st_mtime_ns, stat.st_size)


def tree_digest(root: Path) -> bytes:
    """Digest of every file under ``root``; files are re-read only when their stat changes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(file_digest(path))
    return digest.digest()


def static_version() -> str:
    """The version segment of static URLs: a hash of every static file."""
    return tree_digest(STATIC_DIR).hex()[:10]


def shell_files() -> list[str]:
    """Every static file (CSS, scripts, icons), by name under pwa/static.

    Listed from the folder, so a file added later is precached too and a renamed one can
    never leave a dead URL that would make the service worker's install fail.
    """
    return sorted(
        name
        for name in (p.relative_to(STATIC_DIR).as_posix() for p in STATIC_DIR.rglob("*"))
        if (STATIC_DIR / name).is_file() and name not in ROOT_FILES and not name.startswith(".")
    )


class StaticAssets(StaticFiles):
    """CSS, JS and icons at ``/static/<version>/<name>``.

    The current version is cached as immutable. Another version (a page from before a
    release) still gets today's file, revalidated, rather than a broken page; so does a
    path with no version (the web manifest's icons).
    """

    def __init__(self, directory: Path, version: str) -> None:
        super().__init__(directory=directory)
        self.version = version

    async def get_response(self, path: str, scope: Scope) -> Response:
        version, _, name = path.partition("/")
        if not VERSION.match(version):
            version, name = "", path
        response = await super().get_response(name, scope)
        if response.status_code in (200, 304):
            current = version == self.version
            response.headers["Cache-Control"] = IMMUTABLE if current else "no-cache"
        return response


class AudioFiles(StaticFiles):
    """Narration: immutable, Range-capable (FileResponse), only well-formed names.

    The folder may not exist yet (nothing built): every clip is then a 404, and the pages
    still work with their text. The server never creates or writes it.
    """

    async def check_config(self) -> None:
        return None

    async def get_response(self, path: str, scope: Scope) -> Response:
        if not AUDIO_PATH.match(path.replace("\\", "/")):
            raise HTTPException(status_code=404)
        response = await super().get_response(path, scope)
        if response.status_code in (200, 206, 304):
            response.headers["Cache-Control"] = IMMUTABLE
            response.headers["Content-Type"] = "audio/mpeg"
        return response


def make_templates(auto_reload: bool = False) -> Jinja2Templates:
    """The one Jinja2 environment. Templates are checked for changes only in development."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=auto_reload,
    )
    # Templates name clips through the one owner of clip ids.
    env.globals["clip_ids"] = clip_ids
    return Jinja2Templates(env=env)
