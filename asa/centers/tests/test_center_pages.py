"""Center list, center page and center edit: scoped, paginated, query counts bounded."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from asa.accounts.models import AuditEvent
from asa.centers.models import Center
from asa.conftest import make_volunteer

pytestmark = pytest.mark.django_db


def test_it_lists_only_the_chairs_own_center(client_for, chair_a, center_a, center_b):
    response = client_for(chair_a).get(reverse("centers:center_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert center_a.name_th in html
    assert center_b.name_th not in html
    assert "ประธานเอ" in html  # the active chair's name


def test_it_lists_the_province_for_an_officer(client_for, officer, center_a, center_b):
    html = client_for(officer).get(reverse("centers:center_list")).content.decode()
    assert center_a.name_th in html and center_b.name_th in html


def test_it_lists_nothing_for_an_officer_elsewhere(client_for, outside_officer, center_a):
    html = client_for(outside_officer).get(reverse("centers:center_list")).content.decode()
    assert center_a.name_th not in html
    assert "ไม่มีศูนย์ประสานงานในพื้นที่ของคุณ" in html


def test_it_requires_login(client, center_a):
    response = client.get(reverse("centers:center_list"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_it_shows_the_center_with_committee_and_volunteers(client_for, chair_a, volunteer_a):
    center = Center.objects.get(code="BKK-1005")
    make_volunteer(center, role="secretary", first_name="เลขาเอ")
    response = client_for(chair_a).get(reverse("centers:center_detail", args=[center.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "ประธานเอ" in html and "เลขาเอ" in html and "อาสาเอ" in html
    assert "ลงทะเบียน อพม. ใหม่" in html  # the chair may add volunteers
    # The committee lists the chair before the secretary.
    committee = html[html.index("คณะกรรมการศูนย์") :]
    assert committee.index("ประธานเอ") < committee.index("เลขาเอ")


def test_it_hides_write_links_from_a_volunteer(client_for, volunteer_a, center_a):
    html = client_for(volunteer_a).get(reverse("centers:center_detail", args=[center_a.pk]))
    assert "ลงทะเบียน อพม. ใหม่" not in html.content.decode()
    assert "แก้ไขข้อมูลศูนย์" not in html.content.decode()


def test_it_searches_the_center_volunteers(client_for, chair_a, volunteer_a, center_a):
    url = reverse("centers:center_detail", args=[center_a.pk])
    html = client_for(chair_a).get(url, {"q": "อาสา"}).content.decode()
    assert "อาสาเอ" in html
    assert "ประธานเอ" not in html.split("อพม. ของศูนย์")[1]
    partial = client_for(chair_a).get(url, {"q": "อาสา"}, headers={"HX-Request": "true"})
    assert "<html" not in partial.content.decode() and "อาสาเอ" in partial.content.decode()


def test_it_refuses_a_center_outside_the_scope(client_for, chair_a, center_b, outside_officer):
    chair = client_for(chair_a)
    assert chair.get(reverse("centers:center_detail", args=[center_b.pk])).status_code == 404
    assert chair.get(reverse("centers:center_edit", args=[center_b.pk])).status_code == 404
    assert chair.get(reverse("centers:center_detail", args=[999999])).status_code == 404
    detail_b = reverse("centers:center_detail", args=[center_b.pk])
    assert client_for(outside_officer).get(detail_b).status_code == 404


def test_it_lets_the_chair_edit_the_center(client_for, chair_a, center_a):
    url = reverse("centers:center_edit", args=[center_a.pk])
    assert client_for(chair_a).get(url).status_code == 200
    response = client_for(chair_a).post(
        url,
        {
            "name_th": center_a.name_th,
            "name_en": center_a.name_en,
            "venue": "ศาลาชุมชนใหม่",
            "address": "",
            "phone": "02-123-4567",
            "email": "",
            "status": "active",
        },
    )
    assert response.status_code == 302
    center_a.refresh_from_db()
    assert center_a.venue == "ศาลาชุมชนใหม่"
    assert center_a.phone == "021234567"
    assert AuditEvent.objects.filter(action="update_center", object_id=str(center_a.pk)).exists()


def test_it_shows_thai_errors_and_saves_nothing(client_for, chair_a, center_a):
    url = reverse("centers:center_edit", args=[center_a.pk])
    response = client_for(chair_a).post(
        url, {"name_th": "", "phone": "12345", "email": "ไม่ใช่อีเมล", "status": "active"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "กรุณากรอกชื่อศูนย์" in html
    assert "หมายเลขโทรศัพท์ต้องขึ้นต้นด้วย 0" in html
    assert "รูปแบบอีเมลไม่ถูกต้อง" in html
    center_a.refresh_from_db()
    assert center_a.name_th == "ศูนย์ประสานงาน อพม. เขตบางเขน"


def test_it_refuses_an_edit_by_a_volunteer_with_403(client_for, volunteer_a, center_a):
    url = reverse("centers:center_edit", args=[center_a.pk])
    assert client_for(volunteer_a).get(url).status_code == 403
    response = client_for(volunteer_a).post(url, {"name_th": "ยึดศูนย์", "status": "active"})
    assert response.status_code == 403
    center_a.refresh_from_db()
    assert center_a.name_th != "ยึดศูนย์"


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def test_it_keeps_the_center_list_queries_constant(client_for, officer, center_a, center_b):
    client = client_for(officer)
    url = reverse("centers:center_list")
    for _ in range(3):
        make_volunteer(center_a)
    few = _count_queries(client, url)
    for _ in range(20):
        make_volunteer(center_b)
    make_volunteer(center_b, role="chair", first_name="ประธานบี")
    assert _count_queries(client, url) == few


def test_it_keeps_the_center_page_queries_constant(client_for, chair_a, center_a):
    client = client_for(chair_a)
    url = reverse("centers:center_detail", args=[center_a.pk])
    for _ in range(3):
        make_volunteer(center_a)
    few = _count_queries(client, url)
    for _ in range(20):
        make_volunteer(center_a)
    make_volunteer(center_a, role="committee")
    make_volunteer(center_a, role="vice_chair")
    assert _count_queries(client, url) == few
