"""The centers API: list and detail in scope, open and update through the actions."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from asa.accounts.models import AuditEvent
from asa.centers.actions import open_center
from asa.centers.models import Center, CenterStatus
from asa.conftest import make_volunteer
from asa.geo.models import Subdistrict


def ids(response):
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def new_center(subdistrict_code, code):
    import datetime as dt

    return open_center(
        actor=None,
        code=code,
        name_th=f"ศูนย์ {code}",
        subdistrict=Subdistrict.objects.get(code=subdistrict_code),
        opened_on=dt.date(2020, 1, 1),
    )


def test_it_lists_centers_for_an_officer_with_names_and_counts(
    api_client_for, officer, center_a, center_b, chair_a, volunteer_a
):
    body = api_client_for(officer).get("/api/v1/centers").json()
    assert body["count"] == 2
    bang_khen = next(item for item in body["items"] if item["id"] == center_a.pk)
    assert bang_khen["code"] == "BKK-1005"
    assert bang_khen["name_th"] == "ศูนย์ประสานงาน อพม. เขตบางเขน"
    assert bang_khen["name_en"] == "Bang Khen Volunteer Coordination Center"
    assert bang_khen["district"] == {"code": "1005", "name_th": "เขตบางเขน", "name_en": "Bang Khen"}
    assert bang_khen["province"]["code"] == "10"
    assert bang_khen["opened_on"] == "2019-03-11"
    assert bang_khen["status"] == "active"
    assert bang_khen["active_volunteer_count"] == 2


def test_it_shows_a_chair_only_their_center(api_client_for, chair_a, center_a, center_b):
    assert ids(api_client_for(chair_a).get("/api/v1/centers")) == {center_a.pk}


def test_it_shows_a_volunteer_only_their_center(api_client_for, volunteer_b, center_a, center_b):
    assert ids(api_client_for(volunteer_b).get("/api/v1/centers")) == {center_b.pk}


def test_it_shows_an_outside_officer_no_bangkok_center(api_client_for, outside_officer, center_a):
    client = api_client_for(outside_officer)
    assert ids(client.get("/api/v1/centers")) == set()
    assert client.get(f"/api/v1/centers/{center_a.pk}").status_code == 404


@pytest.mark.parametrize("persona", ["agency_user", "dpo"])
def test_it_shows_partners_and_dpo_no_center(api_client_for, request, persona, center_a):
    client = api_client_for(request.getfixturevalue(persona))
    assert ids(client.get("/api/v1/centers")) == set()
    assert client.get(f"/api/v1/centers/{center_a.pk}").status_code == 404


def test_it_filters_by_district_province_and_status(api_client_for, admin_user, center_a, center_b):
    chiang_mai = new_center("500101", "CNX-5001")
    client = api_client_for(admin_user)
    assert ids(client.get("/api/v1/centers?district=1005")) == {center_a.pk}
    assert ids(client.get("/api/v1/centers?province=10")) == {center_a.pk, center_b.pk}
    assert ids(client.get("/api/v1/centers?province=50")) == {chiang_mai.pk}
    assert ids(client.get("/api/v1/centers?status=suspended")) == set()
    response = client.get("/api/v1/centers?status=nonsense")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "status"


def test_it_shows_one_center_with_its_committee(api_client_for, chair_a, volunteer_a, center_a):
    body = api_client_for(volunteer_a).get(f"/api/v1/centers/{center_a.pk}").json()
    assert body["code"] == "BKK-1005"
    assert [member["role"] for member in body["committee"]] == ["chair"]


def test_it_hides_another_center(api_client_for, chair_a, center_b):
    response = api_client_for(chair_a).get(f"/api/v1/centers/{center_b.pk}")
    assert response.status_code == 404
    assert response.json()["detail"] == "ไม่พบข้อมูล"


def test_it_answers_404_for_a_center_that_does_not_exist(api_client_for, admin_user):
    assert api_client_for(admin_user).get("/api/v1/centers/999999").status_code == 404


def test_it_reads_the_list_in_constant_queries(api_client_for, admin_user, center_a):
    client = api_client_for(admin_user)
    client.get("/api/v1/centers")  # the first use of a token records when it was used
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/centers")
    for number, code in enumerate(["100101", "100201", "100301", "100401"]):
        center = new_center(code, f"BKK-X{number}")
        make_volunteer(center)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/centers").json()["count"] == 5
    assert len(few) == len(many)


# --- Opening a center --------------------------------------------------------------------------

NEW_CENTER = {
    "code": "BKK-1001",
    "name_th": "ศูนย์ประสานงาน อพม. เขตพระนคร",
    "name_en": "Phra Nakhon",
    "subdistrict": "100101",
    "opened_on": "2020-05-01",
    "venue": "ศาลาประชาคม",
    "email": "phranakhon@example.org",
}


def test_it_opens_a_center_for_a_province_officer(api_client_for, officer):
    response = api_client_for(officer).post(
        "/api/v1/centers", NEW_CENTER, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["district"]["code"] == "1001"
    assert body["subdistrict"]["code"] == "100101"
    assert body["status"] == "active"
    center = Center.objects.get(pk=body["id"])
    assert AuditEvent.objects.filter(action="open_center", object_id=str(center.pk)).exists()


def test_it_refuses_to_open_a_center_outside_the_officers_area(api_client_for, outside_officer):
    response = api_client_for(outside_officer).post(
        "/api/v1/centers", NEW_CENTER, content_type="application/json"
    )
    assert response.status_code == 403
    assert not Center.objects.exists()


@pytest.mark.parametrize("persona", ["chair_a", "volunteer_a", "agency_user", "dpo"])
def test_it_refuses_to_open_a_center_for_non_officers(api_client_for, request, persona):
    client = api_client_for(request.getfixturevalue(persona))
    count = Center.objects.count()
    response = client.post("/api/v1/centers", NEW_CENTER, content_type="application/json")
    assert response.status_code == 403
    assert Center.objects.count() == count


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"subdistrict": "999999"}, "subdistrict"),
        ({"subdistrict": "100502"}, "subdistrict"),  # Bang Khen already has a center
        ({"code": "BKK-1005"}, "code"),
        ({"opened_on": "2563-05-01"}, "opened_on"),  # a BE year in a CE field
        ({"opened_on": "01/05/2563"}, "opened_on"),
        ({"name_th": "  "}, "name_th"),
        ({"email": "not an email"}, "email"),
    ],
)
def test_it_refuses_bad_input_naming_the_field(api_client_for, admin_user, center_a, change, field):
    count = Center.objects.count()
    response = api_client_for(admin_user).post(
        "/api/v1/centers", NEW_CENTER | change, content_type="application/json"
    )
    assert response.status_code == 422, response.content
    body = response.json()
    assert field in [error["field"] for error in body["errors"]]
    assert body["detail"]
    assert Center.objects.count() == count


def test_it_says_a_be_year_is_a_be_year(api_client_for, admin_user):
    response = api_client_for(admin_user).post(
        "/api/v1/centers", NEW_CENTER | {"opened_on": "2563-05-01"}, content_type="application/json"
    )
    assert "พ.ศ." in response.json()["errors"][0]["message"]


# --- Updating a center -------------------------------------------------------------------------


def test_it_lets_the_chair_update_their_center(api_client_for, chair_a, center_a):
    response = api_client_for(chair_a).patch(
        f"/api/v1/centers/{center_a.pk}",
        {"venue": "ศาลาใหม่", "phone": "021234567"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["venue"] == "ศาลาใหม่"
    center_a.refresh_from_db()
    assert (center_a.venue, center_a.phone) == ("ศาลาใหม่", "021234567")
    assert center_a.name_th == "ศูนย์ประสานงาน อพม. เขตบางเขน"  # fields not sent stay
    assert AuditEvent.objects.filter(action="update_center", object_id=str(center_a.pk)).exists()


def test_it_lets_the_officer_suspend_a_center(api_client_for, district_officer_a, center_a):
    response = api_client_for(district_officer_a).patch(
        f"/api/v1/centers/{center_a.pk}", {"status": "suspended"}, content_type="application/json"
    )
    assert response.status_code == 200
    center_a.refresh_from_db()
    assert center_a.status == CenterStatus.SUSPENDED


def test_it_refuses_a_volunteer_who_can_read_but_not_write(api_client_for, volunteer_a, center_a):
    response = api_client_for(volunteer_a).patch(
        f"/api/v1/centers/{center_a.pk}", {"venue": "x"}, content_type="application/json"
    )
    assert response.status_code == 403
    center_a.refresh_from_db()
    assert center_a.venue != "x"


@pytest.mark.parametrize("persona", ["chair_b", "outside_officer", "agency_user", "dpo"])
def test_it_hides_a_center_outside_the_editors_scope(api_client_for, request, persona, center_a):
    response = api_client_for(request.getfixturevalue(persona)).patch(
        f"/api/v1/centers/{center_a.pk}", {"venue": "x"}, content_type="application/json"
    )
    assert response.status_code == 404
    center_a.refresh_from_db()
    assert center_a.venue != "x"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"status": "gone"}, "status"),
        ({"name_th": ""}, "name_th"),
        ({"email": "@@"}, "email"),
        ({"name_th": None}, "name_th"),
    ],
)
def test_it_refuses_a_bad_update_naming_the_field(api_client_for, chair_a, center_a, change, field):
    response = api_client_for(chair_a).patch(
        f"/api/v1/centers/{center_a.pk}", change, content_type="application/json"
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    center_a.refresh_from_db()
    assert center_a.name_th == "ศูนย์ประสานงาน อพม. เขตบางเขน"


def test_it_refuses_fields_that_cannot_be_changed(api_client_for, admin_user, center_a):
    response = api_client_for(admin_user).patch(
        f"/api/v1/centers/{center_a.pk}",
        {"district": "1001", "active_volunteer_count": 99},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert {error["field"] for error in response.json()["errors"]} == {
        "district",
        "active_volunteer_count",
    }
    center_a.refresh_from_db()
    assert (center_a.district_id, center_a.active_volunteer_count) == ("1005", 0)


def test_it_answers_400_in_thai_for_malformed_json(api_client_for, admin_user):
    response = api_client_for(admin_user).post(
        "/api/v1/centers", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]
    assert not Center.objects.exists()


def test_it_names_the_field_for_a_bad_path_or_page(api_client_for, admin_user):
    client = api_client_for(admin_user)
    response = client.get("/api/v1/centers/abc")
    assert response.status_code == 422
    assert response.json()["errors"][0] == {
        "field": "center_id",
        "message": "ต้องเป็นตัวเลขจำนวนเต็ม",
    }
    response = client.get("/api/v1/centers?limit=0")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "limit"
