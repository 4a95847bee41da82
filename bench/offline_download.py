"""What "Use offline" stores and what it transfers, per language, voice speed and perspective.

Uses the narration library in ``INVERSION_AUDIO_DIR`` (default ``audio/``); build it first
with ``python -m server audio build``. Prints figures and ratios; not a timed test.

    .venv/bin/python bench/offline_download.py

For each language, speed and perspective (the person's own session tracks, "you", or a
carer's, "they"):

- stored: what the device keeps (pages, scripts, clips and session tracks);
- before: what a save transferred when every track was downloaded whole (what a worker that
  does not ask for recipes still transfers);
- now: what a save transfers when the worker makes each track from the saved clips and its
  recipe (``files.json?recipes=1``): the files it downloads, as they cross the wire (pages,
  scripts and the list itself compressed with brotli, as a browser asks), tracks not at all;
- compressed tracks: the other way considered, the tracks sent with brotli (quality 5) and the
  rest as before, for comparison.

The target (issue 25): at most 10 MB for English, normal voice, "you"; 12 MB for any set.
"""

from __future__ import annotations

import time
from typing import Any

import brotli  # type: ignore[import-untyped]
from starlette.testclient import TestClient

from server.app import create_app
from server.config import Settings
from server.content.perspective import PERSPECTIVES
from server.narration import SPEEDS

TARGET = 10e6
TARGET_ANY = 12e6
BROWSER = {"accept-encoding": "gzip, deflate, br"}


def wire_bytes(client: TestClient, url: str) -> tuple[int, bytes]:
    """Bytes of ``url`` as they cross the network to a browser (compressed when the server
    compresses it), and the decoded body."""
    response = client.get(url, headers=BROWSER)
    assert response.status_code == 200, url
    return response.num_bytes_downloaded, response.content


class Sizes:
    """What each URL weighs on the wire, asked once."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.wire: dict[str, int] = {}
        self.compressed: dict[str, int] = {}

    def of(self, entry: dict[str, Any]) -> int:
        url = entry["url"]
        if entry["kind"] in ("clip", "track"):
            return int(entry["bytes"])  # audio is never compressed on the wire
        if url not in self.wire:
            self.wire[url] = wire_bytes(self.client, url)[0]
        return self.wire[url]

    def brotli(self, url: str) -> int:
        if url not in self.compressed:
            self.compressed[url] = len(brotli.compress(self.client.get(url).content, quality=5))
        return self.compressed[url]


def mb(n: float) -> str:
    return f"{n / 1e6:6.2f} MB"


def main() -> None:
    settings = Settings()
    app = create_app(settings)
    worst = 0.0
    with TestClient(app) as client:
        sizes = Sizes(client)
        for lang in sorted(app.state.ig.contents):
            for speed in SPEEDS:
                for perspective in PERSPECTIVES:
                    base = f"/{lang}/offline/files.json?speed={speed}&perspective={perspective}"
                    old_list_wire, _ = wire_bytes(client, base)
                    started = time.perf_counter()
                    new_list_wire, _ = wire_bytes(client, f"{base}&recipes=1")
                    made_in = time.perf_counter() - started
                    old = client.get(base).json()
                    new = client.get(f"{base}&recipes=1").json()
                    before = old_list_wire + sum(sizes.of(f) for f in old["files"])
                    made_here = [f for f in new["files"] if f["kind"] == "track"]
                    now = new_list_wire + sum(
                        sizes.of(f) for f in new["files"] if f["kind"] != "track"
                    )
                    tracks = [f for f in old["files"] if "/tracks/" in f["url"]]
                    squeezed = before - sum(f["bytes"] for f in tracks)
                    squeezed += sum(sizes.brotli(f["url"]) for f in tracks)
                    clips = [f for f in new["files"] if f["kind"] == "clip"]
                    limit = (
                        TARGET
                        if (lang, speed, perspective) == ("en", "normal", "you")
                        else (TARGET_ANY)
                    )
                    worst = max(worst, now / limit)
                    print(
                        f"{lang} {speed:6} {perspective:4}: stores {mb(new['total_bytes'])}"
                        f" | transfers before {mb(before)}, now {mb(now)}"
                        f" ({now / before:.2f}x; {'within' if now <= limit else 'OVER'}"
                        f" {limit / 1e6:.0f} MB)"
                        f" | compressed tracks instead {mb(squeezed)} ({squeezed / before:.2f}x)"
                    )
                    print(
                        f"    {len(made_here)} of {len(tracks)} tracks made on the device"
                        f" ({mb(sum(f['bytes'] for f in made_here))}); {len(clips)} clips"
                        f" ({mb(sum(f['bytes'] for f in clips))}); the list"
                        f" {new_list_wire / 1e3:.1f} kB on the wire (was"
                        f" {old_list_wire / 1e3:.1f} kB), made in {made_in * 1e3:.0f} ms"
                    )
    print(f"largest transfer against its target: {worst:.2f} of it")


if __name__ == "__main__":
    main()
