"""Privacy and hardening over HTTP: an unreadable cookie, no-store pages, no cross-site writes,
no 5xx from bad requests, security headers on every response, and Range done as RFC 9110 says."""

from __future__ import annotations

import base64
import binascii
import logging
import re
import time
from pathlib import Path

import pytest
from starlette.routing import Route
from starlette.testclient import TestClient

from server.app import create_app
from server.config import Settings
from server.content import Content
from server.http.session_cookie import EncryptedSessions, EndedSessions

SECURITY_HEADERS = ("content-security-policy", "referrer-policy", "x-content-type-options")
SUBRESOURCE = ("referrer-policy", "x-content-type-options")


def answer_all(client: TestClient, content: Content, answer: str = "yes") -> None:
    client.post("/en/screening/start", data={"perspective": "you"})
    for q in content.questions:
        client.post(f"/en/screening/q/{q.id}", data={"answer": answer})


def decodings(token: str) -> list[bytes]:
    """Every way a curious person might try to read a cookie: each dot-separated part as
    base64 (with any padding), and the whole."""
    out = []
    for part in [token, *token.split(".")]:
        for fix in ("", "=", "==", "==="):
            try:
                out.append(base64.urlsafe_b64decode(part + fix))
            except (binascii.Error, ValueError):
                continue
    return out


def test_the_answers_cookie_decodes_to_nothing_readable(
    client: TestClient, content: Content
) -> None:
    answer_all(client, content)
    token = client.cookies["ig_answers"]
    for decoded in decodings(token):
        for word in (b"answers", b"yes", b"glaucoma", content.questions[0].id.encode()):
            assert word not in decoded
    # ...and yet the server reads it back.
    assert client.get("/en/screening/result").status_code == 200


def test_a_tampered_or_foreign_cookie_counts_as_no_answers(
    client: TestClient, content: Content
) -> None:
    answer_all(client, content)
    token = client.cookies["ig_answers"]
    middle = len(token) // 2
    tampered = token[:middle] + ("A" if token[middle] != "A" else "B") + token[middle + 1 :]
    fresh = TestClient(client.app, cookies={"ig_answers": tampered})
    response = fresh.get("/en/screening/result", follow_redirects=False)
    assert response.status_code == 303  # back to the first question: nothing was read
    other_app = create_app(Settings(secret_key="another-secret"))
    other = TestClient(other_app, cookies={"ig_answers": token})
    assert other.get("/en/screening/result", follow_redirects=False).status_code == 303


def test_an_old_copy_of_the_cookie_expires(content: Content) -> None:
    """A stateless server cannot revoke a copied cookie, so copies expire after idling."""
    middleware = EncryptedSessions(app=lambda s, r, se: None, secret_key="k", idle_seconds=60)  # type: ignore[arg-type, return-value]
    token = middleware.seal({"answers": {"a": "yes"}})
    assert middleware.read(token)[0] == {"answers": {"a": "yes"}}
    old = middleware.seal({"answers": {"a": "yes"}}, written=time.time() - 61)
    assert middleware.read(old) == ({}, None)
    # The time written is authenticated: moving it forward in a copy breaks the cookie.
    raw = bytearray(base64.urlsafe_b64decode(old + "=" * (-len(old) % 4)))
    raw[1:9] = int(time.time()).to_bytes(8, "big")
    moved = base64.urlsafe_b64encode(bytes(raw)).decode()
    assert middleware.read(moved) == ({}, None)


def test_start_again_gives_a_new_session_and_forgets_the_clinician(
    client: TestClient, content: Content
) -> None:
    answer_all(client, content)
    before = client.cookies["ig_answers"]
    client.post("/en/screening/restart")
    after = client.cookies.get("ig_answers")
    assert after != before
    response = client.get("/en/screening/result", follow_redirects=False)
    assert response.status_code == 303
    # A copy of the old cookie, taken before "Start again", is now worth nothing: no result
    # (and the copy is cleared), no answer shown on a question page (kept pages included).
    copy = TestClient(client.app, cookies={"ig_answers": before})
    refused = copy.get("/en/screening/result", follow_redirects=False)
    assert refused.status_code == 303
    assert any(c.startswith("ig_answers=null") for c in refused.headers.get_list("set-cookie"))
    copy.cookies.set("ig_answers", before)
    page = copy.get(f"/en/screening/q/{content.questions[0].id}")
    assert page.status_code == 200
    assert not re.search(r'id="answer-[a-z-]+"[^>]*aria-pressed="true"', page.text)


