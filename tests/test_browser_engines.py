"""One journey in WebKitGTK and one in Firefox ESR, with their default autoplay rules (no
flag lets a page play without a gesture, unlike the Chromium tests): about 70 % of blind
and low-vision people on a phone use an iPhone, where every browser is WebKit (issue 22).

From the home page: one tap on "Start with the voice", then the whole screening by taps, the
result, the session's pages to the player, the track and "Stop and come up now" (which plays
the come-up); then "Save for offline use", the network cut, and the home page, a question
and its clip, from the service worker alone. Every page must speak on arrival; the Play
prompts the journey meets are counted (a user taps Play on each), and must be one: the tap
on Start. No console error, uncaught error or media error on the way (a probe script in
every page collects them: neither driver has a console log).

The browsers reach the app through a server of their own (tests/conftest.py's LiveServer on
the live server's app and narration, with the probe): cutting the network is stopping it,
so every request after that is refused, as with no signal.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from server.content import Content
from server.http.sealed import seal
from tests.conftest import LiveServer
from tests.engine_probe import PROBE_HERE, PROBE_READ, with_probe
from tests.engines import (
    EnginePage,
    firefox_page,
    pulseaudio_null_sink,
    save_for_offline,
    webkit_page,
    xvfb_display,
)

pytestmark = pytest.mark.browser

# The page's own narration is sounding: its audio plays one of this page's clips (not a clip
# left over from the page before), and its time has moved.
PAGE_SPEAKS = """(() => {
  const root = document.querySelector('[data-module="narration"]');
  const audio = root && root.querySelector('audio');
  if (!audio || audio.paused || !(audio.currentTime > 0)) return false;
  let clips = [];
  try { clips = JSON.parse(root.dataset.playlist || '[]').map((item) => item.normal); }
  catch (error) { /* no list: the one clip */ }
  if (!clips.length) clips = [audio.getAttribute('src')];
  return clips.some((clip) => clip && audio.currentSrc.endsWith(clip));
})()"""
# The Play prompt's button is on show (the prompt is shown when the browser refused to play).
PROMPT_SHOWN = (
    "[...document.querySelectorAll('[data-play-prompt] [data-action=\"play\"]')]"
    ".some((b) => b.getClientRects().length > 0 && !b.closest('[hidden]'))"
)
TRACK = "document.querySelector('[data-session-audio]')"
ENHANCED = "document.body && document.body.classList.contains('js-enabled')"
H1 = "(document.querySelector('h1')?.textContent || '').replace(/\\s+/g, ' ').trim()"
# Saving every clip and track of a language over a loaded machine: generous, but bounded.
SAVE_TIMEOUT = 240.0


@pytest.fixture(scope="module")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with pulseaudio_null_sink(tmp_path_factory.mktemp("pulse")) as address:
        yield address


@contextmanager
def open_webkit(pulse: str, folder: Path) -> Iterator[EnginePage]:
    with xvfb_display() as display, webkit_page(display, pulse) as page:
        yield page


@contextmanager
def open_firefox(pulse: str, folder: Path) -> Iterator[EnginePage]:
    with firefox_page(folder / "profile", pulse) as page:
        yield page


ENGINES: dict[str, Callable[[str, Path], AbstractContextManager[EnginePage]]] = {
    "webkit": open_webkit,
    "firefox": open_firefox,
}


class Journey:
    """A user's way through the app in one engine, counting the Play prompts it meets."""

    def __init__(self, page: EnginePage, content: Content) -> None:
        self.page = page
        self.play_label = content.pwa.play
        self.prompts: list[str] = []

    def h1(self) -> str:
        return str(self.page.js(f"return {H1};"))

    def tap(self, role: str, name: str, arrive: str | None = None) -> None:
        """Tap a control that leads to another page (in place or not); wait for that page,
        whose h1 is ``arrive`` when given (else any other h1), and for its voice."""
        before = self.h1()
        self.page.click(role, name)
        if arrive is None:
            self.page.wait(
                f"{ENHANCED} && {H1} && {H1} !== arguments[0]", before, what="the next page"
            )
        else:
            self.page.wait(f"{ENHANCED} && {H1} === arguments[0]", arrive, what=f"h1 {arrive!r}")
        self.hear()

    def hear(self) -> None:
        """The page speaks on arrival; if the browser wants a tap first, the page shows its
        Play prompt, and the user taps Play (counted)."""
        heard = self.page.wait(
            f"{PAGE_SPEAKS} ? 'speaks' : {PROMPT_SHOWN} ? 'prompt' : ''",
            timeout=30,
            what="the voice or the Play prompt",
        )
        if heard == "prompt":
            self.prompts.append(self.h1())
            self.page.click("button", self.play_label)
            self.page.wait(PAGE_SPEAKS, timeout=30, what="the page's clip playing")

    def errors(self) -> list[str]:
        return list(self.page.js(PROBE_READ))


@pytest.mark.parametrize("engine", list(ENGINES))
def test_one_tap_then_the_voice_the_session_stop_and_offline(
    engine: str,
    pulse: str,
    live_server: LiveServer,
    content: Content,
    live_audio_dir: Path,
    tmp_path: Path,
) -> None:
    # A server of its own (a new origin: no worker or cookie from another test), cut later.
    with (
        LiveServer(app=live_server.app, wrap=with_probe) as server,
        ENGINES[engine](pulse, tmp_path) as page,
    ):
        journey(page, server, content, live_audio_dir)


