"""Lockout after repeated failed sign-ins: per user name and per address, with audit events."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from asa.accounts import security
from asa.accounts.models import AuditEvent, LoginAttempt
from asa.conftest import PASSWORD

LOGIN = "/accounts/login/"
LOCKED = "ระงับการเข้าสู่ระบบไว้ชั่วคราว"


def _try(client: Client, username: str, password: str = "wrong password"):  # noqa: S107
    return client.post(LOGIN, {"username": username, "password": password})


def _from(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def test_it_locks_a_name_after_five_failures(client, chair_a):
    for _ in range(5):
        assert "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง" in _try(client, "chair.a").content.decode()
    # Now even the right password is refused, with the same words as for any name.
    response = _try(client, "chair.a", PASSWORD)
    assert response.status_code == 200
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    # Refused attempts are not checked or counted: the lock ends with its window.
    assert LoginAttempt.objects.filter(username="chair.a").count() == 5


def test_it_locks_the_name_from_any_address(chair_a):
    for number in range(5):
        _try(_from(f"192.0.2.{number + 1}"), "chair.a")
    assert LOCKED in _try(_from("198.51.100.7"), "chair.a", PASSWORD).content.decode()


def test_it_says_the_same_for_a_name_that_does_not_exist(client, db):
    for _ in range(5):
        _try(client, "nobody.here")
    body = _try(client, "nobody.here").content.decode()
    assert LOCKED in body


def test_it_records_the_lock_once_for_the_dpo(client, chair_a):
    for _ in range(7):
        _try(client, "chair.a")
    events = AuditEvent.objects.filter(action="login_locked")
    assert events.count() == 1
    event = events.get()
    assert event.object_id == str(chair_a.pk)
    assert event.changes["username"] == "chair.a"
    assert event.changes["locked"] == ["username"]
    assert event.ip_address is None or event.ip_address == "127.0.0.1"


def test_it_unlocks_when_the_window_passes(client, chair_a):
    for _ in range(5):
        _try(client, "chair.a")
    LoginAttempt.objects.update(at=timezone.now() - dt.timedelta(minutes=16))
    assert _try(client, "chair.a", PASSWORD).status_code == 302


def test_a_success_resets_the_count_for_that_name(client, chair_a):
    for _ in range(4):
        _try(client, "chair.a")
    assert _try(client, "chair.a", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        _try(client, "chair.a")
    assert _try(client, "chair.a", PASSWORD).status_code == 302


def test_it_locks_an_address_trying_many_names(db, chair_a, settings):
    attacker = _from("203.0.113.9")
    for number in range(settings.LOGIN_FAILURES_PER_ADDRESS):
        _try(attacker, f"guess.{number}")
    # A right password from that address is refused too ...
    assert LOCKED in _try(attacker, "chair.a", PASSWORD).content.decode()
    event = AuditEvent.objects.get(action="login_locked")
    assert event.changes["locked"] == ["address"]
    # ... while the same person elsewhere still gets in.
    assert _try(_from("198.51.100.8"), "chair.a", PASSWORD).status_code == 302


def test_a_success_does_not_reset_the_address_count(db, chair_a, settings):
    attacker = _from("203.0.113.10")
    for number in range(settings.LOGIN_FAILURES_PER_ADDRESS - 1):
        _try(attacker, f"guess.{number}")
    assert _try(attacker, "chair.a", PASSWORD).status_code == 302
    attacker.post("/accounts/logout/")
    _try(attacker, "guess.last")
    assert LOCKED in _try(attacker, "guess.other").content.decode()


def test_wrong_codes_count_and_lock_out_the_code_step(client, officer, monkeypatch):
    monkeypatch.setattr(security, "current_step", lambda: 60_000_000)
    _try(client, "officer.bkk", PASSWORD)
    for _ in range(4):
        assert client.post("/accounts/two-factor/", {"code": "000000"}).status_code == 200
    response = client.post("/accounts/two-factor/", {"code": "000000"}, follow=True)
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session  # signed out
    # The right code does not help now, nor the password.
    assert LOCKED in _try(client, "officer.bkk", PASSWORD).content.decode()


def test_the_admin_login_cannot_go_round_the_lock(client, admin_user):
    for _ in range(5):
        _try(client, "admin.user")
    response = client.post(
        "/admin/login/", {"username": "admin.user", "password": PASSWORD}, follow=True
    )
    assert "_auth_user_id" not in client.session
    assert response.redirect_chain[0][0].startswith("/accounts/login/")


@pytest.mark.django_db(transaction=True)
def test_a_locked_name_sees_the_message_in_the_browser(page, chair_a):
    from asa.conftest import log_in

    for _ in range(5):
        log_in(page, "chair.a", "wrong password")
    log_in(page, "chair.a")
    assert LOCKED in page.get_by_role("alert").inner_text()


@pytest.mark.parametrize("typed", [" chair.a", "chair.a ", "\tchair.a", "CHAIR.A", " Chair.A "])
def test_a_name_typed_with_spaces_or_capitals_cannot_go_round_the_lock(client, chair_a, typed):
    for _ in range(5):
        _try(client, "chair.a")
    # Sign-in strips the name before checking it, so the lock must hold for the stripped name.
    response = _try(client, typed, PASSWORD)
    assert LOCKED in response.content.decode()
    assert "_auth_user_id" not in client.session
    # ... and refused attempts clear nothing: the exact name is still locked.
    assert LOCKED in _try(client, "chair.a", PASSWORD).content.decode()


def test_failures_typed_in_different_ways_count_toward_one_lock(client, chair_a):
    for typed in ("chair.a", " chair.a", "chair.a ", "CHAIR.A", "Chair.A"):
        _try(client, typed)
    assert LOCKED in _try(client, "chair.a", PASSWORD).content.decode()
    event = AuditEvent.objects.get(action="login_locked")
    assert event.object_id == str(chair_a.pk)


def test_normalised_name_is_what_sign_in_checks():
    assert security.lockout_name(" chair.a\t") == "chair.a"
    assert security.lockout_name("CHAIR.A") == "chair.a"
    # NFKC, as the sign-in form's UsernameField: a full-width name is the same name.
    assert security.lockout_name("ｃｈａｉｒ.ａ") == "chair.a"
