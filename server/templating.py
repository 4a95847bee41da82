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


@lru_cache(maxsize=256)
def _file_hash(path: Path, mtime_ns: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def static_url(name: str) -> str:
    """URL of a static file with a content hash, so browsers and the service worker refresh it."""
    path = STATIC_DIR / name
    try:
        version = _file_hash(path, path.stat().st_mtime_ns)
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
