"""The guided session with no network in WebKitGTK (the engine of every iPhone browser), with
its default autoplay rules: "Use offline" makes the session tracks on the device; the player
page is open when the signal goes; then Play, "Next step", "Repeat step" and "Stop and come
up now" move the one track exactly as online (to the chapters' first words, the come-up
speaking at once), every byte of it from the service worker's cache.

The network is cut as a phone meets it: the test's own server stops, so every connection is
refused. Two recorders show where the track came from: one in front of the app lists what
reaches the server (no request for a track, ever: the worker made it from the saved clips),
one put before the worker's script notes each request for the track the worker answered,
with its Range header and the status and Content-Range it answered with.

Session pages are not saved for offline use (they follow the gate's answers in the cookie):
a reload with no network shows the saved "Use offline" page instead. So the session plays
offline from a player page opened while online, as in this test.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.content import Content
from tests.conftest import LiveServer
from tests.engine_probe import PROBE_HERE, PROBE_READ, with_probe
from tests.engines import (
    EnginePage,
    pulseaudio_null_sink,
    save_for_offline,
    webkit_page,
    xvfb_display,
)

pytestmark = pytest.mark.browser

PLAN = "first-20"
TRACK = "document.querySelector('[data-session-audio]')"
ENHANCED = "document.body && document.body.classList.contains('js-enabled')"
STEP = "document.querySelector('[data-step-title]').textContent"
# Where the track was sent by each seek: the element's position as it fires `seeking`.
SEEKS = "window.__igSeeks"
RECORD_SEEKS = f"""const audio = {TRACK};
{SEEKS} = [];
audio.addEventListener('seeking', () => {SEEKS}.push(audio.currentTime));"""
# The whole save in WebKit on a loaded 2-core machine: bounded, with room.
SAVE_TIMEOUT = 120.0

# Put first in /sw.js: every request for a session track the worker answers is noted in a
# cache of its own (kept if the browser restarts the worker): its Range header, and the
# status and Content-Range of the worker's answer.
WORKER_RECORDER = b"""
(() => {
  const respondWith = FetchEvent.prototype.respondWith;
  let n = 0;
  FetchEvent.prototype.respondWith = function (answer) {
    const request = this.request;
    if (!new URL(request.url).pathname.includes('/tracks/')) return respondWith.call(this, answer);
    const range = request.headers.get('Range');
    const noted = Promise.resolve(answer).then((response) => {
      const note = { url: request.url, range, status: response.status,
                     contentRange: response.headers.get('Content-Range'), at: Date.now() };
      n += 1;
      caches.open('ig-probe-track').then((cache) =>
        cache.put(`/__ig-probe/${Date.now()}-${n}`, new Response(JSON.stringify(note))));
      return response;
    });
    return respondWith.call(this, noted);
  };
})();
"""
WORKER_NOTES = """return caches.open('ig-probe-track').then(async (cache) => {
  const keys = await cache.keys();
  return Promise.all(keys.map((k) => cache.match(k).then((r) => r.json())));
});"""

# The gate's answers as the forms send them (what tests/browser_helpers.py posts in Chromium):
# a screening with no known reason, a clinician who agreed, the plan, every check passed.
PREPARE = """
const [steps] = arguments;
return (async () => {
  for (const [path, fields] of steps) {
    const r = await fetch(path, { method: 'POST', body: new URLSearchParams(fields) });
    if (!r.ok) return `${path}: ${r.status}`;
  }
  return 'ok';
})();
"""

SHA256 = """
const [url] = arguments;
const hex = (buffer) => crypto.subtle.digest('SHA-256', buffer).then((d) =>
  Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join(''));
