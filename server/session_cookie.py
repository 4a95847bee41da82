"""The answers cookie, encrypted: pure-ASGI middleware in place of Starlette's signed one.

Starlette's SessionMiddleware signs the cookie but leaves it readable (base64 JSON), so a
glance at the browser's storage showed every health answer. Here the session is encrypted
and authenticated with Fernet (AES-128-CBC + HMAC-SHA256, from ``cryptography``), keyed from
the secret, so the cookie decodes to nothing readable.

- Idle expiry: a cookie is accepted for ``idle_seconds`` after it was last written, and is
  rewritten (sliding) once it is older than half that. A stateless server cannot revoke a
  copy someone took earlier, so this bound is what makes old copies useless.
- "Start again" gives the session a new random id (``new_session``), so nothing carried in
  the old cookie (the clinician's agreement, passed checks) matches the new one.
- The cookie is only written when the session changed (or needs its expiry slid), so a page
  that only reads answers costs no encryption and sends no Set-Cookie.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from collections.abc import MutableMapping
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_ID = "sid"


def fernet_for(secret_key: str) -> Fernet:
    """A Fernet key derived from the app secret (kept apart from any other use of it)."""
    digest = hashlib.sha256(b"inversion-guide answers cookie v1\0" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def new_session(session: MutableMapping[str, Any]) -> None:
    """Forget everything in ``session`` and give it a fresh random id."""
    session.clear()
    session[SESSION_ID] = secrets.token_urlsafe(12)


class EncryptedSessions:
    def __init__(
        self,
        app: ASGIApp,
        secret_key: str,
        cookie_name: str = "ig_answers",
        idle_seconds: int = 2 * 60 * 60,
        https_only: bool = False,
    ) -> None:
        self.app = app
        self.fernet = fernet_for(secret_key)
        self.cookie_name = cookie_name
        self.idle_seconds = idle_seconds
        flags = "path=/; httponly; samesite=lax"
        self.flags = f"{flags}; secure" if https_only else flags

    def read(self, token: str) -> tuple[dict[str, Any], float | None]:
        """The session in ``token`` and when it was written; empty when invalid or expired."""
        try:
            raw = token.encode("ascii")
            data = json.loads(self.fernet.decrypt(raw, ttl=self.idle_seconds))
            written = float(self.fernet.extract_timestamp(raw))
        except (InvalidToken, UnicodeError, ValueError):
            return {}, None
        return (data, written) if isinstance(data, dict) else ({}, None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        token = HTTPConnection(scope).cookies.get(self.cookie_name)
        initial, written = self.read(token) if token else ({}, None)
        scope["session"] = json.loads(json.dumps(initial))  # a deep copy to compare against

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                self.write_cookie(MutableHeaders(scope=message), scope["session"], initial, written)
                if token and not initial:
                    # An expired or foreign cookie: clear it even if nothing new is written.
                    headers = MutableHeaders(scope=message)
                    if "set-cookie" not in headers:
                        headers.append("Set-Cookie", self.expired())
            await send(message)

        await self.app(scope, receive, send_with_cookie)

    def write_cookie(
        self,
        headers: MutableHeaders,
        session: dict[str, Any],
        initial: dict[str, Any],
        written: float | None,
    ) -> None:
        if not session:
            if initial:
                headers.append("Set-Cookie", self.expired())
            return
        stale = written is None or time.time() - written > self.idle_seconds / 2
        if session == initial and not stale:
            return
        value = self.fernet.encrypt(json.dumps(session, separators=(",", ":")).encode())
        headers.append("Set-Cookie", f"{self.cookie_name}={value.decode('ascii')}; {self.flags}")

    def expired(self) -> str:
        return f"{self.cookie_name}=null; expires=Thu, 01 Jan 1970 00:00:00 GMT; {self.flags}"
