"""The one Jinja2 environment, configured in one place."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.templating import Jinja2Templates

from server.config import ROOT

TEMPLATES_DIR = ROOT / "pwa" / "templates"
STATIC_DIR = ROOT / "pwa" / "static"


@lru_cache(maxsize=512)
def _digest(path: Path, mtime_ns: int, size: int) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest()


def file_digest(path: Path) -> bytes:
    """SHA-256 of a file, read again only when its modification time or size changes."""
    stat = path.stat()
    return _digest(path, stat.st_mtime_ns, stat.st_size)


def static_url(name: str) -> str:
    """URL of a static file with a content hash, so browsers and the service worker refresh it."""
    try:
        version = file_digest(STATIC_DIR / name).hex()[:10]
    except OSError:
        version = "missing"
    return f"/static/{name}?v={version}"


def make_templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static_url"] = static_url
    return Jinja2Templates(env=env)
