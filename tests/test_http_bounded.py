"""Made-up requests never fill the server's memory (issue 23): unknown question ids of many
kilobytes and long made-up queries leave the URL cache and the page cache holding only
states that exist."""

from __future__ import annotations

from starlette.testclient import TestClient

from server.content import Content
from server.http import urls
from server.page_cache import Kept, KeptResponse, PageCache


def page_cache_of(client: TestClient) -> PageCache:
    stack = client.app.middleware_stack  # type: ignore[attr-defined]
    while not isinstance(stack, PageCache):
        stack = stack.app
    return stack


def test_made_up_ids_and_queries_are_kept_nowhere(client: TestClient, content: Content) -> None:
    client.post("/en/screening/start", data={"perspective": "you"})
    first = content.questions[0].id
    assert client.get(f"/en/screening/q/{first}").status_code == 200
    assert client.get(f"/en/screening/q/{first}?return=check").status_code == 200
    kept_before = len(page_cache_of(client).responses)
    urls_before = urls._route_path.cache_info().currsize

    for n in range(300):
        made_up = f"q{n}" + "x" * 20_000
        assert client.get(f"/en/screening/q/{made_up}").status_code == 404
        long_query = f"/en/screening/q/{first}?n={n}&pad=" + "y" * 20_000
        assert client.get(long_query).status_code == 200

    assert len(page_cache_of(client).responses) == kept_before
    # The URL cache holds only the app's own URLs: at most a few new ones, none made up.
    assert urls._route_path.cache_info().currsize - urls_before < 50


def test_the_page_cache_is_bounded_in_bytes_as_well_as_in_responses() -> None:
    """However heavy the responses, the cache holds at most its bytes: the least recently
    used go first, one heavier than the whole bound is never kept, and one put again under
    its key is counted once."""
    kept = Kept(max_responses=1000, max_bytes=10_000)
    for n in range(20):
        kept.put(n, KeptResponse(200, (), b"x" * 2000))  # weighs 2,000 bytes
    assert kept.weight <= 10_000
    assert [n for n in range(20) if kept.get(n) is not None] == [15, 16, 17, 18, 19]
    kept.put(19, KeptResponse(200, (), b"y" * 2000))
    assert kept.weight == 10_000
    kept.put("huge", KeptResponse(200, (), b"z" * 12_000))
    assert kept.get("huge") is None and kept.get(19) is not None
