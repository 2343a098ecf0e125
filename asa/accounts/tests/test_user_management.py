"""User management pages: the ministry for every account, officers within their area; every
change an audited action."""

import pytest
from django.core import mail

from asa.accounts.actions import assign_role, create_user
from asa.accounts.models import AuditEvent, Role, RoleAssignment, TwoFactorDevice, User
from asa.conftest import PASSWORD, make_user
from asa.geo.models import Province

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


def test_it_is_for_the_ministry_and_officers_only(
    client_for, chair_a, volunteer_a, agency_user, dpo
):
    for user in (chair_a, volunteer_a, agency_user, dpo):
        client = client_for(user)
        assert client.get("/accounts/users/").status_code == 403
        assert client.get("/accounts/users/new/").status_code == 403


def test_the_ministry_lists_every_account_with_search_and_last_sign_in(
    client_for, admin_user, chair_a, volunteer_b, outside_officer, django_assert_max_num_queries
):
    client = client_for(admin_user)
    body = client.get("/accounts/users/").content.decode()
    for name in ("chair.a", "volunteer.b", "officer.chiangmai", "admin.user"):
        assert name in body
    assert "ยังไม่เคยเข้าสู่ระบบ" in body  # chair.a never signed in
    assert "เข้าสู่ระบบล่าสุด" in body
    found = client.get("/accounts/users/?q=volunteer").content.decode()
    assert "volunteer.b" in found and "chair.a" not in found
    # Constant queries as accounts grow (roles come in one prefetch).
    for number in range(15):
        make_user(f"extra.{number}", Role.DATA_PROTECTION_OFFICER)
    with django_assert_max_num_queries(12):
        assert client.get("/accounts/users/").status_code == 200


def test_an_officer_sees_only_accounts_of_their_area(
    client_for, district_officer_a, officer, chair_a, chair_b, admin_user, outside_officer
):
    body = client_for(district_officer_a).get("/accounts/users/").content.decode()
    assert "chair.a" in body
    assert "chair.b" not in body  # Thawi Watthana is not Bang Khen
    assert "admin.user" not in body
    province = client_for(officer).get("/accounts/users/").content.decode()
    assert "chair.a" in province and "chair.b" in province
    assert "officer.chiangmai" not in province
    assert client_for(district_officer_a).get(f"/accounts/users/{chair_b.pk}/").status_code == 404
    assert client_for(officer).get(f"/accounts/users/{admin_user.pk}/").status_code == 404


def test_the_ministry_creates_an_account_for_an_agency(client_for, admin_user, agency):
    response = client_for(admin_user).post(
        "/accounts/users/new/", {**NEW, "role": Role.AGENCY_USER, "agency": agency.pk}
    )
    assert response.status_code == 302
    user = User.objects.get(username="clerk.bangkhen")
    assert user.must_change_password
    assert user.check_password(NEW["password"])
    assignment = user.role_assignments.get()
    assert (assignment.role, assignment.agency) == (Role.AGENCY_USER, agency)
    actions = set(
        AuditEvent.objects.filter(actor=admin_user, object_id=str(user.pk)).values_list(
            "action", flat=True
        )
    )
    assert {"create_user", "assign_role"} <= actions


def test_an_officer_creates_an_account_for_a_center_of_their_area(
    client_for, district_officer_a, center_a
):
    response = client_for(district_officer_a).post(
        "/accounts/users/new/", {**NEW, "role": Role.CENTER_CHAIR, "center": center_a.pk}
    )
    assert response.status_code == 302
    assert User.objects.get(username="clerk.bangkhen").role_assignments.get().center == center_a


