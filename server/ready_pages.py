"""Whole responses for pages in a known state, sent before the app runs.

A question page is the same for everyone in the same state (``server.page_memo``), and the
page memo already spares rendering and compressing it. What was left per request was the
way there and back: five middleware layers, the router, the handler, headers built again.
So for a few routes (named by the app), a GET whose state can be read from the request alone
is answered here, outermost, with the exact response (status, headers, body) the app sent
last time for that state; the first request in each state goes through the app as usual.

The state is: the route and its path parameters, the query string, the coding this client
accepts, the language cookie, and what the route's ``state_of`` says the page shows of the
session (``None``: ask the app). A response is kept only when the app marked the page as
memoised (``render`` names the state in the page memo's key: ``MEMOISED``), it is a 200 with one
body and it sets no cookie. A request whose answers cookie is invalid, expired or due to be
rewritten goes to the app, which refreshes or clears the cookie. What is kept holds no
person (no cookie, session id or time), is bounded, in memory only, and gone with the
process, as with the page memo. A test compares every state's response both ways.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.requests import cookie_parser
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.compression import preferred_coding
from server.page_memo import MEMOISED, PageMemo
from server.session_cookie import EncryptedSessions, EndedSessions

MAX_RESPONSES = 2048  # the page memo's states, in at most two codings each
MAX_BYTES = 16 * 1024 * 1024  # 2,048 compressed question pages of ~3 kB weigh ~6 MB

StateOf = Callable[[Mapping[str, Any], Mapping[str, Any]], Hashable | None]


@dataclass(frozen=True, slots=True)
class ReadyRoute:
    """A route whose page depends on the request only through ``state_of(params, session)``
    (and the path, query, coding and language cookie, which every key holds)."""

    route: Route
    state_of: StateOf


@dataclass(frozen=True, slots=True)
class ReadyResponse:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes

    @property
    def weight(self) -> int:
        return len(self.body) + sum(len(name) + len(value) for name, value in self.headers)


class ReadyPages:
    """Pure-ASGI, the outermost layer: answers GETs for the ``routes`` from kept responses."""

    def __init__(
        self,
        app: ASGIApp,
        routes: Sequence[ReadyRoute],
        secret_key: str,
        language_cookie: str,
        ended: EndedSessions,
        max_responses: int = MAX_RESPONSES,
    ) -> None:
        self.app = app
        self.routes = tuple(routes)
        # Reads the answers cookie exactly as the sessions middleware does (same key, name
        # and idle expiry).
        self.sessions = EncryptedSessions(app, secret_key=secret_key, ended=ended)
        self.language_cookie = language_cookie
        self.max_responses = max_responses
        self.responses: PageMemo[ReadyResponse] = PageMemo(max_responses, MAX_BYTES)
        # The app state the kept responses were made in: a new one (narration loaded again,
        # server/audio_watch.py) may link other clips, so they are dropped.
        self.made_in: object = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = scope.get("app")
        shared = getattr(getattr(app, "state", None), "ig", None)
        if shared is not self.made_in:
            self.made_in = shared
            self.responses = PageMemo(self.max_responses, MAX_BYTES)
        key = self.key(scope) if scope["type"] == "http" and scope["method"] == "GET" else None
        if key is None:
            await self.app(scope, receive, send)
            return
        ready = self.responses.get(key)
        if ready is not None:
            await send(
                {"type": "http.response.start", "status": ready.status, "headers": ready.headers}
            )
            await send({"type": "http.response.body", "body": ready.body})
            return
        await self.app(scope, receive, self.keeper(scope, key, send))

    def key(self, scope: Scope) -> Hashable | None:
        """The request's state, or None when only the app can answer it."""
        for ready_route in self.routes:
            match, child = ready_route.route.matches(scope)
            if match is Match.FULL:
                break
        else:
            return None
        cookie_header = accept_encoding = b""
        for name, value in scope["headers"]:
            if name == b"cookie":
                cookie_header = value
            elif name == b"accept-encoding":
                accept_encoding = value
        cookies = cookie_parser(cookie_header.decode("latin-1")) if cookie_header else {}
        session: dict[str, Any] = {}
        token = cookies.get(self.sessions.cookie_name)
        if token:
            session, written = self.sessions.read(token)
            if not session or self.sessions.due_for_rewrite(written):
                return None  # the app clears or rewrites the cookie
        params = child["path_params"]
        shown = ready_route.state_of(params, session)
        if shown is None:
            return None
        return (
            ready_route.route.name,
            tuple(sorted(params.items())),
            scope.get("query_string", b""),
            preferred_coding(accept_encoding.decode("latin-1")),
            cookies.get(self.language_cookie),
            shown,
        )

    def keeper(self, scope: Scope, key: Hashable, send: Send) -> Send:
        """``send``, keeping the response under ``key`` if the app marked it memoised."""
        start: Message | None = None

        async def keep_and_send(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body" and start is not None:
                if (
                    scope.get("state", {}).get(MEMOISED)
                    and start["status"] == 200
                    and not message.get("more_body", False)
                ):
                    self.keep(key, start, bytes(message.get("body", b"")))
                start = None
            await send(message)

        return keep_and_send

    def keep(self, key: Hashable, start: Message, body: bytes) -> None:
        """Keep a whole response, unless it sets a cookie (that is for one visitor only)."""
        headers = tuple((bytes(k), bytes(v)) for k, v in start.get("headers", ()))
        if not any(name.lower() == b"set-cookie" for name, _ in headers):
            self.responses.put(key, ReadyResponse(start["status"], headers, body))
