"""The Django admin site and the management commands change users, roles, passwords, tokens and
second factors only through the audited actions."""

from django.contrib import admin
from django.core.management import call_command

from asa.accounts.models import ApiToken, AuditEvent, Role, RoleAssignment, TwoFactorDevice, User
from asa.conftest import PASSWORD

STRONG = "a long and unguessable one 42"


def _inline(prefix="role_assignments", rows=(), initial=0):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for number, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{number}-{key}"] = value
    return data


def _change_form(user, **overrides):
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on" if user.is_active else "",
        "is_staff": "on" if user.is_staff else "",
        "is_superuser": "on" if user.is_superuser else "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


def test_creating_an_admin_on_the_admin_site_is_audited(client_for, admin_user):
    client = client_for(admin_user)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "second.admin",
            "usable_password": "true",
            "password1": STRONG,
            "password2": STRONG,
            **_inline(rows=[{"role": Role.MINISTRY_ADMIN}]),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="second.admin")
    assert user.check_password(STRONG)
    assert user.must_change_password
    assert user.role_assignments.get().role == Role.MINISTRY_ADMIN
    events = AuditEvent.objects.filter(object_id=str(user.pk), actor=admin_user)
    assert set(events.values_list("action", flat=True)) == {"create_user", "assign_role"}
    assert events.get(action="assign_role").changes["role"] == Role.MINISTRY_ADMIN


def test_changing_a_role_on_the_admin_site_is_audited(client_for, admin_user, chair_a, center_b):
    chair, member = (
        chair_a.role_assignments.get(role=Role.CENTER_CHAIR),
        chair_a.role_assignments.get(role=Role.VOLUNTEER),
    )
    client = client_for(admin_user)
    response = client.post(
        f"/admin/accounts/user/{chair_a.pk}/change/",
        {
            **_change_form(chair_a, is_staff="on"),
            **_inline(
                rows=[
                    {
                        "id": str(row.pk),
                        "user": str(chair_a.pk),
                        "role": role,
                        "center": str(center.pk),
                    }
                    for row, role, center in (
                        (chair, Role.VOLUNTEER, center_b),  # changed
                        (member, Role.VOLUNTEER, member.center),  # as it was
                    )
                ],
                initial=2,
            ),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not RoleAssignment.objects.filter(pk=chair.pk).exists()
    assert chair_a.role_assignments.filter(role=Role.VOLUNTEER, center=center_b).exists()
    assert chair_a.role_assignments.count() == 2
    events = AuditEvent.objects.filter(object_id=str(chair_a.pk), actor=admin_user)
    actions = list(events.order_by("id").values_list("action", flat=True))
    assert actions == ["update_user", "remove_role", "assign_role"]
    assert events.get(action="update_user").changes == {"is_staff": [False, True]}
    assert events.get(action="remove_role").changes["role"] == Role.CENTER_CHAIR


def test_removing_a_role_and_deactivating_on_the_admin_site_is_audited(
    client_for, admin_user, officer
):
    assignment = officer.role_assignments.get()
    response = client_for(admin_user).post(
        f"/admin/accounts/user/{officer.pk}/change/",
        {
            **_change_form(officer, is_active=""),
            **_inline(
                rows=[
                    {
                        "id": str(assignment.pk),
                        "user": str(officer.pk),
                        "role": assignment.role,
                        "province": assignment.province_id,
                        "DELETE": "on",
                    }
                ],
                initial=1,
            ),
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    officer.refresh_from_db()
    assert not officer.is_active
    assert not RoleAssignment.objects.filter(user=officer).exists()
    actions = set(
        AuditEvent.objects.filter(actor=admin_user, object_id=str(officer.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == {"deactivate_user", "remove_role"}


def test_a_password_set_on_the_admin_site_is_audited_and_temporary(client_for, admin_user, chair_a):
    response = client_for(admin_user).post(
        f"/admin/accounts/user/{chair_a.pk}/password/",
        {"usable_password": "true", "password1": STRONG, "password2": STRONG},
    )
    assert response.status_code == 302
    chair_a.refresh_from_db()
    assert chair_a.check_password(STRONG)
    assert chair_a.must_change_password
    event = AuditEvent.objects.get(action="change_password")
    assert (event.actor, event.changes) == (admin_user, {"via": "admin", "temporary": True})


def test_users_are_never_deleted_and_tokens_and_devices_are_not_on_the_admin_site(
    client_for, admin_user, chair_a
):
    assert (
        client_for(admin_user)
        .post(f"/admin/accounts/user/{chair_a.pk}/delete/", {"post": "yes"})
        .status_code
        == 403
    )
    assert User.objects.filter(pk=chair_a.pk).exists()
    assert not admin.site.is_registered(ApiToken)
    assert not admin.site.is_registered(TwoFactorDevice)


def test_the_commands_change_tokens_and_second_factors_through_audited_actions(officer):
    call_command("token", "create", officer.username, "--name", "สคริปต์")
    token = ApiToken.objects.get(user=officer)
    call_command("token", "revoke", officer.username, token.prefix)
    call_command("twofactor", "reset", officer.username, "--reason", "โทรศัพท์หาย")
    actions = list(
        AuditEvent.objects.filter(object_id=str(officer.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions[-3:] == ["create_api_token", "revoke_api_token", "reset_two_factor"]
    assert officer.check_password(PASSWORD)
