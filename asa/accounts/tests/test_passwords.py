"""Passwords: change, reset by email (Django's own views), the first-sign-in change; every
change an audited action, the pages rate-limited."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from asa.accounts.actions import create_user
from asa.accounts.models import AuditEvent, User
from asa.conftest import PASSWORD

NEW_PASSWORD = "purple elephant dancing quietly"


@pytest.fixture(autouse=True)
def _email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    cache.clear()
    yield
    cache.clear()


def test_it_changes_my_password_and_audits_it(client_for, chair_a):
    client = client_for(chair_a)
    assert "เปลี่ยนรหัสผ่าน" in client.get("/accounts/password/change/").content.decode()
    response = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    chair_a.refresh_from_db()
    assert chair_a.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="change_password", actor=chair_a)
    assert event.changes == {"via": "change", "temporary": False}
    assert NEW_PASSWORD not in str(event.changes)
    # Still signed in after the change (the session hash was updated).
    assert client.get("/accounts/profile/").status_code == 200


def test_it_refuses_a_wrong_current_password(client_for, chair_a):
    response = client_for(chair_a).post(
        "/accounts/password/change/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    assert "field-error" in response.content.decode()
    chair_a.refresh_from_db()
    assert chair_a.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="change_password").exists()


def test_it_resets_a_password_by_email(chair_a, django_capture_on_commit_callbacks):
    chair_a.email = "chair.a@example.org"
    chair_a.save(update_fields=["email"])
    client = Client()
    login_page = client.get("/accounts/login/").content.decode()
    assert "/accounts/password/reset/" in login_page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "CHAIR.A@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert len(mail.outbox) == 1  # sent once the request's transaction committed
    message = mail.outbox[0]
    assert message.to == ["chair.a@example.org"]
    assert "chair.a" in message.body
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)
    assert AuditEvent.objects.filter(action="send_password_reset", object_id=str(chair_a.pk))

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"]
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/complete/"
    chair_a.refresh_from_db()
    assert chair_a.check_password(NEW_PASSWORD)
    event = AuditEvent.objects.get(action="change_password", object_id=str(chair_a.pk))
    assert event.changes["via"] == "reset"
    # The link works once.
    again = client.get(link, follow=True)
    assert not again.context["validlink"]
    assert "ลิงก์นี้ใช้ไม่ได้" in again.content.decode()


def test_it_answers_the_same_for_an_unknown_address(db):
    response = Client().post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert mail.outbox == []
    assert not AuditEvent.objects.filter(action="send_password_reset").exists()


def test_it_rate_limits_reset_requests_and_password_changes(settings, chair_a, client_for):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": (3, 60)}
    client = Client(REMOTE_ADDR="192.0.2.90")
    for number in range(3):
        client.post("/accounts/password/reset/", {"email": f"n{number}@example.org"})
    assert client.post("/accounts/password/reset/", {"email": "x@example.org"}).status_code == 429
    cache.clear()
    changer = client_for(chair_a)
    data = {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    for _ in range(3):
        assert changer.post("/accounts/password/change/", data).status_code == 200
    assert changer.post("/accounts/password/change/", data).status_code == 429
    # Guessing the current password through the change form is held back like sign-in.
    chair_a.refresh_from_db()
    assert chair_a.check_password(PASSWORD)


def test_a_new_account_changes_its_password_at_first_sign_in(admin_user):
    user = create_user(
        actor=admin_user, username="new.clerk", password=PASSWORD, must_change_password=True
    )
    client = Client()
    response = client.post("/accounts/login/", {"username": "new.clerk", "password": PASSWORD})
    assert response.status_code == 302
    # Every page leads to the change form, which shows no menu meanwhile.
    for url in ("/", "/people/", "/accounts/profile/", "/accounts/tokens/"):
        answer = client.get(url)
        assert answer.status_code == 302, url
        assert answer["Location"] == "/accounts/password/change/"
    form = client.get("/accounts/password/change/").content.decode()
    assert "ผู้ดูแลระบบตั้งให้" in form
    assert 'class="main-nav"' not in form
    # The session API does not count as signed in meanwhile.
    assert client.get("/api/v1/tokens").status_code == 401
    response = client.post(
        "/accounts/password/change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get("/accounts/profile/").status_code == 200
    assert User.objects.get(pk=user.pk).check_password(NEW_PASSWORD)
