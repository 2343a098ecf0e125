"""Visits (JSON and multipart with photos), plans and help over the API: scope and bad input."""

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from asa.accounts.models import AuditEvent
from asa.cases import actions
from asa.cases.models import Assistance, Case, PlanItem, Status, Visit, VisitPhoto
from asa.centers.models import Volunteer
from asa.conftest import make_volunteer
from asa.registry.actions import create_household, register_person

OUTSIDERS = ["volunteer_b", "chair_b", "agency_user", "dpo"]


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def person(chair_a):
    person = register_person(
        actor=chair_a,
        first_name="บุญมี",
        last_name="ศรีสุข",
        birth_date=dt.date(1950, 5, 1),
        subdistrict="100502",
    )
    create_household(actor=chair_a, head=person)
    return person


@pytest.fixture
def case(volunteer_a, chair_a, person):
    case = actions.open_case(
        actor=volunteer_a, person=person, source="field", urgency="emergency", story="ขาดอาหาร"
    )
    return actions.assign_case(actor=chair_a, case=case, volunteers=[volunteer_of(volunteer_a)])


@pytest.fixture
def visit(case, volunteer_a):
    return actions.record_visit(
        actor=volunteer_a,
        case=case,
        visited_at=timezone.now(),
        observations="บ้านทรุดโทรม",
        photos=[jpeg()],
    )


@pytest.fixture
def plan_item(case, chair_a, volunteer_a):
    return actions.add_plan_item(
        actor=chair_a,
        case=case,
        need="อาหาร",
        action="ถุงยังชีพทุกสัปดาห์",
        due_on=timezone.localdate() + dt.timedelta(days=5),
        responsible_volunteer=volunteer_of(volunteer_a),
    )


@pytest.fixture
def help_given(case, chair_a):
    return actions.record_assistance(
        actor=chair_a,
        case=case,
        kind="emergency_grant",
        amount="3000",
        regulation="ระเบียบฯ ว่าด้วยเงินสงเคราะห์ 2552",
        description="เงินสงเคราะห์ครอบครัวผู้มีรายได้น้อย",
        given_on=timezone.localdate(),
    )


def volunteer_of(user) -> Volunteer:
    return Volunteer.objects.get(user=user)


def jpeg(size=(2400, 1800), name="photo.jpg"):
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def fields(response) -> set:
    return {error["field"] for error in response.json()["errors"]}


def now_iso(**delta) -> str:
    return (timezone.now() + dt.timedelta(**delta)).isoformat()


# --- Visits ------------------------------------------------------------------------------------