def test_the_cookie_is_the_same_length_whatever_the_answers(
    client: TestClient, content: Content
) -> None:
    """Its length would otherwise tell "yes" from "not-sure" answers apart."""
    lengths = set()
    for answer in ("yes", "no", "not-sure"):
        client.post("/en/screening/start", data={"perspective": "you"})
        for q in content.questions[:3]:
            client.post(f"/en/screening/q/{q.id}", data={"answer": answer})
        lengths.add(len(client.cookies["ig_answers"]))
    assert len(lengths) == 1, lengths


def test_the_cookie_is_one_length_from_the_first_answer_to_the_last_check(
    client: TestClient, content: Content
) -> None:
    """Its length would otherwise tell how far someone got, and (with the checks in it)
    "not sure" from "no" (issue 23)."""
    lengths: dict[int, list[str]] = {}

    def note(step: str) -> None:
        lengths.setdefault(len(client.cookies["ig_answers"]), []).append(step)

    for answer in ("no", "not-sure"):
        client.post("/en/screening/start", data={"perspective": "they"})
        note("start")
        for q in content.questions:
            client.post(f"/en/screening/q/{q.id}", data={"answer": answer})
            note(f"{answer} {q.id}")
    client.post("/en/screening/start", data={"perspective": "you"})
    for q in content.questions:
        client.post(f"/en/screening/q/{q.id}", data={"answer": "no"})
    client.post("/en/session/clinician", data={"answer": "agreed"})
    note("doctor")
    client.post("/en/session/plan/first-20/choose", data={"suggested": "first-20", "sessions": "0"})
    note("plan")
    for check in content.session.checks:
        client.post(
            f"/en/session/plan/first-20/check/{check.id}", data={"answer": check.go_on_answer}
        )
        note(f"check {check.id}")
    assert len(lengths) == 1, {n: steps[:3] for n, steps in lengths.items()}


def test_ended_sessions_are_forgotten_once_their_cookies_would_have_expired() -> None:
    ended = EndedSessions(keep_seconds=60, max_ids=3)
    for sid in "abcd":
        ended.end(sid)
    assert "a" not in ended and all(sid in ended for sid in "bcd")  # at most three
    ended.ended["b"] -= 120  # ended two minutes ago: its cookies have expired
    ended.end("e")
    assert "b" not in ended and "e" in ended


def test_reading_a_page_does_not_rewrite_the_cookie(client: TestClient, content: Content) -> None:
    answer_all(client, content)
    page = client.get(f"/en/screening/q/{content.questions[0].id}")
    assert "set-cookie" not in page.headers


