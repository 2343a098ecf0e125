"""Dashboard pages: who lands where, drill-down, refusals outside the scope, period errors, and a
constant number of queries as the data grows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from asa.centers.actions import open_center
from asa.conftest import make_volunteer
from asa.geo.models import Subdistrict
from asa.reports.actions import rebuild_rollups
from asa.reports.cache import reset

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(center_a, center_b, chair_a, chair_b):
    rebuild_rollups()


def _center_url(center) -> str:
    return reverse("reports:center", kwargs={"pk": center.pk})


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("admin_user", "/reports/nation/"),
        ("officer", "/reports/provinces/10/"),
        ("district_officer_a", "/reports/districts/1005/"),
    ],
)
def test_it_opens_each_user_on_their_own_area(request, client_for, figures, persona, expected):
    response = client_for(request.getfixturevalue(persona)).get("/reports/?fiscal_year=2562")
    assert response.status_code == 302
    assert response["Location"] == f"{expected}?fiscal_year=2562"


def test_it_opens_a_chair_on_their_center(client_for, figures, chair_b, center_b):
    response = client_for(chair_b).get("/reports/")
    assert response.status_code == 302
    assert response["Location"] == _center_url(center_b)


@pytest.mark.parametrize("persona", ["volunteer_a", "agency_user", "dpo"])
def test_it_has_no_dashboard_for_volunteers_partners_and_the_dpo(
    request, client_for, figures, persona
):
    response = client_for(request.getfixturevalue(persona)).get("/reports/")
    assert response.status_code == 403
    assert "เปิดให้ประธาน อพม. เจ้าหน้าที่ที่ดูแลพื้นที่ และส่วนกลาง" in response.content.decode()


def test_the_ministry_drills_down_from_the_nation_to_a_center(
    client_for, admin_user, figures, center_a
):
    client = client_for(admin_user)
    nation = client.get("/reports/nation/?fiscal_year=2562")
    body = nation.content.decode()
    assert nation.status_code == 200
    assert "แผนที่แบบตาราง" in body
    # Bangkok is a row of the drill-down table and a tile of the map, both with the period.
    assert 'href="/reports/provinces/10/?fiscal_year=2562"' in body
    province = client.get("/reports/provinces/10/?fiscal_year=2562").content.decode()
    assert 'href="/reports/districts/1005/?fiscal_year=2562"' in province
    assert "เขตบางเขน" in province
    # Volunteers per district, as bars (Bang Khen's chair and Thawi Watthana's).
    assert "อาสาสมัคร (อพม.) ที่ปฏิบัติงาน จำแนกตามพื้นที่" in province
    assert "<title>เขตบางเขน: 1</title>" in province
    district = client.get("/reports/districts/1005/?fiscal_year=2562").content.decode()
    assert f'href="{_center_url(center_a)}?fiscal_year=2562"' in district
    center = client.get(f"{_center_url(center_a)}?fiscal_year=2562").content.decode()
    # Breadcrumbs lead back up.
    assert 'href="/reports/nation/?fiscal_year=2562"' in center
    assert 'href="/reports/districts/1005/?fiscal_year=2562"' in center
    assert center_a.name_th in center
    assert "ปีงบประมาณ 2562" in center


def test_a_chair_sees_only_their_own_center(client_for, chair_b, center_a, center_b, figures):
    client = client_for(chair_b)
    own = client.get(_center_url(center_b))
    assert own.status_code == 200
    body = own.content.decode()
    assert center_b.name_th in body
    assert center_a.name_th not in body
    # The areas above are named, not linked: the chair may not open them.
    assert 'href="/reports/districts/1048/' not in body
    for url in [
        _center_url(center_a),
        "/reports/districts/1005/",
        "/reports/districts/1048/",
        "/reports/provinces/10/",
        "/reports/nation/",
    ]:
        assert client.get(url).status_code == 403, url


def test_an_officer_is_refused_outside_their_area(client_for, outside_officer, center_a, figures):
    client = client_for(outside_officer)
    assert client.get("/reports/provinces/50/").status_code == 200
    for url in ["/reports/provinces/10/", "/reports/districts/1005/", _center_url(center_a)]:
        assert client.get(url).status_code == 403, url
    assert client.get("/reports/nation/").status_code == 403


def test_a_district_officer_sees_their_district_and_its_center(
    client_for, district_officer_a, center_a, figures
):
    client = client_for(district_officer_a)
    assert client.get("/reports/districts/1005/").status_code == 200
    assert client.get(_center_url(center_a)).status_code == 200
    assert client.get("/reports/districts/1048/").status_code == 403
    assert client.get("/reports/provinces/10/").status_code == 403


def test_it_answers_404_for_an_unknown_area(client_for, admin_user, figures):
    client = client_for(admin_user)
    assert client.get("/reports/provinces/99/").status_code == 404
    assert client.get("/reports/districts/9999/").status_code == 404
    assert client.get("/reports/centers/999999/").status_code == 404


def test_anonymous_users_are_sent_to_sign_in(client, figures):
    response = client.get("/reports/nation/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("fiscal_year=2019", "ปีพุทธศักราช"),
        ("fiscal_year=abc", "ปีงบประมาณต้องเป็นตัวเลข"),
        ("start=2568-10", "กรุณาระบุเดือนสิ้นสุด"),
        ("start=2569-03&end=2568-10", "เดือนสิ้นสุดต้องไม่ก่อนเดือนเริ่มต้น"),
    ],
)
def test_it_explains_a_period_it_cannot_read(client_for, admin_user, figures, query, message):
    response = client_for(admin_user).get(f"/reports/nation/?{query}")
    assert response.status_code == 400
    body = response.content.decode()
    assert message in body
    assert 'aria-invalid="true"' in body


def test_it_shows_any_span_of_months_in_the_buddhist_era(client_for, admin_user, figures):
    response = client_for(admin_user).get("/reports/provinces/10/?start=2562-03&end=2562-05")
    assert response.status_code == 200
    body = response.content.decode()
    assert "มี.ค. 2562 – พ.ค. 2562" in body
    assert 'value="2562-03" selected' in body


def test_months_chosen_win_over_the_fiscal_year_left_selected(client_for, admin_user, figures):
    response = client_for(admin_user).get(
        "/reports/provinces/10/?fiscal_year=2569&start=2562-03&end=2562-05"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "มี.ค. 2562 – พ.ค. 2562" in body
    assert "/reports/export/province/10.xlsx?start=2562-03&amp;end=2562-05" in body
    assert 'value="2569" selected' not in body


def test_the_navigation_links_to_reports_for_those_who_have_them(
    client_for, chair_a, volunteer_a, figures
):
    body = client_for(chair_a).get("/reports/", follow=True).content.decode()
    assert 'href="/reports/"' in body
    assert 'href="/reports/"' not in client_for(volunteer_a).get("/centers/").content.decode()


def test_pages_have_no_inline_style_or_script(client_for, admin_user, figures):
    client = client_for(admin_user)
    for url in ["/reports/nation/", "/reports/provinces/10/", "/reports/districts/1005/"]:
        body = client.get(url).content.decode()
        assert "style=" not in body, url
        assert "<script>" not in body and "<script " not in body.replace('<script src="', ""), url


def _queries(client, url) -> int:
    reset()  # the figures built, not read from the cache (asa/reports/cache.py)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(context.captured_queries)


def test_query_count_stays_constant_as_data_grows(client_for, admin_user, center_a, figures):
    client = client_for(admin_user)
    urls = [
        "/reports/nation/",
        "/reports/provinces/10/",
        "/reports/districts/1005/",
        _center_url(center_a),
    ]
    client.get(urls[0])  # warm the session and caches
    before = {url: _queries(client, url) for url in urls}
    # More centers (in other districts and provinces) and more volunteers.
    for code in ["103301", "501001", "104601"]:
        subdistrict = Subdistrict.objects.select_related("district").get(code=code)
        center = open_center(
            actor=None,
            code=f"T-{code}",
            name_th=f"ศูนย์ทดสอบ {code}",
            subdistrict=subdistrict,
            opened_on=dt.date(2020, 1, 1),
        )
        for _index in range(3):
            make_volunteer(center)
    for _index in range(3):
        make_volunteer(center_a)
    rebuild_rollups()
    after = {url: _queries(client, url) for url in urls}
    assert after == before
    assert max(after.values()) <= 20, after


def test_it_shows_thai_digits_on_request(client_for, chair_a, center_a, figures):
    client = client_for(chair_a)
    client.post(reverse("accounts:set_digits"), {"thai_digits": "1", "next": "/reports/"})
    body = client.get(f"{_center_url(center_a)}?fiscal_year=2562").content.decode()
    assert 'data-figure="volunteers_active">๑<' in body
    assert "ปีงบประมาณ ๒๕๖๒" in body
    assert ">๒๕๖๒</option>" in body  # the year picker too


def test_it_answers_404_for_absurd_codes(client_for, admin_user, figures):
    client = client_for(admin_user)
    huge = "9" * 30
    assert client.get(f"/reports/centers/{huge}/").status_code == 404
    assert client.get(f"/reports/export/center/{huge}.xlsx").status_code == 404
    assert client.get(f"/reports/districts/{huge}/").status_code == 404
    assert client.get("/reports/export/nation/XX.csv").status_code == 404


def test_it_says_when_figures_have_not_been_computed_yet(client_for, chair_a, center_a):
    body = client_for(chair_a).get(_center_url(center_a)).content.decode()
    assert "ยังไม่ได้คำนวณตัวเลขของพื้นที่นี้" in body
