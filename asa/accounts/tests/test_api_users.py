"""User management over the API (issue 15: every page action has an operation): the same rule
as the users pages (the ministry; officers for accounts of their area), the same actions, each
change an audit event, and no password ever answered."""

import json

import pytest
from django.core import mail

from asa.accounts.models import AuditEvent, Role, RoleAssignment, TwoFactorDevice, User
from asa.accounts.security import enrol_known_secret
from asa.conftest import TOTP_SECRET, make_user

NEW = {
    "username": "clerk.bangkhen",
    "first_name": "สมศรี",
    "last_name": "ธุรการ",
    "email": "clerk@example.org",
    "password": "a long temporary password 1",
}


@pytest.fixture(autouse=True)
def _email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def post(client, url, data=None):
    return client.post(url, json.dumps(data or {}), content_type="application/json")


@pytest.fixture
def account(center_a):
    """A volunteer account of center A, with an email and an authenticator."""
    user = make_user("somjai.bangkhen", Role.VOLUNTEER, center_a)
    user.email = "somjai@example.org"
    user.save(update_fields=["email"])
    enrol_known_secret(user=user, secret=TOTP_SECRET)
    return user


def test_an_officer_creates_an_account_of_their_area_and_no_password_comes_back(
    api_client_for, district_officer_a, center_a
):
    response = post(
        api_client_for(district_officer_a),
        "/api/v1/users",
        NEW | {"role": "volunteer", "center": center_a.pk},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["username"] == "clerk.bangkhen" and body["must_change_password"] is True
    assert [(role["role"], role["center"]) for role in body["roles"]] == [
        ("volunteer", center_a.pk)
    ]
    assert NEW["password"] not in response.content.decode()
    user = User.objects.get(username="clerk.bangkhen")
    assert user.check_password(NEW["password"])
    actions = set(
        AuditEvent.objects.filter(object_id=str(user.pk)).values_list("action", flat=True)
    )
    assert {"create_user", "assign_role"} <= actions


def test_creating_refuses_what_the_page_refuses_naming_the_field_and_saves_nothing(
    api_client_for, district_officer_a, center_a, center_b, chair_a
):
    client = api_client_for(district_officer_a)
    cases = [
        (NEW | {"role": "volunteer", "center": center_b.pk}, "center"),  # outside Bang Khen
        (NEW | {"role": "ministry_admin"}, "role"),  # national roles: the ministry only
        (NEW | {"role": "volunteer"}, "center"),  # the role needs its center
        (NEW | {"role": "volunteer", "center": center_a.pk, "password": "123"}, "password"),
        (NEW | {"role": "volunteer", "center": center_a.pk, "username": "chair.A"}, "username"),
        (NEW | {"role": "volunteer", "center": center_a.pk, "username": "ชื่อไทย"}, "username"),
    ]
    for data, field in cases:
        response = post(client, "/api/v1/users", data)
        assert response.status_code == 422, (data, response.content)
        assert field in [error["field"] for error in response.json()["errors"]], response.json()
    assert not User.objects.filter(username__in=["clerk.bangkhen", "ชื่อไทย"]).exists()


def test_chairs_volunteers_partners_and_the_dpo_manage_no_accounts(
    api_client_for, chair_a, volunteer_a, agency_user, dpo, account, center_a
):
    for user in (chair_a, volunteer_a, agency_user, dpo):
        client = api_client_for(user)
        before = AuditEvent.objects.count()
        created = post(client, "/api/v1/users", NEW | {"role": "volunteer", "center": center_a.pk})
        assert created.status_code == 403
        deactivated = post(client, f"/api/v1/users/{account.pk}/active", {"active": False})
        assert deactivated.status_code == 403
        assert AuditEvent.objects.count() == before
    account.refresh_from_db()
    assert account.is_active
    assert not User.objects.filter(username="clerk.bangkhen").exists()


def test_an_officer_of_another_area_does_not_reach_the_account(
    api_client_for, outside_officer, account, center_a
):
    client = api_client_for(outside_officer)
    assignment = account.role_assignments.get()
    before = AuditEvent.objects.count()
    for url, data in [
        (f"/api/v1/users/{account.pk}/roles", {"role": "center_chair", "center": center_a.pk}),
        (f"/api/v1/users/{account.pk}/roles/{assignment.pk}/remove", {}),
        (f"/api/v1/users/{account.pk}/active", {"active": False}),
        (f"/api/v1/users/{account.pk}/two-factor-reset", {}),
        (f"/api/v1/users/{account.pk}/password-reset", {}),
    ]:
        assert post(client, url, data).status_code == 404, url
    assert AuditEvent.objects.count() == before
    assert TwoFactorDevice.objects.filter(user=account).exists()
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert mail.outbox == []


def test_roles_are_given_and_taken_away_as_audited_actions(
    api_client_for, district_officer_a, account, center_a, center_b
):
    client = api_client_for(district_officer_a)
    url = f"/api/v1/users/{account.pk}/roles"
    response = post(client, url, {"role": "center_chair", "center": center_a.pk})
    assert response.status_code == 200, response.content
    roles = {role["role"]: role for role in response.json()["roles"]}
    assert set(roles) == {"center_chair", "volunteer"}
    assert roles["center_chair"]["scope"] == str(center_a)
    assert AuditEvent.objects.filter(action="assign_role", object_id=str(account.pk)).count() == 2
    # Another district's center, or a national role: refused, nothing given.
    assert post(client, url, {"role": "center_chair", "center": center_b.pk}).status_code == 422
    assert post(client, url, {"role": "ministry_admin"}).status_code == 422
    assert post(client, url, {"role": "center_chair", "nope": 1}).status_code == 422
    chair = account.role_assignments.get(role="center_chair")
    removed = post(client, f"/api/v1/users/{account.pk}/roles/{chair.pk}/remove")
    assert removed.status_code == 200
    assert [role["role"] for role in removed.json()["roles"]] == ["volunteer"]
    assert AuditEvent.objects.filter(action="remove_role", object_id=str(account.pk)).exists()
    # An assignment of another account through this one's address: not found.
    other = make_user("other.bangkhen", Role.VOLUNTEER, center_a).role_assignments.get()
    assert post(client, f"/api/v1/users/{account.pk}/roles/{other.pk}/remove").status_code == 404
    assert RoleAssignment.objects.filter(pk=other.pk).exists()


def test_deactivation_stops_the_accounts_tokens_and_not_ones_own(
    api_client_for, admin_user, account
):
    admin = api_client_for(admin_user)
    own_client = api_client_for(account)
    assert own_client.get("/api/v1/tokens").status_code == 200
    response = post(
        admin, f"/api/v1/users/{account.pk}/active", {"active": False, "reason": "ลาออก"}
    )
    assert response.status_code == 200 and response.json()["is_active"] is False
    event = AuditEvent.objects.get(action="deactivate_user", object_id=str(account.pk))
    assert event.reason == "ลาออก" and event.actor == admin_user
    assert own_client.get("/api/v1/tokens").status_code == 401
    response = post(admin, f"/api/v1/users/{account.pk}/active", {"active": True})
    assert response.json()["is_active"] is True
    assert AuditEvent.objects.filter(action="reactivate_user").count() == 1
    refused = post(admin, f"/api/v1/users/{admin_user.pk}/active", {"active": False})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "active"
    admin_user.refresh_from_db()
    assert admin_user.is_active
    assert post(admin, f"/api/v1/users/{account.pk}/active", {"active": "maybe"}).status_code == 422


def test_a_second_factor_is_reset_for_others_only(api_client_for, district_officer_a, account):
    client = api_client_for(district_officer_a)
    response = post(client, f"/api/v1/users/{account.pk}/two-factor-reset", {"reason": "โทรศัพท์หาย"})
    assert response.status_code == 200 and response.json() == {"reset": True}
    assert not TwoFactorDevice.objects.filter(user=account).exists()
    event = AuditEvent.objects.get(action="reset_two_factor", object_id=str(account.pk))
    assert event.actor == district_officer_a and event.reason == "โทรศัพท์หาย"
    again = post(client, f"/api/v1/users/{account.pk}/two-factor-reset")
    assert again.json() == {"reset": False}
    # A token never weakens its own account's second factor.
    own = post(client, f"/api/v1/users/{district_officer_a.pk}/two-factor-reset")
    assert own.status_code == 422 and own.json()["errors"][0]["field"] == "user_id"
    assert TwoFactorDevice.objects.filter(user=district_officer_a).exists()


def test_a_password_reset_emails_a_link_and_answers_no_password(
    api_client_for, district_officer_a, account, center_a, django_capture_on_commit_callbacks
):
    client = api_client_for(district_officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, f"/api/v1/users/{account.pk}/password-reset")
    assert response.status_code == 202
    assert response.json() == {"email": "somjai@example.org"}
    [message] = mail.outbox
    link = next(line for line in message.body.split() if "/reset/" in line)
    assert message.to == ["somjai@example.org"]
    assert link not in response.content.decode() and "/reset/" not in response.content.decode()
    assert AuditEvent.objects.filter(
        action="send_password_reset", object_id=str(account.pk), actor=district_officer_a
    ).exists()
    no_email = make_user("noemail.bangkhen", Role.VOLUNTEER, center_a)
    with django_capture_on_commit_callbacks(execute=True):
        refused = post(client, f"/api/v1/users/{no_email.pk}/password-reset")
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "email"
    assert len(mail.outbox) == 1


def test_anonymous_callers_get_401(client, account):
    response = client.post(
        f"/api/v1/users/{account.pk}/active", json.dumps({"active": False}), "application/json"
    )
    assert response.status_code == 401
