"""Sizes that tell nothing (issue 23): every page that shows answers, an outcome or a session
is one byte length on the wire whatever the answers and the outcome, as a browser receives
it (gzip accepted) and as a client that takes no compression receives it.

Lengths are read from Content-Length, the bytes as sent (the test client decodes the body).
"""

from __future__ import annotations

import gzip
import html
import json
import re
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.config import Settings
from server.content import Content
from server.http.sealed import GZIP_BLOCK, pad_gzip, pad_plain
from tests.described_people import PEOPLE, Person
from tests.test_described_people import answer_as

BROWSER = "gzip, deflate, br, zstd"
PLAIN = "identity"
SCREENING_PAGES = ("result", "summary", "summary.txt", "check")


@pytest.fixture(scope="module")
def app_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    audio = tmp_path_factory.mktemp("audio")
    with TestClient(create_app(Settings(audio_dir=Path(audio), secret_key="sizes"))) as c:
        yield c


def one_of_each(content: Content) -> list[Person]:
    """A described person for each outcome, with and without a "not sure" to a warning sign,
    for the person and for a carer; and the longest pages there are: every question answered
    Yes, and every question Not sure."""
    picked: dict[tuple[str, bool, str], Person] = {}
    for person in PEOPLE:
        picked.setdefault((person.expected, person.red_flag_not_sure, person.perspective), person)
    every = {q.id for q in content.questions}
    longest = [
        Person(f"all-{a}-{p}", "every question", "emergency", dict.fromkeys(every, a), p)
        for a in ("yes", "not-sure")
        for p in ("you", "they")
    ]
    return [*picked.values(), *longest]


def sent_length(client: TestClient, url: str, accept: str) -> int:
    response = client.get(url, headers={"accept-encoding": accept})
    assert response.status_code == 200, (url, response.status_code)
    return int(response.headers["content-length"])


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_outcome_and_every_answer_gives_pages_of_one_length(
    app_client: TestClient, content: Content, content_es: Content, lang: str
) -> None:
    words = content if lang == "en" else content_es
    people = one_of_each(words)
    assert {p.expected for p in people} >= {"emergency", "urgent", "avoid", "ask-first"}
    seen: dict[tuple[str, str], dict[int, list[str]]] = {}
    for person in people:
        app_client.cookies.clear()
        answer_as(app_client, words, person, lang)
        pages = [f"/{lang}/screening/{page}" for page in SCREENING_PAGES]
        for url in [*pages, f"/{lang}/session", f"/{lang}/session/plans"]:
            for accept in (BROWSER, PLAIN):
                length = sent_length(app_client, url, accept)
                seen.setdefault((url, accept), {}).setdefault(length, []).append(person.key)
    for (url, accept), lengths in seen.items():
        assert len(lengths) == 1, f"{url} with {accept!r} has lengths by person: {lengths}"
    # Sent compressed to a browser: one block, not the 96 kB of the plain form.
    assert all(
        next(iter(lengths)) == GZIP_BLOCK for (_, a), lengths in seen.items() if a == BROWSER
    )


def test_the_session_pages_are_one_length_after_either_open_gate(
    app_client: TestClient, content: Content
) -> None:
    """The session opens after "no known reason" and after "check first" once a clinician
    agreed; its pages do not tell which."""
    no_reason = next(p for p in PEOPLE if p.expected == "no-known-reason")
    check_first = next(p for p in PEOPLE if p.expected == "ask-first" and p.perspective == "you")
    plan = content.session.plans[0].id
    pages = ["session", "session/plans", f"session/plan/{plan}/play", f"session/plan/{plan}/carer"]
    pages += [f"session/plan/{plan}/come-up", f"session/plan/{plan}/feedback"]
    pages += [f"session/plan/{plan}/check/{check.id}" for check in content.session.checks]
    lengths: dict[str, set[int]] = {}
    for person in (no_reason, check_first):
        app_client.cookies.clear()
        answer_as(app_client, content, person)
        app_client.post("/en/session/clinician", data={"answer": "agreed"})
        for page in pages:
            lengths.setdefault(page, set()).add(sent_length(app_client, f"/en/{page}", BROWSER))
    assert {page: len(seen) for page, seen in lengths.items()} == dict.fromkeys(pages, 1)


