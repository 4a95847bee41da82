"""Throughput and latency under load: the app against a bare Starlette page, in one run.

    .venv/bin/python bench/load.py [--users 50] [--seconds 10] [--compare ROOT ...] [--wrk-only]

Starts each under uvicorn on loopback (the settings of ``python -m server serve``: no access
log) and drives N simulated users (each its own cookie jar, accepting gzip and br) for a
bounded time per phase:

1. bare: a bare Starlette HTML page of the size of a question page (bench/bare_app.py);
2. question: question pages of a started screening, one after another;
3. flow: a whole screening (intro, start, every answer, check, result) and a session page.

Prints requests per second, p50/p99 latency and errors (must be 0) for each phase, and the
ratio of question-page throughput to the bare page. The load generator shares the CPUs, so
compare the ratio, not the absolute figures, across machines.

The simulated users are Python (httpx), which tops out near the bare page's rate, so that
ratio flatters the app. When ``wrk`` is installed (``apt-get install wrk``: C, a small share
of one core) the same two pages are also measured with it, one question page with the cookie
of a started screening: that ratio is bound by the server alone and is the stricter figure.
Both servers run at once and take turns for five rounds; the median ratio is printed. When
Debian's nginx is installed (``apt-get install nginx-light``), it serves the question page's
very bytes (as sent, compressed) from a file, one worker process and no access log, in the
same rounds: the ceiling, a server doing no work at all.

``--compare ROOT`` (repeatable) adds other checkouts to the wrk rounds, each a server of its
own running at once and taking its turn in every round, so a before and after (or a build
without a speed layer) is measured side by side in one run; each gets its own ratios.

Every server here runs without an access log, as ``python -m server serve`` does by default
(with uvicorn's access log the bare page's rate halves, which would flatter the ratio).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serve import ROOT, free_port, load, uvicorn_server

HEADERS = {"Accept-Encoding": "gzip, br", "Accept": "text/html"}


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    elapsed: float = 0.0  # from the start of the phase to its last response

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def line(self, name: str) -> str:
        lat = sorted(self.latencies) or [0.0]
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        return (
            f"{name:9} {self.rate:8.0f} req/s  p50 "
            f"{statistics.median(lat) * 1000:6.1f} ms  p99 {p99 * 1000:6.1f} ms  "
            f"errors {len(self.errors)}"
        )


async def timed(tally: Tally, call: Awaitable[httpx.Response], ok: int = 200) -> httpx.Response:
    start = time.perf_counter()
    try:
        response = await call
    except httpx.HTTPError as exc:
        tally.errors.append(repr(exc))
        raise
    tally.latencies.append(time.perf_counter() - start)
    if response.status_code != ok:
        tally.errors.append(f"{response.request.url}: {response.status_code}")
    return response


User = Callable[[httpx.AsyncClient, Tally, float], Awaitable[None]]


async def bare_user(client: httpx.AsyncClient, tally: Tally, deadline: float) -> None:
    while time.monotonic() < deadline:
        await timed(tally, client.get("/"))


async def start_screening(client: httpx.AsyncClient, tally: Tally) -> None:
    await timed(tally, client.get("/en/screening"))
    await timed(tally, client.post("/en/screening/start", data={"perspective": "you"}), 303)


async def question_urls(base: str) -> list[str]:
    async with httpx.AsyncClient(base_url=base) as client:
        rules = (await client.get("/en/screening/rules.json")).json()
    return [q["url"] for q in rules["questions"]]


def question_user(urls: list[str]) -> User:
    async def user(client: httpx.AsyncClient, tally: Tally, deadline: float) -> None:
        i = 0
        while time.monotonic() < deadline:
            await timed(tally, client.get(urls[i % len(urls)]))
            i += 1

    return user


def flow_user(urls: list[str]) -> User:
    async def user(client: httpx.AsyncClient, tally: Tally, deadline: float) -> None:
        while time.monotonic() < deadline:
            client.cookies.clear()
            await start_screening(client, tally)
            for url in urls:
                await timed(tally, client.get(url))
                await timed(tally, client.post(url, data={"answer": "no"}), 303)
                if time.monotonic() > deadline:
                    return
            await timed(tally, client.get("/en/screening/check"))
            await timed(tally, client.get("/en/screening/result"))
            await timed(tally, client.get("/en/session"))

    return user


async def started_cookie(base: str) -> str:
    """The Cookie header of a visitor who has started a screening."""
    async with httpx.AsyncClient(base_url=base) as client:
        await start_screening(client, Tally())
        return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def wrk(url: str, users: int, seconds: float, cookie: str = "") -> float:
    """Requests per second from ``wrk`` (one thread, ``users`` connections)."""
    args = ["wrk", "-t1", f"-c{users}", f"-d{max(1, round(seconds))}s", "--latency"]
    args += ["-H", f"Accept-Encoding: {HEADERS['Accept-Encoding']}"]
    if cookie:
        args += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run([*args, url], capture_output=True, text=True, check=True).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        raise RuntimeError(f"wrk: {non_2xx.group(1)} error responses from {url}")
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    return float(found.group(1)) if found else 0.0


async def page_as_sent(url: str, cookie: str) -> tuple[bytes, str]:
    """The question page's body as it crosses the wire (compressed) and its encoding."""
    headers = {**HEADERS, "Cookie": cookie}
    async with httpx.AsyncClient() as client, client.stream("GET", url, headers=headers) as r:
        body = b"".join([chunk async for chunk in r.aiter_raw()])
        return body, r.headers.get("content-encoding", "")


