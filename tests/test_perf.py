"""Speed and scale, by structure (timings live in bench/): compression, caching, the lean
service worker, a light ``audio build``, and the app served from an exported CDN copy."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import brotli  # type: ignore[import-untyped]
import pytest
import uvicorn
from playwright.sync_api import Browser
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from server.app import create_app
from server.config import ROOT, Settings
from server.export import export_site
from server.http.compression import Compression, accepts
from server.http.sealed import pad_gzip
from server.http.security import content_security_policy
from server.http.static import StaticAssets
from server.offline.version import app_version
from tests.browser_helpers import wait_for_enhanced
from tests.conftest import LiveServer


def test_pages_are_brotli_when_accepted_else_gzip(client: TestClient) -> None:
    br = client.get("/en/screening", headers={"Accept-Encoding": "gzip, br"})
    assert br.headers["content-encoding"] == "br"
    gz = client.get("/en/screening", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["content-encoding"] == "gzip"
    assert br.text == gz.text
    assert not accepts("gzip, br;q=0", "br") and accepts("br;q=0.5", "br")
    # A question page (kept whole by the page cache) makes the same choice.
    client.post("/en/screening/start", data={"perspective": "you"})
    question = client.get("/en/screening/rules.json").json()["questions"][0]["url"]
    pages = {
        coding: client.get(question, headers={"Accept-Encoding": coding})
        for coding in ("gzip, br", "gzip", "identity")
    }
    assert pages["gzip, br"].headers["content-encoding"] == "br"
    assert pages["gzip"].headers["content-encoding"] == "gzip"
    assert "content-encoding" not in pages["identity"].headers
    assert all(p.headers["vary"] == "Accept-Encoding" for p in pages.values())
    assert len({p.text for p in pages.values()}) == 1


def test_compression_skips_audio_ranges_encoded_and_small_bodies() -> None:
    """server/http/compression.py on bare ASGI responses: text is compressed (whole or streamed),
    audio, a 206, a body already encoded (a sealed page) and a small body go as they are."""
    text = b"<p>inversion</p>" * 200

    def app_sending(
        status: int, media_type: str, chunks: list[bytes], encoded: bool = False
    ) -> Starlette:
        async def asgi(scope: Scope, receive: Receive, send: Send) -> None:
            headers = [(b"content-type", media_type.encode())]
            if encoded:
                headers.append((b"content-encoding", b"gzip"))
            if len(chunks) == 1:
                headers.append((b"content-length", str(len(chunks[0])).encode()))
            await send({"type": "http.response.start", "status": status, "headers": headers})
            for n, chunk in enumerate(chunks):
                more = n < len(chunks) - 1
                await send({"type": "http.response.body", "body": chunk, "more_body": more})

        return Starlette(routes=[Mount("/", app=asgi)], middleware=[Middleware(Compression)])

    def get(app: Starlette, coding: str = "gzip, br") -> Any:
        with TestClient(app) as client:
            return client.get("/", headers={"Accept-Encoding": coding})

    whole = get(app_sending(200, "text/html", [text]))
    assert whole.headers["content-encoding"] == "br" and whole.content == text
    assert int(whole.headers["content-length"]) < len(text) // 10
    streamed = get(app_sending(200, "text/html", [text, text, b""]), "gzip")
    assert streamed.headers["content-encoding"] == "gzip" and streamed.content == text * 2
    plain = get(app_sending(200, "text/html", [text]), "gzip;q=0, br;q=0")
    assert "content-encoding" not in plain.headers and plain.headers["vary"] == "Accept-Encoding"
    for status, media_type in ((200, "audio/mpeg"), (206, "text/html"), (200, "video/mp4")):
        untouched = get(app_sending(status, media_type, [text]))
        assert "content-encoding" not in untouched.headers and untouched.content == text
    sealed = pad_gzip(text)
    passed = get(app_sending(200, "text/html", [sealed], encoded=True))
    assert passed.headers["content-encoding"] == "gzip" and passed.content == text
    assert int(passed.headers["content-length"]) == len(sealed)
    small = get(app_sending(200, "text/html", [b"<p>hi</p>"]))
    assert "content-encoding" not in small.headers and "vary" not in small.headers


def test_hashed_static_files_are_immutable(client: TestClient) -> None:
    version = client.app.state.ig.static_version  # type: ignore[attr-defined]
    response = client.get(f"/static/{version}/css/app.css", headers={"Accept-Encoding": "br"})
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-encoding"] == "br"


def test_static_text_is_compressed_once_at_the_best_level(client: TestClient) -> None:
    """Hashed scripts and styles go out at brotli 11 / gzip 9, compressed once per file; a
    Range request still gets the plain file's bytes."""
    version = client.app.state.ig.static_version  # type: ignore[attr-defined]
    url = f"/static/{version}/js/components/narration.js"
    plain = (ROOT / "pwa/static/js/components/narration.js").read_bytes()
    br = client.get(url, headers={"Accept-Encoding": "br"})
    assert br.headers["content-encoding"] == "br" and br.content == plain
    assert int(br.headers["content-length"]) == len(brotli.compress(plain, quality=11))
    assert br.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert "etag" in br.headers and br.headers["vary"] == "Accept-Encoding"
    gz = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gz.headers["content-encoding"] == "gzip" and gz.content == plain
    ranged = client.get(url, headers={"Accept-Encoding": "br", "Range": "bytes=0-9"})
    assert ranged.status_code == 206 and ranged.content == plain[:10]
    # The Mount's app keeps one entry per file, holding each coding made.
    app = client.app
    assert isinstance(app, Starlette)
    mount = next(r for r in app.router.routes if isinstance(r, Mount) and r.name == "static")
    assert isinstance(mount.app, StaticAssets)
    [page] = [p for k, p in mount.app.compressed.items() if k[0].endswith("narration.js")]
    assert set(page.encoded) == {"br", "gzip"}


