"""WebKitGTK and Firefox ESR for the cross-engine tests, with their default autoplay rules.

Debian's packages only (scripts/test installs them): WebKitWebDriver driving MiniBrowser
through Selenium, on an Xvfb display; Firefox ESR headless over Marionette (Debian has no
geckodriver) with the ``marionette_driver`` client. Both play sound into a PulseAudio null
sink: without a sound device Firefox fails every clip with MediaError 3, and a clip that
cannot play would hide behind the browser's own speech.

Each process is started here and ended by its own handle. ``EnginePage`` is what a journey
uses: go to a URL, run a script, find a control by role and name and click it (a real,
trusted click: the gesture that lets audio play), and wait on a condition in the page.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"
WEBKIT_DRIVER = "/usr/bin/WebKitWebDriver"
FIREFOX = "/usr/bin/firefox-esr"
# A phone's viewport, as the Chromium tests use; neither window gets that narrow (measured:
# MiniBrowser stops at 447 px, its toolbar's width; Firefox at 500 px, even full screen on a
# 390 px headless screen), so the pages are seen at the narrowest each allows.
WIDTH, HEIGHT = 390, 844
# How long a process may take to start on a loaded 2-core machine.
START_TIMEOUT = 60.0

# The control named `name` with role `role` ("button" or "link"), visible on the page: the
# name as a screen reader gets it (aria-label, else the text without aria-hidden parts).
FIND_CONTROL = """
const [role, name] = arguments;
const selectors = {
  button: 'button, input[type=submit], input[type=button], [role=button]',
  link: 'a[href], [role=link]',
};
const text = (node) => {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent;
  if (node.nodeType !== Node.ELEMENT_NODE || node.getAttribute('aria-hidden') === 'true') return '';
  return [...node.childNodes].map(text).join('');
};
const nameOf = (el) => {
  const name = el.getAttribute('aria-label') || (el.tagName === 'INPUT' ? el.value : text(el));
  return name.replace(/\\s+/g, ' ').trim();
};
return [...document.querySelectorAll(selectors[role])].find(
  (el) => nameOf(el) === name && el.getClientRects().length > 0 && !el.closest('[hidden], [inert]')
) || null;
"""


class EnginePage:
    """One browser window: what the WebDriver clients have in common, and waits on the page."""

    name = ""
    # What a driver raises when the document went away under a script (a navigation): the
    # next poll, on the new page, decides. And an element no longer in the page (replaced
    # by an in-place swap before the click reached it): found again, then clicked.
    transient: tuple[type[Exception], ...] = ()
    stale: tuple[type[Exception], ...] = ()

    def goto(self, url: str) -> None:
        raise NotImplementedError

    def js(self, script: str, *args: Any) -> Any:
        """Run ``script`` as a function body (``arguments`` holds ``args``); a returned promise
        is awaited (WebDriver's Execute Script)."""
        raise NotImplementedError

    def click(self, role: str, name: str, timeout: float = 20.0) -> None:
        """Click the control a user knows by ``role`` and ``name``, once it is on the page."""

        def found_and_clicked() -> bool:
            control = self.js(FIND_CONTROL, role, name)
            if control is None:
                return False
            try:
                control.click()
            except self.stale:
                return False  # never clicked: find it again (never a second click)
            return True

        self._poll(found_and_clicked, timeout, f"{role} {name!r}")

    def wait(self, condition: str, *args: Any, timeout: float = 20.0, what: str = "") -> Any:
        """Poll the JavaScript expression ``condition`` (``arguments`` holds ``args``) until it is
        truthy, and return that value; fail after ``timeout`` seconds, saying what it waited
        for and where."""
        return self._poll(
            lambda: self.js(f"return {condition};", *args), timeout, what or condition
        )

    def _poll(self, attempt: Callable[[], Any], timeout: float, what: str) -> Any:
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        while True:
            try:
                value = attempt()
                if value:
                    return value
            except self.transient as error:
                last_error = error
            if time.monotonic() > deadline:
                where = self.js(
                    "return location.href + ' h1=' + document.querySelector('h1')?.textContent;"
                )
                raise AssertionError(
                    f"{self.name}: timed out waiting for {what} at {where}"
                    + (f" (last: {last_error!r})" if last_error else "")
                )
            time.sleep(0.05)


class WebKitPage(EnginePage):
    name = "WebKitGTK"

    def __init__(self, driver: Any) -> None:
        from selenium.common.exceptions import JavascriptException, StaleElementReferenceException

        self.driver = driver
        self.transient = (JavascriptException,)
        self.stale = (StaleElementReferenceException,)

    def goto(self, url: str) -> None:
        self.driver.get(url)

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)


class FirefoxPage(EnginePage):
    name = "Firefox"

    def __init__(self, client: Any) -> None:
        from marionette_driver import errors  # type: ignore[import-untyped]

        self.client = client
        self.transient = (errors.JavascriptException,)
        self.stale = (errors.StaleElementException,)

    def goto(self, url: str) -> None:
        self.client.navigate(url)

    def js(self, script: str, *args: Any) -> Any:
        # sandbox=None: in the page's own window, as a page script sees it.
        return self.client.execute_script(script, script_args=list(args), sandbox=None)


