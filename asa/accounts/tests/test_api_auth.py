"""API authentication (Bearer token or session), the user's own tokens, and the OpenAPI
document."""

import pytest
from django.test import Client

from asa.accounts.actions import create_api_token, revoke_api_token
from asa.accounts.models import ApiToken


def bearer(secret: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def token_cache_on(settings):
    """Token lookups cached as in production, for long enough that only the invalidation can
    make a change apply at the next request (the suite runs with the cache off)."""
    settings.API_TOKEN_CACHE_SECONDS = 300


URLS = ["/api/v1/centers", "/api/v1/volunteers", "/api/v1/provinces", "/api/v1/tokens"]


@pytest.mark.parametrize("url", URLS)
def test_it_answers_401_without_a_token(client, db, url):
    response = client.get(url)
    assert response.status_code == 401
    assert response.json() == {"detail": "กรุณายืนยันตัวตน"}


@pytest.mark.parametrize(
    "header",
    [
        "Bearer asa_not-a-real-token",
        "Bearer nonsense",
        "Bearer ",
        "Token abc",
        "Basic Zm9vOmJhcg==",
    ],
)
def test_it_answers_401_for_a_bogus_token(db, header):
    response = Client(headers={"Authorization": header}).get("/api/v1/centers")
    assert response.status_code == 401


def test_it_answers_401_for_a_revoked_token(chair_a):
    token, secret = create_api_token(actor=chair_a, user=chair_a, name="old")
    assert bearer(secret).get("/api/v1/centers").status_code == 200
    revoke_api_token(actor=chair_a, token=token)
    assert bearer(secret).get("/api/v1/centers").status_code == 401


def test_it_answers_401_for_a_deactivated_user(chair_a):
    _, secret = create_api_token(actor=chair_a, user=chair_a, name="t")
    chair_a.is_active = False
    chair_a.save(update_fields=["is_active"])
    assert bearer(secret).get("/api/v1/centers").status_code == 401


def test_it_answers_401_not_403_for_a_write_with_a_bad_token(db, center_a):
    response = bearer("asa_wrong").patch(
        f"/api/v1/centers/{center_a.pk}", {"venue": "x"}, content_type="application/json"
    )
    assert response.status_code == 401


def test_it_accepts_the_browser_session_for_reads(client_for, chair_a, center_a):
    response = client_for(chair_a).get("/api/v1/centers")
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_it_requires_csrf_for_writes_by_session(chair_a, center_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(chair_a)
    url = f"/api/v1/centers/{center_a.pk}"
    response = client.patch(url, {"venue": "ใหม่"}, content_type="application/json")
    assert response.status_code == 403
    center_a.refresh_from_db()
    assert center_a.venue != "ใหม่"
    client.get("/accounts/tokens/")  # any page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.patch(
        url, {"venue": "ใหม่"}, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200, response.content
    center_a.refresh_from_db()
    assert center_a.venue == "ใหม่"


def test_it_records_when_a_token_was_last_used(chair_a):
    token, secret = create_api_token(actor=chair_a, user=chair_a, name="t")
    assert token.last_used_at is None
    bearer(secret).get("/api/v1/provinces")
    token.refresh_from_db()
    assert token.last_used_at is not None


# --- The user's own tokens --------------------------------------------------------------------


def test_it_lists_only_my_tokens_without_secrets(chair_a, volunteer_a):
    mine, secret = create_api_token(actor=chair_a, user=chair_a, name="laptop")
    create_api_token(actor=volunteer_a, user=volunteer_a, name="theirs")
    body = bearer(secret).get("/api/v1/tokens").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert (item["id"], item["name"], item["prefix"], item["is_active"]) == (
        mine.pk,
        "laptop",
        secret[:12],
        True,
    )
    assert secret not in str(body)
    assert "key_hash" not in item


def test_it_revokes_my_token(chair_a):
    _, secret = create_api_token(actor=chair_a, user=chair_a, name="main")
    other, other_secret = create_api_token(actor=chair_a, user=chair_a, name="spare")
    response = bearer(secret).post(f"/api/v1/tokens/{other.pk}/revoke")
    assert response.status_code == 200
    assert response.json()["is_active"] is False
    assert bearer(other_secret).get("/api/v1/tokens").status_code == 401
    assert bearer(secret).get("/api/v1/tokens").status_code == 200


def test_it_does_not_reveal_or_revoke_someone_elses_token(chair_a, admin_user):
    theirs, their_secret = create_api_token(actor=chair_a, user=chair_a, name="chair's")
    _, secret = create_api_token(actor=admin_user, user=admin_user, name="admin's")
    client = bearer(secret)
    assert client.get(f"/api/v1/tokens/{theirs.pk}").status_code == 404
    response = client.post(f"/api/v1/tokens/{theirs.pk}/revoke")
    assert response.status_code == 404
    assert response.json()["detail"] == "ไม่พบโทเคนนี้"
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None
    assert bearer(their_secret).get("/api/v1/centers").status_code == 200


# --- OpenAPI ------------------------------------------------------------------------------------


def test_it_describes_the_whole_api_in_openapi(client, db):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path, methods in {
        "/api/v1/provinces": {"get"},
        "/api/v1/provinces/{code}": {"get"},
        "/api/v1/districts": {"get"},
        "/api/v1/districts/{code}": {"get"},
        "/api/v1/subdistricts": {"get"},
        "/api/v1/subdistricts/{code}": {"get"},
        "/api/v1/addresses/match": {"get"},
        "/api/v1/centers": {"get", "post"},
        "/api/v1/centers/{center_id}": {"get", "patch"},
        "/api/v1/volunteers": {"get", "post"},
        "/api/v1/volunteers/{volunteer_id}": {"get", "patch"},
        "/api/v1/volunteers/{volunteer_id}/status": {"post"},
        "/api/v1/volunteers/{volunteer_id}/role": {"post"},
        "/api/v1/tokens": {"get"},
        "/api/v1/tokens/{token_id}/revoke": {"post"},
    }.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
    assert "BearerToken" in schema["components"]["securitySchemes"]
    # Lists are paginated: the list answers {items, count} and takes limit and offset.
    listing = paths["/api/v1/volunteers"]["get"]
    parameters = {parameter["name"] for parameter in listing["parameters"]}
    assert {"limit", "offset", "center", "status", "role", "q"} <= parameters
    # The error conventions are documented.
    assert "422" in schema["info"]["description"]
    assert "center" in paths["/api/v1/volunteers"]["post"]["description"]


def test_it_serves_the_docs_page_without_a_cdn(client, db):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
    assert "http://" not in page and "https://" not in page


def test_a_token_request_reads_its_scope_in_the_token_query_and_a_role_change_applies_next(
    db, center_a, token_cache_on
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from asa.accounts.actions import assign_role, remove_role
    from asa.accounts.models import Role
    from asa.conftest import make_user
    from asa.geo.models import District

    officer = make_user("officer.scope", Role.DISTRICT_OFFICER, District.objects.get(code="1005"))
    _, secret = create_api_token(actor=None, user=officer, name="t")
    url = f"/api/v1/centers/{center_a.pk}"
    with CaptureQueriesContext(connection) as captured:
        assert bearer(secret).get(url).status_code == 200
    scope_reads = [q for q in captured.captured_queries if "accounts_roleassignment" in q["sql"]]
    assert len(scope_reads) == 1 and "key_hash" in scope_reads[0]["sql"]  # one query for both

    remove_role(actor=None, assignment=officer.role_assignments.get())
    assert bearer(secret).get(url).status_code == 404  # out of scope at the very next request
    assign_role(
        actor=None,
        user=officer,
        role=Role.DISTRICT_OFFICER,
        scope=District.objects.get(code="1005"),
    )
    assert bearer(secret).get(url).status_code == 200


def test_a_locked_out_users_tokens_stop_at_once_and_work_again_when_the_lock_ends(
    chair_a, settings, token_cache_on
):
    import datetime as dt

    from django.utils import timezone

    from asa.accounts import security
    from asa.accounts.models import LoginAttempt

    _, secret = create_api_token(actor=chair_a, user=chair_a, name="t")
    assert bearer(secret).get("/api/v1/centers").status_code == 200
    # Someone guesses the password five times (typed with a space: the same name).
    for _ in range(settings.LOGIN_FAILURES_PER_USER):
        security.record_login_failure(username=" Chair.A", ip_address=None)
    assert security.login_locked(username="chair.a", ip_address=None)
    assert bearer(secret).get("/api/v1/centers").status_code == 401
    # The lock's window passes: the token works again.
    LoginAttempt.objects.update(at=timezone.now() - dt.timedelta(minutes=60))
    assert bearer(secret).get("/api/v1/centers").status_code == 200


def test_a_success_before_the_failures_does_not_keep_a_locked_users_token_alive(
    chair_a, settings, token_cache_on
):
    from asa.accounts import security

    _, secret = create_api_token(actor=chair_a, user=chair_a, name="t")
    security.record_login_success(user=chair_a, ip_address=None)
    for _ in range(settings.LOGIN_FAILURES_PER_USER - 1):
        security.record_login_failure(username="chair.a", ip_address=None)
    assert bearer(secret).get("/api/v1/centers").status_code == 200  # not locked yet
    security.record_login_failure(username="chair.a", ip_address=None)
    assert bearer(secret).get("/api/v1/centers").status_code == 401


@pytest.mark.parametrize("status", ["inactive", "left"])
def test_a_deactivated_volunteers_tokens_stop_at_once(chair_a, volunteer_a, status, token_cache_on):
    from asa.centers.actions import change_volunteer_status

    _, secret = create_api_token(actor=volunteer_a, user=volunteer_a, name="phone")
    assert bearer(secret).get("/api/v1/centers").status_code == 200
    change_volunteer_status(
        actor=chair_a, volunteer=volunteer_a.volunteer, status=status, reason="พักงาน"
    )
    assert bearer(secret).get("/api/v1/centers").status_code == 401
    change_volunteer_status(
        actor=chair_a, volunteer=volunteer_a.volunteer, status="active", reason="กลับมา"
    )
    assert bearer(secret).get("/api/v1/centers").status_code == 200


def test_a_locked_users_token_is_still_one_query(chair_a, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, secret = create_api_token(actor=chair_a, user=chair_a, name="t")
    bearer(secret).get("/api/v1/centers")  # marks the token used
    with CaptureQueriesContext(connection) as captured:
        assert bearer(secret).get(f"/api/v1/centers/{chair_a.volunteer.center_id}").status_code
    token_reads = [q for q in captured.captured_queries if "key_hash" in q["sql"]]
    assert len(token_reads) == 1
    assert not [
        q
        for q in captured.captured_queries
        if "loginattempt" in q["sql"].lower() and "key_hash" not in q["sql"]
    ]


def _token_queries(secret: str, url: str = "/api/v1/centers") -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert bearer(secret).get(url).status_code == 200
    return len([q for q in captured.captured_queries if "key_hash" in q["sql"]])


def test_a_tokens_lookup_is_cached_between_requests(chair_a, token_cache_on):
    _, secret = create_api_token(actor=chair_a, user=chair_a, name="t")
    assert _token_queries(secret) == 1
    assert _token_queries(secret) == 0  # user and scope from the cache
    # The cached user is whole but for the password hash, which stays in the database.
    from django.core.cache import cache

    from asa.accounts.actions import _hash_token
    from asa.accounts.token_cache import recall

    user, rows = recall(_hash_token(secret))
    assert user.pk == chair_a.pk and user.username == "chair.a" and rows
    assert chair_a.password not in repr(cache.get("asa:api-token:" + _hash_token(secret)))


def test_it_answers_401_for_a_revoked_token_even_when_cached(chair_a, token_cache_on):
    token, secret = create_api_token(actor=chair_a, user=chair_a, name="old")
    assert bearer(secret).get("/api/v1/centers").status_code == 200
    assert _token_queries(secret) == 0
    revoke_api_token(actor=chair_a, token=token)
    assert bearer(secret).get("/api/v1/centers").status_code == 401


def test_it_answers_401_for_a_deactivated_user_even_when_cached(chair_a, token_cache_on):
    from asa.accounts.actions import set_user_active

    _, secret = create_api_token(actor=chair_a, user=chair_a, name="t")
    assert bearer(secret).get("/api/v1/centers").status_code == 200
    set_user_active(actor=None, user=chair_a, active=False, reason="ลาออกจากตำแหน่ง")
    assert bearer(secret).get("/api/v1/centers").status_code == 401
    set_user_active(actor=None, user=chair_a, active=True, reason="กลับมาทำงาน")
    assert bearer(secret).get("/api/v1/centers").status_code == 200


def test_a_role_taken_away_applies_at_once_even_when_cached(center_a, token_cache_on):
    from asa.accounts.actions import remove_role
    from asa.accounts.models import Role
    from asa.conftest import make_user
    from asa.geo.models import District

    officer = make_user("officer.cached", Role.DISTRICT_OFFICER, District.objects.get(code="1005"))
    _, secret = create_api_token(actor=None, user=officer, name="t")
    url = f"/api/v1/centers/{center_a.pk}"
    assert _token_queries(secret, url) == 1
    assert _token_queries(secret, url) == 0  # cached
    remove_role(actor=None, assignment=officer.role_assignments.get())
    assert bearer(secret).get(url).status_code == 404


def test_a_signed_in_users_scope_is_cached_and_a_role_change_applies_next(
    client_for, center_a, token_cache_on
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from asa.accounts.actions import remove_role
    from asa.accounts.models import Role
    from asa.conftest import make_user
    from asa.geo.models import District

    officer = make_user("officer.session", Role.DISTRICT_OFFICER, District.objects.get(code="1005"))
    client = client_for(officer)
    url = f"/api/v1/centers/{center_a.pk}"

    def scope_reads() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len([q for q in captured.captured_queries if "accounts_roleassignment" in q["sql"]])

    assert scope_reads() == 1
    assert scope_reads() == 0  # from the cache
    remove_role(actor=None, assignment=officer.role_assignments.get())
    assert client.get(url).status_code == 404  # at the very next request