def test_a_sealed_page_decodes_as_any_gzip_does() -> None:
    """The padding sits in the gzip header's extra field: Python's gzip and zlib's own gzip
    reader (the one browsers use) both skip it and give the page back."""
    page = b"<!doctype html><title>Result</title><h1>See a doctor today</h1>"
    sealed = pad_gzip(page)
    assert len(sealed) == GZIP_BLOCK
    assert gzip.decompress(sealed) == page
    assert zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(sealed) == page
    # Two pages of different lengths, one length sealed.
    assert len(pad_gzip(page * 40)) == len(sealed)
    assert len(pad_plain(page)) == len(pad_plain(page * 40))
    assert pad_plain(page).rstrip() == page


def test_public_pages_are_not_padded(app_client: TestClient) -> None:
    """Only personal pages pay for the padding: home and the emergency page are the same for
    everyone and go out compressed as they are."""
    for url in ("/en/", "/en/emergency"):
        length = sent_length(app_client, url, BROWSER)
        assert length % GZIP_BLOCK != 0 and length < GZIP_BLOCK


@pytest.fixture(scope="module")
def narrated_client(quiet_audio_dir: Path) -> Iterator[TestClient]:
    """The app with the whole English narration (as exact silence: sealed as any voice)."""
    with TestClient(create_app(Settings(audio_dir=quiet_audio_dir, secret_key="clips"))) as c:
        yield c


def test_every_outcome_page_plays_one_clip_of_one_length(
    narrated_client: TestClient, content: Content
) -> None:
    """Each result page links one clip (a "not sure" to a warning sign said inside it, not
    in a second clip fetched only then), and every outcome's clip, at each speed, is one
    byte length: which one a phone fetches tells nothing."""
    sizes: dict[str, dict[int, set[str]]] = {}
    for person in one_of_each(content):
        narrated_client.cookies.clear()
        page = answer_as(narrated_client, content, person)
        sources = re.findall(r'<audio[^>]* src="([^"]+)"', page)
        assert len(sources) == 1 and "data-playlist" not in page, person.key
        slow = re.search(r'data-slow-src="([^"]+)"', page)
        assert slow is not None
        for speed, url in (("normal", sources[0]), ("slow", slow.group(1))):
            clip = narrated_client.get(url)
            assert clip.status_code == 200 and clip.headers["content-type"] == "audio/mpeg"
            length = int(clip.headers["content-length"])
            sizes.setdefault(speed, {}).setdefault(length, set()).add(url)
    for speed, by_length in sizes.items():
        assert len(by_length) == 1, (speed, by_length)
        assert len(next(iter(by_length.values()))) >= 8, "several outcomes' clips"


def test_the_answer_a_question_page_confirms_is_one_clip_length(
    narrated_client: TestClient, content: Content
) -> None:
    """A key press or tap confirms the answer aloud ("Yes.", "No.", "Not sure."): the three
    clips are one length, so the clip a phone fetches does not tell the answer."""
    narrated_client.cookies.clear()
    narrated_client.post("/en/screening/start", data={"perspective": "you"})
    page = narrated_client.get(f"/en/screening/q/{content.questions[0].id}").text
    for attribute in ("data-confirm-src", "data-confirm-slow-src"):
        urls = set(re.findall(rf'{attribute}="([^"]+)"', page))
        assert len(urls) == 3, (attribute, urls)
        lengths = {int(narrated_client.get(u).headers["content-length"]) for u in urls}
        assert len(lengths) == 1, (attribute, lengths)


