"""The one place URLs are made (in the spirit of Datasette's ``datasette.urls``).

Every path comes from a named route in ``server.app`` through Starlette's ``url_path_for``,
so a route's shape is written once. Views and templates ask an ``Urls`` bound to the page's
language (``urls.question("glaucoma")``); the page passes to its script the URLs the script
needs as data attributes, so JavaScript never rebuilds one either.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlencode

from starlette.routing import Match, Route
from starlette.types import ASGIApp, Scope

from server.config import STATIC_MOUNT


def route_path(app: ASGIApp, name: str, **params: str) -> str:
    """The path of the named route with its parameters filled in."""
    return _route_path(app, name, tuple(sorted(params.items())))


# Routes never change once the app is made, and a page asks for a dozen URLs, so the answers
# are kept (bounded: languages x pages x ids is a few thousand at most).
@lru_cache(maxsize=8192)
def _route_path(app: ASGIApp, name: str, params: tuple[tuple[str, str], ...]) -> str:
    return str(app.url_path_for(name, **dict(params)))  # type: ignore[attr-defined]


def page_in_language(app: ASGIApp, scope: Scope, lang: str, query: str = "") -> str | None:
    """The page ``scope`` asks for, in ``lang``: the same named GET route with the same
    parameters (a question stays that question, a plan that plan), or None when the request
    is not for a page of a language (the route is unknown, or has no ``lang``).

    A POST's address is looked up as the GET page at that address: the page its form re-shows.
    """
    get_scope = {**scope, "method": "GET"}
    for route in getattr(app, "routes", []):
        if not isinstance(route, Route):
            continue
        match, child = route.matches(get_scope)
        params = child.get("path_params", {}) if match is Match.FULL else {}
        if "lang" in params:
            filled = {name: str(value) for name, value in params.items()}
            # Not through route_path's cache: the parameters are whatever was asked for (an
            # unknown question id on a 404 page), so keeping them would let requests for
            # made-up ids fill memory.
            path = str(app.url_path_for(route.name, **{**filled, "lang": lang}))  # type: ignore[attr-defined]
            return f"{path}?{query}" if query else path
    return None


def static_path(version: str, name: str, base: str = STATIC_MOUNT) -> str:
    """A static file's URL under the content hash of the whole static folder, so relative
    ES-module imports (``./lib/storage.js``) are versioned too. ``base`` is the
    ``static_base_url`` setting (``/static``, or a CDN holding an ``export``)."""
    return f"{base.rstrip('/')}/{version}/{name}"


class Urls:
    """The URLs of one language's pages."""

    def __init__(
        self, app: ASGIApp, lang: str, static_version: str, static_base: str = STATIC_MOUNT
    ) -> None:
        self.app = app
        self.lang = lang
        self.static_version = static_version
        self.static_base = static_base

    def _path(self, name: str, query: dict[str, str] | None = None, **params: str) -> str:
        path = route_path(self.app, name, lang=self.lang, **params)
        return f"{path}?{urlencode(query)}" if query else path

    def static(self, name: str) -> str:
        return static_path(self.static_version, name, self.static_base)

    def language_home(self, lang: str) -> str:
        return route_path(self.app, "home", lang=lang)

    def in_language(self, scope: Scope, lang: str, query: str = "") -> str:
        """This page in ``lang`` (its home page when the page has no other language)."""
        return page_in_language(self.app, scope, lang, query) or self.language_home(lang)

    def manifest(self) -> str:
        """This language's web manifest (its name, ``lang`` and start page)."""
        return self._path("language-manifest")

    def site_manifest(self) -> str:
        """The manifest at the site root (English), kept for installs made before languages."""
        return route_path(self.app, "web-manifest")

    def service_worker(self) -> str:
        return route_path(self.app, "service-worker")

    # Home and screening.
    def home(self) -> str:
        return self._path("home")

    def emergency(self) -> str:
        return self._path("emergency")

    def helping(self) -> str:
        return self._path("helping")

    def intro(self) -> str:
        return self._path("intro")

    def start(self) -> str:
        return self._path("start")

    def question(self, question_id: str, return_to_check: bool = False) -> str:
        query = {"return": "check"} if return_to_check else None
        return self._path("question", query, question_id=question_id)

    def check(self) -> str:
        return self._path("check")

    def result(self) -> str:
        return self._path("result")

    def restart(self) -> str:
        return self._path("restart")

    def offline_result(self) -> str:
        return self._path("offline-result")

    def rules(self) -> str:
        return self._path("rules")

    def offline(self) -> str:
        return self._path("offline")

    def offline_files(self) -> str:
        return self._path("offline-files")

    # The guided session.
    def session(self) -> str:
        return self._path("session")

    def clinician(self) -> str:
        return self._path("clinician")

    def plans(self) -> str:
        return self._path("plans")

    def choose(self, plan_id: str) -> str:
        return self._path("choose", plan_id=plan_id)

    def session_check(self, plan_id: str, check_id: str) -> str:
        return self._path("session-check", plan_id=plan_id, check_id=check_id)

    def play(self, plan_id: str, speed: str = "normal", standard: bool = False) -> str:
        """The player; ``standard`` keeps the standard layout for a carer (who otherwise
        gets the carer view)."""
        query = {"speed": speed} if speed != "normal" else {}
        if standard:
            query["view"] = "standard"
        return self._path("play", query or None, plan_id=plan_id)

    def carer(self, plan_id: str, speed: str = "normal") -> str:
        query = {"speed": speed} if speed != "normal" else None
        return self._path("carer", query, plan_id=plan_id)

    def come_up(self, plan_id: str, speed: str = "normal") -> str:
        """The page "Stop and come up now" leads to without JavaScript."""
        query = {"speed": speed} if speed != "normal" else None
        return self._path("come-up", query, plan_id=plan_id)

    def feedback(self, plan_id: str) -> str:
        return self._path("feedback", plan_id=plan_id)

    # Carers, the clinician summary and the history kept on the device.
    def perspective(self) -> str:
        return self._path("perspective")

    def summary(self) -> str:
        return self._path("summary")

    def summary_text(self) -> str:
        return self._path("summary-text")

    def history(self) -> str:
        return self._path("history")
