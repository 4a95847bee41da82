"""Question pages sent whole from ``server.page_cache``: one key function for the page the
app renders and the response the cache sends; the same response the app gives in that state,
and never when only the app can answer (a note to show, a language to remember)."""

from __future__ import annotations

import time
from collections.abc import Hashable, Mapping
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from starlette.types import Scope

from server import page_cache
from server.app import create_app
from server.config import Settings
from server.content import Content
from server.http.session_cookie import EncryptedSessions
from server.page_cache import Kept, PageCache, page_key
from server.views import screening as views
from server.views.screening import question_shows

VOLATILE = {"date", "set-cookie"}


def door_of(app: Starlette) -> PageCache:
    """The app's PageCache layer (Starlette builds the middleware stack on first call)."""
    layer = app.middleware_stack
    while layer is not None and not isinstance(layer, PageCache):
        layer = getattr(layer, "app", None)
    assert isinstance(layer, PageCache)
    return layer


def question_scope(
    lang: str,
    qid: str,
    session: Mapping[str, Any],
    query: bytes = b"",
    coding: str = "gzip, br",
    language_cookie: str | None = None,
) -> Scope:
    cookie = f"ig_lang={language_cookie or lang}; ig_answers=sealed".encode()
    return {
        "type": "http",
        "method": "GET",
        "path": f"/{lang}/screening/q/{qid}",
        "query_string": query,
        "headers": [(b"accept-encoding", coding.encode()), (b"cookie", cookie)],
        "session": session,
    }


def test_what_a_question_page_shows_is_in_its_key(content: Content) -> None:
    """Change anything a question page shows (the answer given to it, the language, the
    perspective, whether the perspective switch shows, "return to check", the coding) and
    the key changes; change what it does not show (another question's answer, the session
    id) and it stays. A query it is never linked with (``?speed=slow``) and a note to show
    once have no key: only the app answers those."""
    first, second = content.questions[0].id, content.questions[1].id

    def key(
        lang: str = "en",
        qid: str = first,
        query: bytes = b"",
        coding: str = "gzip, br",
        language_cookie: str | None = None,
        **session: Any,
    ) -> Hashable | None:
        state = {"sid": "a", "perspective": "you", "answers": {first: "yes"}, **session}
        state = {k: v for k, v in state.items() if v is not None}
        scope = question_scope(lang, qid, state, query, coding, language_cookie)
        return page_key(scope, {"lang": lang, "question_id": qid}, question_shows)

    base = key()
    changed = {
        "answer no": key(answers={first: "no"}),
        "answer not sure": key(answers={first: "not-sure"}),
        "not answered": key(answers={}),
        "Spanish": key(lang="es"),
        "they": key(perspective="they"),
        "no switch yet": key(perspective=None),
        "return to check": key(query=b"return=check"),
        "gzip only": key(coding="gzip"),
        "no compression": key(coding="identity"),
        "another question": key(qid=second),
    }
    assert base is not None and None not in changed.values()
    assert len({base, *changed.values()}) == 1 + len(changed), changed
    assert key(answers={first: "yes", second: "no"}) == base  # not shown on this page
    assert key(sid="b") == base  # no person in the key
    assert key(answers={first: "maybe"}) == key(answers={})  # shown as no answer
    assert key(query=b"speed=slow") is None
    assert key(perspective_note="they") is None
    assert key(language_cookie="es") not in (None, base)  # the language to remember


def test_the_render_and_the_cached_answer_use_one_key(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The question's handler and the cache call the same function on the same request: on
    a miss both, with one key (the page is rendered unsealed because it has one, and kept
    under it); on a hit only the cache, which finds it."""
    calls: list[tuple[str, Hashable | None]] = []

    def spy(who: str) -> Any:
        def key(scope: Scope, params: Mapping[str, Any], shows: Any) -> Hashable | None:
            found = page_key(scope, params, shows)
            calls.append((who, found))
            return found

        return key

    monkeypatch.setattr(page_cache, "page_key", spy("cache"))
    monkeypatch.setattr(views, "page_key", spy("render"))
    app = create_app(settings)
    qid = app.state.ig.contents["en"].questions[0].id
    visitor = started(app, "en", "you", "yes", qid)
    visitor.get("/en/")
    calls.clear()
    first = visitor.get(f"/en/screening/q/{qid}", headers={"Accept-Encoding": "gzip, br"})
    assert [who for who, _ in calls] == ["cache", "render"]
    assert calls[0][1] is not None and calls[0][1] == calls[1][1]
    assert first.headers["content-encoding"] == "br"  # not sealed (sealed pages are gzip)
    assert door_of(app).responses.keys() == [calls[0][1]]
    calls.clear()
    second = visitor.get(f"/en/screening/q/{qid}", headers={"Accept-Encoding": "gzip, br"})
    assert [who for who, _ in calls] == ["cache"] and second.content == first.content


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
    door_of(reference).responses = Kept(0)
    door_of(reference).made_in = reference.state.ig
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
    assert len({r.body for r in door.responses.values()}) > len(states) // 3


def test_pages_only_the_app_can_answer_go_to_the_app(settings: Settings) -> None:
    app = create_app(settings)
    qid = app.state.ig.contents["en"].questions[0].id
    url = f"/en/screening/q/{qid}"
    for _ in range(2):  # the state is kept after the first
        visitor = started(app, "en", "you", "yes", qid)
        visitor.get("/en/")
        assert visitor.get(url).status_code == 200
    assert len(door_of(app).responses) == 1

    # A cookie due to have its idle expiry slid is rewritten (by the cookie's middleware,
    # outside the cache) with the kept page.
    sessions = EncryptedSessions(app, secret_key=settings.secret_key)
    old = sessions.seal(
        {"sid": "x", "answers": {qid: "yes"}, "perspective": "you"}, written=time.time() - 3700
    )
    stale = TestClient(app, cookies={"ig_answers": old, "ig_lang": "en"})
    assert "ig_answers=" in stale.get(url).headers.get("set-cookie", "")

    # A cookie that cannot be read is cleared, and shows no answer.
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
    kept = repr([*door.responses.keys(), *door.responses.values()])
    assert len(door.responses) >= 1
    assert cookie[:12] not in kept and session_id["sid"] not in kept and "set-cookie" not in kept