def test_a_volunteer_records_a_visit_as_json(api_client_for, case, volunteer_a):
    next_on = timezone.localdate() + dt.timedelta(days=3)
    response = post(
        api_client_for(volunteer_a),
        "/api/v1/visits",
        {
            "case": case.pk,
            "visited_at": now_iso(),
            "observations": "ผู้สูงอายุอยู่คนเดียว",
            "volunteers": [volunteer_of(volunteer_a).pk],
            "indicators": {"clean_water": True, "secure_housing": False},
            "next_visit_on": str(next_on),
            "latitude": "13.8735",
            "longitude": "100.6080",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["assessment_id"] and body["volunteers"][0]["id"] == volunteer_of(volunteer_a).pk
    case.refresh_from_db()
    assert case.next_follow_up_on == next_on and case.status == Status.ASSESSED


def test_a_visit_with_photos_as_multipart_and_the_photo_is_private(
    api_client_for, case, volunteer_a, volunteer_b
):
    client = api_client_for(volunteer_a)
    response = client.post(
        "/api/v1/visits",
        {
            "case": case.pk,
            "visited_at": now_iso(),
            "observations": "ถ่ายภาพสภาพบ้าน",
            "volunteers": [volunteer_of(volunteer_a).pk],
            "indicators": '{"clean_water": true}',
            "next_visit_on": "",
            "photos": [jpeg(), jpeg((800, 600), "second.png")],
        },
    )
    assert response.status_code == 201, response.content
    photos = response.json()["photos"]
    assert len(photos) == 2 and max(photos[0]["width"], photos[0]["height"]) == 1600
    image = client.get(photos[0]["url"])
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert image.content[:2] == b"\xff\xd8"
    assert api_client_for(volunteer_b).get(photos[0]["url"]).status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"visited_at": "FUTURE"}, "visited_at"),
        ({"visited_at": "BEFORE"}, "visited_at"),
        ({"visited_at": "2568-01-05T10:00:00+07:00"}, "visited_at"),
        ({"observations": ""}, "observations"),
        ({"volunteers": ["OUTSIDER"]}, "volunteers"),
        ({"indicators": {"no_such_indicator": True}}, "indicators"),
        ({"latitude": "48.85"}, "latitude"),
        ({"case": 999999}, "case"),
        ({"unknown": 1}, "unknown"),
    ],
)
def test_bad_visits_are_refused_and_save_nothing(
    api_client_for, case, volunteer_a, center_b, change, field
):
    data = {"case": case.pk, "visited_at": now_iso(), "observations": "พบ"} | change
    if data["visited_at"] == "FUTURE":
        data["visited_at"] = now_iso(days=1)
    elif data["visited_at"] == "BEFORE":
        data["visited_at"] = (case.reported_at - dt.timedelta(days=2)).isoformat()
    if data.get("volunteers") == ["OUTSIDER"]:
        data["volunteers"] = [make_volunteer(center_b).pk]
    client = api_client_for(volunteer_a)
    before = AuditEvent.objects.count()
    response = post(client, "/api/v1/visits", data)
    assert response.status_code == 422, response.content
    assert field in fields(response)
    assert not Visit.objects.exists() and AuditEvent.objects.count() == before


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg"), "ไม่ใช่ภาพ"),
        (SimpleUploadedFile("big.jpg", b"\0" * (30 * 1024 * 1024)), "10 MB"),
    ],
    ids=["not-an-image", "30-mb"],
)
def test_bad_photos_are_refused_and_save_nothing(
    api_client_for, case, volunteer_a, upload, message
):
    response = api_client_for(volunteer_a).post(
        "/api/v1/visits",
        {"case": case.pk, "visited_at": now_iso(), "observations": "พบ", "photos": [upload]},
    )
    assert response.status_code == 422 and fields(response) == {"photos"}
    assert message in response.json()["detail"]
    assert not Visit.objects.exists() and not VisitPhoto.objects.exists()


def test_it_lists_and_shows_visits_in_scope(api_client_for, visit, case, volunteer_a, officer):
    for user in (volunteer_a, officer):
        client = api_client_for(user)
        body = client.get(f"/api/v1/visits?case={case.pk}").json()
        assert body["count"] == 1 and body["items"][0]["id"] == visit.pk
        assert client.get(f"/api/v1/visits/{visit.pk}").json()["observations"] == "บ้านทรุดโทรม"


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_see_no_visit_and_record_none(request, api_client_for, visit, case, persona):
    client = api_client_for(request.getfixturevalue(persona))
    photo = visit.photos.get()
    assert client.get("/api/v1/visits").json() == {"items": [], "count": 0}
    assert client.get(f"/api/v1/visits/{visit.pk}").status_code == 404
    assert client.get(f"/api/v1/visits/{visit.pk}/photos/{photo.pk}").status_code == 404
    response = post(
        client,
        "/api/v1/visits",
        {"case": case.pk, "visited_at": now_iso(), "observations": "แอบบันทึก"},
    )
    assert response.status_code == 422 and fields(response) == {"case"}
    assert Visit.objects.count() == 1


# --- Plan --------------------------------------------------------------------------------------