return (async () => {
  const cached = await (await caches.open('ig-audio')).match(url);
  const served = await fetch(url);  // through the worker, as the player asks (no server now)
  return { cached: cached ? await hex(await cached.arrayBuffer()) : null,
           served: served.status + ' ' + await hex(await served.arrayBuffer()) };
})();
"""


def with_recorders(seen: list[str]) -> Callable[[ASGIApp], ASGIApp]:
    """The probe in every page, the worker recorder first in /sw.js, and ``seen`` listing
    every request that reaches the server."""

    def wrap(app: ASGIApp) -> ASGIApp:
        async def recorded(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            seen.append(f"{scope['method']} {scope['path']}")
            if scope["path"] != "/sw.js":
                await app(scope, receive, send)
                return

            first_body = True  # and of a 200: a 304 has no body to put it in

            async def prepend(message: Message) -> None:
                nonlocal first_body
                if message["type"] == "http.response.start":
                    first_body = message["status"] == 200
                    headers = [(k, v) for k, v in message["headers"] if k != b"content-length"]
                    if any(k == b"content-encoding" for k, _ in headers):
                        raise RuntimeError("the recorder cannot go into a compressed /sw.js")
                    message = {**message, "headers": headers}
                elif message["type"] == "http.response.body" and first_body:
                    first_body = False
                    message = {**message, "body": WORKER_RECORDER + message.get("body", b"")}
                await send(message)

            await app(scope, receive, prepend)

        return with_probe(recorded)

    return wrap


@pytest.fixture
def pulse(tmp_path: Path) -> Iterator[str]:
    with pulseaudio_null_sink(tmp_path / "pulse") as address:
        yield address


def track_entry(audio_dir: Path) -> dict[str, Any]:
    index = json.loads((audio_dir / "en" / "tracks" / "index.json").read_text())
    entry: dict[str, Any] = index["tracks"][PLAN]["normal"]
    return entry


def test_offline_the_session_plays_seeks_and_stops_on_the_come_up_from_the_workers_cache(
    pulse: str,
    live_server: LiveServer,
    content: Content,
    live_audio_dir: Path,
) -> None:
    seen: list[str] = []
    with (
        LiveServer(app=live_server.app, wrap=with_recorders(seen)) as server,
        xvfb_display() as display,
        webkit_page(display, pulse) as page,
    ):
        save_then_play_offline(page, server, content, live_audio_dir, seen)


def save_then_play_offline(
    page: EnginePage, server: LiveServer, content: Content, audio_dir: Path, seen: list[str]
) -> None:
    base = server.url
    ui = content.session.ui
    entry = track_entry(audio_dir)
    chapters = json.loads((audio_dir / "en" / "tracks" / entry["chapters"]).read_text())["chapters"]
    by_id = {c["id"]: c for c in chapters}
    server_sha = hashlib.sha256((audio_dir / "en" / "tracks" / entry["file"]).read_bytes())

    # Online: the gate's answers, then "Use offline" once the worker controls the page.
    page.goto(f"{base}/en/offline")
    page.wait(ENHANCED, what="the offline page's script")
    assert page.js(PROBE_HERE), "no error probe in the page: its silence would mean nothing"
    steps: list[tuple[str, dict[str, str]]] = [
        ("/en/screening/start", {"perspective": "you"}),
        *((f"/en/screening/q/{q.id}", {"answer": "no"}) for q in content.questions),
        ("/en/session/clinician", {"answer": "agreed"}),
        (f"/en/session/plan/{PLAN}/choose", {"suggested": PLAN, "sessions": "5"}),
        *(
            (f"/en/session/plan/{PLAN}/check/{c.id}", {"answer": c.go_on_answer})
            for c in content.session.checks
        ),
    ]
    assert page.js(PREPARE, steps) == "ok"
    save_for_offline(page, base, content.pwa.offline_download, SAVE_TIMEOUT)

    # The player page, opened while online; then the signal goes.
    page.goto(f"{base}/en/session/plan/{PLAN}/play")
    page.wait(f"{ENHANCED} && {TRACK} !== null && {TRACK}.readyState >= 1", what="the track")
    src = str(page.js(f"return {TRACK}.currentSrc;"))
    assert src == f"{base}/audio/en/tracks/{entry['file']}"
    before_cut = len(page.js(WORKER_NOTES))
    server.stop()

    def arrive(chapter_id: str, what: str, seeks: int | None = None) -> None:
        """The step shown is ``chapter_id``'s and the track plays on from its first word:
        after a press that moves it, the track's last seek (a ``seeking`` event since
        ``seeks`` of them) went there; its time then moves on inside the step."""
        chapter = by_id[chapter_id]
        if seeks is None:
            where = f"{TRACK}.currentTime"
        else:
            where = f"{SEEKS}.length > arguments[2] && {SEEKS}[{SEEKS}.length - 1]"
        page.wait(
            f"{STEP} === arguments[0] && !{TRACK}.paused"
            f" && {where} >= arguments[1] - 0.05 && {where} < arguments[1] + 0.5",
            chapter["title"],
            chapter["start"],
            seeks,
            timeout=30,
            what=what,
        )
        t = float(page.js(f"return {TRACK}.currentTime;"))
        page.wait(f"{TRACK}.currentTime > arguments[0] + 0.3", t, timeout=30, what="time moving")
        assert page.js(f"return {TRACK}.currentTime;") < chapter["end"], what

    def press(label: str, chapter_id: str, what: str) -> None:
        seeks = page.js(f"return {SEEKS}.length;")
        page.click("button", label)
        arrive(chapter_id, what, seeks)

    page.js(RECORD_SEEKS)
    page.click("button", ui.play)
    arrive(chapters[0]["id"], "the track playing")
    press(ui.next_step, "intro", "Next step: the intro")
    press(ui.next_step, "setup", "Next step: the setup")
    # "Repeat step" 2 s or more into a step: back to its first word (sooner: the step before).
    page.wait(f"{TRACK}.currentTime > arguments[0]", by_id["setup"]["start"] + 2.5, timeout=30)
    press(ui.previous_step, "setup", "Repeat step: the setup again")
    press(ui.next_step, "tilt-back", "Next step: tilt back")
    press(ui.next_step, "hold-1", "Next step: the hold")
    press(ui.stop_now, "come-up", "Stop: the come-up")
    assert page.js(PROBE_READ) == []

    # The device's track is the server's, byte for byte: in the cache, and as the worker
    # answers the player (with no server to ask).
    hashes = page.js(SHA256, src)
    assert hashes == {"cached": server_sha.hexdigest(), "served": f"200 {server_sha.hexdigest()}"}

    # Not one request for a track reached the server: the worker made it and answered for it.
    assert not [r for r in seen if "/tracks/" in r], seen
    notes = page.js(WORKER_NOTES)
    for note in notes:
        assert note["url"] == src
        assert note["status"] in (200, 206), note
        if note["status"] == 206:
            asked = re.fullmatch(r"bytes=(\d+)-(\d*)", note["range"])
            answered = re.fullmatch(rf"bytes (\d+)-(\d+)/{entry['bytes']}", note["contentRange"])
            assert asked and answered and asked[1] == answered[1], note
    # WebKit's player asks for the track by Range once it plays and seeks (measured: the
    # metadata by a plain GET before the cut, then "bytes=<n>-" from where it is needed):
    # after the cut, those are answered by the worker, from the cache, as real 206s.
    after_cut = notes[before_cut:]
    assert any(n["status"] == 206 for n in after_cut), notes
    print(f"WebKitGTK's requests for the track ({before_cut} before the cut):")
    print([(n["range"], n["status"]) for n in notes])
