"""The answers cookie, encrypted: pure-ASGI middleware in place of Starlette's signed one.

Starlette's SessionMiddleware signs the cookie but leaves it readable (base64 JSON), so a
glance at the browser's storage showed every health answer. Here the session is encrypted
and authenticated with AES-256-GCM (``cryptography``'s AEAD, one call each way; Fernet's
CBC + HMAC cost a third of a question page), keyed from the secret, so the cookie decodes to
nothing readable. A cookie is ``version | written-at | nonce | ciphertext+tag`` in base64url;
the version and time are authenticated with the answers (associated data), so neither can be
changed, and a random 96-bit nonce per cookie.

- Idle expiry: a cookie is accepted for ``idle_seconds`` after it was last written, and is
  rewritten (sliding) once it is older than half that.
- "Start again" (and a new check) gives the session a new random id (``new_session``), and
  the old id is remembered as ended (``EndedSessions``: ids only, nothing about health,
  forgotten once their cookies would have expired anyway), so a copy of the old cookie reads
  as no session. The memory is per process: with several workers, a copy sent to another
  worker is still refused after the idle expiry.
- The plain text is padded to ``PAD_BYTES`` before sealing (every session the app writes,
  from the first answer to the last pre-session check, fits in it), so the cookie is one
  length whatever was answered and however far the person got.
- The cookie is only written when the session changed (or needs its expiry slid), so a page
  that only reads answers costs no encryption and sends no Set-Cookie.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import secrets
import time
from collections.abc import MutableMapping
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SESSION_ID = "sid"
COOKIE_VERSION = b"\x02"  # 1 was Fernet: such cookies read as no session
NONCE_BYTES = 12
HEADER_BYTES = 1 + 8  # version, then the time written (seconds, big-endian)
# A cookie written this far in the future (a clock step back on the server) is still read.
CLOCK_SKEW_SECONDS = 60
# Sealed text is padded to this length (spaces after the JSON), hiding how much it says: the
# fullest session the app writes is about 1.3 kB; a longer one would pad to a multiple of it.
# Sealed and base64-encoded it makes a cookie of 2,780 characters, under browsers' 4,096.
PAD_BYTES = 2048


def cookie_value(header: bytes, name: str) -> str | None:
    """One cookie's value from a Cookie header (this app's cookies are never quoted)."""
    for pair in header.decode("latin-1").split(";"):
        key, sep, value = pair.partition("=")
        if sep and key.strip() == name:
            return value.strip()
    return None


class EndedSessions:
    """Session ids ended by "Start again" or a new check, each kept until a cookie carrying
    it would have expired anyway (and at most ``max_ids``, oldest dropped first)."""

    def __init__(self, keep_seconds: float = 2 * 60 * 60, max_ids: int = 100_000) -> None:
        self.keep_seconds = keep_seconds
        self.max_ids = max_ids
        self.ended: dict[str, float] = {}  # id -> when it ended, oldest first

    def end(self, session_id: str) -> None:
        now = time.time()
        self.ended[session_id] = now
        while self.ended:
            oldest, when = next(iter(self.ended.items()))
            if now - when <= self.keep_seconds and len(self.ended) <= self.max_ids:
                break
            del self.ended[oldest]

    def __contains__(self, session_id: object) -> bool:
        return session_id in self.ended


def cipher_for(secret_key: str) -> AESGCM:
    """An AES-256-GCM key derived from the app secret (kept apart from any other use of it)."""
    digest = hashlib.sha256(b"inversion-guide answers cookie v2\0" + secret_key.encode()).digest()
    return AESGCM(digest)


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
        self.cipher = cipher_for(secret_key)
        self.cookie_name = cookie_name
        self.idle_seconds = idle_seconds
        self.ended = EndedSessions(idle_seconds)
        flags = "path=/; httponly; samesite=lax"
        self.flags = f"{flags}; secure" if https_only else flags

    def seal(self, session: dict[str, Any], written: float | None = None) -> str:
        """``session`` as a cookie value, written now (or at ``written``, for tests)."""
        when = int(time.time() if written is None else written)
        header = COOKIE_VERSION + when.to_bytes(8, "big")
        nonce = os.urandom(NONCE_BYTES)
        plain = json.dumps(session, separators=(",", ":")).encode()
        plain += b" " * (-len(plain) % PAD_BYTES)
        sealed = header + nonce + self.cipher.encrypt(nonce, plain, header)
        return base64.urlsafe_b64encode(sealed).rstrip(b"=").decode("ascii")

    def read(self, token: str) -> tuple[dict[str, Any], float | None]:
        """The session in ``token`` and when it was written; empty when invalid or expired."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            header, nonce = raw[:HEADER_BYTES], raw[HEADER_BYTES : HEADER_BYTES + NONCE_BYTES]
            if len(raw) <= HEADER_BYTES + NONCE_BYTES or header[:1] != COOKIE_VERSION:
                return {}, None
            written = int.from_bytes(header[1:], "big")
            age = time.time() - written
            if age > self.idle_seconds or age < -CLOCK_SKEW_SECONDS:
                return {}, None
            data = json.loads(self.cipher.decrypt(nonce, raw[len(header) + len(nonce) :], header))
        except (InvalidTag, binascii.Error, UnicodeError, ValueError, RecursionError):
            return {}, None
        # Only the shape this app writes is read (a cookie sealed with the right key but
        # holding, say, a list as its id reads as no session); each reader still checks the
        # value it uses.
        if not isinstance(data, dict) or not isinstance(data.get(SESSION_ID, ""), str):
            return {}, None
        if data.get(SESSION_ID) in self.ended:
            return {}, None
        return data, float(written)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        # Read straight from the scope: this runs on every request, kept pages included.
        header = next((v for k, v in scope["headers"] if k == b"cookie"), b"")
        token = cookie_value(header, self.cookie_name)
        initial, written = self.read(token) if token else ({}, None)
        scope["session"] = json.loads(json.dumps(initial))  # a deep copy to compare against

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                old_id = initial.get(SESSION_ID)
                if old_id and scope["session"].get(SESSION_ID) != old_id:
                    self.ended.end(old_id)  # "Start again": this cookie's copies are void
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
        if session == initial and not self.due_for_rewrite(written):
            return
        headers.append("Set-Cookie", f"{self.cookie_name}={self.seal(session)}; {self.flags}")

    def due_for_rewrite(self, written: float | None) -> bool:
        """Whether a cookie written at ``written`` is rewritten even when nothing changed (its
        idle expiry slides once it is older than half of it)."""
        return written is None or time.time() - written > self.idle_seconds / 2

    def expired(self) -> str:
        return f"{self.cookie_name}=null; expires=Thu, 01 Jan 1970 00:00:00 GMT; {self.flags}"
