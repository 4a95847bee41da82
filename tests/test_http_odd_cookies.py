"""A cookie sealed with the app's real key but holding a shape the app never writes (a list as
the session id, a number as the answers, nesting hundreds deep) reads as no answers or as a
4xx page: never a 500, on any route (issue 23)."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from server.content import Content
from server.http.session_cookie import SESSION_ID, EncryptedSessions

KEYS = [
    SESSION_ID,
    "answers",
    "perspective",
    "perspective_note",
    "clinician_ok",
    "plan_ok",
    "session_checks",
    "session_ready",
]


def deep(levels: int) -> Any:
    value: Any = "yes"
    for _ in range(levels):
        value = [value]
    return value


ODD_VALUES: list[Any] = [
    ["a", "b"],
    {"glaucoma": ["yes"], "x": {"y": 1}},
    7,
    -1.5,
    None,
    True,
    "",
    "x" * 300,
    {"plan": ["first-20"], "at": "now"},
    deep(200),
]

GET = [
    "/en/",
    "/en/screening",
    "/en/screening/q/glaucoma",
    "/en/screening/check",
    "/en/screening/result",
    "/en/screening/summary",
    "/en/screening/summary.txt",
    "/en/screening/offline",
    "/en/session",
    "/en/session/plans",
    "/en/session/plan/first-20/check/health-changed",
    "/en/session/plan/first-20/play",
    "/en/session/plan/first-20/carer",
    "/en/session/plan/first-20/come-up",
    "/en/session/plan/first-20/feedback",
]
POST = [
    ("/en/screening/q/glaucoma", {"answer": "yes"}),
    ("/en/perspective", {"perspective": "they"}),
    ("/en/session/clinician", {"answer": "agreed"}),
    ("/en/session/plan/first-20/choose", {"suggested": "first-20", "sessions": "0"}),
    ("/en/session/plan/first-20/feedback", {"feeling": "fine"}),
]


@pytest.mark.parametrize("key", KEYS)
def test_an_odd_shape_under_any_key_never_gives_a_500(
    client: TestClient, content: Content, key: str
) -> None:
    sealer = EncryptedSessions(app=None, secret_key="test-secret")  # type: ignore[arg-type]
    for value in ODD_VALUES:
        session: dict[str, Any] = {SESSION_ID: "abc", "answers": {"glaucoma": "no"}, key: value}
        client.cookies.set("ig_answers", sealer.seal(session))
        for path in GET:
            response = client.get(path)
            assert response.status_code < 500, (key, value, path)
        for path, form in POST:
            response = client.post(path, data=form)
            assert response.status_code < 500, (key, value, path)
    # A well-formed cookie still works after all that.
    client.cookies.clear()
    assert client.get("/en/screening/result").status_code < 500


def test_nesting_deeper_than_python_reads_is_no_session(client: TestClient) -> None:
    """JSON nested past the interpreter's recursion limit, sealed with the real key (written
    by hand: the app's own writer could not make it)."""
    import base64
    import os
    import time

    from server.http.session_cookie import COOKIE_VERSION, NONCE_BYTES, cipher_for

    plain = ('{"sid":"abc","answers":' + "[" * 3000 + "]" * 3000 + "}").encode()
    header = COOKIE_VERSION + int(time.time()).to_bytes(8, "big")
    nonce = os.urandom(NONCE_BYTES)
    sealed = header + nonce + cipher_for("test-secret").encrypt(nonce, plain, header)
    client.cookies.set("ig_answers", base64.urlsafe_b64encode(sealed).rstrip(b"=").decode())
    for path in GET:
        assert client.get(path).status_code < 500, path
