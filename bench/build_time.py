"""A no-change ``audio build`` as a whole process, side by side with another checkout.

    .venv/bin/python bench/build_time.py [--runs 7] [--root ../before] [-- BUILD ARGS]

Each checkout (this one, and each ``--root``) runs ``python -m server audio build`` (by
default ``--engine espeak --speed normal``) on this checkout's narration library
(``INVERSION_AUDIO_DIR`` when set, else ``audio/``), which must already be complete: one
warm-up run each (it may build, and stamps), then ``--runs`` runs taking turns, so a change
of load falls on all of them. Prints the median and range per checkout and each one's ratio
to the first ``--root`` (the baseline).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serve import ROOT, load

DEFAULT_BUILD = ["--engine", "espeak", "--speed", "normal", "--no-progress"]


def one_build(root: Path, build_args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "server", "audio", "build", *build_args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{root}: build failed:\n{done.stdout}{done.stderr}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--root", type=Path, action="append", default=[], help="a baseline")
    parser.add_argument("build_args", nargs="*", help="after --: the build's own arguments")
    args = parser.parse_args()
    build_args = args.build_args or DEFAULT_BUILD
    roots = [*args.root, ROOT]
    env = {**os.environ, "INVERSION_AUDIO_DIR": os.environ.get("INVERSION_AUDIO_DIR", "")}
    env["INVERSION_AUDIO_DIR"] = env["INVERSION_AUDIO_DIR"] or str(ROOT / "audio")
    print(f"machine: {load()} (before); audio build {' '.join(build_args)}")
    for root in roots:
        one_build(root, build_args, env)  # warm-up: file caches, and the stamp
    times: dict[Path, list[float]] = {root: [] for root in roots}
    for _ in range(args.runs):
        for root in roots:
            times[root].append(one_build(root, build_args, env))
    baseline = statistics.median(times[roots[0]])
    for root in roots:
        runs = times[root]
        median = statistics.median(runs)
        print(
            f"{root!s:40} median {median:.3f} s ({min(runs):.3f}-{max(runs):.3f}),"
            f" {median / baseline:.2f} of {roots[0].name or roots[0]}"
        )
    print(f"machine: {load()} (after)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