def test_files_json_and_worker_are_made_once_per_version(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = client.get("/en/offline/files.json?speed=normal").content
    sw = client.get("/sw.js").text
    calls: list[Path] = []

    def counting(root: Path) -> bytes:
        calls.append(root)
        return b""

    monkeypatch.setattr("server.offline.version.tree_digest", counting)
    assert client.get("/en/offline/files.json?speed=normal").content == first
    assert client.get("/sw.js").text == sw
    assert app_version(client.app) in sw  # type: ignore[arg-type]
    assert calls == []  # nothing re-hashed per request


def test_worker_precaches_no_page_assets_or_large_icons(client: TestClient) -> None:
    config = json.loads(client.get("/sw.js").text.split(" = ", 1)[1].split(";\n", 1)[0])
    assert not [u for u in config["shell"] if u.endswith((".css", ".js")) or "512" in u]
    source = (ROOT / "pwa" / "static" / "js" / "sw.js").read_text()
    assert "cache: 'reload'" not in source
    # No navigation preload (issue 22): in Firefox a failed preload shows the browser's error
    # page offline; tests/test_browser_engines.py loads the saved pages there. The worker
    # turns off what an earlier version turned on, and never waits for a preload.
    assert "navigationPreload.disable()" in source
    assert "navigationPreload.enable()" not in source and "preloadResponse" not in source


def test_csp_follows_both_base_urls() -> None:
    csp = content_security_policy("https://a.example/audio", "https://s.example/static")
    assert "media-src 'self' blob: https://a.example" in csp
    assert "script-src 'self' https://s.example" in csp
    assert "style-src 'self' https://s.example" in csp
    assert "connect-src 'self' https://a.example https://s.example" in csp


@pytest.mark.slow  # a real espeak build of every clip
def test_no_change_build_imports_no_web_stack_or_gtts(tmp_path: Path) -> None:
    code = (
        "import sys, server.__main__ as m\n"
        "m.main(['audio', 'build', '--engine', 'espeak', '--speed', 'normal', '--lang', 'en'])\n"
        "bad = [n for n in ('starlette', 'jinja2', 'uvicorn', 'gtts', 'requests')"
        " if n in sys.modules]\n"
        "print(bad)\n"
    )
    env = {"INVERSION_AUDIO_DIR": str(tmp_path / "audio"), "PATH": "/usr/bin:/bin"}
    # An empty library and espeak: it builds, which is more than a no-change build imports.
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stderr


class StaticServer:
    """A second local server holding an export, as a CDN would (CORS for module scripts)."""

    def __init__(self, folder: Path) -> None:
        app = Starlette(middleware=[Middleware(CORSMiddleware, allow_origins=["*"])])
        app.mount("/", StaticFiles(directory=folder))
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning")
        self.uvicorn = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.uvicorn.run, daemon=True)

    def __enter__(self) -> StaticServer:
        self.thread.start()
        while not self.uvicorn.started:
            threading.Event().wait(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.uvicorn.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def cdn_site(tmp_path_factory: pytest.TempPathFactory, live_audio_dir: Path) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("export")
    summary = export_site(Settings(audio_dir=live_audio_dir), folder)
    assert summary.audio_files > 0 and summary.static_files > 0
    with StaticServer(folder) as cdn:
        base = f"http://127.0.0.1:{cdn.port}"
        settings = Settings(
            audio_dir=live_audio_dir,
            secret_key="cdn-secret",
            audio_base_url=f"{base}/audio",
            static_base_url=f"{base}/static",
        )
        with LiveServer(settings) as site:
            yield site.url


@pytest.mark.browser
def test_a_page_plays_its_clip_from_the_exported_copy(browser: Browser, cdn_site: str) -> None:
    context = browser.new_context()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{cdn_site}/en/screening")
    page.click('button[name="perspective"][value="you"]')
    audio = page.locator(".ig-narration__audio").first
    src = audio.get_attribute("src") or ""
    assert "/audio/en/" in src and not src.startswith(cdn_site)
    css = page.locator('link[rel="stylesheet"]').get_attribute("href") or ""
    assert "/static/" in css and not css.startswith(cdn_site)
    state = page.evaluate(
        """async () => {
            const audio = document.querySelector('.ig-narration__audio');
            const playing = new Promise(
                (r) => audio.addEventListener('playing', () => r('playing')));
            await audio.play();
            return await playing;
        }"""
    )
    assert state == "playing"
    wait_for_enhanced(page)  # the app's scripts, from the CDN, started the page
    assert not [e for e in errors if "Content Security Policy" in e]
    context.close()


def test_create_app_reads_the_static_base(tmp_path: Path) -> None:
    app = create_app(Settings(audio_dir=tmp_path, static_base_url="https://s.example/static"))
    with TestClient(app) as client:
        html = client.get("/en/screening").text
    assert 'href="https://s.example/static/' in html
