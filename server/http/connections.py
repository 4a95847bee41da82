"""How the embedded server holds up against clients that connect and then send nothing, or
send their headers a byte at a time (issue 23: 1,100 silent connections used up a 1,024
open-files limit, and every normal request then failed).

uvicorn arms its keep-alive timer only after a response, so a connection that never sends a
whole request head is kept for ever. ``HeaderDeadline`` is uvicorn's own httptools protocol
with one addition: from the moment a connection opens, and again when each further request on
it begins, the request's headers must all arrive within ``header_seconds``, or the connection
is closed. Once the head is in, the app's own limits apply (the body limit, uvicorn's
keep-alive). ``raise_open_files_limit`` lifts the process's soft limit on open files to its
hard limit, so the deadline has room to work.

Where the hard limit is low too (1,024), a flood of silent connections can still use every
file descriptor before the deadline frees them, and uvloop then closes each new connection
as soon as it is accepted, a normal request's included. So connections stay within a budget
below the limit: a new connection past it closes the connection that has waited longest for
its request head (as nginx reuses its idle connections when it runs out). A client that sends
its request at once is never the one waiting longest. A reverse proxy in front (README) has its own
limits; these hold on their own on loopback.
"""

from __future__ import annotations

import asyncio
import itertools
import resource
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# Far more than a phone on a slow network needs to send a request head of ~1 kB.
HEADER_SECONDS = 10.0
# Enough for thousands of idle connections; more than a small host ever needs open at once.
OPEN_FILES_WANTED = 65_536
# File descriptors kept for everything but connections: the listening socket, audio and
# static files being sent, logs, the narration library's reads.
RESERVED_FILES = 128


def connection_budget() -> int:
    """How many connections may be open at once: the open-files limit, less the reserve."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return OPEN_FILES_WANTED
    return max(16, soft - RESERVED_FILES)


class HeaderDeadline(HttpToolsProtocol):
    """uvicorn's httptools protocol, closing a connection whose request head is too slow."""

    header_seconds = HEADER_SECONDS
    budget: int | None = None  # connections open at once; None: from the open-files limit
    # Connections of this process still waiting for a request head, oldest first.
    waiting: ClassVar[dict[HeaderDeadline, None]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.head_deadline: asyncio.TimerHandle | None = None

    def arm_head_deadline(self) -> None:
        self.disarm_head_deadline()
        self.head_deadline = self.loop.call_later(self.header_seconds, self.head_too_slow)
        self.waiting[self] = None

    def disarm_head_deadline(self) -> None:
        self.waiting.pop(self, None)
        if self.head_deadline is not None:
            self.head_deadline.cancel()
            self.head_deadline = None

    def head_too_slow(self) -> None:
        self.disarm_head_deadline()
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.arm_head_deadline()
        self.keep_within_budget()

    def keep_within_budget(self) -> None:
        """Past the budget, close the connections that have waited longest for a head."""
        budget = self.budget if self.budget is not None else connection_budget()
        # A closed connection leaves the server's set a moment later (connection_lost), so
        # the number to close is counted once, not re-read.
        excess = len(self.server_state.connections) - budget
        if excess > 0:
            others = (c for c in self.waiting if c is not self)
            for connection in list(itertools.islice(others, excess)):
                connection.head_too_slow()

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
