"""Sealed responses: a personal page is one length whatever it shows.

Someone who sees only encrypted traffic sees how long each response is. A result page that
is 6,267 bytes for one outcome and 6,415 for another tells the outcome; a summary longer for
"Not sure" than for "No" tells an answer. A sealed response is padded to a whole number of
blocks, and the blocks are big enough for every state a page can show, so every outcome and
every set of answers gives the same length.

Compression would undo the padding (its output length follows the content), so the body is
compressed first, with gzip, and the padding goes in the gzip header's FEXTRA field
(RFC 1952, 2.3.1: "extra field", skipped by every gzip reader, zlib included). The length is
then exact, and the page still travels compressed. A client that takes no gzip gets the page
uncompressed, padded with trailing whitespace to its own, larger block (whitespace after the
document is ignored by HTML parsers and is harmless at the end of a text download).
"""

from __future__ import annotations

import gzip
import struct
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import Response

from server.http.compression import GZIP_LEVEL, accepts

# Block sizes: every sealed page of the app, in its longest state (every question answered
# Yes or Not sure, in each language and perspective), fits in one block
# (tests/test_http_sealed.py checks this), so all states of a page share one length.
GZIP_BLOCK = 16 * 1024
PLAIN_BLOCK = 96 * 1024

_FEXTRA = 0x04
# A gzip header's FEXTRA field: XLEN (2 bytes), then subfields of SI1 SI2 LEN (4 bytes) +
# data. One subfield holds at most 65,535 - 4 bytes of data.
_SUBFIELD_ID = b"Pd"  # "padding": a subfield id of our own; readers skip unknown ids
_XLEN_BYTES = 2
_SUBFIELD_HEADER = 4
_GZIP_HEADER = 10


def _padded_length(length: int, block: int) -> int:
    """The smallest whole number of blocks that holds ``length`` bytes."""
    return max(1, -(-length // block)) * block


def pad_gzip(body: bytes, block: int = GZIP_BLOCK) -> bytes:
    """``body`` gzip-compressed to exactly a whole number of ``block`` bytes."""
    packed = gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0)
    least = len(packed) + _XLEN_BYTES + _SUBFIELD_HEADER
    target = _padded_length(least, block)
    filler = target - least
    if filler > 0xFFFF - _SUBFIELD_HEADER:  # past one subfield's reach (blocks are smaller)
        raise ValueError(f"a gzip block of {block} bytes cannot be padded in one field")
    extra = _SUBFIELD_ID + struct.pack("<H", filler) + bytes(filler)
    header = bytearray(packed[:_GZIP_HEADER])
    header[3] |= _FEXTRA
    return bytes(header) + struct.pack("<H", len(extra)) + extra + packed[_GZIP_HEADER:]


def pad_plain(body: bytes, block: int = PLAIN_BLOCK) -> bytes:
    """``body`` followed by spaces and a newline up to a whole number of ``block`` bytes."""
    target = _padded_length(len(body) + 1, block)
    return body + b" " * (target - len(body) - 1) + b"\n"


def seal(body: bytes, accept_encoding: str) -> tuple[bytes, str | None]:
    """(bytes to send, their Content-Encoding) for a personal response."""
    if accepts(accept_encoding, "gzip"):
        return pad_gzip(body), "gzip"
    return pad_plain(body), None


def sealed_response(
    request: Request,
    body: bytes,
    status_code: int,
    headers: Mapping[str, str],
    media_type: str,
) -> Response:
    """A response whose length is a whole number of blocks (``Compression`` passes a body
    that is already encoded through as it is)."""
    sent, coding = seal(body, request.headers.get("accept-encoding", ""))
    out = {**headers, "Vary": "Accept-Encoding"}
    if coding:
        out["Content-Encoding"] = coding
    return Response(sent, status_code, out, media_type=media_type)
