"""Pages that are the same for everyone in the same state, rendered and compressed once.

A question page depends only on the language, the question, the perspective, the answer
already given to it and a few flags, so every visitor in that state gets the same bytes.
Rendering it (Jinja, about half the cost of a request) and compressing it (about a quarter)
once per state, rather than once per request, is what lets one worker serve many users.

What is kept holds no person: the key is the page's state (for example "heart-disease,
answered yes"), never a session id, a cookie or a time, and the memo is in memory only,
bounded, and gone with the process. A view opts in with ``render(..., memo=...)`` and names
in ``memo`` everything its own context depends on; ``render`` adds what every page depends
on (template, path, query, perspective, the perspective switch). A test renders every
memoised state both ways and compares.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, Protocol, TypeVar

from server.compression import MINIMUM_SIZE, compress, preferred_coding

# Set in ``scope["state"]`` by ``web.render`` when a page came from (or went into) the memo:
# its response is then a function of its state (``server.ready_pages`` keeps such responses).
MEMOISED = "ig.memoised_page"
# Questions x answers x perspectives x languages x "return to check" is under 1000 states.
MAX_PAGES = 1024
# And a bound in bytes, whatever the pages weigh: 1,024 question pages of ~8 kB weigh ~16 MB
# (twice the body, below).
MAX_BYTES = 32 * 1024 * 1024


class SharedPage:
    """One page's HTML (or a static file's bytes) and its compressed forms, made when first
    asked for."""

    __slots__ = ("best", "body", "encoded")

    def __init__(self, body: str | bytes, *, best: bool = False) -> None:
        self.body = body.encode("utf-8") if isinstance(body, str) else body
        self.encoded: dict[str, bytes] = {}
        # The best (slowest) levels, for a body made once per app version (the worker).
        self.best = best

    @property
    def weight(self) -> int:
        """Bytes it may come to hold: its body, and its compressed forms (made later, when
        first asked for), which together are smaller than the body for any text."""
        return 2 * len(self.body)

    def for_client(self, accept_encoding: str) -> tuple[bytes, str | None]:
        """The body to send to a client with this Accept-Encoding, and its coding."""
        coding = preferred_coding(accept_encoding)
        if coding is None or len(self.body) < MINIMUM_SIZE:
            return self.body, None
        body = self.encoded.get(coding)
        if body is None:
            body = self.encoded[coding] = compress(self.body, coding, best=self.best)
        return body, coding


class Weighed(Protocol):
    @property
    def weight(self) -> int: ...


Page = TypeVar("Page", bound=Weighed)


class PageMemo(Generic[Page]):
    """A least-recently-used map from a page's state to the page (a ``SharedPage``, or a
    whole response in ``server.ready_pages``), bounded in pages and in bytes."""

    def __init__(self, max_pages: int = MAX_PAGES, max_bytes: int = MAX_BYTES) -> None:
        self.max_pages = max_pages
        self.max_bytes = max_bytes
        self.weight = 0  # bytes held, by the pages' own count
        self._pages: OrderedDict[Hashable, Page] = OrderedDict()
        self._lock = threading.Lock()  # handlers may run in a thread pool

    def get(self, key: Hashable) -> Page | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: Hashable, page: Page) -> None:
        with self._lock:
            if page.weight > self.max_bytes:
                return  # never kept: it would push out everything else
            replaced = self._pages.pop(key, None)
            if replaced is not None:
                self.weight -= replaced.weight
            self._pages[key] = page
            self.weight += page.weight
            while len(self._pages) > self.max_pages or self.weight > self.max_bytes:
                _, dropped = self._pages.popitem(last=False)
                self.weight -= dropped.weight

    def __len__(self) -> int:
        return len(self._pages)
