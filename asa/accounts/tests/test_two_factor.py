"""Two-factor sign-in (TOTP): who needs it, the code step, enrolment, recovery codes."""

import re

import pytest
from django.test import Client

from asa.accounts import security
from asa.accounts.actions import assign_role
from asa.accounts.models import AuditEvent, RecoveryCode, Role, TwoFactorDevice
from asa.conftest import PASSWORD, TOTP_SECRET, log_in, make_user
from asa.geo.models import Province

LOGIN = "/accounts/login/"
CODE = "/accounts/two-factor/"
ENROL = "/accounts/two-factor/enrol/"
STEP = 1_900_000_000 // 30  # a fixed time step, so no test races the clock


@pytest.fixture
def fixed_step(monkeypatch):
    monkeypatch.setattr(security, "current_step", lambda: STEP)
    return STEP


def _password(client: Client, username: str, next_url: str = ""):
    data = {"username": username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(LOGIN, data)


def _code(step: int = STEP, secret: str = TOTP_SECRET) -> str:
    return security.code_for(secret, step=step)


def test_it_asks_an_officer_for_a_code_after_the_password(client, officer, fixed_step):
    response = _password(client, "officer.bkk", next_url="/centers/")
    assert response.status_code == 302
    assert response["Location"] == CODE
    # Half signed in: every page leads back to the code page, the API does not count it.
    assert client.get("/centers/")["Location"] == CODE
    assert client.get("/accounts/tokens/")["Location"] == CODE
    assert client.get("/api/v1/centers").status_code == 401
    page = client.get(CODE)
    assert page.status_code == 200
    assert "รหัสยืนยัน" in page.content.decode()

    response = client.post(CODE, {"code": _code()})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/tokens/"  # the last page it asked for
    assert client.get("/centers/").status_code == 200
    assert client.get("/api/v1/centers").status_code == 200


def test_it_goes_on_to_the_asked_page_after_the_code(client, officer, fixed_step):
    _password(client, "officer.bkk", next_url="/volunteers/")
    response = client.post(CODE, {"code": _code()})
    assert response["Location"] == "/volunteers/"


def test_it_lets_chairs_and_volunteers_in_with_a_password(client, chair_a):
    response = _password(client, "chair.a")
    assert response["Location"] == "/"
    assert client.get("/centers/").status_code == 200


@pytest.mark.parametrize("persona", ["admin_user", "officer", "district_officer_a", "dpo"])
def test_it_requires_a_second_factor_of_staff(request, db, persona):
    user = request.getfixturevalue(persona)
    assert security.two_factor_required(user)


@pytest.mark.parametrize("persona", ["chair_a", "volunteer_a", "agency_user"])
def test_it_does_not_require_one_of_others(request, db, persona):
    assert not security.two_factor_required(request.getfixturevalue(persona))


def test_it_requires_one_of_a_django_staff_flag_without_a_role(db):
    user = make_user("staff.only")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    assert security.two_factor_required(user)


def test_it_can_be_switched_off(client, db, settings):
    settings.ASA_REQUIRE_TWO_FACTOR = False
    user = make_user("officer.nodevice")
    assign_role(
        actor=None, user=user, role=Role.PROVINCE_OFFICER, scope=Province.objects.get(code="10")
    )
    assert _password(client, "officer.nodevice")["Location"] == "/"


def test_it_accepts_a_code_one_step_off_but_not_two(client, officer, fixed_step):
    _password(client, "officer.bkk")
    # (Four tries: a fifth wrong one would lock the name, test_lockout.py.)
    for wrong in (_code(STEP - 2), _code(STEP + 2), "12345", "abcdef"):
        response = client.post(CODE, {"code": wrong})
        assert response.status_code == 200
        assert "รหัสยืนยันไม่ถูกต้อง" in response.content.decode()
    assert client.post(CODE, {"code": _code(STEP - 1)}).status_code == 302


def test_it_never_accepts_the_same_code_twice(officer, fixed_step):
    first = Client()
    _password(first, "officer.bkk")
    assert first.post(CODE, {"code": _code()}).status_code == 302
    # Someone who saw that code (over the shoulder, a replay) cannot use it again.
    second = Client()
    _password(second, "officer.bkk")
    response = second.post(CODE, {"code": _code()})
    assert response.status_code == 200
    assert second.get("/centers/")["Location"] == CODE
    # Nor an older one; the next step's code still works.
    assert second.post(CODE, {"code": _code(STEP - 1)}).status_code == 200
    assert second.post(CODE, {"code": _code(STEP + 1)}).status_code == 302


def test_it_records_a_wrong_code(client, officer, fixed_step):
    _password(client, "officer.bkk")
    client.post(CODE, {"code": "000000"})
    event = AuditEvent.objects.get(action="two_factor_failed")
    assert event.object_id == str(officer.pk)
    assert event.actor == officer


def test_it_gives_a_new_session_key_once_verified(client, officer, fixed_step):
    _password(client, "officer.bkk")
    before = client.session.session_key
    client.post(CODE, {"code": _code()})
    assert client.session.session_key != before


def test_it_sends_a_staff_user_without_a_device_to_enrol(client, db, fixed_step):
    user = make_user("officer.fresh")
    assign_role(
        actor=None, user=user, role=Role.PROVINCE_OFFICER, scope=Province.objects.get(code="10")
    )
    assert _password(client, "officer.fresh")["Location"] == CODE
    assert client.get(CODE)["Location"] == ENROL
    assert client.get("/centers/")["Location"] == CODE
    page = client.get(ENROL)
    body = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in body and " style=" not in body and "<script>" not in body
    secret = re.search(r'data-testid="two-factor-secret">([A-Z2-7 ]+)<', body).group(1)
    secret = secret.replace(" ", "")
    device = TwoFactorDevice.objects.get(user=user)
    assert device.confirmed_at is None
    assert security.device_secret(device) == secret
    # The same secret on a second look (the QR code does not change under the user's phone).
    assert secret.replace(" ", "") in client.get(ENROL).content.decode().replace(" ", "")

    wrong = client.post(ENROL, {"code": "000000"})
    assert "รหัสยืนยันไม่ถูกต้อง" in wrong.content.decode()
    response = client.post(ENROL, {"code": _code(secret=secret)})
    assert response.status_code == 200
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", response.content.decode())
    assert len(codes) == 10 == len(set(codes))
    device.refresh_from_db()
    assert device.confirmed_at is not None
    assert AuditEvent.objects.filter(action="enrol_two_factor", object_id=str(user.pk)).exists()
    assert client.get("/centers/").status_code == 200
    # Only hashes are kept.
    stored = set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert not stored & set(codes)


def test_it_keeps_the_secret_encrypted_when_field_encryption_is_on(db):
    pytest.importorskip("asa.lib.crypto")
    user = make_user("officer.sealed", Role.DATA_PROTECTION_OFFICER)
    device = TwoFactorDevice.objects.get(user=user)
    assert TOTP_SECRET not in device.secret
    assert security.device_secret(device) == TOTP_SECRET


def test_it_accepts_a_recovery_code_once(client, db, fixed_step):
    user = make_user("dpo.recovery", Role.DATA_PROTECTION_OFFICER)
    codes = security.regenerate_recovery_codes(user=user)
    _password(client, "dpo.recovery")
    response = client.post(CODE, {"code": codes[0].upper()}, follow=True)
    assert response.status_code == 200
    assert "เหลืออีก 9 ชุด" in response.content.decode()
    event = AuditEvent.objects.get(action="use_recovery_code")
    assert event.changes == {"codes_left": 9}

    again = Client()
    _password(again, "dpo.recovery")
    assert again.post(CODE, {"code": codes[0]}).status_code == 200  # used up
    assert again.post(CODE, {"code": codes[1]}).status_code == 302


def test_it_holds_a_chair_promoted_to_officer_mid_session(client, chair_a):
    _password(client, "chair.a")
    assert client.get("/centers/").status_code == 200
    assign_role(
        actor=None, user=chair_a, role=Role.PROVINCE_OFFICER, scope=Province.objects.get(code="10")
    )
    assert client.get("/centers/")["Location"] == CODE


def test_it_lets_bearer_tokens_through(api_client_for, officer):
    # Tokens are made by fully signed-in users (the tokens page is behind the code page).
    assert api_client_for(officer).get("/api/v1/centers").status_code == 200


def test_it_sends_the_admin_login_to_the_one_login_page(client, db):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_it_asks_for_the_code_before_the_admin_site(client, admin_user, fixed_step):
    _password(client, "admin.user", next_url="/admin/")
    assert client.get("/admin/")["Location"] == CODE
    assert client.post(CODE, {"code": _code()})["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_it_lets_a_half_signed_in_user_sign_out(client, officer):
    _password(client, "officer.bkk")
    response = client.post("/accounts/logout/")
    assert response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


def test_it_resets_a_lost_device(db):
    user = make_user("dpo.lost", Role.DATA_PROTECTION_OFFICER)
    security.regenerate_recovery_codes(user=user)
    assert security.reset_two_factor(actor=None, user=user, reason="โทรศัพท์หาย")
    assert not TwoFactorDevice.objects.filter(user=user).exists()
    assert not RecoveryCode.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="reset_two_factor").exists()


@pytest.mark.django_db(transaction=True)
def test_an_officer_signs_in_with_the_code_in_the_browser(page, officer):
    log_in(page, "officer.bkk")
    assert "/accounts/" not in page.url
    assert page.get_by_role("button", name="ออกจากระบบ").is_visible()


@pytest.mark.django_db(transaction=True)
def test_a_new_officer_enrols_in_the_browser(page, db):
    user = make_user("officer.enrol")
    assign_role(
        actor=None, user=user, role=Role.PROVINCE_OFFICER, scope=Province.objects.get(code="10")
    )
    log_in(page, "officer.enrol")
    page.wait_for_url("**/accounts/two-factor/enrol/")
    assert page.locator(".qr-code svg").is_visible()
    secret = page.get_by_test_id("two-factor-secret").inner_text().replace(" ", "")
    page.get_by_label("รหัสยืนยัน").fill(security.code_for(secret))
    page.get_by_role("button", name="ยืนยันและเปิดใช้").click()
    assert page.get_by_test_id("recovery-codes").locator("li").count() == 10
    page.get_by_role("link", name="บันทึกรหัสแล้ว ไปต่อ").click()
    page.wait_for_url(lambda url: "/accounts/" not in url)
    assert page.get_by_role("button", name="ออกจากระบบ").is_visible()


def test_the_demo_staff_get_the_documented_authenticator(db):
    for username in security.DEMO_TWO_FACTOR_USERNAMES:
        make_user(username)
    security.enrol_demo_devices()
    security.enrol_demo_devices()  # idempotent
    devices = TwoFactorDevice.objects.filter(user__username__in=["admin", "officer.bangkok", "dpo"])
    assert devices.count() == 3
    assert {security.device_secret(device) for device in devices} == {security.DEMO_SECRET}


def test_the_command_prints_the_demo_code_and_resets_a_device(db, capsys):
    from django.core.management import CommandError, call_command

    call_command("twofactor", "demo-code")
    assert capsys.readouterr().out.strip().splitlines()[-1] == security.code_for(
        security.DEMO_SECRET
    )
    make_user("dpo.phone.lost", Role.DATA_PROTECTION_OFFICER)
    call_command("twofactor", "status", "dpo.phone.lost")
    assert "required; enrolled" in capsys.readouterr().out
    with pytest.raises(CommandError, match="reason"):
        call_command("twofactor", "reset", "dpo.phone.lost")
    call_command("twofactor", "reset", "dpo.phone.lost", "--reason", "โทรศัพท์หาย")
    assert not TwoFactorDevice.objects.filter(user__username="dpo.phone.lost").exists()


def test_it_leaves_the_menu_out_until_the_code_is_in(client, officer, fixed_step):
    _password(client, "officer.bkk")
    assert 'class="main-nav"' not in client.get(CODE).content.decode()
    client.post(CODE, {"code": _code()})
    assert 'class="main-nav"' in client.get("/centers/").content.decode()


def test_the_profile_shows_the_state_and_makes_new_recovery_codes(client_for, dpo):
    old = security.regenerate_recovery_codes(user=dpo)
    client = client_for(dpo)
    page = client.get("/accounts/profile/").content.decode()
    assert "เปิดใช้แล้วตั้งแต่" in page and "เหลือรหัสกู้คืน 10 ชุด" in page
    assert client.get("/accounts/two-factor/recovery-codes/").status_code == 405
    response = client.post("/accounts/two-factor/recovery-codes/")
    codes = re.findall(r"<code>([a-z2-9]{5}-[a-z2-9]{5})</code>", response.content.decode())
    assert len(codes) == 10 and not set(codes) & set(old)
    assert AuditEvent.objects.filter(action="regenerate_recovery_codes").exists()
    # The old codes no longer work.
    assert not security.verify_second_factor(user=dpo, code=old[0]).accepted
    assert security.verify_second_factor(user=dpo, code=codes[0]).accepted


def test_a_chair_may_turn_it_on_from_the_profile(client_for, chair_a):
    client = client_for(chair_a)
    assert "เปิดใช้การยืนยันตัวตนสองขั้นตอน" in client.get("/accounts/profile/").content.decode()
    assert client.post("/accounts/two-factor/recovery-codes/")["Location"] == ENROL
    assert client.get(ENROL).status_code == 200