def save_for_offline(page: EnginePage, base: str, button: str, timeout: float) -> None:
    """ "Use offline": the save button pressed once the service worker controls the page,
    then the page saying Ready (``timeout`` seconds at most)."""
    enhanced = "document.body && document.body.classList.contains('js-enabled')"
    page.goto(f"{base}/en/offline")
    page.wait(enhanced, what="the offline page's script")
    page.js("return navigator.serviceWorker.ready.then(() => null);")
    if not page.js("return navigator.serviceWorker.controller !== null;"):
        page.goto(f"{base}/en/offline")  # a first visit is controlled from its next load
        page.wait(enhanced, what="the offline page's script")
    page.wait("navigator.serviceWorker.controller !== null", what="the service worker")
    page.click("button", button)
    page.wait(
        "(document.querySelector('.ig-offline__result')?.textContent || '').startsWith('Ready')",
        timeout=timeout,
        what="the save to finish",
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def xvfb_display() -> Iterator[str]:
    """A virtual X display (Xvfb picks a free number and tells it through a pipe)."""
    read, write = os.pipe()
    process = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1024x900x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    try:
        with os.fdopen(read) as pipe:
            number = pipe.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not start")
        yield f":{number}"
    finally:
        _stop(process)


@contextmanager
def pulseaudio_null_sink(folder: Path) -> Iterator[str]:
    """A PulseAudio server of our own with one null sink (sound goes nowhere, but plays in
    real time); yields the PULSE_SERVER address for the browsers."""
    folder.mkdir(parents=True, exist_ok=True)
    socket = folder / "native"
    # Its own HOME and runtime folder: nothing of the machine's (or another test's) is used.
    env = {**os.environ, "HOME": str(folder), "XDG_RUNTIME_DIR": str(folder)}
    env.pop("PULSE_SERVER", None)
    process = subprocess.Popen(
        [
            "pulseaudio",
            "--daemonize=no",
            "-n",  # no default script: only the modules below
            "--exit-idle-time=-1",
            "--use-pid-file=no",
            "--log-target=stderr",
            "-L",
            "module-null-sink sink_name=ig-null",
            "-L",
            f"module-native-protocol-unix socket={socket} auth-anonymous=1",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not socket.exists():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("PulseAudio did not start")
            time.sleep(0.05)
        yield f"unix:{socket}"
    finally:
        _stop(process)


@contextmanager
def webkit_page(display: str, pulse: str) -> Iterator[WebKitPage]:
    """MiniBrowser under WebKitWebDriver (Selenium), on ``display``, sound into ``pulse``."""
    from selenium import webdriver
    from selenium.webdriver.remote.client_config import ClientConfig
    from selenium.webdriver.remote.remote_connection import RemoteConnection
    from selenium.webdriver.webkitgtk.options import Options
    from selenium.webdriver.webkitgtk.service import Service

    options = Options()
    options.binary_location = MINIBROWSER
    options.add_argument("--automation")
    # The driver passes its environment on to MiniBrowser.
    env = {**os.environ, "DISPLAY": display, "PULSE_SERVER": pulse}
    service = Service(executable_path=WEBKIT_DRIVER, env=env)
    service.start()
    try:
        # A Remote driver on the service we started: selenium's own WebKitGTK class passes
        # the address the way it has deprecated (a DeprecationWarning, an error here).
        connection = RemoteConnection(
            client_config=ClientConfig(remote_server_addr=service.service_url)
        )
        driver = webdriver.Remote(command_executor=connection, options=options)
        try:
            driver.set_window_size(WIDTH, HEIGHT)
            driver.set_page_load_timeout(START_TIMEOUT)
            yield WebKitPage(driver)
        finally:
            driver.quit()
    finally:
        service.stop()


@contextmanager
def firefox_page(profile: Path, pulse: str) -> Iterator[FirefoxPage]:
    """Firefox ESR, headless, driven over Marionette; a fresh profile; sound into ``pulse``."""
    with warnings.catch_warnings():
        # Its dependencies use deprecated APIs as they import (mozinfo: distro's
        # linux_distribution; mozdevice: telnetlib); nothing of ours is hidden by this.
        warnings.simplefilter("ignore", DeprecationWarning)
        from marionette_driver.marionette import Marionette  # type: ignore[import-untyped]

    profile.mkdir(parents=True, exist_ok=True)
    # Port 0: Firefox picks a free one and writes it to MarionetteActivePort.
    (profile / "user.js").write_text('user_pref("marionette.port", 0);\n')
    port_file = profile / "MarionetteActivePort"
    env = {**os.environ, "PULSE_SERVER": pulse, "MOZ_HEADLESS": "1"}
    process = subprocess.Popen(
        [FIREFOX, "--marionette", "--headless", "--no-remote", "--profile", str(profile)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not port_file.exists() or not port_file.read_text().strip():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("Firefox did not open its Marionette port")
            time.sleep(0.05)
        client = Marionette(host="127.0.0.1", port=int(port_file.read_text()))
        client.start_session()
        try:
            client.set_window_rect(width=WIDTH, height=HEIGHT)
            client.timeout.page_load = START_TIMEOUT
            yield FirefoxPage(client)
        finally:
            client.delete_session()
    finally:
        _stop(process)
        shutil.rmtree(profile, ignore_errors=True)
