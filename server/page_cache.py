"""The same page for the same state: question pages sent from kept responses.

A question page depends on the request only through its state: the route and its path
parameters (language, question), the query (``?return=check``), the coding the client
accepts, and what it shows of the session (the perspective, whether the perspective switch
shows, the answer already given to this question). Every visitor in one state gets the same
bytes, so the first request in each state goes through the app as usual and its whole
response (status, headers as the inner middleware left them, the compressed body) is kept
under that state; later requests in it are answered here, before the router and the handler
run. ``page_key`` is the one function that names a state: this cache calls it before the
app runs, and the question's handler as it renders (a page with a key is sent unsealed, as
the cache may keep it), so the page kept and the page answered cannot name different states
(docs/performance.md, "One page cache").

This layer sits just inside the answers cookie's middleware (``EncryptedSessions``), so the
cookie is read once, by it, and it still slides a cookie's expiry or clears an unreadable
one on a kept response. Only the app answers (``page_key`` is None) while a "just switched"
note waits to be shown and for a query the page is never linked with. A response is kept
only when it is a 200 with one body and sets no cookie (a page that remembers the language
sets one). What is kept holds no person (no cookie, session id or time), is bounded, in
memory only, and is dropped with the app state it was made in (new narration links other
clips: server/audio_watch.py).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.routing import Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.http.compression import preferred_coding
from server.http.session_cookie import cookie_value
from server.web import LANGUAGE_COOKIE, perspective_shown

# The queries a question page is ever linked with: any other query is answered by the app
# and kept nowhere, so made-up queries cannot fill the cache (issue 23).
CACHED_QUERIES = frozenset({b"", b"return=check"})
# Questions x answers x perspectives x languages x "return to check" x codings is under 2,000.
MAX_RESPONSES = 2048
MAX_BYTES = 16 * 1024 * 1024  # 2,048 compressed question pages of ~3 kB weigh ~6 MB

# What a route's page shows of the session beyond what every personal page shows (see
# ``page_key``), from its path parameters and the session.
Shows = Callable[[Mapping[str, Any], Mapping[str, Any]], Hashable]


@dataclass(frozen=True, slots=True)
class CachedRoute:
    """A GET route whose page depends on the request only through ``page_key`` (its
    handler renders with ``render(..., same_for_state=page_key(...) is not None)``)."""

    route: Route
    shows: Shows


def page_key(scope: Scope, params: Mapping[str, Any], shows: Shows) -> Hashable | None:
    """The state a page is the same in, or None when only the app can answer.

    Everything the page shows is in it: the path (language and question), the query, the
    coding the client accepts, whether the language is remembered, the perspective and
    whether its switch shows (``perspective_shown``, as ``web.render`` shows them on every
    personal page), and what the route itself shows (``shows``: for a question, the answer
    given to it). The cache calls it before the app runs and the question's handler as it
    renders, on the same scope; ``tests/test_page_cache.py`` changes each part and sees a
    new key.
    """
    query = scope.get("query_string", b"")
    session: Mapping[str, Any] = scope.get("session", {})
    if query not in CACHED_QUERIES or "perspective_note" in session:
        return None  # a made-up query; a note to show once (the handler takes it)
    # The two headers read straight from the scope: this runs on every kept page, where
    # a Request and its parsed header map cost a fifth of the answer.
    accept_encoding = cookie = b""
    for name, value in scope["headers"]:
        if name == b"accept-encoding":
            accept_encoding = value
        elif name == b"cookie":
            cookie = value
    language = cookie_value(cookie, LANGUAGE_COOKIE)
    return (
        scope["path"],
        query,
        preferred_coding(accept_encoding.decode("latin-1")),
        # Whether the language is remembered: if not, the response remembers it (with a
        # Set-Cookie for this visitor, so it is sent but not kept).
        language == params.get("lang"),
        perspective_shown(session),
        shows(params, session),
    )


@dataclass(frozen=True, slots=True)
class KeptResponse:
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes

    @property
    def weight(self) -> int:
        return len(self.body) + sum(len(name) + len(value) for name, value in self.headers)


class Kept:
    """A least-recently-used map from a state to its response, bounded in responses and in
    bytes (a response heavier than the whole bound is never kept)."""

    def __init__(self, max_responses: int = MAX_RESPONSES, max_bytes: int = MAX_BYTES) -> None:
        self.max_responses = max_responses
        self.max_bytes = max_bytes
        self.weight = 0
        self._responses: OrderedDict[Hashable, KeptResponse] = OrderedDict()
        self._lock = threading.Lock()  # one cache per process, whatever runs the app

    def get(self, key: Hashable) -> KeptResponse | None:
        with self._lock:
            response = self._responses.get(key)
            if response is not None:
                self._responses.move_to_end(key)
            return response

    def put(self, key: Hashable, response: KeptResponse) -> None:
        with self._lock:
            if response.weight > self.max_bytes:
                return
            replaced = self._responses.pop(key, None)
            if replaced is not None:
                self.weight -= replaced.weight
            self._responses[key] = response
            self.weight += response.weight
            while len(self._responses) > self.max_responses or self.weight > self.max_bytes:
                _, dropped = self._responses.popitem(last=False)
                self.weight -= dropped.weight

    def keys(self) -> list[Hashable]:
        with self._lock:
            return list(self._responses)

    def values(self) -> list[KeptResponse]:
        with self._lock:
            return list(self._responses.values())

    def __len__(self) -> int:
        return len(self._responses)


class PageCache:
    """Pure-ASGI, just inside ``EncryptedSessions``: answers GETs for the ``routes`` in a
    state already seen with the response the app gave in it."""

    def __init__(
        self,
        app: ASGIApp,
        routes: Sequence[CachedRoute],
        max_responses: int = MAX_RESPONSES,
        max_bytes: int = MAX_BYTES,
    ) -> None:
        self.app = app
        self.routes = tuple(routes)
        self.max_responses = max_responses
        self.max_bytes = max_bytes
        self.responses = Kept(max_responses, max_bytes)
        # The app state the kept responses were made in: a new one (narration loaded again)
        # may link other clips, so they are dropped.
        self.made_in: object = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = self.key(scope) if scope["type"] == "http" and scope["method"] == "GET" else None
        if key is None:
            await self.app(scope, receive, send)
            return
        kept = self.responses.get(key)
        if kept is not None:
            start = {"type": "http.response.start", "status": kept.status}
            await send({**start, "headers": list(kept.headers)})
            await send({"type": "http.response.body", "body": kept.body})
            return
        await self.app(scope, receive, self.keeper(key, send))

    def key(self, scope: Scope) -> Hashable | None:
        """This request's ``page_key``, or None when only the app can answer it."""
        app = scope.get("app")
        shared = getattr(getattr(app, "state", None), "ig", None)
        if shared is not self.made_in:
            self.made_in = shared
            self.responses = Kept(self.max_responses, self.max_bytes)
        for cached in self.routes:
            match, child = cached.route.matches(scope)
            if match is Match.FULL:
                break
        else:
            return None
        return page_key(scope, child["path_params"], cached.shows)

    def keeper(self, key: Hashable, send: Send) -> Send:
        """``send``, keeping a 200 with one body and no cookie under ``key``."""
        # The headers as the app sent them, copied before the cookie's middleware (outside
        # this one) adds its own Set-Cookie to the same message.
        headers: tuple[tuple[bytes, bytes], ...] | None = None

        async def keep_and_send(message: Message) -> None:
            nonlocal headers
            if message["type"] == "http.response.start":
                if message["status"] == 200:
                    headers = tuple((bytes(k), bytes(v)) for k, v in message.get("headers", ()))
            elif message["type"] == "http.response.body" and headers is not None:
                if not message.get("more_body", False) and not any(
                    name.lower() == b"set-cookie" for name, _ in headers
                ):
                    body = bytes(message.get("body", b""))
                    self.responses.put(key, KeptResponse(200, headers, body))
                headers = None
            await send(message)

        return keep_and_send