def test_the_plan_is_listed_added_to_and_progressed(api_client_for, case, chair_a, volunteer_a):
    chair = api_client_for(chair_a)
    due = timezone.localdate() + dt.timedelta(days=2)
    added = post(
        chair,
        f"/api/v1/cases/{case.pk}/plan",
        {
            "need": "ค่าเช่าบ้านค้าง",
            "action": "ประสานเงินสงเคราะห์",
            "due_on": str(due),
            "responsible_other": "พมจ. กรุงเทพฯ",
        },
    )
    assert added.status_code == 201, added.content
    item = added.json()
    assert Case.objects.get(pk=case.pk).next_follow_up_on == due
    volunteer = api_client_for(volunteer_a)
    listed = volunteer.get(f"/api/v1/cases/{case.pk}/plan").json()
    assert listed["count"] == 1 and listed["items"][0]["responsible_other"] == "พมจ. กรุงเทพฯ"
    done = volunteer.patch(
        f"/api/v1/plan-items/{item['id']}",
        json.dumps({"status": "done", "progress_note": "ได้รับเงินแล้ว"}),
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["done_on"] == str(timezone.localdate())


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({}, "responsible_volunteer"),  # no owner at all
        ({"responsible_volunteer": "OUTSIDER"}, "responsible_volunteer"),
        ({"responsible_other": "เขต", "due_on": "2000-01-01"}, "due_on"),
        ({"responsible_other": "เขต", "due_on": "2568-01-01"}, "due_on"),
        ({"responsible_other": "เขต", "need": " "}, "need"),
    ],
)
def test_bad_plan_items_are_refused(api_client_for, case, chair_a, center_b, change, field):
    data = {"need": "อาหาร", "action": "ถุงยังชีพ", "due_on": str(timezone.localdate())} | change
    if data.get("responsible_volunteer") == "OUTSIDER":
        data["responsible_volunteer"] = make_volunteer(center_b).pk
    response = post(api_client_for(chair_a), f"/api/v1/cases/{case.pk}/plan", data)
    assert response.status_code == 422, response.content
    assert field in fields(response)
    assert not PlanItem.objects.exists()


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_get_404_for_the_plan(request, api_client_for, case, plan_item, persona):
    client = api_client_for(request.getfixturevalue(persona))
    assert client.get(f"/api/v1/cases/{case.pk}/plan").status_code == 404
    added = post(
        client,
        f"/api/v1/cases/{case.pk}/plan",
        {"need": "x", "action": "y", "due_on": str(timezone.localdate()), "responsible_other": "z"},
    )
    assert added.status_code == 404
    patched = client.patch(
        f"/api/v1/plan-items/{plan_item.pk}",
        json.dumps({"status": "cancelled"}),
        content_type="application/json",
    )
    assert patched.status_code == 404
    assert PlanItem.objects.get().status == "planned" and PlanItem.objects.count() == 1


# --- Assistance --------------------------------------------------------------------------------


def test_help_is_recorded_and_listed(api_client_for, case, volunteer_a, person, officer):
    response = post(
        api_client_for(volunteer_a),
        "/api/v1/assistance",
        {
            "case": case.pk,
            "kind": "goods",
            "description": "ถุงยังชีพ 1 ชุด",
            "given_on": str(timezone.localdate()),
            "provider": "ศูนย์ อพม. บางเขน",
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["person"]["id"] == person.pk and created["amount"] is None
    client = api_client_for(officer)
    assert client.get(f"/api/v1/assistance?person={person.pk}").json()["count"] == 1
    assert client.get(f"/api/v1/assistance?case={case.pk}").json()["count"] == 1
    assert client.get(f"/api/v1/assistance/{created['id']}").status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "-500"}, "amount"),
        ({"amount": "0"}, "amount"),
        ({"amount": "9000000"}, "amount"),
        ({"amount": "10.005"}, "amount"),
        ({"amount": "lots"}, "amount"),
        ({"amount": None}, "amount"),  # a grant needs an amount
        ({"regulation": ""}, "regulation"),
        ({"given_on": "2099-01-01"}, "given_on"),
        ({"given_on": "2568-01-01"}, "given_on"),
        ({"kind": "gold"}, "kind"),
        ({"case": 999999}, "case"),
    ],
)
def test_bad_help_is_refused_and_saves_nothing(api_client_for, case, chair_a, change, field):
    data = {
        "case": case.pk,
        "kind": "emergency_grant",
        "amount": "3000",
        "regulation": "ระเบียบฯ 2552",
        "description": "เงินสงเคราะห์",
        "given_on": str(timezone.localdate()),
    } | change
    response = post(api_client_for(chair_a), "/api/v1/assistance", data)
    assert response.status_code == 422, response.content
    assert field in fields(response)
    assert not Assistance.objects.exists()


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_outsiders_see_no_help_and_record_none(
    request, api_client_for, case, help_given, person, persona
):
    client = api_client_for(request.getfixturevalue(persona))
    assert client.get(f"/api/v1/assistance?person={person.pk}").json() == {
        "items": [],
        "count": 0,
    }
    assert client.get(f"/api/v1/assistance/{help_given.pk}").status_code == 404
    response = post(
        client,
        "/api/v1/assistance",
        {
            "case": case.pk,
            "kind": "service",
            "description": "x",
            "given_on": str(timezone.localdate()),
        },
    )
    assert response.status_code == 422 and fields(response) == {"case"}
    assert Assistance.objects.count() == 1
