"""The embedded server under silent and slow clients (issue 23), on loopback through a real
uvicorn with the project's protocol: connections that send nothing, or dribble their headers,
are closed at the deadline, and normal requests are answered meanwhile and after."""

from __future__ import annotations

import resource
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from server.app import create_app
from server.config import Settings
from server.http.connections import HeaderDeadline, raise_open_files_limit

DEADLINE = 1.0


class QuickDeadline(HeaderDeadline):
    header_seconds = DEADLINE


def run_server(tmp_path: Path, protocol: type[HeaderDeadline]) -> Iterator[str]:
    """A real uvicorn in a thread with ``protocol``; yields its base URL."""
    app = create_app(Settings(audio_dir=tmp_path / "audio", secret_key="conn"))
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", http=protocol)
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not running.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    running.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    yield from run_server(tmp_path, QuickDeadline)


def closed_by_server(sock: socket.socket, within: float) -> bool:
    """Whether the server closes ``sock`` within ``within`` seconds (reads end of file)."""
    sock.settimeout(within)
    try:
        return sock.recv(1) == b""
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:
        return int(response.status)


def test_silent_connections_are_closed_and_normal_requests_answered(server: str) -> None:
    port = int(server.rsplit(":", 1)[1])
    silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(200)]
    try:
        assert get(f"{server}/en/") == 200  # answered while 200 connections say nothing
        time.sleep(DEADLINE)
        assert all(closed_by_server(s, within=DEADLINE * 5) for s in silent)
    finally:
        for s in silent:
            s.close()
    assert get(f"{server}/en/") == 200


def test_a_request_head_sent_a_byte_at_a_time_is_cut_off(server: str) -> None:
    port = int(server.rsplit(":", 1)[1])
    slow = socket.create_connection(("127.0.0.1", port))
    head = b"GET /en/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200
    started = time.monotonic()
    try:
        for byte in head:
            try:
                slow.send(bytes([byte]))
            except (BrokenPipeError, ConnectionResetError):
                break
            time.sleep(0.05)
            if time.monotonic() - started > DEADLINE * 8:
                break
        assert closed_by_server(slow, within=DEADLINE * 5)
        assert time.monotonic() - started < DEADLINE * 8
    finally:
        slow.close()


def test_a_kept_alive_connection_still_serves_several_requests(server: str) -> None:
    port = int(server.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port)) as conn:
        for _ in range(3):
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(4096)
            assert data.startswith(b"HTTP/1.1 200"), data[:40]
            head, _, body = data.partition(b"\r\n\r\n")
            length = int(
                next(
                    line.split(b":", 1)[1]
                    for line in head.split(b"\r\n")
                    if line.lower().startswith(b"content-length")
                )
            )
            while len(body) < length:
                body += conn.recv(4096)


def test_the_open_files_limit_is_raised_towards_the_hard_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(1024, hard), hard))
        before, after = raise_open_files_limit(wanted=min(4096, hard))
        assert before == min(1024, hard) and after == min(4096, hard)
        assert resource.getrlimit(resource.RLIMIT_NOFILE)[0] == after
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


class SmallBudget(HeaderDeadline):
    """A long deadline and room for 40 connections: only the budget can free a socket."""

    header_seconds = 120.0
    budget = 40


@pytest.fixture
def small_budget_server(tmp_path: Path) -> Iterator[str]:
    yield from run_server(tmp_path, SmallBudget)


def test_past_the_budget_the_longest_silent_connections_make_room(
    small_budget_server: str,
) -> None:
    """Where the open-files limit cannot be raised, silent connections past the budget do not
    shut normal requests out: each new connection closes the one that has waited longest for
    its request head, and a request sent at once is answered."""
    port = int(small_budget_server.rsplit(":", 1)[1])
    silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(100)]
    try:
        for _ in range(5):
            assert get(f"{small_budget_server}/en/") == 200
        # The oldest were closed to make room; the newest still wait (the deadline is far).
        assert all(closed_by_server(s, within=10) for s in silent[:40])
        assert not any(closed_by_server(s, within=0.2) for s in silent[-10:])
    finally:
        for s in silent:
            s.close()
