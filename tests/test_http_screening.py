"""The screening through HTTP: post, redirect, get; privacy; bad input."""

from __future__ import annotations

import logging
import re

import pytest
from markupsafe import escape
from starlette.testclient import TestClient

from server.content import Content


def start(client: TestClient, perspective: str = "you") -> str:
    response = client.post("/en/screening/start", data={"perspective": perspective})
    assert response.status_code == 200
    return str(response.url)


def answer_all(
    client: TestClient, content: Content, overrides: dict[str, str] | None = None
) -> TestClient:
    overrides = overrides or {}
    url = start(client)
    for q in content.questions:
        assert url.endswith(f"/en/screening/q/{q.id}"), url
        response = client.post(url, data={"answer": overrides.get(q.id, "no")})
        assert response.status_code == 200
        url = str(response.url)
    assert url.endswith("/en/screening/check")
    return client


def test_home_offers_the_check(client: TestClient) -> None:
    page = client.get("/en/")
    assert page.status_code == 200
    assert 'href="/en/screening"' in page.text
    assert "Check for reasons to avoid inversion" in page.text
    assert "suitable" not in page.text.lower()
    assert "I am helping someone" in page.text
    assert '<html lang="en"' in page.text
    assert 'href="#main-content"' in page.text and 'id="main-content"' in page.text
    assert page.text.count("<h1") == 1


