"""Start a server for a benchmark: the app (or another ASGI target) under uvicorn on loopback."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load() -> str:
    """The load average and CPU count, for the record (the machine is shared)."""
    with open("/proc/loadavg") as f:
        avg = " ".join(f.read().split()[:3])
    return f"loadavg {avg} on {os.cpu_count()} CPUs"


@contextlib.contextmanager
def uvicorn_server(
    target: str = "server.app:create_app",
    factory: bool = True,
    env: dict[str, str] | None = None,
    root: Path = ROOT,
) -> Iterator[str]:
    """Run ``target`` with the same uvicorn settings as ``python -m server serve`` (no access
    log, no server header); yields the base URL."""
    port = free_port()
    args = [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port)]
    args += [
        "--no-access-log",
        "--no-server-header",
        "--no-proxy-headers",
        "--log-level",
        "warning",
    ]
    if factory:
        args.append("--factory")
    # Another checkout (``root``, e.g. main for a before/after) uses this one's narration.
    environment = {**os.environ, "INVERSION_SECRET_KEY": "bench-secret", **(env or {})}
    environment.setdefault("INVERSION_AUDIO_DIR", str(ROOT / "audio"))
    environment["PYTHONPATH"] = f"{root}:{Path(__file__).resolve().parent}"
    proc = subprocess.Popen(args, cwd=root, env=environment)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz" if factory else base, timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"{target} did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)
