"""Pure-ASGI middleware: security headers on every response, and a cap on body size.

Pure ASGI (not BaseHTTPMiddleware) so streamed and Range responses pass through untouched.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.config import AUDIO_MOUNT, STATIC_MOUNT


def origin_of(base_url: str) -> str:
    """`` https://cdn.example`` for an absolute base URL, nothing for a path on this site."""
    parts = urlsplit(base_url)
    return f" {parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def content_security_policy(audio_base_url: str, static_base_url: str = STATIC_MOUNT) -> str:
    """A CSP with no inline script or style; audio and static files may come from a CDN
    origin when their base URLs point at one (the service worker fetches both to save them
    for offline use, hence ``connect-src``)."""
    audio = origin_of(audio_base_url)
    static = origin_of(static_base_url)
    connect = "'self'" + audio + (static if static != audio else "")
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self'{static}",
            f"style-src 'self'{static}",
            f"img-src 'self' data:{static}",
            f"media-src 'self' blob:{audio}",
            f"connect-src {connect}",
            "manifest-src 'self'",
            "worker-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


# Browsers that reached the app over HTTPS keep to HTTPS for a year (only when https_only).
HSTS = "max-age=31536000"


def security_headers(
    audio_base_url: str, static_base_url: str = STATIC_MOUNT, https_only: bool = False
) -> dict[str, str]:
    """The headers every response carries (the 500 page adds them itself: Starlette answers
    an unhandled error outside the user middleware)."""
    hsts = {"Strict-Transport-Security": HSTS} if https_only else {}
    return {
        **hsts,
        "Content-Security-Policy": content_security_policy(audio_base_url, static_base_url),
        "Referrer-Policy": "no-referrer",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Permissions-Policy": (
            "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
        ),
        "Cross-Origin-Opener-Policy": "same-origin",
    }


def is_cross_site(headers: Mapping[str, str], host_origin: str) -> bool:
    """Whether a request was sent by another site's page.

    Browsers send ``Sec-Fetch-Site`` (all current ones) or at least ``Origin`` on a POST;
    a request with neither (curl, an old browser) is not a cross-site page's form.
    """
    site = headers.get("sec-fetch-site")
    if site is not None:
        return site not in ("same-origin", "none")
    origin = headers.get("origin")
    return origin is not None and origin != host_origin


UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class CrossSiteGuard:
    """Refuse every state-changing request another site's page sends, before any handler
    runs, with the response ``refuse(scope)`` makes (a friendly 403 page)."""

    def __init__(self, app: ASGIApp, refuse: Callable[[Scope], Awaitable[ASGIApp]]) -> None:
        self.app = app
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] in UNSAFE_METHODS:
            headers = Headers(scope=scope)
            scheme = scope.get("scheme", "http")
            host = headers.get("host", "")
            if is_cross_site(headers, f"{scheme}://{host}"):
                response = await self.refuse(scope)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


# Headers that only act on a document (or a worker's script): a stylesheet, a module script,
# an image, a clip or JSON ignores them. Sent with those they cost ~600 bytes a response,
# which on a first visit (30 small hashed files) was a third of the bytes.
DOCUMENT_ONLY = frozenset(
    {
        "content-security-policy",
        "x-frame-options",
        "permissions-policy",
        "cross-origin-opener-policy",
    }
)
# Content types that are never a document or a worker (a worker is named by its path).
SUBRESOURCE_TYPES = frozenset(
    {
        "text/css",
        "text/javascript",
        "application/javascript",
        "application/json",
        "application/manifest+json",
        "image/png",
        "image/x-icon",
        "font/woff2",
        "audio/mpeg",
    }
)


def is_subresource(raw_headers: list[tuple[bytes, bytes]]) -> bool:
    """Whether a response's content type is one no browser renders as a page."""
    for name, value in raw_headers:
        if name.lower() == b"content-type":
            media = value.decode("latin-1").partition(";")[0].strip().lower()
            return media in SUBRESOURCE_TYPES
    return False


class SecurityHeaders:
    """Every response gets nosniff and no referrer; documents, SVG, text and the service
    worker (``worker_paths``: its CSP governs the worker) get the whole set."""

    def __init__(
        self,
        app: ASGIApp,
        audio_base_url: str = AUDIO_MOUNT,
        static_base_url: str = STATIC_MOUNT,
        worker_paths: frozenset[str] = frozenset(),
        https_only: bool = False,
    ) -> None:
        self.app = app
        self.headers = security_headers(audio_base_url, static_base_url, https_only)
        self.worker_paths = worker_paths
        # Encoded once: this runs on every response (MutableHeaders.setdefault rescans and
        # lower-cases the whole list per header, a tenth of a question page's cost).
        self.raw = [
            (k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in self.headers.items()
        ]
        self.raw_subresource = [pair for pair in self.raw if pair[0].decode() not in DOCUMENT_ONLY]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = message.setdefault("headers", [])
                if not isinstance(raw, list):
                    raw = message["headers"] = list(raw)
                present = {name.lower() for name, _ in raw}
                lean = scope["path"] not in self.worker_paths and is_subresource(raw)
                extra = self.raw_subresource if lean else self.raw
                raw.extend(pair for pair in extra if pair[0] not in present)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(Exception):
    """Raised while reading a request body that passes the configured limit."""


TOO_LARGE = "ig.body_too_large"


class LimitBody:
    """Refuse bodies over ``max_bytes``: by Content-Length at once, else while streaming.

    The body is never passed on past the limit: the app sees an empty (or cut) body and a
    flag in ``scope["state"]``. Handlers that read a form (``web.read_form``) turn the flag
    into a friendly 413 page before they change anything, so nothing saved is lost. Handlers
    that ignore the body (static files, audio) answer as usual: an oversized GET is never a
    500, and the error is never raised inside a response that has already started.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = 0
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                declared = int(value) if value.isdigit() else self.max_bytes + 1
        received = 0
        state = scope.setdefault("state", {})
        ended = False
        if declared > self.max_bytes:
            state[TOO_LARGE] = True  # known before any handler runs

        async def limited_receive() -> Message:
            nonlocal received, ended
            if declared > self.max_bytes and not ended:
                state[TOO_LARGE] = True
                ended = True
                return {"type": "http.request", "body": b"", "more_body": False}
            message = await receive()
            if message["type"] == "http.request" and not ended:
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    state[TOO_LARGE] = True
                    ended = True
                    return {"type": "http.request", "body": b"", "more_body": False}
            return message

        await self.app(scope, limited_receive, send)
