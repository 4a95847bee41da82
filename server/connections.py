"""How the embedded server holds up against clients that connect and then send nothing, or
send their headers a byte at a time (issue 23: 1,100 silent connections used up a 1,024
open-files limit, and every normal request then failed).

uvicorn arms its keep-alive timer only after a response, so a connection that never sends a
whole request head is kept for ever. ``HeaderDeadline`` is uvicorn's own httptools protocol
with one addition: from the moment a connection opens, and again when each further request on
it begins, the request's headers must all arrive within ``header_seconds``, or the connection
is closed. Once the head is in, the app's own limits apply (the body limit, uvicorn's
keep-alive). ``raise_open_files_limit`` lifts the process's soft limit on open files to its
hard limit, so the deadline has room to work. A reverse proxy in front (README) has its own
limits; these hold on their own on loopback.
"""

from __future__ import annotations

import asyncio
import resource
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# Far more than a phone on a slow network needs to send a request head of ~1 kB.
HEADER_SECONDS = 10.0
# Enough for thousands of idle connections; more than a small host ever needs open at once.
OPEN_FILES_WANTED = 65_536


class HeaderDeadline(HttpToolsProtocol):
    """uvicorn's httptools protocol, closing a connection whose request head is too slow."""

    header_seconds = HEADER_SECONDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.head_deadline: asyncio.TimerHandle | None = None

    def arm_head_deadline(self) -> None:
        self.disarm_head_deadline()
        self.head_deadline = self.loop.call_later(self.header_seconds, self.head_too_slow)

    def disarm_head_deadline(self) -> None:
        if self.head_deadline is not None:
            self.head_deadline.cancel()
            self.head_deadline = None

    def head_too_slow(self) -> None:
        self.head_deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.arm_head_deadline()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self.head_deadline is None:  # a further request on a kept-alive connection
            self.arm_head_deadline()

    def on_headers_complete(self) -> None:
        self.disarm_head_deadline()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self.disarm_head_deadline()
        super().connection_lost(exc)


def raise_open_files_limit(wanted: int = OPEN_FILES_WANTED) -> tuple[int, int]:
    """Lift the soft limit on open files towards ``wanted`` (never past the hard limit);
    returns (before, after)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if target > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            return soft, soft
        return soft, target
    return soft, soft
