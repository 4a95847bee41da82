"""Question pages sent whole from ``server.ready_pages``: the same response the app gives in
that state, and never when only the app can answer (a cookie to refresh, a note to show)."""

from __future__ import annotations

import time

from starlette.applications import Starlette
from starlette.testclient import TestClient

from server.app import create_app
from server.config import Settings
from server.page_memo import PageMemo
from server.ready_pages import ReadyPages
from server.session_cookie import EncryptedSessions

VOLATILE = {"date", "set-cookie"}


def door_of(app: Starlette) -> ReadyPages:
    """The app's ReadyPages layer (Starlette builds the middleware stack on first call)."""
    layer = app.middleware_stack
    while layer is not None and not isinstance(layer, ReadyPages):
        layer = getattr(layer, "app", None)
    assert isinstance(layer, ReadyPages)
    return layer


def whole(response: object) -> tuple[int, list[tuple[str, str]], bytes]:
    status = response.status_code  # type: ignore[attr-defined]
    headers = response.headers.multi_items()  # type: ignore[attr-defined]
    kept = sorted((k, v) for k, v in headers if k not in VOLATILE)
    return status, kept, response.content  # type: ignore[attr-defined]


def started(app: Starlette, lang: str, perspective: str, answer: str, qid: str) -> TestClient:
    visitor = TestClient(app, follow_redirects=False)  # no page but those the test asks for
    visitor.post(f"/{lang}/screening/start", data={"perspective": perspective})
    if answer:
        visitor.post(f"/{lang}/screening/q/{qid}", data={"answer": answer})
    return visitor


def test_a_kept_response_is_the_response_the_app_gives_in_that_state(settings: Settings) -> None:
    """Each state visited by two visitors, the first answered by the app and the second from
    the kept response, and by a visitor of a reference app that keeps nothing (so the app
    makes every one of its responses): the same status, headers and bytes. A key that
    missed anything the page shows would serve one state another's page."""
    app, reference = create_app(settings), create_app(settings)
    TestClient(reference).get("/en/")  # Starlette builds the middleware stack on first call
    door_of(reference).responses = PageMemo(0)
    content = app.state.ig.contents["en"]
    ids = [content.questions[0].id, content.questions[-1].id]
    states = [
        (lang, qid, perspective, answer, query, coding)
        for lang in ("en", "es")
        for qid in ids
        for perspective in ("you", "they")
        for answer in ("", "yes", "no", "not-sure")
        for query in ("", "?return=check")
        for coding in ("gzip, br", "identity")
    ]
    for lang, qid, perspective, answer, query, coding in states:
        url = f"/{lang}/screening/q/{qid}{query}"
        responses = []
        for each_app in (app, app, reference):
            visitor = started(each_app, lang, perspective, answer, qid)
            visitor.get(f"/{lang}/")  # the language cookie, as a visitor has it
            responses.append(whole(visitor.get(url, headers={"Accept-Encoding": coding})))
        assert responses[0] == responses[1] == responses[2], (lang, qid, perspective, answer)
        assert responses[0][0] == 200
    door = door_of(app)
    assert len(door.responses) == len(states) and len(door_of(reference).responses) == 0
    # The states really differ: the answer shows as chosen, the perspective, the language.
    assert len({r.body for r in door.responses._pages.values()}) > len(states) // 3


def test_pages_only_the_app_can_answer_go_to_the_app(settings: Settings) -> None:
    app = create_app(settings)
    qid = app.state.ig.contents["en"].questions[0].id
    url = f"/en/screening/q/{qid}"
    for _ in range(2):  # the state is kept after the first
        visitor = started(app, "en", "you", "yes", qid)
        visitor.get("/en/")
        assert visitor.get(url).status_code == 200
    assert len(door_of(app).responses) == 1

    # A cookie due to have its idle expiry slid is rewritten by the app.
    sessions = EncryptedSessions(app, secret_key=settings.secret_key)
    old = sessions.seal(
        {"sid": "x", "answers": {qid: "yes"}, "perspective": "you"}, written=time.time() - 3700
    )
    stale = TestClient(app, cookies={"ig_answers": old, "ig_lang": "en"})
    assert "ig_answers=" in stale.get(url).headers.get("set-cookie", "")

    # A cookie that cannot be read is cleared by the app, and answers nothing.
    foreign = TestClient(app, cookies={"ig_answers": "not-a-cookie", "ig_lang": "en"})
    assert "ig_answers=null" in foreign.get(url).headers.get("set-cookie", "")

    # The note after switching perspective shows once, then the kept page serves.
    switcher = started(app, "en", "you", "yes", qid)
    switcher.get("/en/")
    switcher.post("/en/perspective", data={"perspective": "they", "back": url})
    note = app.state.ig.contents["en"].carer.switched_to_they
    first, second = switcher.get(url).text, switcher.get(url).text
    assert note in first and note not in second

    # Without the language cookie the app sets it (and that response is not kept).
    newcomer = started(app, "en", "you", "yes", qid)
    newcomer.cookies.delete("ig_lang")
    assert "ig_lang=en" in newcomer.get(url).headers.get("set-cookie", "")


def test_kept_responses_hold_no_person(client: TestClient, settings: Settings) -> None:
    client.post("/en/screening/start", data={"perspective": "you"})
    qid = client.app.state.ig.contents["en"].questions[0].id  # type: ignore[attr-defined]
    client.post(f"/en/screening/q/{qid}", data={"answer": "yes"})
    client.get("/en/")
    client.get(f"/en/screening/q/{qid}")
    door = door_of(client.app)  # type: ignore[arg-type]
    cookie = client.cookies["ig_answers"]
    session_id = EncryptedSessions(client.app, secret_key=settings.secret_key).read(cookie)[0]
    kept = repr(list(door.responses._pages.items()))
    assert len(door.responses) >= 1
    assert cookie[:12] not in kept and session_id["sid"] not in kept and "set-cookie" not in kept