def test_every_sealed_group_is_one_clip_length(
    narrated_client: TestClient, content: Content
) -> None:
    """Each group of clips a page picks by what the person said (the outcome, an answer, the
    session gate, the check that stopped a session, how it felt) is one byte length at each
    speed, as fetched from the server."""
    from server.speech import texts as speech

    clips = narrated_client.app.state.ig.clips  # type: ignore[attr-defined]
    groups = speech.sealed_groups(content)
    assert len(groups) == 5 and all(len(group) >= 3 for group in groups)
    for group in groups:
        for speed in ("normal", "slow"):
            lengths: dict[int, list[str]] = {}
            for clip_id in group:
                url = clips.url("en", clip_id, speed)
                assert url is not None, (clip_id, speed)
                length = int(narrated_client.get(url).headers["content-length"])
                lengths.setdefault(length, []).append(clip_id)
            assert len(lengths) == 1, (speed, {k: v[:3] for k, v in lengths.items()})


def test_every_session_gate_plays_one_clip_of_one_length(
    narrated_client: TestClient, content: Content
) -> None:
    """The session gate follows the outcome (and the clinician's answer): whatever it says,
    it plays one clip, its question to the clinician said in the same clip, and that clip is
    one length, so neither the number nor the size of the clips fetched tells the outcome.
    Where the words end is on the page, so the voice stops there, not after the padding."""
    sizes: dict[int, set[str]] = {}
    gates: set[str] = set()
    people = [p for p in one_of_each(content) if p.perspective == "you"]
    for person, clinician in [(None, None), *((p, None) for p in people)] + [
        (people[0], answer) for answer in ("agreed", "said-no", "not-asked")
    ]:
        narrated_client.cookies.clear()
        if person is not None:
            answer_as(narrated_client, content, person)
        if clinician is not None:
            narrated_client.post("/en/session/clinician", data={"answer": clinician})
        page = narrated_client.get("/en/session").text
        gate = re.search(r'class="ig-session-gate ig-session-gate--([a-z-]+)"', page)
        assert gate is not None
        gates.add(gate.group(1))
        sources = re.findall(r'<audio[^>]* src="([^"]+)"', page)
        assert len(sources) == 1 and "data-playlist" not in page, gate.group(1)
        assert re.search(r'data-end="[0-9.]+"', page), gate.group(1)
        length = int(narrated_client.get(sources[0]).headers["content-length"])
        sizes.setdefault(length, set()).add(gate.group(1))
    assert len(gates) >= 5, gates
    assert len(sizes) == 1, sizes


def test_the_summary_read_aloud_fetches_the_same_clips_whatever_the_answers(
    narrated_client: TestClient, content: Content
) -> None:
    """The summary's reader fetches its clips before the first word: as many, of the same
    sizes, for every person (only the perspective's own line differs; the outcome's clip is
    another URL of the same length), so the requests tell nothing of the outcome or the
    causes; what it plays names where the outcome's words end."""
    fetched: dict[str, set[tuple[int, ...]]] = {}
    length_of: dict[str, int] = {}
    for person in one_of_each(content):
        narrated_client.cookies.clear()
        answer_as(narrated_client, content, person)
        page = narrated_client.get("/en/screening/summary").text
        found = re.search(r"data-clips='([^']+)'", page)
        assert found is not None
        reading = json.loads(html.unescape(found.group(1)))
        for url in reading["fetch"]:
            if url not in length_of:
                length_of[url] = int(narrated_client.get(url).headers["content-length"])
        lengths = tuple(sorted(length_of[url] for url in reading["fetch"]))
        fetched.setdefault(person.perspective, set()).add(lengths)
        played = [item["src"] for item in reading["play"]]
        assert set(played) <= set(reading["fetch"])
        # Sealed clips (the outcome, third; the answers) say where their words end.
        assert reading["play"][2]["end"] > 0, person.key
        assert reading["play"][0]["end"] is None
    assert {p: len(lists) for p, lists in fetched.items()} == {"you": 1, "they": 1}
