"""The web manifest of each language (``/<lang>/manifest.webmanifest``), made from the site's
static manifest (icons, colours) and that language's content."""

from __future__ import annotations

import json

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from server.content import Content
from server.http.static import STATIC_DIR
from server.http.urls import Urls
from server.web import AppState, content_for

NO_CACHE = {"Cache-Control": "no-cache"}

SITE_MANIFEST = STATIC_DIR / "manifest.webmanifest"


def manifest_body(app: Starlette, content: Content) -> bytes:
    """The site manifest (icons, colours) with one language's name, ``lang`` and start page.

    Each language is its own installable app, so a Spanish install opens in Spanish, with a
    Spanish name under its icon. The default language keeps the site manifest's ``id``, so
    installs made before there were languages stay the same app.
    """
    shared: AppState = app.state.ig
    home = Urls(
        app, content.language, shared.static_version, shared.settings.static_base_url
    ).home()
    manifest = json.loads(SITE_MANIFEST.read_text(encoding="utf-8"))
    default = content.language == shared.settings.default_language
    manifest.update(
        {
            "id": manifest.get("id", "/") if default else home,
            "name": content.ui.app_name,
            "short_name": content.ui.app_short_name,
            "description": content.home.lead,
            "lang": content.language,
            "dir": content.direction,
            "start_url": home,
        }
    )
    return json.dumps(manifest, ensure_ascii=False, indent=2).encode()


async def language_manifest(request: Request) -> Response:
    """``/<lang>/manifest.webmanifest``: this language's name, ``lang`` and start page."""
    body = manifest_body(request.app, content_for(request))
    return Response(body, media_type="application/manifest+json", headers=NO_CACHE)
