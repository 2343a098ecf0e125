"""Security headers, the admin site, error pages and the audit log's read-only admin."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import path

import asa.urls
from asa.accounts.models import AuditEvent
from asa.conftest import make_user


def _forbidden(request):
    raise PermissionDenied


def _broken(request):
    raise RuntimeError("boom")


# A URLconf for the error-page tests: the real one plus two views that fail on purpose.
urlpatterns = [
    path("test-forbidden/", _forbidden),
    path("test-broken/", _broken),
    *asa.urls.urlpatterns,
]


def test_it_sends_a_strict_content_security_policy(client, db):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_it_forbids_framing_and_sniffing(client, db):
    response = client.get("/accounts/login/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_it_sends_the_headers_on_signed_in_pages_too(client_for, chair_a):
    response = client_for(chair_a).get("/centers/")
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_it_keeps_session_and_csrf_cookies_away_from_scripts(settings):
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"
    assert settings.CSRF_COOKIE_SAMESITE == "Lax"


def test_it_has_no_inline_script_or_style_on_pages(client_for, admin_user, center_a):
    client = client_for(admin_user)
    for url in ("/accounts/login/", "/centers/", f"/centers/{center_a.pk}/", "/accounts/tokens/"):
        body = client.get(url, follow=True).content.decode()
        assert "<script>" not in body, url
        assert "<style" not in body, url
        assert " style=" not in body, url
        assert " onclick=" not in body and " onsubmit=" not in body, url


@pytest.mark.parametrize("persona", ["chair_a", "officer", "dpo", "volunteer_a", "agency_user"])
def test_it_keeps_non_admins_out_of_the_admin_site(request, db, persona):
    user = request.getfixturevalue(persona)
    client = Client()
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code in (302, 403)
    if response.status_code == 302:
        assert response["Location"].startswith("/admin/login/")
    assert client.get("/admin/accounts/auditevent/").status_code in (302, 403)


def test_it_keeps_a_staff_flag_without_the_ministry_role_out(db):
    user = make_user("staff.without.role")
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(user)
    assert client.get("/admin/").status_code == 302


def test_it_lets_ministry_admins_into_the_admin_site(client_for, admin_user):
    assert client_for(admin_user).get("/admin/").status_code == 200


def test_it_makes_the_audit_admin_read_only(client_for, admin_user, center_a):
    client = client_for(admin_user)
    event = AuditEvent.objects.first()
    assert event is not None
    listing = client.get("/admin/accounts/auditevent/")
    assert listing.status_code == 200
    assert client.get("/admin/accounts/auditevent/add/").status_code == 403
    # The change page is a view-only page: no save button, and a POST changes nothing.
    detail = client.get(f"/admin/accounts/auditevent/{event.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    response = client.post(f"/admin/accounts/auditevent/{event.pk}/change/", {"action": "tampered"})
    assert response.status_code == 403
    delete = client.post(f"/admin/accounts/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    count = AuditEvent.objects.count()
    client.post(
        "/admin/accounts/auditevent/",
        {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"},
    )
    assert AuditEvent.objects.count() == count
    event.refresh_from_db()
    assert event.action != "tampered"


def test_it_answers_404_in_thai(client_for, chair_a):
    response = client_for(chair_a).get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "ไม่พบหน้าที่ต้องการ" in body
    assert "Not Found" not in body


def test_it_answers_404_in_thai_to_anonymous_visitors(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "ไม่พบหน้าที่ต้องการ" in response.content.decode()


@pytest.mark.urls(__name__)
def test_it_answers_403_in_thai(client_for, chair_a):
    response = client_for(chair_a).get("/test-forbidden/")
    assert response.status_code == 403
    assert "ไม่มีสิทธิ์เข้าถึง" in response.content.decode()


@pytest.mark.urls(__name__)
def test_it_answers_500_in_thai(db):
    client = Client(raise_request_exception=False)
    response = client.get("/test-broken/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "ระบบขัดข้อง" in body
    assert "boom" not in body


def test_it_answers_a_csrf_failure_in_thai(chair_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(chair_a)
    response = client.post("/accounts/tokens/", {"name": "x"})
    assert response.status_code == 403
    assert "ส่งแบบฟอร์มไม่สำเร็จ" in response.content.decode()