NGINX_CONF = """
worker_processes 1;
daemon off;
pid {dir}/nginx.pid;
error_log {dir}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {dir}/body; proxy_temp_path {dir}/proxy;
  fastcgi_temp_path {dir}/fastcgi; uwsgi_temp_path {dir}/uwsgi; scgi_temp_path {dir}/scgi;
  server {{
    listen 127.0.0.1:{port};
    root {dir};
    location = / {{
      default_type "text/html; charset=utf-8";
      {encoding}
      try_files /page.html =404;
    }}
  }}
}}
"""


@contextlib.contextmanager
def nginx_serving(body: bytes, encoding: str) -> Iterator[str]:
    """Debian's nginx sending ``body`` as the app sends a question page (same bytes, same
    Content-Encoding), with no access log and one worker process, as the app has one:
    the ceiling of a server that does no work at all."""
    with tempfile.TemporaryDirectory() as folder:
        directory = Path(folder)
        directory.chmod(0o755)  # nginx's worker runs as another user when started as root
        (directory / "page.html").write_bytes(body)
        (directory / "page.html").chmod(0o644)
        port = free_port()
        header = f"add_header Content-Encoding {encoding};" if encoding else ""
        conf = directory / "nginx.conf"
        conf.write_text(NGINX_CONF.format(dir=directory, port=port, encoding=header))
        proc = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(directory)])
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    urllib.request.urlopen(base, timeout=1)
                    break
                except OSError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise RuntimeError("nginx did not start") from None
                    time.sleep(0.1)
            yield base
        finally:
            proc.terminate()
            proc.wait(10)


def server_bound_ratio(
    users: int,
    seconds: float,
    root: Path = ROOT,
    rounds: int = 5,
    compare: tuple[Path, ...] = (),
) -> None:
    """Bare page and nginx against one question page, all driven by wrk (see the module
    docstring). The servers run at once and take turns ``rounds`` times, so a change of load
    on the shared machine falls on each; the ratios are the medians of the rounds' ratios.
    Each checkout in ``compare`` serves the same question page beside ``root``."""
    if not shutil.which("wrk"):
        print("wrk not installed: no server-bound ratio (apt-get install wrk)")
        return
    roots = (root, *compare)
    with contextlib.ExitStack() as servers:
        bare_base = servers.enter_context(uvicorn_server("bare_app:app", factory=False))
        bases = [servers.enter_context(uvicorn_server(root=r)) for r in roots]
        urls = asyncio.run(question_urls(bases[0]))
        cookies = [asyncio.run(started_cookie(base)) for base in bases]
        body, encoding = asyncio.run(page_as_sent(f"{bases[0]}{urls[1]}", cookies[0]))
        ceiling = None
        if shutil.which("nginx"):
            ceiling = servers.enter_context(nginx_serving(body, encoding))
        else:
            print("nginx not installed: no ceiling (apt-get install nginx-light)")
        ratios: dict[str, list[float]] = {"bare/nginx": []}
        for _ in range(rounds):
            bare = wrk(f"{bare_base}/", users, seconds)
            line = f"wrk bare {bare:8.0f} req/s"
            static = wrk(f"{ceiling}/", users, seconds) if ceiling is not None else 0.0
            for n, (base, cookie) in enumerate(zip(bases, cookies, strict=True)):
                question = wrk(f"{base}{urls[1]}", users, seconds, cookie)
                ratios.setdefault(f"bare {n}", []).append(question / bare)
                if static:
                    ratios.setdefault(f"nginx {n}", []).append(question / static)
                line += f"  question[{n}] {question:8.0f} req/s"
            if static:
                ratios["bare/nginx"].append(bare / static)
                line += f"  nginx {static:8.0f} req/s"
            print(line)
    print(f"server-bound (wrk, {len(body)} bytes {encoding or 'identity'}, median of {rounds}):")
    for n, each in enumerate(roots):
        print(f"  [{n}] {each}")
        print(f"      question / bare page: {statistics.median(ratios[f'bare {n}']):.2f}")
        if ceiling is not None:
            nginx = statistics.median(ratios[f"nginx {n}"])
            print(f"      question / nginx (the ceiling): {nginx:.3f}")
    if ceiling is not None:
        print(f"  bare page / nginx: {statistics.median(ratios['bare/nginx']):.3f}")