def journey(page: EnginePage, server: LiveServer, content: Content, audio_dir: Path) -> None:
    base = server.url
    user = Journey(page, content)

    # Home: nothing plays before the gesture; one tap on Start is the gesture.
    page.goto(f"{base}/en/")
    page.wait(ENHANCED, what="the page's script")
    page.wait("document.querySelector('.ig-start') !== null", what="the Start box")
    assert page.js(PROBE_HERE), "no error probe in the page: its silence would mean nothing"
    assert not page.js(f"return {PAGE_SPEAKS};")
    page.click("button", content.pwa.start_button)
    user.prompts.append("Start")
    page.wait(PAGE_SPEAKS, timeout=30, what="the home page's clip playing")

    # The screening by taps, every answer No; each question speaks as it arrives.
    user.tap("link", content.ui.start_check)
    first = content.questions[0]
    user.tap("button", content.ui.start_for_me, arrive=first.you)
    for question, following in zip(content.questions, [*content.questions[1:], None], strict=True):
        assert user.h1() == question.you
        user.tap("button", content.ui.answer_no, arrive=following.you if following else None)
    user.tap("link", content.ui.see_result, arrive=content.outcomes.no_known_reason.title)

    # The session: the clinician agreed, the suggested plan, every check, the player.
    session = content.session
    user.tap("link", content.carer.result_session_link)
    user.tap("button", session.ui.clinician_agreed)
    user.tap("link", session.ui.choose_plan)
    plan = session.plans[0]
    user.tap("button", session.ui.start_suggested.format(plan=plan.title))
    answers = {"yes": content.ui.answer_yes, "no": content.ui.answer_no}
    for check in session.checks:
        user.tap("button", answers[check.go_on_answer])
    page.wait(f"{TRACK} !== null && {TRACK}.readyState >= 1", what="the session track")

    # The track plays from Play; from a hold, Stop plays the come-up from its first word.
    page.click("button", session.ui.play)
    page.wait(f"!{TRACK}.paused && {TRACK}.currentTime > 0.1", timeout=30, what="the track")
    chapters = json.loads(
        page.js("return document.querySelector('[data-player]').dataset.player;")
    )["chapters"]
    hold = next(c for c in chapters if c["id"].startswith("hold"))
    come_up = next(c for c in chapters if c["id"] == "come-up")
    page.js(f"{TRACK}.currentTime = arguments[0];", hold["start"] + 0.5)
    page.wait(
        f"Math.abs({TRACK}.currentTime - arguments[0]) < 1 && !{TRACK}.paused",
        hold["start"] + 0.5,
        timeout=60,
        what="the track in the hold",
    )
    page.click("button", session.ui.stop_now)
    page.wait(
        "document.querySelector('[data-step-title]').textContent === arguments[0]"
        f" && !{TRACK}.paused && {TRACK}.currentTime >= arguments[1] - 0.05",
        come_up["title"],
        come_up["start"],
        # A bound, not a timing: WebKit's media pipeline took over 20 s to seek and play
        # again at load 18 on two cores.
        timeout=60,
        what="the come-up playing",
    )
    assert come_up["start"] - 0.05 <= page.js(f"return {TRACK}.currentTime;") < come_up["start"] + 3
    assert user.errors() == []

    # Save for offline use, once the service worker controls the page.
    save_for_offline(page, base, content.pwa.offline_download, SAVE_TIMEOUT)
    assert user.errors() == []

    # The network is cut: every connection to the server is refused from now on.
    server.stop()
    page.goto(f"{base}/en/")
    page.wait(f"{ENHANCED} && {H1} === 'Inversion Guide'", what="the saved home page")
    question_url = f"{base}/en/screening/q/{first.id}"
    page.goto(question_url)
    page.wait(f"{ENHANCED} && {H1} === arguments[0]", first.you, what="the saved question")
    # Its clip, from the worker's cache: whole, and heard (a tap on Play if a prompt asks).
    clip = str(page.js("return document.querySelector('audio.ig-narration__audio').src;"))
    size = page.js(
        "return fetch(arguments[0]).then((r) => r.arrayBuffer()).then((b) => b.byteLength);", clip
    )
    assert size == (audio_dir / "en" / clip.rsplit("/", 1)[1]).stat().st_size
    Journey(page, content).hear()

    # One tap for the whole journey: Start. (Each page in the list asked for another.)
    assert user.prompts == ["Start"], f"{page.name}: pages that asked for Play: {user.prompts}"


SEALED_HTML = (
    b"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Sealed</title></head>"
    b"<body><main><h1>Sealed page</h1><p id='last'>The last line.</p></main></body></html>"
)


def serve_sealed(app: ASGIApp) -> ASGIApp:
    """``app``, and at /sealed a page sealed as personal pages are (server/http/sealed.py)."""

    async def served(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/sealed":
            await app(scope, receive, send)
            return
        body, coding = seal(SEALED_HTML, "gzip, deflate, br")
        assert coding == "gzip"
        headers = [
            (b"content-type", b"text/html; charset=utf-8"),
            (b"content-encoding", b"gzip"),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return served


@pytest.mark.parametrize("engine", list(ENGINES))
def test_a_page_sealed_in_its_gzip_header_arrives_whole(
    engine: str, pulse: str, live_server: LiveServer, tmp_path: Path
) -> None:
    """Personal pages carry their padding in the gzip header's extra field: each engine's
    decoder skips it and shows the page, whole (the journey's probe asks for pages
    uncompressed, so it does not see this)."""
    with (
        LiveServer(app=live_server.app, wrap=serve_sealed) as server,
        ENGINES[engine](pulse, tmp_path) as page,
    ):
        page.goto(f"{server.url}/sealed")
        page.wait(f"{H1} === 'Sealed page'", what="the sealed page's heading")
        assert page.js("return document.getElementById('last').textContent") == "The last line."
