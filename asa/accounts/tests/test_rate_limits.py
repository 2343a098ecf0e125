"""Rate limits: sign-in, search and the API answer 429 with Retry-After past their limit."""

import time
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.test import Client

from asa.conftest import PASSWORD
from asa.lib import rate_limit


@pytest.fixture(autouse=True)
def _fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def limits(settings, monkeypatch):
    settings.RATE_LIMITS = {"login": (3, 60), "search": (4, 60), "api": (5, 60)}
    # Counts are kept per minute: a slow run whose requests straddle a minute's end would count
    # them in two windows. The clock stands still in the middle of a minute.
    standing = (time.time() // 60) * 60 + 30
    monkeypatch.setattr(rate_limit, "time", SimpleNamespace(time=lambda: standing))
    return settings.RATE_LIMITS


def test_the_suite_runs_without_limits_in_reach(settings):
    assert all(count >= 100_000 for count, _ in settings.RATE_LIMITS.values())


def test_it_limits_sign_in_attempts_per_address(db, limits):
    client = Client(REMOTE_ADDR="192.0.2.50")
    for number in range(3):
        client.post("/accounts/login/", {"username": f"name.{number}", "password": "x"})
    response = client.post("/accounts/login/", {"username": "another", "password": "x"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) >= 1
    assert "ส่งคำขอถี่เกินไป" in response.content.decode()
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    # Another address is not held back.
    other = Client(REMOTE_ADDR="192.0.2.51")
    assert other.post("/accounts/login/", {"username": "x", "password": "x"}).status_code == 200


def test_it_limits_sign_in_attempts_per_name(chair_a, limits):
    for number in range(3):
        Client(REMOTE_ADDR=f"192.0.2.{60 + number}").post(
            "/accounts/login/", {"username": "chair.a", "password": "x"}
        )
    response = Client(REMOTE_ADDR="192.0.2.70").post(
        "/accounts/login/", {"username": "chair.a", "password": PASSWORD}
    )
    assert response.status_code == 429


def test_it_leaves_the_login_page_itself_alone(client, db, limits):
    for _ in range(10):
        assert client.get("/accounts/login/").status_code == 200


def test_it_limits_searches_per_user(client_for, chair_a, limits):
    client = client_for(chair_a)
    for _ in range(4):
        assert client.get("/people/?q=สมชาย").status_code == 200
    response = client.get("/people/?q=สมหญิง")
    assert response.status_code == 429
    assert "Retry-After" in response
    # Browsing without a search text is not a search.
    assert client.get("/people/").status_code == 200


def test_it_counts_api_searches_too(api_client_for, chair_a, settings):
    settings.RATE_LIMITS = {"login": (100, 60), "search": (2, 60), "api": (100, 60)}
    client = api_client_for(chair_a)
    for _ in range(2):
        assert client.get("/api/v1/people?q=สมชาย").status_code == 200
    response = client.get("/api/v1/people?q=สมชาย")
    assert response.status_code == 429
    assert "ส่งคำขอถี่เกินไป" in response.json()["detail"]


def test_it_limits_api_calls_per_token(api_client_for, chair_a, volunteer_a, limits):
    client = api_client_for(chair_a)
    for _ in range(5):
        assert client.get("/api/v1/centers").status_code == 200
    response = client.get("/api/v1/centers")
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"].startswith("ส่งคำขอถี่เกินไป")
    assert int(response["Retry-After"]) <= 61
    # Another user's token has its own count.
    assert api_client_for(volunteer_a).get("/api/v1/centers").status_code == 200


def test_it_does_not_store_the_token_in_the_cache_key(chair_a, limits, settings):
    from asa.accounts.actions import create_api_token

    # A local-memory cache shows its keys (the shared file cache stores only their digests).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    _, secret = create_api_token(actor=None, user=chair_a, name="probe")
    Client(headers={"Authorization": f"Bearer {secret}"}).get("/api/v1/centers")
    keys = list(cache._cache.keys())
    assert keys and not any(secret in key for key in keys)


def test_it_answers_search_as_you_type_with_a_short_notice(client_for, chair_a, limits):
    client = client_for(chair_a)
    for _ in range(4):
        client.get("/people/?q=สม", headers={"HX-Request": "true"})
    response = client.get("/people/?q=สมช", headers={"HX-Request": "true"})
    assert response.status_code == 429
    body = response.content.decode()
    assert body.startswith('<p class="error-summary" role="alert">ส่งคำขอถี่เกินไป')
    assert "<html" not in body


@pytest.mark.django_db(transaction=True)
def test_a_chair_typing_too_many_searches_sees_the_notice(page, chair_a, settings):
    from asa.conftest import log_in

    log_in(page, "chair.a")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    settings.RATE_LIMITS = {"login": (100, 60), "search": (2, 60), "api": (100, 60)}
    page.goto("/people/")
    search = page.locator("#id_q")
    for text in ("สม", "สมช", "สมชา"):
        # Each search is sent 400 ms after typing stops: wait for its answer, not for a fixed
        # time (a busy machine answered the third one later than 700 ms).
        with page.expect_response(lambda response: "/people/?q=" in response.url):
            search.fill(text)
    notice = page.locator("#person-results").get_by_role("alert")
    assert "ส่งคำขอถี่เกินไป" in notice.inner_text()
