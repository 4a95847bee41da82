"""Sealed clips as a user hears them, in Chromium (issue 23): a clip padded with silence so
its size tells nothing stops where its words end; the summary read aloud fetches the same
clips whatever the answers, all before its first word, and then fetches nothing more."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlparse

import pytest
from playwright.sync_api import BrowserContext, Request

from server.content import Content
from tests.conftest import LiveServer
from tests.test_browser_pwa import clip_url, ready
from tests.test_browser_voice import make_context, new_page  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

# Every media element's play and pause, with where it was and how long it is, including the
# summary reader's, which is not in the document; and four times the speed, so a minute of
# speech takes fifteen seconds.
MEDIA_LOG = """
(() => {
  const log = [];
  Object.defineProperty(window, '__media', { value: log });
  const watched = new WeakSet();
  const { play, pause } = HTMLMediaElement.prototype;
  HTMLMediaElement.prototype.play = function () {
    if (!watched.has(this)) {
      watched.add(this);
      this.addEventListener('playing', () => log.push(['playing', this.currentSrc, 0, 0]));
    }
    this.defaultPlaybackRate = 4;
    this.playbackRate = 4;
    return play.call(this);
  };
  // Where a pause() call found the clip: read at once, as the page may move on to the next.
  HTMLMediaElement.prototype.pause = function () {
    if (!this.paused) log.push(['pause', this.currentSrc, this.currentTime, this.duration]);
    return pause.call(this);
  };
})();
"""


def answer_everything(context: BrowserContext, base: str, content: Content, answer: str) -> None:
    """The screening answered from the page's context, as the forms post."""
    context.request.post(f"{base}/en/screening/start", form={"perspective": "you"})
    for q in content.questions:
        context.request.post(f"{base}/en/screening/q/{q.id}", form={"answer": answer})


def test_the_result_voice_stops_where_the_outcomes_words_end(
    make_context: Callable[..., BrowserContext],  # noqa: F811
    live_server: LiveServer,
    content: Content,
) -> None:
    """All No: the shortest outcome, so the most padding after it. The voice plays the
    outcome and stops at the end of its words, not after the silence."""
    context = make_context(voice="on")
    context.add_init_script(MEDIA_LOG)
    answer_everything(context, live_server.url, content, "no")
    page = new_page(context)
    page.goto(f"{live_server.url}/en/screening/result")
    ready(page)
    end = float(page.locator(".ig-narration").get_attribute("data-end") or 0)
    assert end > 1
    page.wait_for_function(
        "() => window.__media.some(([kind]) => kind === 'pause')", timeout=30_000
    )
    _, src, at, duration = page.evaluate("window.__media.find(([k]) => k === 'pause')")
    assert urlparse(src).path == clip_url(live_server, "outcome.no-known-reason")
    # Stopped at its words' end, long before the padding's (a loaded machine's timeupdate
    # may come a second or two of media time late, at four times the speed).
    assert duration > end + 10, "the padding after the words"
    assert end <= at < duration - 5, (at, end, duration)
    assert page.evaluate("document.querySelector('.ig-narration audio').paused")


def test_the_summary_read_aloud_fetches_its_clips_first_and_skips_the_padding(
    make_context: Callable[..., BrowserContext],  # noqa: F811
    live_server: LiveServer,
    content: Content,
) -> None:
    context = make_context()
    context.add_init_script(MEDIA_LOG)
    answer_everything(context, live_server.url, content, "not-sure")
    page = new_page(context)
    audio_requests: list[str] = []

    def note(request: Request) -> None:
        if "/audio/" in request.url:
            audio_requests.append(urlparse(request.url).path)

    page.on("request", note)
    page.goto(f"{live_server.url}/en/screening/summary")
    ready(page)
    reading = page.evaluate(
        "JSON.parse(document.querySelector('[data-module=summary-reader]').dataset.clips)"
    )
    assert audio_requests == []
    page.get_by_role("button", name="Read the summary aloud").click()
    # The outcome is the third clip; the fourth starts once its words are said. Counted by
    # clip, not by event: a clip that stalls on a loaded machine fires "playing" again.
    page.wait_for_function(
        "() => new Set(window.__media.filter(([kind]) => kind === 'playing')"
        ".map(([, src]) => src)).size >= 4",
        timeout=60_000,
    )
    assert sorted(audio_requests) == sorted(reading["fetch"])
    media = page.evaluate("window.__media")
    assert all(src.startswith("blob:") for _, src, _, _ in media)
    outcome_end = reading["play"][2]["end"]
    pauses = [(at, duration) for kind, _, at, duration in media if kind == "pause"]
    assert any(outcome_end <= at < duration - 5 for at, duration in pauses), (outcome_end, pauses)
    page.get_by_role("button", name="Stop reading").click()
    assert sorted(audio_requests) == sorted(reading["fetch"]), "nothing fetched while reading"