@pytest.mark.parametrize(
    ("role", "field"),
    [
        (Role.MINISTRY_ADMIN, "role"),
        (Role.DATA_PROTECTION_OFFICER, "role"),
        (Role.CENTER_CHAIR, "center"),  # center B is outside Bang Khen
        (Role.PROVINCE_OFFICER, "province"),  # a district officer cannot give their province
    ],
)
def test_an_officer_cannot_grant_beyond_their_area(
    client_for, district_officer_a, center_b, role, field
):
    data = {**NEW, "role": role, "center": center_b.pk, "province": "10"}
    response = client_for(district_officer_a).post("/accounts/users/new/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not User.objects.filter(username="clerk.bangkhen").exists()


def test_it_names_the_missing_scope_in_thai(client_for, admin_user):
    response = client_for(admin_user).post("/accounts/users/new/", {**NEW, "role": Role.VOLUNTEER})
    assert response.status_code == 200
    assert "บทบาทนี้ต้องเลือกศูนย์" in response.content.decode()
    bad = client_for(admin_user).post("/accounts/users/new/", {**NEW, "password": "123"})
    assert "password" in bad.context["form"].errors
    markup = client_for(admin_user).post(
        "/accounts/users/new/",
        {**NEW, "username": "<script>x</script>", "role": Role.DATA_PROTECTION_OFFICER},
    )
    assert markup.status_code == 200  # was a 500: the model's own username rule
    assert "ชื่อผู้ใช้ใช้ได้เฉพาะตัวอักษรอังกฤษ" in markup.content.decode()
    assert not User.objects.filter(username="clerk.bangkhen").exists()


def test_it_gives_and_takes_roles(client_for, officer, chair_a, center_b):
    client = client_for(officer)
    response = client.post(
        f"/accounts/users/{chair_a.pk}/roles/", {"role": Role.VOLUNTEER, "center": center_b.pk}
    )
    assert response.status_code == 302
    added = chair_a.role_assignments.get(center=center_b)
    assert AuditEvent.objects.filter(actor=officer, action="assign_role").exists()
    response = client.post(f"/accounts/users/{chair_a.pk}/roles/{added.pk}/remove/")
    assert response.status_code == 302
    assert not RoleAssignment.objects.filter(pk=added.pk).exists()
    assert AuditEvent.objects.filter(actor=officer, action="remove_role").exists()


def test_an_officer_cannot_change_someone_who_also_works_elsewhere(
    client_for, district_officer_a, chair_a, center_b, admin_user
):
    assign_role(actor=admin_user, user=chair_a, role=Role.VOLUNTEER, scope=center_b)
    client = client_for(district_officer_a)
    assert client.get(f"/accounts/users/{chair_a.pk}/").status_code == 200  # sees, in Bang Khen
    response = client.post(f"/accounts/users/{chair_a.pk}/active/", {"active": "0"})
    assert response.status_code == 403
    chair_a.refresh_from_db()
    assert chair_a.is_active


def test_it_deactivates_and_reactivates(client_for, admin_user, chair_a, api_client_for):
    api = api_client_for(chair_a)
    client = client_for(admin_user)
    response = client.post(
        f"/accounts/users/{chair_a.pk}/active/", {"active": "0", "reason": "ลาออก"}
    )
    assert response.status_code == 302
    chair_a.refresh_from_db()
    assert not chair_a.is_active
    assert api.get("/api/v1/tokens").status_code == 401
    event = AuditEvent.objects.get(action="deactivate_user")
    assert (event.actor, event.reason) == (admin_user, "ลาออก")
    assert "ระงับแล้ว" in client.get("/accounts/users/").content.decode()
    client.post(f"/accounts/users/{chair_a.pk}/active/", {"active": "1"})
    chair_a.refresh_from_db()
    assert chair_a.is_active
    assert AuditEvent.objects.filter(action="reactivate_user").exists()


def test_it_refuses_to_deactivate_oneself(client_for, admin_user):
    client_for(admin_user).post(f"/accounts/users/{admin_user.pk}/active/", {"active": "0"})
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_it_resets_the_second_factor(client_for, admin_user, officer):
    assert TwoFactorDevice.objects.filter(user=officer).exists()
    page = client_for(admin_user).get(f"/accounts/users/{officer.pk}/").content.decode()
    assert "ล้างการยืนยันตัวตนสองขั้นตอน" in page
    response = client_for(admin_user).post(f"/accounts/users/{officer.pk}/two-factor/reset/")
    assert response.status_code == 302
    assert not TwoFactorDevice.objects.filter(user=officer).exists()
    assert AuditEvent.objects.filter(actor=admin_user, action="reset_two_factor").exists()


def test_it_sends_a_password_reset(
    client_for, officer, chair_a, django_capture_on_commit_callbacks
):
    client = client_for(officer)
    response = client.post(f"/accounts/users/{chair_a.pk}/password-reset/", follow=True)
    assert "ยังไม่มีอีเมล" in response.content.decode()
    assert mail.outbox == []
    chair_a.email = "chair.a@example.org"
    chair_a.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/accounts/users/{chair_a.pk}/password-reset/")
    assert [message.to for message in mail.outbox] == [["chair.a@example.org"]]
    assert AuditEvent.objects.filter(actor=officer, action="send_password_reset").exists()


def test_the_actions_audit_without_a_page(admin_user):
    user = create_user(actor=admin_user, username="x.y", password=PASSWORD)
    assign_role(
        actor=admin_user,
        user=user,
        role=Role.PROVINCE_OFFICER,
        scope=Province.objects.get(code="10"),
    )
    assert list(
        AuditEvent.objects.filter(object_id=str(user.pk))
        .order_by("id")
        .values_list("action", flat=True)
    ) == ["create_user", "assign_role"]
