"""The volunteers API: scoped lists and details, private fields, and every write through the
actions, with bad input refused naming the field and nothing saved."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from asa.accounts.models import AuditEvent
from asa.centers.models import Skill, Volunteer, VolunteerStatusChange
from asa.conftest import make_volunteer, new_national_id


def ids(response):
    assert response.status_code == 200, response.content
    return {item["id"] for item in response.json()["items"]}


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


# --- Reading -----------------------------------------------------------------------------------


def test_it_lists_a_chair_their_centers_volunteers_only(
    api_client_for, chair_a, volunteer_a, volunteer_b
):
    body = api_client_for(chair_a).get("/api/v1/volunteers").json()
    assert body["count"] == 2
    item = body["items"][0]
    assert set(item) == {
        "id",
        "title",
        "first_name",
        "last_name",
        "full_name",
        "center",
        "role",
        "is_youth",
        "status",
        "phone",
        "joined_on",
    }
    assert "national_id" not in item
    assert {entry["center"]["code"] for entry in body["items"]} == {"BKK-1005"}


def test_it_lets_an_officer_see_the_whole_province(
    api_client_for, officer, chair_a, volunteer_a, chair_b, volunteer_b
):
    assert api_client_for(officer).get("/api/v1/volunteers").json()["count"] == 4


def test_it_does_not_let_volunteer_b_read_center_as_volunteers(
    api_client_for, volunteer_b, volunteer_a, center_a, center_b
):
    client = api_client_for(volunteer_b)
    assert ids(client.get(f"/api/v1/volunteers?center={center_a.pk}")) == set()
    a_volunteer = Volunteer.objects.get(user=volunteer_a)
    assert client.get(f"/api/v1/volunteers/{a_volunteer.pk}").status_code == 404


def test_it_shows_the_outside_officer_no_bangkok_volunteer(
    api_client_for, outside_officer, chair_a
):
    client = api_client_for(outside_officer)
    assert ids(client.get("/api/v1/volunteers")) == set()
    chair = Volunteer.objects.get(user=chair_a)
    assert client.get(f"/api/v1/volunteers/{chair.pk}").status_code == 404


@pytest.mark.parametrize("persona", ["agency_user", "dpo"])
def test_it_shows_partners_and_dpo_no_volunteer(api_client_for, request, persona, chair_a):
    client = api_client_for(request.getfixturevalue(persona))
    assert ids(client.get("/api/v1/volunteers")) == set()
    chair = Volunteer.objects.get(user=chair_a)
    assert client.get(f"/api/v1/volunteers/{chair.pk}").status_code == 404


def test_it_filters_by_center_status_role_and_text(
    api_client_for, admin_user, chair_a, volunteer_a, volunteer_b, center_a, center_b
):
    client = api_client_for(admin_user)
    chair = Volunteer.objects.get(user=chair_a)
    member_a = Volunteer.objects.get(user=volunteer_a)
    member_b = Volunteer.objects.get(user=volunteer_b)
    assert ids(client.get(f"/api/v1/volunteers?center={center_a.pk}")) == {chair.pk, member_a.pk}
    assert ids(client.get("/api/v1/volunteers?role=chair")) == {chair.pk}
    assert ids(client.get("/api/v1/volunteers?status=left")) == set()
    assert ids(client.get("/api/v1/volunteers?q=อาสา")) == {member_a.pk, member_b.pk}
    assert ids(client.get("/api/v1/volunteers?q=อาสา บี")) == {member_b.pk}
    # Numbers are stored encrypted: found whole (by their keyed hash), never by a part.
    assert ids(client.get(f"/api/v1/volunteers?q={member_a.national_id}")) == {member_a.pk}
    assert ids(client.get(f"/api/v1/volunteers?q={member_a.national_id[:9]}")) == set()
    for bad in ("status=gone", "role=king", "center=abc"):
        response = client.get(f"/api/v1/volunteers?{bad}")
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == bad.split("=")[0]


def test_it_does_not_let_a_colleague_search_by_national_id(api_client_for, volunteer_a, chair_a):
    chair = Volunteer.objects.get(user=chair_a)
    client = api_client_for(volunteer_a)
    assert ids(client.get(f"/api/v1/volunteers?q={chair.national_id}")) == set()
    assert chair.pk in ids(client.get("/api/v1/volunteers?q=ประธาน"))


def test_it_shows_private_fields_to_the_chair(api_client_for, chair_a, volunteer_a):
    member = Volunteer.objects.get(user=volunteer_a)
    body = api_client_for(chair_a).get(f"/api/v1/volunteers/{member.pk}").json()
    assert body["national_id"] == member.national_id
    assert body["birth_date"] == "1975-06-01"
    assert body["subdistrict"]["code"] == "100502"
    assert body["district"]["code"] == "1005"
    assert body["province"]["code"] == "10"
    assert body["center"]["id"] == member.center_id


def test_it_shows_private_fields_to_the_volunteer_themself(api_client_for, volunteer_a):
    member = Volunteer.objects.get(user=volunteer_a)
    body = api_client_for(volunteer_a).get(f"/api/v1/volunteers/{member.pk}").json()
    assert body["national_id"] == member.national_id
    assert body["birth_date"] == "1975-06-01"


def test_it_hides_private_fields_from_a_colleague(api_client_for, chair_a, volunteer_a):
    chair = Volunteer.objects.get(user=chair_a)
    body = api_client_for(volunteer_a).get(f"/api/v1/volunteers/{chair.pk}").json()
    assert body["full_name"] == chair.full_name
    for field in ("national_id", "birth_date", "house_number", "subdistrict", "postal_code"):
        assert body[field] is None, field
    assert chair.national_id not in str(body)


def test_it_reads_the_list_in_constant_queries(api_client_for, admin_user, center_a, center_b):
    client = api_client_for(admin_user)
    make_volunteer(center_a)
    client.get("/api/v1/volunteers")  # the first use of a token records when it was used
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/volunteers").json()["count"] == 1
    for _ in range(6):
        make_volunteer(center_a)
        make_volunteer(center_b)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/volunteers").json()["count"] == 13
    assert len(few) == len(many)


def test_it_reads_the_list_in_constant_queries_for_a_chair(api_client_for, chair_a, center_a):
    client = api_client_for(chair_a)
    client.get("/api/v1/volunteers")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/volunteers?q=สมใจ")
    for _ in range(5):
        make_volunteer(center_a)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/volunteers?q=สมใจ").json()["count"] == 5
    assert len(few) == len(many)


# --- Registering -------------------------------------------------------------------------------


def new_volunteer(center, **change):
    data = {
        "center": center.pk,
        "title": "นาย",
        "first_name": "สมชาย",
        "last_name": "ใจดี",
        "national_id": new_national_id(),
        "birth_date": "1980-02-14",
        "sex": "male",
        "subdistrict": "100508",
        "joined_on": "2021-07-01",
        "phone": "0899999999",
    }
    return data | change


def test_it_registers_a_volunteer_for_the_chair(api_client_for, chair_a, center_a):
    skill = Skill.objects.create(name_th="ปฐมพยาบาล")
    data = new_volunteer(center_a, skills=[skill.pk])
    response = post(api_client_for(chair_a), "/api/v1/volunteers", data)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["national_id"] == data["national_id"]
    assert body["postal_code"] == "10220"
    assert body["skills"] == [{"id": skill.pk, "name_th": "ปฐมพยาบาล", "name_en": ""}]
    volunteer = Volunteer.objects.get(pk=body["id"])
    assert volunteer.center == center_a
    center_a.refresh_from_db()
    assert center_a.active_volunteer_count == 2
    assert AuditEvent.objects.filter(
        action="register_volunteer", object_id=str(volunteer.pk)
    ).exists()


def test_it_registers_for_an_officer_of_the_area(api_client_for, district_officer_a, center_a):
    response = post(
        api_client_for(district_officer_a), "/api/v1/volunteers", new_volunteer(center_a)
    )
    assert response.status_code == 201


def test_it_reads_a_national_id_written_in_thai_digits(api_client_for, chair_a, center_a):
    national_id = new_national_id()
    thai = national_id.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙"))
    response = post(
        api_client_for(chair_a), "/api/v1/volunteers", new_volunteer(center_a, national_id=thai)
    )
    assert response.status_code == 201, response.content
    assert response.json()["national_id"] == national_id


BAD_INPUT = [
    pytest.param({"national_id": "1234567890123"}, "national_id", "หลักตรวจสอบ", id="checksum"),
    pytest.param({"national_id": "123456789012"}, "national_id", "13 หลัก", id="length"),
    pytest.param({"national_id": "1๒34567890121"}, "national_id", "เลขไทย", id="thai-mixed"),
    pytest.param({"national_id": ""}, "national_id", "", id="empty-id"),
    pytest.param({"birth_date": "2523-02-14"}, "birth_date", "พ.ศ.", id="be-birth-year"),
    pytest.param({"joined_on": "2564-07-01"}, "joined_on", "พ.ศ.", id="be-joined-year"),
    pytest.param({"birth_date": "14/02/1980"}, "birth_date", "YYYY-MM-DD", id="not-iso"),
    pytest.param({"role": "chair"}, "role", "ประธาน", id="second-chair"),
    pytest.param({"subdistrict": "999999"}, "subdistrict", "999999", id="unknown-subdistrict"),
    pytest.param({"postal_code": "50000"}, "postal_code", "10220", id="postal-code-mismatch"),
    pytest.param({"sex": "x"}, "sex", "", id="bad-sex"),
    pytest.param({"first_name": " "}, "first_name", "", id="blank-name"),
    pytest.param({"skills": [999999]}, "skills", "ทักษะ", id="unknown-skill"),
    pytest.param({"center": 999999}, "center", "ไม่มีสิทธิ์", id="unknown-center"),
]


@pytest.mark.parametrize(("change", "field", "says"), BAD_INPUT)
def test_it_refuses_bad_input_naming_the_field_and_saves_nothing(
    api_client_for, chair_a, center_a, change, field, says
):
    client = api_client_for(chair_a)
    before = (Volunteer.objects.count(), AuditEvent.objects.count())
    response = post(client, "/api/v1/volunteers", new_volunteer(center_a) | change)
    assert response.status_code == 422, response.content
    body = response.json()
    errors = {error["field"]: error["message"] for error in body["errors"]}
    assert field in errors, body
    assert says in errors[field]
    assert body["detail"]
    assert (Volunteer.objects.count(), AuditEvent.objects.count()) == before
    center_a.refresh_from_db()
    assert center_a.active_volunteer_count == 1


def test_it_refuses_a_national_id_already_registered(
    api_client_for, chair_a, volunteer_b, center_a
):
    taken = Volunteer.objects.get(user=volunteer_b).national_id
    count = Volunteer.objects.count()
    response = post(
        api_client_for(chair_a), "/api/v1/volunteers", new_volunteer(center_a, national_id=taken)
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "national_id"
    assert Volunteer.objects.count() == count


@pytest.mark.parametrize(
    "persona", ["chair_b", "volunteer_a", "outside_officer", "agency_user", "dpo"]
)
def test_it_refuses_a_center_outside_the_editors_scope(api_client_for, request, persona, center_a):
    client = api_client_for(request.getfixturevalue(persona))
    count = Volunteer.objects.count()
    response = post(client, "/api/v1/volunteers", new_volunteer(center_a))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "center", "message": "คุณไม่มีสิทธิ์จัดการ อพม. ของศูนย์นี้"}
    ]
    assert Volunteer.objects.count() == count


# --- Updating ----------------------------------------------------------------------------------


def test_it_updates_a_volunteer(api_client_for, chair_a, volunteer_a):
    member = Volunteer.objects.get(user=volunteer_a)
    response = patch(
        api_client_for(chair_a),
        f"/api/v1/volunteers/{member.pk}",
        {"phone": "0811111111", "road": "พหลโยธิน"},
    )
    assert response.status_code == 200, response.content
    member.refresh_from_db()
    assert (member.phone, member.road, member.first_name) == ("0811111111", "พหลโยธิน", "อาสาเอ")
    assert AuditEvent.objects.filter(action="update_volunteer", object_id=str(member.pk)).exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"national_id": "1111111111111"}, "national_id"),
        ({"birth_date": "2518-06-01"}, "birth_date"),
        ({"subdistrict": "000000"}, "subdistrict"),
        ({"title": "king"}, "title"),
    ],
)
def test_it_refuses_a_bad_update_and_saves_nothing(
    api_client_for, chair_a, volunteer_a, change, field
):
    member = Volunteer.objects.get(user=volunteer_a)
    before = (member.national_id, member.birth_date, member.subdistrict_id, member.title)
    response = patch(api_client_for(chair_a), f"/api/v1/volunteers/{member.pk}", change)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    member.refresh_from_db()
    assert (member.national_id, member.birth_date, member.subdistrict_id, member.title) == before


def test_it_refuses_an_update_from_a_colleague(api_client_for, chair_a, volunteer_a):
    chair = Volunteer.objects.get(user=chair_a)
    response = patch(api_client_for(volunteer_a), f"/api/v1/volunteers/{chair.pk}", {"phone": "0"})
    assert response.status_code == 403
    chair.refresh_from_db()
    assert chair.phone == "0812345678"


@pytest.mark.parametrize("persona", ["chair_b", "volunteer_b", "outside_officer", "agency_user"])
def test_it_hides_volunteers_outside_the_editors_scope_on_every_write(
    api_client_for, request, persona, volunteer_a
):
    client = api_client_for(request.getfixturevalue(persona))
    member = Volunteer.objects.get(user=volunteer_a)
    url = f"/api/v1/volunteers/{member.pk}"
    assert patch(client, url, {"phone": "0"}).status_code == 404
    assert post(client, f"{url}/status", {"status": "left", "reason": "x"}).status_code == 404
    assert post(client, f"{url}/role", {"role": "secretary"}).status_code == 404
    member.refresh_from_db()
    assert (member.phone, member.status, member.role) == ("0812345678", "active", "member")


# --- Status and role ---------------------------------------------------------------------------


def test_it_changes_status_with_a_reason(api_client_for, chair_a, volunteer_a, center_a):
    member = Volunteer.objects.get(user=volunteer_a)
    response = post(
        api_client_for(chair_a),
        f"/api/v1/volunteers/{member.pk}/status",
        {"status": "inactive", "reason": "ย้ายที่อยู่ชั่วคราว"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "inactive"
    center_a.refresh_from_db()
    assert center_a.active_volunteer_count == 1
    change = VolunteerStatusChange.objects.filter(volunteer=member, field="status").first()
    assert (change.new_value, change.reason) == ("inactive", "ย้ายที่อยู่ชั่วคราว")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"status": "inactive"}, "reason"),
        ({"status": "inactive", "reason": "  "}, "reason"),
        ({"status": "retired", "reason": "x"}, "status"),
    ],
)
def test_it_refuses_a_status_change_without_reason_or_status(
    api_client_for, chair_a, volunteer_a, data, field
):
    member = Volunteer.objects.get(user=volunteer_a)
    response = post(api_client_for(chair_a), f"/api/v1/volunteers/{member.pk}/status", data)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == field
    member.refresh_from_db()
    assert member.status == "active"


def test_it_changes_a_role(api_client_for, chair_a, volunteer_a):
    member = Volunteer.objects.get(user=volunteer_a)
    response = post(
        api_client_for(chair_a), f"/api/v1/volunteers/{member.pk}/role", {"role": "secretary"}
    )
    assert response.status_code == 200
    assert response.json()["role"] == "secretary"


def test_it_refuses_a_second_chair(api_client_for, chair_a, volunteer_a):
    member = Volunteer.objects.get(user=volunteer_a)
    response = post(
        api_client_for(chair_a), f"/api/v1/volunteers/{member.pk}/role", {"role": "chair"}
    )
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "role"
    assert "ประธาน" in error["message"]
    member.refresh_from_db()
    assert member.role == "member"


def test_it_refuses_status_and_role_changes_from_a_colleague(api_client_for, chair_a, volunteer_a):
    chair = Volunteer.objects.get(user=chair_a)
    client = api_client_for(volunteer_a)
    url = f"/api/v1/volunteers/{chair.pk}"
    assert post(client, f"{url}/status", {"status": "left", "reason": "x"}).status_code == 403
    assert post(client, f"{url}/role", {"role": "member"}).status_code == 403
    chair.refresh_from_db()
    assert (chair.status, chair.role) == ("active", "chair")


def test_it_names_the_list_field_not_the_position(api_client_for, chair_a, center_a):
    response = post(
        api_client_for(chair_a), "/api/v1/volunteers", new_volunteer(center_a, skills=["x"])
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "skills"


def test_it_refuses_changing_role_or_center_through_patch(
    api_client_for, chair_a, volunteer_a, center_b
):
    member = Volunteer.objects.get(user=volunteer_a)
    response = patch(
        api_client_for(chair_a),
        f"/api/v1/volunteers/{member.pk}",
        {"role": "chair", "center": center_b.pk, "status": "left"},
    )
    assert response.status_code == 422
    assert {error["field"] for error in response.json()["errors"]} == {"role", "center", "status"}
    member.refresh_from_db()
    assert (member.role, member.center_id, member.status) == ("member", member.center_id, "active")
