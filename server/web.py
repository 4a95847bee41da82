"""The request toolkit every page handler uses: app state, content lookup, URLs, rendering,
form reading, redirects and the error page. Handlers live in ``server.views`` and
``server.offline``; this module holds nothing specific to one of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates
from starlette.types import Scope

from server.config import AUDIO_MOUNT, Settings
from server.content import Content
from server.content.perspective import Perspective
from server.http.compression import SharedPage
from server.http.sealed import sealed_response
from server.http.security import TOO_LARGE, BodyTooLarge, security_headers
from server.http.urls import Urls
from server.screening.rule import Answer, first_unanswered, parse_answers
from server.speech.catalog import ClipCatalog

# A language choice, remembered for a year (not a health cookie: it holds "en" or "es").
LANGUAGE_COOKIE = "ig_lang"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600

ANSWER_LABELS = {"yes": "answer_yes", "no": "answer_no", "not-sure": "answer_not_sure"}


@dataclass(frozen=True, slots=True)
class AppState:
    """Everything the handlers share, made once by the app factory (never added to later)."""

    settings: Settings
    contents: dict[str, Content]
    templates: Jinja2Templates
    clips: ClipCatalog
    static_version: str
    # A digest of the loaded content and catalogue: part of the service worker's version.
    data_digest: bytes
    # Sizes of pages for "Use offline", by (app version, path); bounded by pages x versions.
    # With the clip URLs each names (what a save must hold for its voice).
    page_sizes: dict[tuple[str, str], tuple[int, frozenset[str]] | None] = field(
        default_factory=dict
    )


def state(request: Request) -> AppState:
    app_state: AppState = request.app.state.ig
    return app_state


def content_for(request: Request) -> Content:
    """The content for the ``lang`` path parameter; unknown languages are a 404."""
    shared = state(request)
    lang = request.path_params.get("lang", shared.settings.default_language)
    content = shared.contents.get(lang)
    if content is None:
        raise HTTPException(status_code=404)
    return content


def urls_for(request: Request, content: Content) -> Urls:
    shared = state(request)
    return Urls(
        request.app, content.language, shared.static_version, shared.settings.static_base_url
    )


def answers_of(request: Request, content: Content) -> dict[str, Answer]:
    return parse_answers(request.session.get("answers"), content.questions)


def to_first_unanswered(
    request: Request, content: Content, answers: Mapping[str, Answer]
) -> Response | None:
    """A redirect to the first question not yet answered, or None once every one is (the
    pages that need a finished check: check your answers, result, summary)."""
    missing = first_unanswered(content.questions, answers)
    return None if missing is None else redirect(urls_for(request, content).question(missing))


def perspective_in(session: Mapping[str, Any]) -> Perspective:
    return Perspective.of(session.get("perspective"))


def perspective_of(request: Request) -> Perspective:
    return perspective_in(request.session)


def perspective_shown(session: Mapping[str, Any]) -> tuple[Perspective, bool]:
    """What ``render`` shows of the session on a personal page besides the view's own
    context: the perspective, and whether its switch shows (once a check has started)."""
    return perspective_in(session), "perspective" in session


def take_perspective_note(request: Request) -> str | None:
    """The "just switched" note (``server.views.screening.switch_perspective``), taken from the
    session by the handler of the page that shows it, so it shows once."""
    note = request.session.pop("perspective_note", None)
    return note if isinstance(note, str) else None


def render(
    request: Request,
    template: str,
    content: Content,
    page_title: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    personal: bool = True,
    perspective_note: str | None = None,
    same_for_state: bool = False,
    **context: Any,
) -> Response:
    """Render a page with what every page needs: its content, languages, URLs and narration.

    Pages are ``personal`` unless a view says otherwise: they may show answers, an outcome
    or a session, so they are never stored by the browser (``no-store`` also keeps them out
    of the back/forward cache, so Back after "Start again" shows no answers).

    It reads the session and writes nothing: a handler that shows the "just switched" note
    takes it from the session (``take_perspective_note``) and passes it in. What a personal
    page shows of the session here is ``perspective_shown``, which ``server.page_cache``
    keys on.

    ``same_for_state``: the page is the same for everyone in its state (it has a
    ``server.page_cache.page_key``), so its length tells nothing that state does not: it is
    sent compressed as any page is, not sealed, and the cache may keep it.
    """
    headers = dict(headers or {})
    headers.setdefault("Cache-Control", "no-store" if personal else "no-cache")
    shared = state(request)
    # The language switch leads to this same page in each language; answers are kept by
    # question id in the session, so they carry over. A GET's query (?return=check,
    # ?speed=slow) is kept; a POST's body never goes into a link.
    query = request.url.query if request.method == "GET" else ""
    perspective, started = perspective_shown(request.session)
    perspective_switch = personal and started
    urls = urls_for(request, content)
    languages = sorted(shared.contents.values(), key=lambda c: c.language)
    base = {
        "content": content,
        "ui": content.ui,
        "page_title": page_title,
        "languages": languages,
        "language_links": [
            (other, urls.in_language(request.scope, other.language, query)) for other in languages
        ],
        "clips": shared.clips,
        "perspective": perspective,
        "urls": urls,
        # The perspective switch shows on personal pages once a check has started; the note
        # that it was just switched shows once.
        "perspective_switch": perspective_switch,
        "perspective_note": perspective_note if personal else None,
    }
    html = shared.templates.get_template(template).render({"request": request, **base, **context})
    response: Response
    if personal and not same_for_state:
        # It may show answers, an outcome or a session: one length whatever it shows.
        response = sealed_response(request, html.encode(), status_code, headers, "text/html")
    else:
        response = HTMLResponse(html, status_code, headers)
    remember_language(request, response, content.language)
    return response


def shared_page_response(
    request: Request,
    page: SharedPage,
    status_code: int,
    headers: dict[str, str],
    media_type: str = "text/html",
) -> Response:
    """A body made once (the service worker), already compressed for this client
    (``Compression`` passes it on)."""
    body, coding = page.for_client(request.headers.get("accept-encoding", ""))
    if coding:  # otherwise ``Compression`` sees a plain body and adds Vary itself
        headers = {**headers, "Vary": "Accept-Encoding", "Content-Encoding": coding}
    return Response(body, status_code, headers, media_type=media_type)


def remember_language(request: Request, response: Response, lang: str) -> None:
    """Remember the language of a page the visitor opened (``ig_lang``), for the site root.

    Only a language page the visitor asked for by address sets it (not an error page shown in
    the default language). The cookie holds a language code and nothing about health.
    """
    if request.path_params.get("lang") != lang or request.cookies.get(LANGUAGE_COOKIE) == lang:
        return
    response.set_cookie(
        LANGUAGE_COOKIE,
        lang,
        max_age=LANGUAGE_COOKIE_MAX_AGE,
        path="/",
        secure=state(request).settings.https_only,
        httponly=True,
        samesite="lax",
    )


def redirect(url: str) -> RedirectResponse:
    # 303 so the browser follows a POST with a GET (post, redirect, get).
    return RedirectResponse(url, status_code=303)


async def read_form(request: Request) -> FormData:
    """The POSTed form, read before a handler changes anything.

    A body over the limit is a 413; one that cannot be parsed is a 400. Never a 500, and
    nothing saved is changed. (Forms from other sites never get here: ``CrossSiteGuard``.)
    """
    if request.scope.get("state", {}).get(TOO_LARGE):
        raise BodyTooLarge()
    try:
        form = await request.form(max_files=0, max_fields=20)
    except (HTTPException, BodyTooLarge):
        raise
    except Exception as exc:  # multipart and urlencoded parsers raise several types
        raise HTTPException(status_code=400) from exc
    if request.scope.get("state", {}).get(TOO_LARGE):
        raise BodyTooLarge()
    return form


async def error_page(request: Request, exc: Exception) -> Response:
    """Friendly, accessible 4xx pages in the visitor's language when we can tell it."""
    # Only two exception types are routed here: HTTPException, and BodyTooLarge (a 413).
    status = exc.status_code if isinstance(exc, HTTPException) else 413
    shared = state(request)
    lang = request.path_params.get("lang") or request.url.path.strip("/").split("/")[0]
    content = shared.contents.get(lang) or shared.contents[shared.settings.default_language]
    ui = content.ui
    titles = {
        403: (ui.cross_site_title, ui.cross_site_body),
        404: (ui.not_found_title, ui.not_found_body),
        413: (ui.too_large_title, ui.too_large_body),
    }
    title, body = titles.get(status, (ui.bad_request_title, ui.bad_request_body))
    if request.url.path.startswith(f"{AUDIO_MOUNT}/"):
        return Response(title, status_code=status, media_type="text/plain")
    headers = getattr(exc, "headers", None)
    return render(
        request,
        "error.html",
        content,
        title,
        status_code=status,
        body=body,
        headers=headers,
        personal=False,
    )


