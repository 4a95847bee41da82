"""How much "Use offline" saves, per language and voice speed, and how fast the list is made.

Uses the narration library in ``INVERSION_AUDIO_DIR`` (default ``audio/``); build it first
with ``python -m server audio build``. Prints figures and ratios; not a timed test.

    .venv/bin/python bench/offline_download.py
"""

from __future__ import annotations

import time
from collections import Counter

from starlette.testclient import TestClient

from server.app import create_app
from server.config import Settings
from server.narration import SPEEDS


def main() -> None:
    settings = Settings()
    app = create_app(settings)
    with TestClient(app) as client:
        for lang in sorted(app.state.ig.contents):
            for speed in SPEEDS:
                started = time.perf_counter()
                first = client.get(f"/{lang}/offline/files.json?speed={speed}").json()
                cold = time.perf_counter() - started
                started = time.perf_counter()
                client.get(f"/{lang}/offline/files.json?speed={speed}")
                warm = time.perf_counter() - started
                by_kind: Counter[str] = Counter()
                count: Counter[str] = Counter()
                for entry in first["files"]:
                    by_kind[entry["kind"]] += entry["bytes"]
                    count[entry["kind"]] += 1
                total = first["total_bytes"] or 1
                print(f"{lang} {speed}: {len(first['files'])} files, {total / 1e6:.2f} MB")
                for kind in ("page", "static", "clip"):
                    share = 100 * by_kind[kind] / total
                    size = by_kind[kind] / 1e3
                    print(f"  {kind:6} {count[kind]:4} files {size:9.1f} kB {share:5.1f}%")
                print(f"  list made in {cold * 1e3:.0f} ms cold, {warm * 1e3:.1f} ms warm")


if __name__ == "__main__":
    main()
