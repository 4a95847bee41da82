"""Bytes on the wire: each page type, and a whole first visit, before any audio.

    .venv/bin/python bench/page_weight.py [--budget-kb 40]

1. Page types: a visitor walks a screening (intro, a question, the check, the result) and
   a session (gate, plans, a check, the player, the carer view, feedback), and each page's
   HTML is fetched as a browser would (``Accept-Encoding: gzip, br``); prints the bytes sent
   (headers and compressed body) and the body's compression ratio.
2. First visit: a fresh Chromium context (empty cache, no service worker) opens the home
   page, through a small proxy that counts every byte the server sends, and waits until the
   service worker is active and the network is idle. The total (the page's and the worker's
   requests, headers included; the voice is off on a first visit, so no audio) is compared
   with the budget. Exits 1 when over it.

Needs /usr/bin/chromium (Playwright drives it; never ``playwright install``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import threading
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serve import ROOT, load, uvicorn_server

HEADERS = {"Accept-Encoding": "gzip, br", "Accept": "text/html"}


def wire_bytes(response: httpx.Response) -> int:
    """Status line, headers and the body as sent (before decompression)."""
    head = len(f"HTTP/1.1 {response.status_code} {response.reason_phrase}\r\n")
    head += sum(len(k) + len(v) + 4 for k, v in response.headers.raw) + 2
    return head + int(response.headers.get("content-length", len(response.content)))


def page_types(base: str) -> list[tuple[str, httpx.Response]]:
    """(name, response) for one page of each type, walked as a visitor would."""
    out: list[tuple[str, httpx.Response]] = []
    with httpx.Client(base_url=base, headers=HEADERS) as client:

        def get(name: str, path: str) -> None:
            response = client.get(path)
            response.raise_for_status()
            out.append((name, response))

        get("home", "/en/")
        get("intro", "/en/screening")
        client.post("/en/screening/start", data={"perspective": "you"})
        rules = client.get("/en/screening/rules.json").json()
        urls = [q["url"] for q in rules["questions"]]
        get("question", urls[0])
        for url in urls:
            client.post(url, data={"answer": "no"})
        get("check", "/en/screening/check")
        get("result", "/en/screening/result")
        get("session gate", "/en/session")
        client.post("/en/session/clinician", data={"answer": "agreed"})
        get("plans", "/en/session/plans")
        plans = client.get("/en/session/plans")
        plan = plans.text.split("/en/session/plan/", 1)[1].split("/", 1)[0]
        check = client.post(f"/en/session/plan/{plan}/choose", data={}, follow_redirects=True)
        out.append(("session check", check))
        while "/check/" in str(check.url):  # the go-on answer of each check, in order
            check_id = str(check.url).rsplit("/", 1)[1]
            go_on = "no" if check_id == "health-changed" else "yes"  # its stop_on is "yes"
            check = client.post(
                f"/en/session/plan/{plan}/check/{check_id}",
                data={"answer": go_on},
                follow_redirects=True,
            )
        get("player", f"/en/session/plan/{plan}/play")
        get("carer view", f"/en/session/plan/{plan}/carer")
        get("feedback", f"/en/session/plan/{plan}/feedback")
        get("emergency", "/en/emergency")
    return out


class ByteCounter:
    """A TCP proxy in front of the server that counts the bytes it sends back: what really
    crossed the wire, whatever the browser's own accounting says (it reports no body size
    for the worker's script, and sizes for responses it took from its HTTP cache)."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.sent = 0
        self.loop = asyncio.new_event_loop()
        self.listen_port = 0
        threading.Thread(target=self.loop.run_forever, daemon=True).start()
        asyncio.run_coroutine_threadsafe(self.start(), self.loop).result(10)

    async def start(self) -> None:
        server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        self.listen_port = server.sockets[0].getsockname()[1]

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(self.host, self.port)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter, count: bool) -> None:
            with contextlib.suppress(ConnectionError):
                while data := await src.read(65536):
                    if count:
                        self.sent += len(data)
                    dst.write(data)
                    await dst.drain()
            with contextlib.suppress(ConnectionError, RuntimeError):
                dst.close()

        await asyncio.gather(pipe(reader, up_writer, False), pipe(up_reader, writer, True))

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.listen_port}"


def first_visit(base: str) -> tuple[int, list[str]]:
    """Bytes the server sent for a first visit to the home page (until the worker is active
    and the network idle), and the URLs requested."""
    counter = ByteCounter(base)
    urls: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        context = browser.new_context(viewport={"width": 390, "height": 844})
        context.on("request", lambda request: urls.append(request.url))
        page = context.new_page()
        page.goto(f"{counter.base}/en/", wait_until="load")
        page.wait_for_function(
            "async () => !!(await navigator.serviceWorker.ready).active", timeout=20000
        )
        page.wait_for_load_state("networkidle")
        page.wait_for_timeout(1000)  # the worker's install may still be caching
        browser.close()
    return counter.sent, urls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget-kb", type=float, default=40.0)
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="serve another checkout (a before/after)"
    )
    args = parser.parse_args()
    print(f"machine: {load()}; app: {args.root}")
    with uvicorn_server(root=args.root) as base:
        print("page types (HTML as sent, gzip/br accepted):")
        for name, response in page_types(base):
            body = len(response.content)
            sent = wire_bytes(response)
            coding = response.headers.get("content-encoding", "none")
            print(f"  {name:14} {sent:6d} B sent  ({body:6d} B of HTML, {coding})")
        print("first visit to the home page (fresh browser, until the worker is active):")
        total, urls = first_visit(base)
    for url in urls:
        print(f"  {url}")
    audio = [url for url in urls if "/audio/" in url]
    print(f"  {len(urls)} requests (page and worker), {len(audio)} for audio")
    budget = args.budget_kb * 1024
    print(f"first visit total: {total} B = {total / 1024:.1f} KB; budget {args.budget_kb:.0f} KB")
    print(f"first visit / budget: {total / budget:.2f}")
    return 0 if total <= budget else 1


if __name__ == "__main__":
    sys.exit(main())
