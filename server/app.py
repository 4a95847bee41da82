"""The application factory: routes, middleware and start-up checks in one visible place."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from server import offline, session_views, views
from server.catalog import load_catalog
from server.config import Settings
from server.content import Content, load_all
from server.security import BodyTooLarge, LimitBody, SecurityHeaders
from server.templating import STATIC_DIR, make_templates

log = logging.getLogger("inversion_guide")

# Narration files are content-addressed: <lang>/<16 hex>.mp3 (and session tracks below).
AUDIO_PATH = re.compile(r"^[a-z][a-z0-9-]*/(tracks/)?[a-z0-9-]+\.mp3$")


class AudioFiles(StaticFiles):
    """Narration: immutable, Range-capable (FileResponse), only well-formed names."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        if not AUDIO_PATH.match(path.replace("\\", "/")):
            raise HTTPException(status_code=404)
        response = await super().get_response(path, scope)
        if response.status_code in (200, 206, 304):
            response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
            response.headers["Content-Type"] = "audio/mpeg"
        return response


class StaticAssets(StaticFiles):
    """CSS, JS and icons; URLs carry a content hash, so they may be cached for long."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = "public, max-age=86400"
        return response


def _root_file(name: str, media_type: str) -> Callable[[Request], Awaitable[Response]]:
    """A file served at the site root, always revalidated (service worker, web manifest)."""

    async def endpoint(request: Request) -> Response:
        path = STATIC_DIR / name
        if not path.is_file():
            raise HTTPException(status_code=404)
        return FileResponse(path, media_type=media_type, headers={"Cache-Control": "no-cache"})

    return endpoint


async def healthz(request: Request) -> Response:
    catalog = request.app.state.clips
    return JSONResponse(
        {
            "status": "ok",
            "languages": sorted(request.app.state.contents),
            "narration": {
                "clips_present": catalog.present,
                "clips_needed": catalog.needed,
                "complete": catalog.present >= catalog.needed,
                "percent": round(100 * catalog.present / catalog.needed, 1)
                if catalog.needed
                else 100.0,
            },
        }
    )


async def error_page(request: Request, exc: Exception) -> Response:
    """Friendly, accessible 4xx pages in the visitor's language when we can tell it."""
    # Only two exception types are routed here: HTTPException, and BodyTooLarge (a 413).
    status = exc.status_code if isinstance(exc, HTTPException) else 413
    all_contents: dict[str, Content] = request.app.state.contents
    lang = request.path_params.get("lang") or request.url.path.strip("/").split("/")[0]
    content = all_contents.get(lang) or all_contents[request.app.state.settings.default_language]
    ui = content.ui
    titles = {
        404: (ui.not_found_title, ui.not_found_body),
        413: (ui.too_large_title, ui.too_large_body),
    }
    title, body = titles.get(status, (ui.bad_request_title, ui.bad_request_body))
    if request.url.path.startswith("/audio/"):
        return Response(title, status_code=status, media_type="text/plain")
    headers = getattr(exc, "headers", None)
    return views.render(
        request, "error.html", content, title, status_code=status, body=body, headers=headers
    )


def routes() -> list[BaseRoute]:
    lang = "/{lang:str}"
    return [
        Route("/", views.root),
        Route("/healthz", healthz),
        Route("/sw.js", offline.service_worker),
        Route(
            "/manifest.webmanifest", _root_file("manifest.webmanifest", "application/manifest+json")
        ),
        Route(f"{lang}/", views.home),
        Route(f"{lang}/helping", views.helping),
        Route(f"{lang}/screening", views.intro),
        Route(f"{lang}/screening/start", views.start, methods=["POST"]),
        Route(f"{lang}/screening/q/{{question_id:str}}", views.question_page),
        Route(f"{lang}/screening/q/{{question_id:str}}", views.answer_question, methods=["POST"]),
        Route(f"{lang}/screening/check", views.check_answers),
        Route(f"{lang}/screening/result", views.result),
        Route(f"{lang}/screening/restart", views.restart, methods=["POST"]),
        Route(f"{lang}/screening/offline", offline.offline_result),
        Route(f"{lang}/screening/rules.json", offline.rules_json),
        Route(f"{lang}/offline", offline.offline_page),
        Route(f"{lang}/offline/files.json", offline.offline_files),
        # The guided session (server/session_views.py).
        Route(f"{lang}/session", session_views.gate_page),
        Route(f"{lang}/session/clinician", session_views.clinician_confirm, methods=["POST"]),
        Route(f"{lang}/session/plans", session_views.plans_page),
        Route(f"{lang}/session/plan/{{plan_id:str}}/ahead", session_views.ahead_page),
        Route(
            f"{lang}/session/plan/{{plan_id:str}}/check/{{check_id:str}}", session_views.check_page
        ),
        Route(
            f"{lang}/session/plan/{{plan_id:str}}/check/{{check_id:str}}",
            session_views.check_answer,
            methods=["POST"],
        ),
        Route(f"{lang}/session/plan/{{plan_id:str}}/play", session_views.player_page),
        Route(f"{lang}/session/plan/{{plan_id:str}}/carer", session_views.carer_page),
        Route(f"{lang}/session/plan/{{plan_id:str}}/feedback", session_views.feedback_page),
        Route(
            f"{lang}/session/plan/{{plan_id:str}}/feedback",
            session_views.feedback_answer,
            methods=["POST"],
        ),
    ]


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the app. Invalid content raises ContentError, so the server refuses to start."""
    settings = settings or Settings()
    contents = load_all(settings.content_dir)
    settings.audio_dir.mkdir(parents=True, exist_ok=True)
    if settings.default_language not in contents:
        raise ValueError(f"default_language {settings.default_language!r} has no content file")
    all_routes = [
        *routes(),
        Mount("/static", app=StaticAssets(directory=STATIC_DIR), name="static"),
        Mount(
            "/audio",
            app=AudioFiles(directory=settings.audio_dir, check_dir=False),
            name="audio",
        ),
    ]
    middleware = [
        Middleware(SecurityHeaders, audio_base_url=settings.audio_base_url),
        Middleware(LimitBody, max_bytes=settings.max_body_bytes),
        Middleware(GZipMiddleware, minimum_size=1024),
        Middleware(
            SessionMiddleware,
            secret_key=settings.secret_key,
            session_cookie="ig_answers",
            max_age=None,  # a browser-session cookie: answers leave with the browser session
            same_site="lax",
            https_only=settings.https_only,
        ),
    ]
    app = Starlette(
        routes=all_routes,
        middleware=middleware,
        exception_handlers={HTTPException: error_page, BodyTooLarge: error_page},
    )
    app.state.settings = settings
    app.state.contents = contents
    app.state.templates = make_templates()
    app.state.clips = load_catalog(
        settings.audio_dir,
        settings.audio_base_url,
        {lang: c.narration_texts() for lang, c in contents.items()},
    )
    return app