def test_root_redirects_to_a_language(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/en/"


def test_question_page_has_counter_back_link_and_three_buttons(
    client: TestClient, content: Content
) -> None:
    start(client)
    page = client.get("/en/screening/q/glaucoma")
    n = content.index_of("glaucoma") + 1
    m = len(content.questions)
    title = content.question("glaucoma").title  # type: ignore[union-attr]
    assert f"<title>Question {n} of {m}: {title} - Inversion Guide</title>" in page.text
    assert f"Question {n} of {m}" in page.text
    buttons = re.findall(
        r'<button[^>]*name="answer" value="([^"]+)"[^>]*>([^<]+)</button>', page.text
    )
    assert buttons == [("yes", "Yes"), ("no", "No"), ("not-sure", "Not sure")]
    previous = content.questions[n - 2].id
    assert f'class="ig-back-link" href="/en/screening/q/{previous}"' in page.text
    assert str(escape(content.question("glaucoma").you)) in page.text  # type: ignore[union-attr]
    assert "Why we ask" in page.text


def test_all_no_reaches_the_third_outcome_with_no_reasons(
    client: TestClient, content: Content
) -> None:
    answer_all(client, content)
    check = client.get("/en/screening/check")
    assert check.text.count("?return=check") == len(content.questions)
    page = client.get("/en/screening/result")
    assert '<h1 class="ig-heading-xl">No known reason to avoid inversion</h1>' in page.text
    assert "Your answers showed no known reason to avoid inversion." in page.text
    assert "This is not medical clearance" in page.text
    assert "None of your answers was Yes or Not sure." in page.text
    assert 'class="ig-list ig-reasons"' not in page.text


def test_glaucoma_yes_gives_do_not_use_naming_glaucoma(
    client: TestClient, content: Content
) -> None:
    answer_all(client, content, {"glaucoma": "yes"})
    page = client.get("/en/screening/result")
    assert "<title>Your result: Do not use inversion - Inversion Guide</title>" in page.text
    reasons = page.text.split('class="ig-list ig-reasons"')[1].split("</ul>")[0]
    title = content.question("glaucoma").title  # type: ignore[union-attr]
    assert f"<strong>{title}:</strong> Yes." in reasons
    assert reasons.count("<li>") == 1


def test_not_sure_about_blood_pressure_means_check_first(
    client: TestClient, content: Content
) -> None:
    answer_all(client, content, {"high-blood-pressure": "not-sure"})
    page = client.get("/en/screening/result")
    assert '<h1 class="ig-heading-xl">Check with your clinician first</h1>' in page.text
    assert "<strong>High blood pressure:</strong> Not sure." in page.text


def test_changing_an_answer_from_the_check_page(client: TestClient, content: Content) -> None:
    answer_all(client, content)
    page = client.get("/en/screening/q/pregnancy?return=check")
    assert 'name="return" value="check"' in page.text
    assert 'class="ig-back-link" href="/en/screening/check"' in page.text
    response = client.post("/en/screening/q/pregnancy", data={"answer": "yes", "return": "check"})
    assert str(response.url).endswith("/en/screening/check")
    assert "Do not use inversion" in client.get("/en/screening/result").text
    # The other answers were kept, not asked again.
    assert client.get("/en/screening/check").status_code == 200


def test_result_before_finishing_goes_to_the_first_unanswered_question(
    client: TestClient, content: Content
) -> None:
    start(client)
    client.post(f"/en/screening/q/{content.questions[0].id}", data={"answer": "no"})
    response = client.get("/en/screening/result", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/en/screening/q/{content.questions[1].id}"


def test_submitting_no_answer_shows_summary_and_inline_error(
    client: TestClient, content: Content
) -> None:
    start(client)
    page = client.post("/en/screening/q/glaucoma", data={})
    assert page.status_code == 422
    assert "<title>Error: Question" in page.text
    assert 'class="ig-error-summary"' in page.text
    assert '<a href="#answer-yes">Choose Yes, No or Not sure.</a>' in page.text
    assert 'id="answer-error"' in page.text
    assert 'aria-describedby="answer-prompt answer-error"' in page.text
    bad = client.post("/en/screening/q/glaucoma", data={"answer": "perhaps"})
    assert bad.status_code == 422


def test_carer_sees_questions_in_the_third_person(client: TestClient, content: Content) -> None:
    start(client, "they")
    glaucoma = content.question("glaucoma")
    assert glaucoma is not None and "the person you help" in glaucoma.they
    page = client.get("/en/screening/q/glaucoma")
    assert str(escape(glaucoma.they)) in page.text
    assert str(escape(glaucoma.you)) not in page.text


def test_answers_never_appear_in_urls_or_logs(
    client: TestClient, content: Content, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    urls: list[str] = []
    url = start(client)
    for _ in content.questions:
        response = client.post(url, data={"answer": "yes"}, follow_redirects=False)
        assert response.status_code == 303
        location = response.headers["location"]
        urls.append(location)
        url = str(client.get(location).url)
    for location in urls:
        assert "yes" not in location and "answer" not in location
    for record in caplog.records:
        assert "yes" not in record.getMessage().lower()
    cookie = client.cookies.get("ig_answers")
    assert cookie is not None
    # The cookie is signed: a tampered one is ignored rather than trusted.
    client.cookies.clear()
    client.cookies.set("ig_answers", cookie[:-4] + "AAAA")
    response = client.get("/en/screening/result", follow_redirects=False)
    assert response.status_code == 303


def test_session_cookie_is_httponly_and_samesite(client: TestClient) -> None:
    response = client.post(
        "/en/screening/start", data={"perspective": "you"}, follow_redirects=False
    )
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "expires" not in cookie and "max-age" not in cookie


def test_restart_clears_answers(client: TestClient, content: Content) -> None:
    answer_all(client, content)
    response = client.post("/en/screening/restart", data={})
    assert str(response.url).endswith("/en/screening")
    redirect = client.get("/en/screening/check", follow_redirects=False)
    assert redirect.headers["location"] == f"/en/screening/q/{content.questions[0].id}"


@pytest.mark.parametrize(
    "path",
    [
        "/xx/",
        "/fr/screening",
        "/en/screening/q/unknown-question",
        "/en/nothing-here",
        "/en/screening/q/..%2F..%2Fetc%2Fpasswd",
        "/static/../server/app.py",
        "/static/%2e%2e/server/app.py",
        "/audio/en/../../server/app.py",
        "/audio/en/0123456789abcdef.mp3",
        "/audio/%2e%2e/pyproject.toml",
    ],
)
def test_unknown_pages_get_a_friendly_404(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    if not path.startswith("/audio/"):
        assert "Page not found" in response.text
        assert "<h1" in response.text and 'lang="en"' in response.text


def test_bad_posts_are_4xx_and_keep_saved_answers(client: TestClient, content: Content) -> None:
    answer_all(client, content, {"glaucoma": "yes"})
    cases = [
        client.post("/en/screening/start", data={"perspective": "nobody"}),
        client.post(
            "/en/screening/q/glaucoma",
            content=b"--x\r\nbroken",
            headers={"content-type": "multipart/form-data; boundary=x"},
        ),
        client.post(
            "/en/screening/q/glaucoma",
            content=b"answer=" + b"y" * 20_000,
            headers={"content-type": "application/x-www-form-urlencoded"},
        ),
        client.post("/en/screening/q/nope", data={"answer": "yes"}),
        client.post("/en/", data={"answer": "yes"}),
    ]
    assert [r.status_code for r in cases] == [400, 422, 413, 404, 405]
    assert "Too much was sent" in cases[2].text
    assert "Nothing you had already answered was lost" in cases[0].text
    assert "Do not use inversion" in client.get("/en/screening/result").text


def test_security_headers_on_pages(client: TestClient) -> None:
    headers = client.get("/en/").headers
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-content-type-options"] == "nosniff"
    assert "camera=()" in headers["permissions-policy"]


def test_templates_have_no_inline_script_or_style(client: TestClient, content: Content) -> None:
    start(client)
    for path in ["/en/", "/en/screening", "/en/helping", "/en/screening/q/glaucoma"]:
        html = client.get(path).text
        assert "<style" not in html and " style=" not in html
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None
        assert re.search(r"<[^>]+\son[a-z]+=", html) is None


def test_healthz(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["languages"] == ["en", "es"]
    assert body["narration"]["clips_present"] == 0
    assert body["narration"]["complete"] is False
