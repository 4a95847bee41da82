"""The application factory: named routes, middleware and the typed app state, in one place."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from server.audio_watch import NarrationWatch
from server.config import AUDIO_MOUNT, STATIC_MOUNT, Settings
from server.content import load_all
from server.http.compression import Compression
from server.http.logs import keep_audio_out_of_access_log
from server.http.security import BodyTooLarge, CrossSiteGuard, LimitBody, SecurityHeaders
from server.http.session_cookie import EncryptedSessions
from server.http.static import STATIC_DIR, AudioFiles, StaticAssets, make_templates, static_version
from server.offline import files as offline_files
from server.offline import rules as offline_rules
from server.offline import version as offline_version
from server.offline import webmanifest, worker
from server.page_cache import CachedRoute, PageCache
from server.speech import texts as speech
from server.speech.catalog import load_catalog
from server.views import checks, player, screening, session
from server.views import summary as handover
from server.web import (
    AppState,
    cross_site_page,
    error_page,
    root,
    server_error_page,
    state,
)

log = logging.getLogger("inversion_guide")


def _root_file(name: str, media_type: str) -> Callable[[Request], Awaitable[Response]]:
    """A file served at the site root, always revalidated (service worker, web manifest)."""

    async def endpoint(request: Request) -> Response:
        path = STATIC_DIR / name
        if not path.is_file():
            raise HTTPException(status_code=404)
        return FileResponse(path, media_type=media_type, headers={"Cache-Control": "no-cache"})

    return endpoint


async def healthz(request: Request) -> Response:
    shared = state(request)
    catalog = shared.clips
    return JSONResponse(
        {
            "status": "ok",
            "languages": sorted(shared.contents),
            "narration": {
                "clips_present": catalog.present,
                "clips_needed": catalog.needed,
                "complete": catalog.present >= catalog.needed,
                "percent": round(100 * catalog.present / catalog.needed, 1)
                if catalog.needed
                else 100.0,
                # Per language: while scripts/serve builds behind the server, the first
                # language is complete long before the others.
                "by_language": {
                    lang: {
                        "clips_present": catalog.present_in(lang),
                        "clips_needed": needed,
                        "complete": catalog.present_in(lang) >= needed,
                    }
                    for lang, needed in sorted(catalog.needed_by_language.items())
                },
            },
        }
    )


def routes() -> list[BaseRoute]:
    """Every page, by name; ``server.http.urls`` makes URLs from these names only."""
    lang = "/{lang:str}"
    plan = f"{lang}/session/plan/{{plan_id:str}}"
    post = ["POST"]
    return [
        Route("/", root, name="root"),
        Route("/healthz", healthz, name="healthz"),
        Route("/sw.js", worker.service_worker, name="service-worker"),
        Route(
            "/manifest.webmanifest",
            _root_file("manifest.webmanifest", "application/manifest+json"),
            name="web-manifest",
        ),
        Route(
            f"{lang}/manifest.webmanifest", webmanifest.language_manifest, name="language-manifest"
        ),
        # The screening (server/views/screening.py).
        Route(f"{lang}/", screening.home, name="home"),
        Route(f"{lang}/helping", screening.helping, name="helping"),
        Route(f"{lang}/emergency", screening.emergency, name="emergency"),
        Route(f"{lang}/screening", screening.intro, name="intro"),
        Route(f"{lang}/screening/start", screening.start, methods=post, name="start"),
        Route(f"{lang}/screening/q/{{question_id:str}}", screening.question_page, name="question"),
        Route(
            f"{lang}/screening/q/{{question_id:str}}",
            screening.answer_question,
            methods=post,
            name="answer",
        ),
        Route(f"{lang}/screening/check", screening.check_answers, name="check"),
        Route(f"{lang}/screening/result", screening.result, name="result"),
        Route(f"{lang}/screening/restart", screening.restart, methods=post, name="restart"),
        Route(
            f"{lang}/perspective", screening.switch_perspective, methods=post, name="perspective"
        ),
        # The clinician summary (from the cookie) and the history kept on the device
        # (server/views/summary.py).
        Route(f"{lang}/screening/summary", handover.summary, name="summary"),
        Route(f"{lang}/screening/summary.txt", handover.summary_text, name="summary-text"),
        Route(f"{lang}/sessions", handover.history, name="history"),
        # Offline use (server/offline/).
        Route(f"{lang}/screening/offline", offline_rules.offline_result, name="offline-result"),
        Route(f"{lang}/screening/rules.json", offline_rules.rules_json, name="rules"),
        Route(f"{lang}/offline", offline_files.offline_page, name="offline"),
        Route(f"{lang}/offline/files.json", offline_files.offline_files, name="offline-files"),
        # The guided session (server/views/session.py and player.py).
        Route(f"{lang}/session", session.gate_page, name="session"),
        Route(
            f"{lang}/session/clinician", session.clinician_confirm, methods=post, name="clinician"
        ),
        Route(f"{lang}/session/plans", session.plans_page, name="plans"),
        Route(f"{plan}/choose", session.choose_plan, methods=post, name="choose"),
        Route(f"{plan}/check/{{check_id:str}}", checks.check_page, name="session-check"),
        Route(
            f"{plan}/check/{{check_id:str}}",
            checks.check_answer,
            methods=post,
            name="session-check-answer",
        ),
        Route(f"{plan}/play", player.player_page, name="play"),
        Route(f"{plan}/carer", player.carer_page, name="carer"),
        Route(f"{plan}/come-up", player.come_up_page, name="come-up"),
        Route(f"{plan}/feedback", session.feedback_page, name="feedback"),
        Route(f"{plan}/feedback", session.feedback_answer, methods=post, name="feedback-answer"),
    ]


def create_app(settings: Settings | None = None) -> Starlette:
    """Build the app. Invalid content raises ContentError, so the server refuses to start."""
    settings = settings or Settings()
    keep_audio_out_of_access_log()
    contents = load_all(settings.content_dir, settings.default_language)
    if settings.default_language not in contents:
        raise ValueError(f"default_language {settings.default_language!r} has no content file")
    version = static_version()
    all_routes = [
        *routes(),
        Mount(STATIC_MOUNT, app=StaticAssets(STATIC_DIR, version), name="static"),
        Mount(
            AUDIO_MOUNT,
            app=AudioFiles(directory=settings.audio_dir, check_dir=False),
            name="audio",
        ),
    ]
    named = {r.name: r for r in all_routes if isinstance(r, Route)}
    middleware = [
        # Outermost: the answers cookie, read once for every layer inside; a browser-session
        # cookie (no Max-Age), encrypted, with an idle expiry.
        Middleware(
            EncryptedSessions,
            secret_key=settings.secret_key,
            https_only=settings.https_only,
        ),
        # A question page in a state already seen is sent as the app sent it
        # (server/page_cache.py; the cookie's expiry still slides outside it).
        Middleware(
            PageCache,
            routes=[CachedRoute(named["question"], screening.question_shows)],
        ),
        Middleware(
            SecurityHeaders,
            audio_base_url=settings.audio_base_url,
            static_base_url=settings.static_base_url,
            # The worker's script keeps the page headers: its CSP is the worker's policy.
            worker_paths=frozenset({named["service-worker"].path}),
            https_only=settings.https_only,
        ),
        Middleware(LimitBody, max_bytes=settings.max_body_bytes),
        # brotli (quality 4) when accepted, else gzip level 6: level 9 cost 14% of a page.
        Middleware(Compression),
        # Inside the sessions, so its friendly page can be rendered like any other.
        Middleware(CrossSiteGuard, refuse=cross_site_page),
    ]
    proxies = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
    if proxies:
        # Outermost of all: behind a trusted reverse proxy, the scheme and client address
        # are the ones it forwards, so an HTTPS page's Origin matches (older Safari sends
        # Origin but no Sec-Fetch-Site).
        middleware.insert(0, Middleware(ProxyHeadersMiddleware, trusted_hosts=proxies))
    app = Starlette(
        routes=all_routes,
        middleware=middleware,
        exception_handlers={
            HTTPException: error_page,
            BodyTooLarge: error_page,
            Exception: server_error_page,
        },
    )
    templates = make_templates()

    def make_state() -> AppState:
        """The shared state, from the narration on disk now (again when it changes, with
        ``watch_narration``: server/audio_watch.py)."""
        clips = load_catalog(
            settings.audio_dir,
            settings.audio_base_url,
            {lang: speech.narration_texts(c) for lang, c in contents.items()},
        )
        return AppState(
            settings=settings,
            contents=contents,
            templates=templates,
            clips=clips,
            static_version=version,
            data_digest=offline_version.data_digest(contents, clips),
        )

    app.state.ig = make_state()
    if settings.watch_narration:
        watch = app.state.narration_watch = NarrationWatch(
            app, make_state, settings.audio_dir, contents
        )
        app.router.lifespan_context = _watching(watch)
    return app


def _watching(watch: NarrationWatch) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """A lifespan that looks for new narration while the app runs."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(watch.run())
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return lifespan
