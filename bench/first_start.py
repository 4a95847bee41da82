"""A newcomer's first start: ``scripts/serve`` with no narration yet, timed. Not a test.

    .venv/bin/python bench/first_start.py [--root CHECKOUT] [--lang en] [--until language]

Runs ``CHECKOUT/scripts/serve`` (default: this one; another checkout, e.g. main's, for a
before/after: it needs its own ``.venv``, or a link to this one's) on a free port with an
empty narration folder, and prints, from the start of the script:

- home: the first 200 from ``/<lang>/`` (the home page answers);
- language: ``/<lang>/``'s narration is complete (every clip at both speeds, in ``/healthz``'s
  ``by_language`` when the server says it, else in its totals, and every session track in
  the "Use offline" list);
- everything: every language's clips are in ``/healthz``.

The script's own set-up (``.venv``, apt) is already done here, so the figures are the
narration build and the server's start. Prints the machine's load before and after: it is
shared, so compare a before and an after run back to back. With each mark, the CPU time the
start has used by then (every process of its session: the server, the build, its pool of
espeak processes and every espeak-ng, read from /proc), which the load barely changes: on
a quiet 2-core box, a mark cannot come sooner than its CPU time over 2.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serve import ROOT, free_port, load


def get(url: str) -> Any:
    """The JSON (or None for a page) at ``url``; raises OSError when it does not answer 200."""
    with urllib.request.urlopen(url, timeout=5) as response:
        body = response.read()
        kind = response.headers.get("content-type", "")
        return json.loads(body) if "json" in kind else None


def language_complete(base: str, lang: str, tracks_per_speed: int) -> bool:
    narration = get(f"{base}/healthz")["narration"]
    by_language = narration.get("by_language", {}).get(lang)
    if not (by_language["complete"] if by_language else narration["complete"]):
        return False
    for speed in ("normal", "slow"):
        listing = get(f"{base}/{lang}/offline/files.json?speed={speed}")
        if sum("/tracks/" in f["url"] for f in listing["files"]) < tracks_per_speed:
            return False
    return True


class SessionCpu:
    """CPU seconds used by every process of one session (``setsid``): the live ones' own and
    reaped children's time, and the last seen time of those gone whose parent was not one of
    them (a process reaped by a session member is in that member's children's time)."""

    def __init__(self, session: int) -> None:
        self.session = session
        self.tick = os.sysconf("SC_CLK_TCK")
        self.gone: dict[int, float] = {}
        self.last: dict[int, tuple[int, float, float]] = {}  # pid: (parent, own, children)

    def read(self) -> tuple[float, float]:
        """(all, the session leader's own): seconds so far."""
        alive: dict[int, tuple[int, float, float]] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                with open(f"/proc/{entry.name}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) != self.session:
                continue
            own = (int(fields[11]) + int(fields[12])) / self.tick
            children = (int(fields[13]) + int(fields[14])) / self.tick
            alive[int(entry.name)] = (int(fields[1]), own, children)
        for pid, (parent, own, children) in self.last.items():
            if pid not in alive and parent not in alive:
                self.gone[pid] = own + children
        self.last = alive
        total = sum(own + children for _, own, children in alive.values())
        leader = alive.get(self.session, (0, 0.0, 0.0))[1]
        return total + sum(self.gone.values()), leader


def tracks_per_speed(lang: str) -> int:
    """Plans x perspectives: the tracks one speed has when the language is complete."""
    from server.content import load_all

    return 2 * len(load_all(ROOT / "content")[lang].session.plans)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--lang", default="en")
    parser.add_argument("--limit", type=float, default=900.0, help="give up after (s)")
    parser.add_argument(
        "--until", choices=("language", "everything"), default="everything", help="(everything)"
    )
    args = parser.parse_args()
    print(f"machine: {load()} (before); checkout {args.root}")
    expected = tracks_per_speed(args.lang)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as audio:
        env = {**os.environ, "PORT": str(port), "HOST": "127.0.0.1"}
        env["INVERSION_AUDIO_DIR"] = audio
        env.pop("INVERSION_WATCH_NARRATION", None)
        started = time.monotonic()
        proc = subprocess.Popen(
            [str(args.root / "scripts" / "serve")],
            cwd=args.root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # its build and its server: stopped together at the end
        )
        marks: dict[str, float] = {}
        cpu_at: dict[str, tuple[float, float]] = {}
        cpu = SessionCpu(proc.pid)
        try:
            while args.until not in marks:
                now = time.monotonic() - started
                cpu.read()  # every look: a process gone since is known by its last figures
                if now > args.limit or proc.poll() is not None:
                    print(f"gave up after {now:.0f} s; reached: {marks}")
                    return 1
                try:
                    if "home" not in marks:
                        get(f"{base}/{args.lang}/")
                        marks["home"], cpu_at["home"] = now, cpu.read()
                    if "language" not in marks and language_complete(base, args.lang, expected):
                        marks["language"], cpu_at["language"] = now, cpu.read()
                    if (
                        args.until == "everything"
                        and "everything" not in marks
                        and get(f"{base}/healthz")["narration"]["complete"]
                    ):
                        marks["everything"], cpu_at["everything"] = now, cpu.read()
                except OSError:
                    pass
                time.sleep(0.25)
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(30)
    print("  mark       wall      CPU by then (server; build, its pool and espeak-ng)")
    for name, seconds in marks.items():
        total, server = cpu_at[name]
        print(f"  {name:10} {seconds:6.1f} s  {total:6.1f} s ({server:.1f}; {total - server:.1f})")
    print(f"machine: {load()} (after)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