async def phase(
    base: str,
    users: int,
    seconds: float,
    user: User,
    setup: Callable[[httpx.AsyncClient, Tally], Awaitable[None]] | None = None,
) -> Tally:
    """Run ``user`` for ``seconds`` in each of ``users`` clients. The clients are made, and
    ``setup`` run for each (not counted), before the clock starts: making 200 clients at
    once took most of a short phase on a loaded machine."""
    tally = Tally()
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    # verify=False: plain HTTP on loopback, and no certificate store loaded 200 times.
    clients = [
        httpx.AsyncClient(base_url=base, headers=HEADERS, limits=limits, timeout=60, verify=False)
        for _ in range(users)
    ]
    try:
        if setup is not None:
            await asyncio.gather(*(setup(client, Tally()) for client in clients))
        started = time.monotonic()
        deadline = started + seconds

        async def one(client: httpx.AsyncClient) -> None:
            with contextlib.suppress(httpx.HTTPError):  # counted in tally.errors
                await user(client, tally, deadline)

        await asyncio.gather(*(one(client) for client in clients))
        tally.elapsed = time.monotonic() - started
    finally:
        await asyncio.gather(*(client.aclose() for client in clients))
    return tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="serve another checkout (a before/after)"
    )
    parser.add_argument(
        "--compare",
        type=Path,
        action="append",
        default=[],
        help="another checkout in the same wrk rounds, side by side (repeatable)",
    )
    parser.add_argument(
        "--wrk-only", action="store_true", help="only the wrk rounds (no simulated users)"
    )
    args = parser.parse_args()
    if args.wrk_only:
        print(f"machine: {load()} (before); {args.users} connections, {args.seconds:.0f} s")
        server_bound_ratio(args.users, args.seconds, args.root, compare=tuple(args.compare))
        print(f"machine: {load()} (after)")
        return 0
    print(f"machine: {load()} (before); {args.users} users, {args.seconds:.0f} s a phase")
    print(f"app: {args.root}")
    with uvicorn_server("bare_app:app", factory=False) as base:
        bare = asyncio.run(phase(base, args.users, args.seconds, bare_user))
    with uvicorn_server(root=args.root) as base:
        urls = asyncio.run(question_urls(base))
        question = asyncio.run(
            phase(base, args.users, args.seconds, question_user(urls), start_screening)
        )
        flow = asyncio.run(phase(base, args.users, args.seconds, flow_user(urls)))
    print(bare.line("bare"))
    print(question.line("question"))
    print(flow.line("flow"))
    ratio = question.rate / bare.rate if bare.rate else 0.0
    print(f"question / bare throughput, simulated users (httpx): {ratio:.2f}")
    errors = bare.errors + question.errors + flow.errors
    for error in errors[:5]:
        print("  error:", error)
    server_bound_ratio(args.users, args.seconds, args.root, compare=tuple(args.compare))
    print(f"machine: {load()} (after)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