async def cross_site_page(scope: Scope) -> Response:
    """The 403 for a form another site's page sent: SameSite=Lax stops our cookie going with
    it, not a new cookie coming back, so without this a hostile page could wipe answers."""
    return await error_page(Request(scope), HTTPException(status_code=403))


async def server_error_page(request: Request, exc: Exception) -> Response:
    """A plain 500 page with the security headers (this runs outside the user middleware).

    It uses no template or content, which may be what failed; Starlette logs the error.
    """
    shared = state(request)
    body = (
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>Something went wrong'
        "</title><h1>Something went wrong</h1><p>Please try again. Nothing you had already "
        "answered was lost.</p></html>"
    )
    headers = {
        **security_headers(
            shared.settings.audio_base_url,
            shared.settings.static_base_url,
            shared.settings.https_only,
        ),
        "Cache-Control": "no-store",
    }
    return HTMLResponse(body, status_code=500, headers=headers)


def accepted_languages(header: str) -> list[str]:
    """Language codes from an ``Accept-Language`` header, most wanted first.

    Each range counts with its ``q`` weight (1 when absent; a bad weight counts as 0); ranges
    with ``q=0`` are refused, not wanted. Among equal weights the header's order stands. A
    region (``es-MX``) also offers its language (``es``), just after it. The wildcard ``*``
    ("any other language") stays in the list, at its weight, as ``"*"``.
    """
    weighted: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        tag = fields[0].lower()
        if not tag:
            continue
        weight = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if weight > 0:
            weighted.append((-weight, position, tag))
    codes: list[str] = []
    for _, _, tag in sorted(weighted):
        for code in (tag, tag.split("-")[0]):
            if code not in codes:
                codes.append(code)
    return codes


async def root(request: Request) -> Response:
    """Send visitors to their language: the one they chose before (``ig_lang``), else the
    best one ``Accept-Language`` allows, else the default."""
    shared = state(request)
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    wanted = [chosen, *accepted_languages(request.headers.get("accept-language", ""))]
    # "*" (any language) is met by the default one, at the wildcard's weight.
    default = shared.settings.default_language
    wanted = [default if code == "*" else code for code in wanted]
    lang = next((code for code in wanted if code in shared.contents), default)
    response = redirect(str(request.app.url_path_for("home", lang=lang)))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Vary"] = "Accept-Language, Cookie"
    return response
