"""How much "Use offline" saves, per language, voice speed and perspective, and how fast the
list is made.

Uses the narration library in ``INVERSION_AUDIO_DIR`` (default ``audio/``); build it first
with ``python -m server audio build``. Prints figures and ratios; not a timed test.

    .venv/bin/python bench/offline_download.py

For each language and speed: the list with both perspectives' session tracks (what every
save downloaded before the list took a perspective, and what a worker installed before
that still asks for), then the list for the person's own tracks ("you") and for a carer's
("they"), each with what it saves against both.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from starlette.testclient import TestClient

from server.app import create_app
from server.config import Settings
from server.narration import SPEEDS

KINDS = ("page", "static", "clip", "track")


def kind_of(entry: dict[str, Any]) -> str:
    return "track" if "/tracks/" in entry["url"] else str(entry["kind"])


def describe(listing: dict[str, Any]) -> None:
    by_kind: Counter[str] = Counter()
    count: Counter[str] = Counter()
    for entry in listing["files"]:
        by_kind[kind_of(entry)] += entry["bytes"]
        count[kind_of(entry)] += 1
    total = listing["total_bytes"] or 1
    for kind in KINDS:
        share = 100 * by_kind[kind] / total
        size = by_kind[kind] / 1e3
        print(f"    {kind:6} {count[kind]:4} files {size:9.1f} kB {share:5.1f}%")


def main() -> None:
    settings = Settings()
    app = create_app(settings)
    with TestClient(app) as client:
        for lang in sorted(app.state.ig.contents):
            for speed in SPEEDS:
                url = f"/{lang}/offline/files.json?speed={speed}"
                started = time.perf_counter()
                both = client.get(url).json()
                cold = time.perf_counter() - started
                started = time.perf_counter()
                client.get(url)
                warm = time.perf_counter() - started
                total = both["total_bytes"] or 1
                print(f"{lang} {speed}, both perspectives: {len(both['files'])} files,")
                print(f"  {total / 1e6:.2f} MB")
                describe(both)
                for perspective in ("you", "they"):
                    one = client.get(f"{url}&perspective={perspective}").json()
                    saved = total - one["total_bytes"]
                    print(
                        f"  {perspective}: {len(one['files'])} files, "
                        f"{one['total_bytes'] / 1e6:.2f} MB, saves {saved / 1e6:.2f} MB "
                        f"({100 * saved / total:.1f}%); ratio {one['total_bytes'] / total:.2f}"
                    )
                    describe(one)
                print(f"  list made in {cold * 1e3:.0f} ms cold, {warm * 1e3:.1f} ms warm")


if __name__ == "__main__":
    main()
