"""The server under abuse, as ``python -m server serve`` runs it (issue 23, "Done when"):

1. Silent connections: 1,100 sockets that connect and send nothing, against a server whose
   open-files limit is 1,024 (soft and hard, so it cannot lift it); meanwhile 65 normal page
   requests, each allowed 30 s. Prints how many were answered and how long they took.
2. Made-up requests: 100,000 GETs for long unknown paths, question ids of 2-60 kB and long
   queries on real pages; prints the server's resident memory before, after and at its
   peak (VmHWM), and the status codes seen (no 5xx expected).

Run: .venv/bin/python bench/abuse.py [--requests 100000] [--silent 1100]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from pathlib import Path

from _serve import ROOT, free_port, load

OPEN_FILES = 1024


def start_server(port: int, audio: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "INVERSION_SECRET_KEY": "abuse", "INVERSION_AUDIO_DIR": str(audio)}
    args = ["prlimit", f"--nofile={OPEN_FILES}:{OPEN_FILES}", sys.executable, "-m", "server"]
    args += ["serve", "--port", str(port)]
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the server did not start") from None
            time.sleep(0.2)


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of ``pid`` and its children (prlimit execs, so pid is the server)."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out[key] = int(value.split()[0])
    return out


async def get(port: int, path: str, timeout: float) -> tuple[int, float]:
    """(status, seconds) of one GET on its own connection; status 0 when it failed."""
    start = time.monotonic()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        line = await asyncio.wait_for(reader.readline(), timeout)
        await asyncio.wait_for(reader.read(), timeout)
        writer.close()
        return int(line.split()[1]), time.monotonic() - start
    except (OSError, TimeoutError, IndexError, ValueError):
        return 0, time.monotonic() - start


async def silent_attack(port: int, silent: int) -> None:
    sockets = []
    for _ in range(silent):
        try:
            sockets.append(await asyncio.open_connection("127.0.0.1", port))
        except OSError:
            break
    print(f"silent connections opened: {len(sockets)} of {silent}")
    results = await asyncio.gather(*(get(port, "/en/", 30.0) for _ in range(65)))
    answered = [s for status, s in results if status == 200]
    print(f"normal requests answered: {len(answered)} of 65", end="")
    if answered:
        print(
            f"; slowest {max(answered):.1f} s, median {sorted(answered)[len(answered) // 2]:.1f} s"
        )
    else:
        print()
    for _, writer in sockets:
        writer.close()


def odd_path(rng: random.Random) -> str:
    size = rng.choice((2_000, 8_000, 20_000, 60_000))
    word = "".join(rng.choices("abcdefghijklmnopqrstuvwxyz0123456789-", k=size))
    return rng.choice(
        (
            f"/en/screening/q/{word}",
            f"/es/{word}",
            f"/en/?{word[:8000]}={word[:8000]}",
            f"/en/screening/q/back-pain-now?x={word[:8000]}",
            f"/en/{word[:200]}/{word[200:400]}",
        )
    )


async def made_up_requests(port: int, total: int, pid: int) -> None:
    rng = random.Random(23)
    statuses: Counter[int] = Counter()
    done = 0

    async def worker(n: int) -> None:
        nonlocal done
        for _ in range(n):
            status, _ = await get(port, odd_path(rng), 30.0)
            statuses[status] += 1
            done += 1

    before = memory_kb(pid)
    start = time.monotonic()
    workers = 16
    await asyncio.gather(*(worker(total // workers) for _ in range(workers)))
    after = memory_kb(pid)
    took = time.monotonic() - start
    print(
        f"made-up requests: {done} in {took:.0f} s ({done / took:.0f}/s); statuses {dict(statuses)}"
    )
    print(
        f"server memory: {before['VmRSS'] / 1024:.0f} MB before, {after['VmRSS'] / 1024:.0f} MB "
        f"after, peak {after['VmHWM'] / 1024:.0f} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--silent", type=int, default=1100)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    print(load())
    port = free_port()
    with tempfile.TemporaryDirectory() as audio:
        proc = start_server(port, Path(audio))
        try:
            print(f"server open-files limit: {OPEN_FILES} (soft and hard)")
            asyncio.run(silent_attack(port, args.silent))
            asyncio.run(made_up_requests(port, args.requests, proc.pid))
        finally:
            proc.terminate()
            proc.wait(10)
    print(load())


if __name__ == "__main__":
    main()
