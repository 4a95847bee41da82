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
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import Receive, Scope, Send

from server.config import ROOT
from server.content.perspective import Perspective
from server.http.compression import SharedPage
from server.speech import clip_ids

TEMPLATES_DIR = ROOT / "pwa" / "templates"
STATIC_DIR = ROOT / "pwa" / "static"
# Served at the site root by their own routes, not as /static/ files.
ROOT_FILES = frozenset({"js/sw.js", "manifest.webmanifest"})
IMMUTABLE = "public, max-age=31536000, immutable"
# Media types worth compressing (the images are PNG; audio is MP3).
COMPRESSIBLE = (
    "text/",
    "application/javascript",
    "application/json",
    "application/manifest+json",
    "image/svg+xml",
)

# Narration files are content-addressed: <lang>/<16 hex>.mp3 (and session tracks below).
AUDIO_PATH = re.compile(r"^[a-z][a-z0-9-]*/(tracks/)?[a-z0-9-]+\.mp3$")
VERSION = re.compile(r"^[0-9a-f]{10}$")
RANGE_SPEC = re.compile(r"^\s*(?:(\d+)-(\d*)|-(\d+))\s*$")


def valid_range(header: str) -> bool:
    """Whether a Range header is well formed (RFC 9110 14.1.2: ``bytes=`` and range specs)."""
    unit, _, specs = header.partition("=")
    if unit.strip().lower() != "bytes" or not specs:
        return False
    for spec in specs.split(","):
        match = RANGE_SPEC.match(spec)
        if not match:
            return False
        first, last = match.group(1), match.group(2)
        if first and last and int(last) < int(first):
            return False
    return True


def ignore_invalid_range(scope: Scope) -> Scope:
    """A copy of ``scope`` without a Range header that does not parse: RFC 9110 says such a
    header is ignored (200 with the whole body), where Starlette would answer 400."""
    headers = scope.get("headers", [])
    bad = [(k, v) for k, v in headers if k == b"range" and not valid_range(v.decode("latin-1"))]
    if not bad:
        return scope
    return {**scope, "headers": [h for h in headers if h not in bad]}


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


class RangeTolerantFiles(StaticFiles):
    """StaticFiles that ignore a malformed Range header instead of answering 400."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await super().__call__(ignore_invalid_range(scope), receive, send)


class StaticAssets(RangeTolerantFiles):
    """CSS, JS and icons at ``/static/<version>/<name>``.

    The current version is cached as immutable. Another version (a page from before a
    release) still gets today's file, revalidated, rather than a broken page; so does a
    path with no version (the web manifest's icons).
    """

    def __init__(self, directory: Path, version: str) -> None:
        super().__init__(directory=directory)
        self.version = version
        # Text files compressed once per coding, at the best levels, by (path, mtime, size).
        self.compressed: dict[tuple[str, int, int], SharedPage] = {}

    async def get_response(self, path: str, scope: Scope) -> Response:
        version, _, name = path.partition("/")
        if not VERSION.match(version):
            version, name = "", path
        response = await super().get_response(name, scope)
        if response.status_code in (200, 304):
            current = version == self.version
            response.headers["Cache-Control"] = IMMUTABLE if current else "no-cache"
        if response.status_code == 200 and isinstance(response, FileResponse):
            return self.precompressed(response, Headers(scope=scope)) or response
        return response

    def precompressed(self, response: FileResponse, request: Headers) -> Response | None:
        """The file compressed at the best level, made once (the middleware's per-request
        level suits pages; a file sent unchanged to every visitor deserves the smallest)."""
        stat = response.stat_result
        if (
            stat is None
            or "range" in request
            or not (response.media_type or "").startswith(COMPRESSIBLE)
        ):
            return None
        key = (str(response.path), stat.st_mtime_ns, stat.st_size)
        page = self.compressed.get(key)
        if page is None:
            try:
                page = SharedPage(Path(response.path).read_bytes(), best=True)
            except OSError:
                return None
            self.compressed[key] = page
        body, coding = page.for_client(request.get("accept-encoding", ""))
        if coding is None:  # not accepted, or too small to be worth it
            return None
        headers = {k: v for k, v in response.headers.items() if k != "content-length"}
        headers.pop("accept-ranges", None)  # ranges would be of the uncompressed file
        headers.update({"Content-Encoding": coding, "Vary": "Accept-Encoding"})
        return Response(body, 200, headers)


class AudioFiles(RangeTolerantFiles):
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
    # ...and perspectives through their type (``perspective == Perspective.THEY``).
    env.globals["Perspective"] = Perspective
    return Jinja2Templates(env=env)
