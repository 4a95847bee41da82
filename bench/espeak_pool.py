"""The offline voice's process pool, side by side: the same espeak clips built one process
against two, in one run. Not a test; prints figures and ratios.

    .venv/bin/python bench/espeak_pool.py [--clips 120] [--rounds 2] [--quality 7 --quality 2]

Each row builds the first ``--clips`` English sentences at normal speed into an empty folder
with ``build_library(engine="espeak")``:

- ``1 process``: ``jobs=1``, every clip made in the build's own process (no pool);
- ``2 threads``: ``jobs=3`` (``scripts/serve``'s setting) with the pool turned off, as the
  build ran before it had one: espeak-ng runs in child processes, but LAME and the frame
  checks share the build's process and its GIL;
- ``2 processes``: ``jobs=3``, the pool of ``server/narration/processes.py`` (at most the
  cores: two here).

for each LAME quality asked (``EspeakEngine.quality``), the rows interleaved round by round so
the machine's load (shared) falls on each alike. Each row prints wall time, CPU time (this
process and its children: the pool's workers and every espeak-ng), clips a second, CPU a
clip and the load average before and after; the summary gives each row's wall time against
``1 process`` at the same quality, round by round.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _serve import load

from server.narration import build as build_module
from server.narration import build_library
from server.narration.espeak import EspeakEngine

MODES = ("1 process", "2 threads", "2 processes")


def cpu_seconds() -> float:
    """CPU time of this process and of every child it has waited for (and theirs)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@contextmanager
def pool_off(off: bool) -> Iterator[None]:
    if not off:
        yield
        return
    with mock.patch.object(build_module, "process_count", lambda jobs: 1):
        yield


def one_row(mode: str, quality: int, texts: dict[str, str]) -> tuple[float, float]:
    """Build ``texts`` once; returns (wall seconds, CPU seconds)."""
    jobs = 1 if mode == "1 process" else 3
    with (
        tempfile.TemporaryDirectory(prefix="espeak-pool-") as folder,
        pool_off(mode == "2 threads"),
    ):
        cpu, wall = cpu_seconds(), time.perf_counter()
        summary = build_library(
            Path(folder),
            "en",
            texts,
            jobs=jobs,
            engine="espeak",
            speeds=("normal",),
            espeak_voice="en-gb",
            engines={"espeak": EspeakEngine(quality=quality)},
        )
        wall, cpu = time.perf_counter() - wall, cpu_seconds() - cpu
    assert summary.ok and summary.made == len(texts), summary.describe()
    return wall, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=120)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--quality", type=int, action="append", help="LAME quality (7)")
    args = parser.parse_args()
    if shutil.which("espeak-ng") is None:
        print("espeak-ng is not installed (apt-get install espeak-ng)", file=sys.stderr)
        return 1
    from server.config import ROOT
    from server.content import load_all
    from server.speech.texts import narration_texts

    qualities = args.quality or [EspeakEngine().quality]
    every = narration_texts(load_all(ROOT / "content")["en"])
    # Distinct sentences only: the build makes a sentence said by two ids once.
    texts: dict[str, str] = {}
    for clip_id, text in every.items():
        if text not in texts.values() and len(texts) < args.clips:
            texts[clip_id] = text
    print(f"espeak pool bench: {len(texts)} English clips, normal speed; {load()} (start)")
    walls: dict[tuple[int, str], list[float]] = {}
    print(
        f"{'round':>5}  {'quality':>7}  {'mode':<11} {'wall':>7} {'CPU':>7} "
        f"{'clips/s':>7} {'CPU/clip':>8}  load before -> after"
    )
    for n in range(1, args.rounds + 1):
        for quality in qualities:
            for mode in MODES:
                before = load()
                wall, cpu = one_row(mode, quality, texts)
                walls.setdefault((quality, mode), []).append(wall)
                print(
                    f"{n:>5}  {quality:>7}  {mode:<11} {wall:6.1f}s {cpu:6.1f}s "
                    f"{len(texts) / wall:7.1f} {cpu * 1000 / len(texts):6.0f}ms  "
                    f"{before.split()[1]} -> {load().split()[1]}"
                )
    print("\nwall time of 1 process / this row, same quality, round by round:")
    for quality in qualities:
        base = walls[(quality, "1 process")]
        for mode in MODES[1:]:
            ratios = ", ".join(
                f"{b / w:.2f}x" for b, w in zip(base, walls[(quality, mode)], strict=True)
            )
            print(f"  quality {quality}, {mode:<11} {ratios}")
    if len(qualities) > 1:
        first = qualities[0]
        print("\nwall time against quality", first, "in the same mode, round by round:")
        for quality in qualities[1:]:
            for mode in MODES:
                ratios = ", ".join(
                    f"{a / b:.2f}x"
                    for a, b in zip(walls[(quality, mode)], walls[(first, mode)], strict=True)
                )
                print(f"  quality {quality}, {mode:<11} {ratios}")
    print(f"{load()} (end)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
