"""Shared fixtures: the app, an HTTP client, and a live server for browser tests."""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.testclient import TestClient
from starlette.types import ASGIApp

from server.app import create_app
from server.config import ROOT, Settings
from server.content import Content, load_all
from tests.narration_helpers import build_live_library, build_session_audio

# Properties hold or fail whatever the machine's load: no wall-clock deadline and no "too
# slow" health check (both failed tests at load 18, as flaky, with nothing wrong); how fast
# things are is measured in bench/, never asserted here.
hypothesis.settings.register_profile(
    "suite", deadline=None, suppress_health_check=[hypothesis.HealthCheck.too_slow]
)
hypothesis.settings.load_profile("suite")

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def content() -> Content:
    return load_all(ROOT / "content")["en"]


@pytest.fixture(scope="session")
def content_es() -> Content:
    return load_all(ROOT / "content")["es"]


# The one Spanish session track the browser tests play (the live server builds no other).


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Settings with an empty narration library, so tests never depend on a local build."""
    return Settings(audio_dir=tmp_path / "audio", secret_key="test-secret")


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


class LiveServer:
    """``create_app(settings)`` served on a free port of this machine, in a thread.

    ``app`` serves an app made already (another port onto the same app and narration);
    ``wrap`` puts an ASGI layer around what is served (``self.app`` stays the app itself).
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        app: Starlette | None = None,
        wrap: Callable[[ASGIApp], ASGIApp] | None = None,
    ) -> None:
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        sock.close()
        self.app = app if app is not None else create_app(settings)
        served: ASGIApp = wrap(self.app) if wrap else self.app
        # On exit, a response still streaming (a clip a browser is reading) is cut after 2 s.
        config = uvicorn.Config(
            served,
            host="127.0.0.1",
            port=self.port,
            log_level="warning",
            timeout_graceful_shutdown=2,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("live server did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """Stop serving: from now on every connection to the port is refused."""
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __exit__(self, *exc: object) -> None:
        self.stop()


@pytest.fixture(scope="session")
def live_audio_dir(tmp_path_factory: pytest.TempPathFactory, content: Content) -> Path:
    """The whole English narration (clips at both speeds and every session track), and the
    Spanish clips the Spanish browser tests use, built once with espeak-ng before the live
    server starts, so its catalogue is complete from the start.

    IG_TEST_AUDIO_DIR names a folder to build into and keep between runs instead (the build
    is incremental, so a rerun of a few browser tests starts in seconds)."""
    kept = os.environ.get("IG_TEST_AUDIO_DIR")
    if kept:
        root = Path(kept)
    elif os.environ.get("PYTEST_XDIST_WORKER"):
        # The browser tests on both cores (scripts/test): one library for the run's workers,
        # in the folder their own temporary folders share, built by whichever comes first.
        root = tmp_path_factory.getbasetemp().parent / "live-audio"
    else:
        root = tmp_path_factory.mktemp("live-audio")
    root.mkdir(parents=True, exist_ok=True)
    with open(root.parent / f"{root.name}.lock", "w") as lock:
        # A second worker waits here, then finds every clip and track built (in seconds).
        fcntl.flock(lock, fcntl.LOCK_EX)
        build_live_library(root)
    return root


@pytest.fixture(scope="session")
def quiet_audio_dir(tmp_path_factory: pytest.TempPathFactory, content: Content) -> Path:
    """The whole English library (clips at both speeds, every track) made of exact silence:
    valid, checked MP3 of the right lengths, built in seconds, for HTTP tests."""
    root = tmp_path_factory.mktemp("quiet-audio")
    build_session_audio(root, content, voice="quiet")
    return root


@pytest.fixture(scope="session")
def live_server(live_audio_dir: Path) -> Iterator[LiveServer]:
    settings = Settings(audio_dir=live_audio_dir, secret_key="live-secret")
    with LiveServer(settings) as server:
        yield server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium, never a downloaded one; autoplay allowed for audio tests."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--autoplay-policy=no-user-gesture-required",
        ],
    }


def _require(program: str) -> None:
    """A test that needs ``program`` fails without it, never skips: ``scripts/test``
    installs it, so a missing one is a broken set-up, not a reason to test less."""
    if shutil.which(program) is None:
        pytest.fail(f"{program} is needed (scripts/test installs it)")


@pytest.fixture
def espeak() -> None:
    _require("espeak-ng")


@pytest.fixture
def ffmpeg() -> None:
    _require("ffmpeg")


needs_espeak = pytest.mark.usefixtures("espeak")
needs_ffmpeg = pytest.mark.usefixtures("ffmpeg")