def test_pages_with_answers_are_never_stored(client: TestClient, content: Content) -> None:
    answer_all(client, content, "no")
    for path in (
        f"/en/screening/q/{content.questions[0].id}",
        "/en/screening/check",
        "/en/screening/result",
        "/en/session",
        "/en/screening/offline",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store", path
    assert client.get("/en/").headers["cache-control"] == "no-cache"


def post_routes(client: TestClient) -> list[str]:
    """Every POST route of the app, with its parameters filled in with real ids."""
    paths = []
    for route in client.app.routes:  # type: ignore[attr-defined]
        if isinstance(route, Route) and route.methods and "POST" in route.methods:
            paths.append(
                route.path.replace("{lang:str}", "en")
                .replace("{question_id:str}", "glaucoma")
                .replace("{plan_id:str}", "first-20")
                .replace("{check_id:str}", "height")
            )
    return paths


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
        {"Origin": "https://evil.example"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
def test_a_cross_site_post_changes_nothing(
    client: TestClient, content: Content, headers: dict[str, str]
) -> None:
    answer_all(client, content)
    cookie = client.cookies["ig_answers"]
    routes = post_routes(client)
    assert len(routes) >= 6
    for path in routes:
        response = client.post(
            path, data={"perspective": "they", "answer": "no", "confirm": "yes"}, headers=headers
        )
        assert response.status_code == 403, path
        assert "This form came from another website" in response.text
        assert "set-cookie" not in response.headers
        assert client.cookies["ig_answers"] == cookie
    assert "Yes" in client.get("/en/screening/check").text


def test_same_origin_posts_still_work(client: TestClient, content: Content) -> None:
    response = client.post(
        "/en/screening/start",
        data={"perspective": "you"},
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )
    assert response.status_code == 303


def test_page_headers_go_with_documents_and_the_worker_not_with_subresources(
    tmp_path: Path,
) -> None:
    """CSP, framing, permissions and COOP act on documents and workers only; a script, a
    stylesheet, an image, a clip or JSON carries nosniff and no-referrer, and no more."""
    audio = tmp_path / "audio" / "en"
    audio.mkdir(parents=True)
    (audio / "0123456789abcdef.mp3").write_bytes(b"\xff\xf3" + b"\0" * 500)
    client = TestClient(create_app(Settings(audio_dir=tmp_path / "audio", secret_key="s")))
    static = client.app.state.ig.static_version  # type: ignore[attr-defined]
    documents = ["/en/", "/sw.js", f"/static/{static}/icons/icon.svg", "/en/nowhere"]
    subresources = [
        f"/static/{static}/css/app.css",
        f"/static/{static}/js/app.js",
        f"/static/{static}/icons/icon-192.png",
        "/audio/en/0123456789abcdef.mp3",
        "/en/screening/rules.json",
        "/en/manifest.webmanifest",
    ]
    for path in documents:
        headers = client.get(path).headers
        assert all(h in headers for h in SECURITY_HEADERS), path
        assert headers["x-frame-options"] == "DENY", path
    for path in subresources:
        response = client.get(path)
        assert response.status_code == 200, path
        assert all(h in response.headers for h in SUBRESOURCE), path
        assert "content-security-policy" not in response.headers, path
        assert "x-frame-options" not in response.headers, path


def test_bodies_over_the_limit_never_give_a_500(client: TestClient, content: Content) -> None:
    answer_all(client, content)
    big = b"x" * 20_000
    static = client.app.state.ig.static_version  # type: ignore[attr-defined]
    for method, path in [
        ("GET", f"/static/{static}/css/app.css"),
        ("GET", "/en/"),
        ("GET", "/sw.js"),
        ("POST", "/en/screening/start"),
        ("POST", f"/en/screening/q/{content.questions[0].id}"),
    ]:
        response = client.request(method, path, content=big)
        assert response.status_code < 500, (method, path)
        wanted = SECURITY_HEADERS if path != f"/static/{static}/css/app.css" else SUBRESOURCE
        assert all(h in response.headers for h in wanted), (method, path)
        if method == "POST":
            assert response.status_code == 413
    # Nothing already saved was lost.
    assert client.get("/en/screening/result").status_code == 200


def test_a_body_over_the_limit_to_audio_is_not_an_empty_200(tmp_path: Path) -> None:
    audio = tmp_path / "audio" / "en"
    audio.mkdir(parents=True)
    (audio / "0123456789abcdef.mp3").write_bytes(b"\xff\xf3" + b"\0" * 500)
    client = TestClient(create_app(Settings(audio_dir=tmp_path / "audio", secret_key="s")))
    response = client.request("GET", "/audio/en/0123456789abcdef.mp3", content=b"x" * 20_000)
    assert response.status_code == 200 and len(response.content) == 502


def test_an_unexpected_error_is_a_500_page_with_the_security_headers(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(settings)

    async def boom(request: object) -> None:
        raise RuntimeError("a bug")

    app.router.routes.insert(0, Route("/boom", boom))
    with (
        TestClient(app, raise_server_exceptions=False) as client,
        caplog.at_level(logging.CRITICAL),
    ):
        response = client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert all(h in response.headers for h in SECURITY_HEADERS)
    assert "a bug" not in response.text and "Traceback" not in response.text


@pytest.mark.parametrize("header", ["bytes=abc", "bytes=5-2", "pages=0-1", "bytes=", "bytes=--1"])
def test_an_invalid_range_is_ignored(client: TestClient, header: str) -> None:
    static = client.app.state.ig.static_version  # type: ignore[attr-defined]
    full = client.get(f"/static/{static}/css/app.css")
    response = client.get(f"/static/{static}/css/app.css", headers={"Range": header})
    assert response.status_code == 200 and response.content == full.content


def test_a_valid_range_still_gives_206(client: TestClient) -> None:
    static = client.app.state.ig.static_version  # type: ignore[attr-defined]
    response = client.get(f"/static/{static}/css/app.css", headers={"Range": "bytes=0-9"})
    assert response.status_code == 206 and len(response.content) == 10


def test_audio_requests_stay_out_of_the_access_log(settings: Settings) -> None:
    """A clip's URL would name the outcome on the result page, so it is never logged."""
    create_app(settings)
    logger = logging.getLogger("uvicorn.access")
    fmt = '%s - "%s %s HTTP/%s" %d'

    def record(path: str) -> logging.LogRecord:
        return logger.makeRecord(
            "uvicorn.access",
            logging.INFO,
            __file__,
            1,
            fmt,
            ("1.2.3.4", "GET", path, "1.1", 200),
            None,
        )

    assert not logger.filter(record("/audio/en/0123456789abcdef.mp3"))
    assert logger.filter(record("/en/screening/result"))
