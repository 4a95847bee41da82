"""Issue 21 items 1-3 and 6, issue 20 item 4, through the real routes in headless Chromium.

The OS media controls (lock screen, notification, headset) are driven over MPRIS: Chromium
started on a private D-Bus session bus registers ``org.mpris.MediaPlayer2.chromium.instance<pid>``,
and ``dbus-send`` to it goes through the same media-session code as those buttons
(../shared/DESIGN.md, "Platform facts, third pass"). Stop from the page's button, the keyboard
and the OS must end with the come-up spoken from its first word and the OS showing Playing with
the step's title. No test here calls a captured Media Session handler.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Playwright

from server.content import Content
from tests.browser_helpers import tab_to, wait_for_enhanced
from tests.conftest import CHROMIUM, LiveServer
from tests.test_browser_session import AUDIO, PLAN, chapter, get_ready, wait_until

pytestmark = pytest.mark.browser

MPRIS_PATH = "/org/mpris/MediaPlayer2"
PLAYER = "org.mpris.MediaPlayer2.Player"
# The page's own record of what its audio element did (not the app's code): event, position,
# time. Read by the tests to see where the track started sounding after a Stop.
RECORDER = """
window.__igAudio = [];
document.addEventListener('DOMContentLoaded', () => {
  const audio = document.querySelector('[data-session-audio]');
  if (!audio) return;
  for (const name of ['play', 'playing', 'pause', 'seeking']) {
    audio.addEventListener(name, () =>
      window.__igAudio.push([name, audio.currentTime, performance.now()]));
  }
});
"""
SOUNDING = f"!{AUDIO}.paused && !{AUDIO}.seeking && {AUDIO}.readyState >= 3"


class Bus:
    """A private D-Bus session bus, and the MPRIS service a browser registers on it."""

    def __init__(self) -> None:
        out = subprocess.run(
            ["dbus-daemon", "--session", "--print-address=1", "--print-pid=1", "--fork"],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout.split()
        self.address, self.pid = out[0], int(out[1])
        self.env: dict[str, str | float | bool] = {
            **os.environ,
            "DBUS_SESSION_BUS_ADDRESS": self.address,
        }

    def send(self, *args: str) -> str:
        result = subprocess.run(
            ["dbus-send", "--session", "--print-reply", *args],
            capture_output=True,
            text=True,
            env={k: str(v) for k, v in self.env.items()},
            timeout=30,
            check=False,
        )
        return result.stdout + result.stderr

    def players(self) -> list[str]:
        names = self.send(
            "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus.ListNames"
        )
        return re.findall(r'"(org\.mpris\.MediaPlayer2\.chromium\.[^"]+)"', names)

    def close(self) -> None:
        os.kill(self.pid, signal.SIGTERM)


class Mpris:
    """The OS side of one browser's media session: what a lock screen sends and shows."""

    def __init__(self, bus: Bus, name: str) -> None:
        self.bus = bus
        self.name = name

    def press(self, method: str) -> None:
        reply = self.bus.send(f"--dest={self.name}", MPRIS_PATH, f"{PLAYER}.{method}")
        assert "method return" in reply, reply

    def state(self) -> tuple[str | None, str | None]:
        """(PlaybackStatus, xesam:title) as the OS reads them."""
        out = self.bus.send(
            f"--dest={self.name}",
            MPRIS_PATH,
            "org.freedesktop.DBus.Properties.GetAll",
            f"string:{PLAYER}",
        )
        status = re.search(r'"PlaybackStatus"\s*variant\s*string "([^"]*)"', out)
        title = re.search(r'"xesam:title"\s*variant\s*string "([^"]*)"', out)
        return (status.group(1) if status else None, title.group(1) if title else None)

    def wait_for(self, status: str, title: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while (seen := self.state()) != (status, title):
            if time.monotonic() > deadline:
                raise AssertionError(f"the OS shows {seen}, not {(status, title)}")
            time.sleep(0.1)


@pytest.fixture(scope="module")
def bus() -> Iterator[Bus]:
    if shutil.which("dbus-daemon") is None or shutil.which("dbus-send") is None:
        pytest.fail("dbus-daemon and dbus-send are needed (scripts/test installs dbus)")
    made = Bus()
    yield made
    made.close()


@pytest.fixture(scope="module")
def os_browser(
    playwright: Playwright, bus: Bus, browser_type_launch_args: dict[str, Any]
) -> Iterator[Browser]:
    """Debian's Chromium (the project's flags) on the private bus, so it registers MPRIS."""
    browser = playwright.chromium.launch(
        **{**browser_type_launch_args, "executable_path": CHROMIUM}, env=bus.env
    )
    yield browser
    browser.close()


@pytest.fixture
def page(
    os_browser: Browser, live_server: LiveServer, content: Content, live_audio_dir: Path
) -> Iterator[Page]:
    context = os_browser.new_context(viewport={"width": 390, "height": 844})
    context.add_init_script(RECORDER)
    get_ready(context, live_server.url, content)
    made = context.new_page()
    made.set_default_timeout(30_000)
    yield made
    context.close()


@pytest.fixture(scope="module")
def chapters(live_audio_dir: Path) -> list[dict[str, Any]]:
    tracks = live_audio_dir / "en" / "tracks"
    entry = json.loads((tracks / "index.json").read_text())["tracks"][PLAN]["normal"]
    found: list[dict[str, Any]] = json.loads((tracks / entry["chapters"]).read_text())["chapters"]
    return found


def os_controls(bus: Bus) -> Mpris:
    """The MPRIS service of the one browser on the bus (it appears once media has played)."""
    deadline = time.monotonic() + 30
    while not (names := bus.players()):
        if time.monotonic() > deadline:
            raise AssertionError("Chromium registered no MPRIS service on the private bus")
        time.sleep(0.1)
    assert len(names) == 1, names
    return Mpris(bus, names[0])


def open_and_play(page: Page, live_server: LiveServer) -> None:
    page.goto(f"{live_server.url}/en/session/plan/{PLAN}/play")
    wait_for_enhanced(page)  # a press before then meets the page without JavaScript
    wait_until(page, f"{AUDIO}.readyState >= 1", timeout=30)
    page.locator("[data-action=toggle]").click()
    wait_until(page, f"{SOUNDING} && {AUDIO}.currentTime > 0.1", timeout=30)


def go_to(page: Page, seconds: float) -> None:
    """Move the track as the native controls' scrubber would, and wait until it sounds there."""
    page.evaluate(f"t => {{ {AUDIO}.currentTime = t; }}", seconds)
    wait_until(
        page, f"{SOUNDING} && Math.abs({AUDIO}.currentTime - arg) < 1.5", seconds, timeout=30
    )


def position(page: Page) -> float:
    return float(page.evaluate(f"{AUDIO}.currentTime"))


def assert_the_come_up_sounds(
    page: Page, mpris: Mpris, come_up: dict[str, Any], since: int
) -> None:
    """The track plays the come-up, from its first word, and goes on; the OS shows it."""
    start = come_up["start"]
    wait_until(
        page,
        f"{SOUNDING} && {AUDIO}.currentTime >= arg.start - 0.05"
        f" && {AUDIO}.currentTime < arg.start + 4",
        {"start": start},
        timeout=30,
    )
    # It started sounding at the come-up's first word (a 'playing' at its start), after the press.
    events = page.evaluate("window.__igAudio")[since:]
    starts = [t for name, t, _ in events if name == "playing"]
    assert any(start - 0.05 <= t < start + 0.75 for t in starts), events
    # ... and it is not stuck there: the position moves on.
    first = position(page)
    wait_until(page, f"{AUDIO}.currentTime > arg + 0.3", first, timeout=30)
    assert page.evaluate(f"{AUDIO}.paused") is False
    assert page.locator("[data-step-title]").inner_text() == come_up["title"]
    mpris.wait_for("Playing", come_up["title"])


def press_stop(page: Page, mpris: Mpris, route: str) -> None:
    if route == "button":
        page.get_by_role("button", name="Stop and come up now").click()
    elif route == "keyboard":
        page.locator("[data-step-title]").click()  # focus back on the page, as a reader would
        tab_to(page, "Stop and come up now", limit=60)
        page.keyboard.press("Enter")
    else:
        mpris.press("Stop")


def recorded(page: Page) -> int:
    return int(page.evaluate("window.__igAudio.length"))


ROUTES = ["button", "keyboard", "os"]


@pytest.mark.parametrize("where", ["setup", "hold-1"])
@pytest.mark.parametrize("route", ROUTES)
def test_stop_from_every_route_plays_the_come_up_and_the_os_shows_it(
    page: Page,
    live_server: LiveServer,
    bus: Bus,
    chapters: list[dict[str, Any]],
    route: str,
    where: str,
) -> None:
    """Stop by the page's button, by keyboard alone, and by the OS media controls (MPRIS
    Stop, what a lock screen, notification or headset sends), during set-up and mid-hold."""
    come_up = chapter(chapters, "come-up")
    step = chapter(chapters, where)
    open_and_play(page, live_server)
    mpris = os_controls(bus)
    go_to(page, step["start"] + min(8, (step["end"] - step["start"]) / 2))
    mpris.wait_for("Playing", step["title"])
    since = recorded(page)
    press_stop(page, mpris, route)
    assert_the_come_up_sounds(page, mpris, come_up, since)


def freeze_and_resume(page: Page, frozen_seconds: float) -> None:
    """Freeze the page and resume it, as the browser does with the screen off.

    CDP ``Page.setWebLifecycleState`` is sent first. Headless Chromium 156 here accepts it and
    freezes nothing (measured: no 'freeze' event, timers keep running), so when no 'freeze'
    event was seen the page is taken through what a real freeze does to it: the 'freeze'
    event, the browser pausing the element (not through the app's controls), time passing,
    then the 'resume' event. The app's own listeners handle both alike.
    """
    page.evaluate(
        "() => { window.__igFrozen = 0;"
        " document.addEventListener('freeze', () => { window.__igFrozen += 1; }); }"
    )
    cdp = page.context.new_cdp_session(page)
    cdp.send("Page.setWebLifecycleState", {"state": "frozen"})
    time.sleep(frozen_seconds)
    cdp.send("Page.setWebLifecycleState", {"state": "active"})
    cdp.detach()
    if page.evaluate("window.__igFrozen") == 0:
        page.evaluate(f"() => {{ document.dispatchEvent(new Event('freeze')); {AUDIO}.pause(); }}")
        time.sleep(frozen_seconds)
        page.evaluate("() => document.dispatchEvent(new Event('resume'))")


@pytest.mark.parametrize("route", ROUTES)
def test_after_a_freeze_the_track_plays_on_and_stop_still_plays_the_come_up(
    page: Page,
    live_server: LiveServer,
    bus: Bus,
    chapters: list[dict[str, Any]],
    route: str,
) -> None:
    come_up = chapter(chapters, "come-up")
    hold = chapter(chapters, "hold-1")
    open_and_play(page, live_server)
    mpris = os_controls(bus)
    go_to(page, hold["start"] + 20)
    before = position(page)
    freeze_and_resume(page, 2.0)
    # Resumed: the track sounds again, on in the hold by at least the time it was frozen
    # (the hold's clock ran meanwhile), never silent.
    wait_until(page, SOUNDING, timeout=30)
    assert position(page) >= before + 1.5
    assert chapter(chapters, "hold-1")["start"] <= position(page) < hold["end"]
    mpris.wait_for("Playing", hold["title"])
    since = recorded(page)
    press_stop(page, mpris, route)
    assert_the_come_up_sounds(page, mpris, come_up, since)


def test_a_browser_pause_is_said_in_the_status_region(
    page: Page, live_server: LiveServer, content: Content
) -> None:
    """Paused by something other than the page's controls (a call taking the sound, the
    browser): the status region and the notice say so, never silence without a word."""
    open_and_play(page, live_server)
    page.evaluate(f"() => {AUDIO}.pause()")
    notice = content.session.ui.paused_notice
    wait_until(page, "document.querySelector('[data-session-status]').textContent === arg", notice)
    assert page.locator("[data-session-notice]").inner_text() == notice


def seconds_in_holds(page: Page) -> float:
    """Head-down time as the device keeps it for the history (played + paused in holds)."""
    return float(
        page.evaluate(f"Number(sessionStorage.getItem('ig.session.held.{PLAN}') || 0)") or 0
    )


def toggle(page: Page) -> None:
    page.locator("[data-action=toggle]").click()


def test_pausing_half_way_through_a_hold_never_adds_time_head_down(
    page: Page,
    live_server: LiveServer,
    bus: Bus,
    chapters: list[dict[str, Any]],
    content: Content,
) -> None:
    """Pause half-way through the hold, wait (a real wait of a few seconds), press Play: the
    track goes on later in the hold by the time paused, not from where it was; paused past the
    hold's end, Play goes to the come-up. Repeat step and Previous never go back into it, and
    the lock screen's Pause and Play keep the same rule."""
    ui = content.session.ui
    hold = chapter(chapters, "hold-1")
    come_up = chapter(chapters, "come-up")
    length = hold["end"] - hold["start"]
    open_and_play(page, live_server)
    mpris = os_controls(bus)
    go_to(page, hold["start"] + length / 2)

    # The page's Pause, a real wait, the page's Play.
    toggle(page)
    wait_until(page, f"{AUDIO}.paused")
    paused_at, wall = position(page), time.monotonic()
    time.sleep(3)
    toggle(page)
    waited = time.monotonic() - wall
    wait_until(page, SOUNDING, timeout=30)
    resumed = position(page)
    assert paused_at + 2.5 <= resumed <= paused_at + waited + 1.5, (paused_at, resumed, waited)
    assert page.locator("[data-session-notice]").inner_text() == ui.hold_went_on

    # Repeat step inside the hold: it stays where the hold has got to.
    at = position(page)
    page.get_by_role("button", name="Repeat step").click()
    wait_until(
        page,
        "document.querySelector('[data-session-status]').textContent === arg",
        ui.hold_no_repeat,
    )
    assert position(page) >= at - 0.3

    # The lock screen's Pause and Play (MPRIS): the same rule.
    mpris.press("Pause")
    wait_until(page, f"{AUDIO}.paused", timeout=30)
    paused_at, wall = position(page), time.monotonic()
    time.sleep(2)
    mpris.press("Play")
    waited = time.monotonic() - wall
    wait_until(page, SOUNDING, timeout=30)
    assert paused_at + 1.5 <= position(page) <= paused_at + waited + 1.5

    # Paused near the end, for longer than is left: Play goes to the come-up, from its start.
    go_to(page, hold["end"] - 1.5)
    toggle(page)
    wait_until(page, f"{AUDIO}.paused")
    time.sleep(2.5)
    since = recorded(page)
    toggle(page)
    assert_the_come_up_sounds(page, mpris, come_up, since)
    assert page.locator("[data-session-notice]").inner_text() == ui.hold_over.format(
        step=come_up["title"]
    )
    # Previous (the page's and the headset's) from the start of the come-up: not back in.
    page.get_by_role("button", name="Repeat step").click()
    mpris.press("Previous")
    wait_until(page, SOUNDING, timeout=30)
    assert position(page) >= come_up["start"] - 0.05
    # Played head-down, the holds never add up to more than the plan's.
    assert seconds_in_holds(page) <= length + 1.0


def test_a_reload_in_a_hold_goes_on_where_the_hold_has_got_to(
    page: Page, live_server: LiveServer, chapters: list[dict[str, Any]], content: Content
) -> None:
    hold = chapter(chapters, "hold-1")
    open_and_play(page, live_server)
    go_to(page, hold["start"] + 20)
    toggle(page)  # pause: the position and the hold's clock are saved on the device
    wait_until(page, f"{AUDIO}.paused")
    paused_at, wall = position(page), time.monotonic()
    time.sleep(2)  # head down, paused: the hold's clock runs
    page.reload()
    # The player puts the track back once it knows its length: wait for that, not for load.
    wait_until(page, f"{AUDIO}.readyState >= 1 && {AUDIO}.currentTime > 0", timeout=30)
    at = position(page)
    assert paused_at + 1.5 <= at <= paused_at + (time.monotonic() - wall) + 0.5, (paused_at, at)
    assert at < hold["end"]
    notice = page.locator("[data-session-notice]").inner_text()
    assert notice.startswith(content.session.ui.hold_went_on), notice


def test_the_voice_guides_repeat_never_plays_over_the_track(
    os_browser: Browser, live_server: LiveServer, content: Content, live_audio_dir: Path
) -> None:
    """One voice at a time: with the track sounding, the voice guide's Repeat stays quiet."""
    context = os_browser.new_context(viewport={"width": 390, "height": 844})
    context.add_init_script("localStorage.setItem('ig.voice', 'on');")
    get_ready(context, live_server.url, content)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/en/session/plan/{PLAN}/play")
        wait_for_enhanced(page)
        wait_until(page, f"{AUDIO}.readyState >= 1", timeout=30)
        toggle(page)
        wait_until(page, f"{SOUNDING} && {AUDIO}.currentTime > 0.5", timeout=30)
        narration = "document.querySelector('.ig-narration audio')"
        page.evaluate(
            f"() => {{ window.__igGuide = 0; {narration}.addEventListener('playing',"
            " () => { window.__igGuide += 1; }); }"
        )
        page.locator("[data-voice-controls] [data-action=repeat]").click()
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline:  # a window in which a second voice would start
            assert page.evaluate(f"{narration}.paused && window.__igGuide === 0") is True
            time.sleep(0.1)
        assert page.evaluate(f"!{AUDIO}.paused") is True
    finally:
        context.close()
