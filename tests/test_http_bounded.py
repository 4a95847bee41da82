"""Made-up requests never fill the server's memory (issue 23): unknown question ids of many
kilobytes and long made-up queries leave the URL cache, the page memo and the ready pages
holding only states that exist."""

from __future__ import annotations

from starlette.testclient import TestClient

from server import urls
from server.content import Content
from server.page_memo import PageMemo, SharedPage
from server.ready_pages import ReadyPages


def ready_pages_of(client: TestClient) -> ReadyPages:
    stack = client.app.middleware_stack  # type: ignore[attr-defined]
    while not isinstance(stack, ReadyPages):
        stack = stack.app
    return stack


def test_made_up_ids_and_queries_are_kept_nowhere(client: TestClient, content: Content) -> None:
    client.post("/en/screening/start", data={"perspective": "you"})
    first = content.questions[0].id
    assert client.get(f"/en/screening/q/{first}").status_code == 200
    assert client.get(f"/en/screening/q/{first}?return=check").status_code == 200
    shared = client.app.state.ig  # type: ignore[attr-defined]
    memo_before = len(shared.pages)
    ready_before = len(ready_pages_of(client).responses)
    urls_before = urls._route_path.cache_info().currsize

    for n in range(300):
        made_up = f"q{n}" + "x" * 20_000
        assert client.get(f"/en/screening/q/{made_up}").status_code == 404
        long_query = f"/en/screening/q/{first}?n={n}&pad=" + "y" * 20_000
        assert client.get(long_query).status_code == 200

    assert len(shared.pages) == memo_before
    assert len(ready_pages_of(client).responses) == ready_before
    # The URL cache holds only the app's own URLs: at most a few new ones, none made up.
    assert urls._route_path.cache_info().currsize - urls_before < 50


def test_the_page_memo_is_bounded_in_bytes_as_well_as_in_pages() -> None:
    """However heavy the pages, the memo holds at most its bytes: the least recently used go
    first, a page heavier than the whole bound is never kept, and a page put again under its
    key is counted once."""
    memo: PageMemo[SharedPage] = PageMemo(max_pages=1000, max_bytes=10_000)
    for n in range(20):
        memo.put(n, SharedPage(b"x" * 1000))  # weighs 2,000 bytes (body and compressed forms)
    assert memo.weight <= 10_000
    assert [n for n in range(20) if memo.get(n) is not None] == [15, 16, 17, 18, 19]
    memo.put(19, SharedPage(b"y" * 1000))
    assert memo.weight == 10_000
    memo.put("huge", SharedPage(b"z" * 6000))
    assert memo.get("huge") is None and memo.get(19) is not None
