"""Behind an HTTPS reverse proxy (issue 23): with the proxy named in ``trusted_proxies``, the
scheme it forwards is believed, so a form from the app's own HTTPS page that carries
``Origin`` but no ``Sec-Fetch-Site`` (Safari before 16.4) is accepted, and one from another
origin is refused; forwarded headers from anyone else are ignored; HSTS with HTTPS only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from server.app import create_app
from server.config import Settings

PROXY = ("10.0.0.5", 40000)  # the address the proxy connects from
FORWARDED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


def app_client(
    tmp_path: Path, client: tuple[str, int], trusted_proxies: str = "", https_only: bool = False
) -> TestClient:
    settings = Settings(
        audio_dir=tmp_path / "audio",
        secret_key="proxy",
        trusted_proxies=trusted_proxies,
        https_only=https_only,
    )
    return TestClient(create_app(settings), base_url="http://guide.example", client=client)


@pytest.fixture
def behind_proxy(tmp_path: Path) -> Iterator[TestClient]:
    with app_client(tmp_path, PROXY, trusted_proxies="10.0.0.0/24", https_only=True) as c:
        yield c


def post_start(client: TestClient, origin: str, headers: dict[str, str]) -> int:
    response = client.post(
        "/en/screening/start",
        data={"perspective": "you"},
        headers={"Origin": origin, **headers},
        follow_redirects=False,
    )
    return response.status_code


def test_old_safari_behind_an_https_proxy_can_post_its_forms(behind_proxy: TestClient) -> None:
    assert post_start(behind_proxy, "https://guide.example", FORWARDED) in (200, 303)


def test_another_origin_is_still_refused_behind_the_proxy(behind_proxy: TestClient) -> None:
    assert post_start(behind_proxy, "https://evil.example", FORWARDED) == 403
    assert post_start(behind_proxy, "http://guide.example", FORWARDED) == 403


def test_forwarded_headers_from_an_untrusted_address_are_ignored(tmp_path: Path) -> None:
    stranger = ("198.51.100.7", 40000)
    with app_client(tmp_path, stranger, trusted_proxies="10.0.0.0/24") as client:
        # It says https, but nobody trusted said so: the app sees http, and the https
        # origin is another origin.
        assert post_start(client, "https://guide.example", FORWARDED) == 403
    with app_client(tmp_path, PROXY) as client:  # no proxy named: never believed
        assert post_start(client, "https://guide.example", FORWARDED) == 403


def test_https_only_sends_hsts_and_plain_http_does_not(
    behind_proxy: TestClient, tmp_path: Path
) -> None:
    page = behind_proxy.get("/en/", headers=FORWARDED)
    assert page.headers["strict-transport-security"] == "max-age=31536000"
    with app_client(tmp_path, PROXY) as client:
        assert "strict-transport-security" not in client.get("/en/").headers
