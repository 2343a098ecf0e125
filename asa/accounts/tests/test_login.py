"""Signing in and out, and how long a session lasts."""

import datetime as dt

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

from asa.conftest import PASSWORD, log_in

LOGIN = "/accounts/login/"


def test_it_shows_the_login_page_in_thai(client, db):
    response = client.get(LOGIN)
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="th">' in body
    assert "ชื่อผู้ใช้" in body and "รหัสผ่าน" in body and "เข้าสู่ระบบ" in body


def test_it_logs_in(client, chair_a):
    response = client.post(LOGIN, {"username": "chair.a", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(chair_a.pk)


def test_it_follows_a_safe_next_but_not_an_outside_one(client, chair_a):
    response = client.post(
        LOGIN, {"username": "chair.a", "password": PASSWORD, "next": "/volunteers/"}
    )
    assert response["Location"] == "/volunteers/"
    client.logout()
    response = client.post(
        LOGIN, {"username": "chair.a", "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert "evil.example" not in response["Location"]


def test_it_refuses_a_wrong_password_in_thai(client, chair_a):
    response = client.post(LOGIN, {"username": "chair.a", "password": "wrong"})
    assert response.status_code == 200
    assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_refuses_an_inactive_user(client, chair_a):
    chair_a.is_active = False
    chair_a.save(update_fields=["is_active"])
    response = client.post(LOGIN, {"username": "chair.a", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_it_logs_out_only_by_post(client_for, chair_a):
    client = client_for(chair_a)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/accounts/tokens/").status_code == 200  # still signed in
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/"
    assert client.get("/accounts/tokens/").status_code == 302


def test_it_sends_anonymous_visitors_to_login(client, db):
    response = client.get("/centers/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/centers/")


def test_it_expires_sessions_after_the_idle_time(client, chair_a):
    assert settings.SESSION_COOKIE_AGE <= 60 * 60  # at most an hour idle
    assert settings.SESSION_SAVE_EVERY_REQUEST  # each request pushes the expiry forward
    client.post(LOGIN, {"username": "chair.a", "password": PASSWORD})
    session = Session.objects.get(session_key=client.session.session_key)
    expected = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert abs((session.expire_date - expected).total_seconds()) < 30

    # Activity moves the expiry forward ...
    Session.objects.filter(pk=session.pk).update(
        expire_date=timezone.now() + dt.timedelta(seconds=10)
    )
    assert client.get("/accounts/tokens/").status_code == 200
    session.refresh_from_db()
    assert (session.expire_date - timezone.now()).total_seconds() > 60

    # ... and an idle session past its expiry is over.
    Session.objects.filter(pk=session.pk).update(
        expire_date=timezone.now() - dt.timedelta(seconds=1)
    )
    response = client.get("/accounts/tokens/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_follows_the_idle_time_setting(client, chair_a, settings):
    settings.SESSION_COOKIE_AGE = 120
    client.post(LOGIN, {"username": "chair.a", "password": PASSWORD})
    assert client.session.get_expiry_age() == 120


def test_it_enforces_csrf_on_login(chair_a):
    client = Client(enforce_csrf_checks=True)
    response = client.post(LOGIN, {"username": "chair.a", "password": PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_it_enforces_csrf_on_signed_in_writes(chair_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(chair_a)
    assert client.post("/accounts/tokens/", {"name": "x"}).status_code == 403
    assert client.post("/accounts/logout/").status_code == 403
    assert not chair_a.api_tokens.exists()


def test_it_hashes_passwords_with_argon2():
    production_hashers = [h for h in settings.PASSWORD_HASHERS if "MD5" not in h]
    assert production_hashers[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_it_stores_no_plain_password(chair_a):
    assert PASSWORD not in chair_a.password
    assert chair_a.check_password(PASSWORD)


@pytest.mark.django_db(transaction=True)
def test_it_logs_in_and_out_in_the_browser(page, chair_a):
    log_in(page, "chair.a", "wrong password")
    assert page.get_by_role("alert").inner_text().strip() == "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"
    log_in(page, "chair.a")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    assert "ศูนย์ประสานงาน อพม. เขตบางเขน" in page.content()
    page.get_by_role("button", name="ออกจากระบบ").click()
    page.wait_for_url("**/accounts/login/")
    assert page.get_by_role("heading", name="เข้าสู่ระบบ").is_visible()
