import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from asa.accounts.models import AuditEvent
from asa.registry.actions import record_consent, register_person
from asa.registry.models import DuplicateCandidate, ImportJob, Person

ANUSAWARI = "100502"


def person(actor, **overrides):
    values = {
        "title": "นาง",
        "first_name": "บุญมี",
        "last_name": "ศรีสุข",
        "birth_date": dt.date(1950, 5, 1),
        "sex": "female",
        "subdistrict": ANUSAWARI,
    }
    values.update(overrides)
    return register_person(actor=actor, **values)


@pytest.fixture
def in_a(chair_a):
    return person(chair_a)


def test_every_endpoint_needs_a_token(client, db):
    for url in (
        "/api/v1/people",
        "/api/v1/households",
        "/api/v1/duplicates",
        "/api/v1/imports",
        "/api/v1/people/1",
        "/api/v1/imports/1",
        "/api/v1/people/export",
    ):
        assert client.get(url).status_code == 401, url
    assert client.post("/api/v1/people", {}, content_type="application/json").status_code == 401


def test_the_list_is_scoped_paginated_and_searchable(api_client_for, chair_a, volunteer_b, in_a):
    for index in range(3):
        person(chair_a, first_name=f"คนที่{index}", birth_date=None)
    body = api_client_for(chair_a).get("/api/v1/people?limit=2").json()
    assert (
        body["count"] == 4
        and len(body["items"]) == 2
        and set(body["items"][0]) >= {"id", "full_name", "version"}
    )
    assert api_client_for(volunteer_b).get("/api/v1/people").json() == {"items": [], "count": 0}
    found = api_client_for(chair_a).get("/api/v1/people?q=บุญมี ศรีสุข").json()
    assert [item["id"] for item in found["items"]] == [in_a.pk]
    assert api_client_for(volunteer_b).get("/api/v1/people?q=บุญมี").json()["count"] == 0
    filtered = api_client_for(chair_a).get(
        f"/api/v1/people?subdistrict={ANUSAWARI}&target_group=elderly"
    )
    assert filtered.json()["count"] == 0


def test_the_list_costs_the_same_queries_for_more_people(api_client_for, chair_a):
    client = api_client_for(chair_a)
    person(chair_a)
    client.get("/api/v1/people")
    with CaptureQueriesContext(connection) as few:
        client.get("/api/v1/people")
    for index in range(5):
        person(chair_a, first_name=f"เพิ่ม{index}", birth_date=None)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/api/v1/people").json()["count"] == 6
    assert len(many) == len(few)


def test_one_person_is_404_outside_scope_and_hides_the_id_from_readers(
    api_client_for, chair_a, volunteer_a, volunteer_b, district_officer_a
):
    registered = person(chair_a, id_type="national_id", id_number="1103702071811")
    assert api_client_for(volunteer_b).get(f"/api/v1/people/{registered.pk}").status_code == 404
    body = (
        api_client_for(district_officer_a)
        .get(f"/api/v1/people/{registered.pk}", headers={"X-Access-Reason": "complaint review"})
        .json()
    )
    assert body["id_number"] == "1103702071811" and body["subdistrict"] == ANUSAWARI


def test_register_answers_201_409_on_a_likely_duplicate_and_422_naming_fields(
    api_client_for, chair_a, volunteer_b, in_a
):
    client = api_client_for(chair_a)
    created = client.post(
        "/api/v1/people",
        {
            "first_name": "มานี",
            "last_name": "มีนา",
            "subdistrict": ANUSAWARI,
            "target_groups": ["child"],
        },
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["target_groups"][0]["code"] == "child"
    same = {
        "first_name": "บุญมี",
        "last_name": "ศรีสุก",  # the family name misspelt
        "birth_date": "1950-05-01",
        "subdistrict": ANUSAWARI,
    }
    conflict = client.post("/api/v1/people", same, content_type="application/json")
    assert conflict.status_code == 409
    assert (
        conflict.json()["candidates"][0]["id"] == in_a.pk
        and conflict.json()["candidates"][0]["reasons"]
    )
    forced = client.post(
        "/api/v1/people",
        same | {"duplicate_override_reason": "คนละคน"},
        content_type="application/json",
    )
    assert forced.status_code == 201
    bad = client.post(
        "/api/v1/people",
        {
            "first_name": "ก",
            "id_type": "national_id",
            "id_number": "1234567890123",
            "birth_date": "2562-01-01",
        },
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert {error["field"] for error in bad.json()["errors"]} >= {"id_number"}
    outside = api_client_for(volunteer_b).post(
        "/api/v1/people",
        {"first_name": "ก", "subdistrict": ANUSAWARI},
        content_type="application/json",
    )
    assert outside.status_code == 422 and outside.json()["errors"][0]["field"] == "subdistrict"
    missing = client.post("/api/v1/people", {"last_name": "x"}, content_type="application/json")
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "first_name"


def test_patch_needs_the_current_version(api_client_for, chair_a, volunteer_b, in_a):
    client = api_client_for(chair_a)
    url = f"/api/v1/people/{in_a.pk}"
    ok = client.patch(url, {"version": 1, "phone": "0811111111"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(url, {"version": 1, "notes": "ซ้อน"}, content_type="application/json")
    assert stale.status_code == 409 and stale.json()["errors"][0]["field"] == "version"
    assert "แก้ไขโดยผู้อื่น" in stale.json()["detail"]
    assert (
        api_client_for(volunteer_b)
        .patch(url, {"version": 2}, content_type="application/json")
        .status_code
        == 404
    )


def test_timeline_and_consents(api_client_for, chair_a, volunteer_b, in_a):
    client = api_client_for(chair_a)
    timeline = client.get(f"/api/v1/people/{in_a.pk}/timeline").json()
    assert timeline["items"][0]["action"] == "register_person"
    consent = {
        "basis": "consent",
        "given_by": "self",
        "given_on": "2026-01-05",
        "method": "signed_paper",
    }
    assert (
        client.post(
            f"/api/v1/people/{in_a.pk}/consents", consent, content_type="application/json"
        ).status_code
        == 201
    )
    assert client.get(f"/api/v1/people/{in_a.pk}/consents").json()["count"] == 1
    outsider = api_client_for(volunteer_b)
    assert outsider.get(f"/api/v1/people/{in_a.pk}/timeline").status_code == 404
    assert outsider.get(f"/api/v1/people/{in_a.pk}/consents").status_code == 404
    assert (
        outsider.post(
            f"/api/v1/people/{in_a.pk}/consents", consent, content_type="application/json"
        ).status_code
        == 404
    )


def test_a_consent_is_withdrawn_over_the_api_as_on_the_page(
    api_client_for, chair_a, volunteer_b, in_a
):
    consent = record_consent(
        actor=chair_a,
        person=in_a,
        basis="consent",
        given_by="self",
        given_on=dt.date(2026, 1, 5),
        method="signed_paper",
    )
    url = f"/api/v1/consents/{consent.pk}/withdraw"
    body = {"reason": "ผู้ถูกบันทึกขอถอนความยินยอม", "withdrawn_on": "2026-02-01"}
    refused = api_client_for(volunteer_b).post(url, body, content_type="application/json")
    assert refused.status_code == 404
    client = api_client_for(chair_a)
    blank = client.post(url, {"reason": "  "}, content_type="application/json")
    assert blank.status_code == 422 and blank.json()["errors"][0]["field"] == "withdrawal_reason"
    withdrawn = client.post(url, body, content_type="application/json")
    assert withdrawn.status_code == 200, withdrawn.content
    assert withdrawn.json()["withdrawn_on"] == "2026-02-01"
    assert withdrawn.json()["withdrawal_reason"] == body["reason"]
    assert AuditEvent.objects.filter(
        action="withdraw_consent", object_id=str(in_a.pk), reason=body["reason"]
    ).exists()
    again = client.post(url, body, content_type="application/json")
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "withdrawn_on"


def test_problems_are_noted_and_moved_over_the_api_as_on_the_page(
    api_client_for, chair_a, volunteer_b, in_a
):
    url = f"/api/v1/people/{in_a.pk}/problems"
    body = {"problem_type": "debt", "severity": "high"}
    assert (
        api_client_for(volunteer_b).post(url, body, content_type="application/json").status_code
        == 404
    )
    client = api_client_for(chair_a)
    unknown = client.post(url, {"problem_type": "nothing"}, content_type="application/json")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "problem_type"
    noted = client.post(url, body, content_type="application/json")
    assert noted.status_code == 201, noted.content
    assert noted.json()["problem_type"]["code"] == "debt" and noted.json()["status"] == "active"
    status_url = f"{url}/debt/status"
    refused = api_client_for(volunteer_b).post(
        status_url, {"status": "resolved"}, content_type="application/json"
    )
    assert refused.status_code == 404
    moved = client.post(status_url, {"status": "resolved"}, content_type="application/json")
    assert moved.status_code == 200 and moved.json()["status"] == "resolved"
    assert (
        client.post(
            f"{url}/poverty/status", {"status": "resolved"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert AuditEvent.objects.filter(
        action="update_problem_status", object_id=str(in_a.pk)
    ).exists()


def test_households_members_and_assessments(api_client_for, chair_a, volunteer_b, in_a):
    client = api_client_for(chair_a)
    created = client.post("/api/v1/households", {"head": in_a.pk}, content_type="application/json")
    assert created.status_code == 201
    household_id = created.json()["id"]
    child = person(chair_a, first_name="ต้น", birth_date=dt.date(2015, 1, 1))
    added = client.post(
        f"/api/v1/households/{household_id}/members",
        {"person": child.pk, "relationship": "child"},
        content_type="application/json",
    )
    assert added.status_code == 201
    assessed = client.post(
        f"/api/v1/households/{household_id}/assessments",
        {"indicators": {"clean_water": True}},
        content_type="application/json",
    )
    assert assessed.status_code == 201 and assessed.json()["housing_score"] == 25
    detail = client.get(f"/api/v1/households/{household_id}").json()
    assert len(detail["members"]) == 2 and len(detail["assessments"]) == 1
    assert client.get("/api/v1/households").json()["count"] == 1
    outsider = api_client_for(volunteer_b)
    assert outsider.get("/api/v1/households").json()["count"] == 0
    assert outsider.get(f"/api/v1/households/{household_id}").status_code == 404
    assert (
        outsider.post(
            f"/api/v1/households/{household_id}/members",
            {"person": child.pk, "relationship": "child"},
            content_type="application/json",
        ).status_code
        == 404
    )
    bad_head = outsider.post(
        "/api/v1/households", {"head": in_a.pk}, content_type="application/json"
    )
    assert bad_head.status_code == 422 and bad_head.json()["errors"][0]["field"] == "head"
    end = f"/api/v1/households/{household_id}/members/{child.pk}/end"
    refused = outsider.post(end, {}, content_type="application/json")
    assert refused.status_code == 404
    too_early = client.post(end, {"ended_on": "2000-01-01"}, content_type="application/json")
    assert too_early.status_code == 422 and too_early.json()["errors"][0]["field"] == "ended_on"
    ended = client.post(end, {}, content_type="application/json")
    assert ended.status_code == 200 and ended.json()["ended_on"]
    again = client.post(end, {}, content_type="application/json")
    assert again.status_code == 422 and again.json()["errors"][0]["field"] == "person_id"


def test_duplicates_queue_merge_and_distinct(
    api_client_for, chair_a, volunteer_a, volunteer_b, in_a
):
    twin = person(chair_a, last_name="ศรีสุก", duplicate_override_reason="ทดสอบ")
    born = dt.date(1961, 7, 7)  # not บุญมี's: a different person
    other = person(
        chair_a, first_name="บุญมา", last_name="ศรีสุข", phone="0812345678", birth_date=born
    )
    third = person(
        chair_a,
        first_name="บุญมา",
        last_name="ศรีสุข",
        phone="0812345678",
        birth_date=born,
        duplicate_override_reason="ทดสอบ",
    )
    client = api_client_for(chair_a)
    queue = client.get("/api/v1/duplicates").json()
    assert queue["count"] == 2 and set(queue["items"][0]) == {
        "id",
        "person_a",
        "person_b",
        "score",
        "reasons",
    }
    assert api_client_for(volunteer_b).get("/api/v1/duplicates").json()["count"] == 0
    pair = DuplicateCandidate.objects.get(person_a=in_a, person_b=twin)
    assert (
        api_client_for(volunteer_a)
        .post(
            f"/api/v1/duplicates/{pair.pk}/merge",
            {"survivor": in_a.pk},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    assert (
        api_client_for(volunteer_b)
        .post(
            f"/api/v1/duplicates/{pair.pk}/merge",
            {"survivor": in_a.pk},
            content_type="application/json",
        )
        .status_code
        == 404
    )
    merged = client.post(
        f"/api/v1/duplicates/{pair.pk}/merge",
        {"survivor": in_a.pk, "reason": "คนเดียวกัน"},
        content_type="application/json",
    )
    assert merged.status_code == 200 and merged.json()["survivor"] == in_a.pk
    other_pair = DuplicateCandidate.objects.get(person_a=other, person_b=third)
    assert (
        client.post(
            f"/api/v1/duplicates/{other_pair.pk}/distinct",
            {"reason": "พี่น้อง"},
            content_type="application/json",
        ).status_code
        == 204
    )
    assert client.get("/api/v1/duplicates").json()["count"] == 0


def test_upload_an_import_and_follow_it(
    api_client_for,
    chair_a,
    volunteer_b,
    agency_user,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = tmp_path
    csv_text = "ชื่อ,นามสกุล,รหัสตำบล\nมานี,มีนา,100502\n,ไม่มีชื่อ,100502\n".encode()
    client = api_client_for(chair_a)
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/api/v1/imports", {"file": SimpleUploadedFile("p.csv", csv_text), "source": "api"}
        )
    assert answer.status_code == 202, answer.content
    job_id = answer.json()["id"]
    status = client.get(answer.json()["status_url"]).json()
    assert (
        status["status"] == "done"
        and status["counts"]["imported"] == 1
        and status["progress"] == 100
    )
    errors = client.get(f"/api/v1/imports/{job_id}/rows?outcome=error").json()
    assert errors["count"] == 1 and errors["items"][0]["field"] == "first_name"
    assert api_client_for(volunteer_b).get(f"/api/v1/imports/{job_id}").status_code == 404
    assert api_client_for(volunteer_b).get(f"/api/v1/imports/{job_id}/rows").status_code == 404
    assert (
        api_client_for(agency_user)
        .post("/api/v1/imports", {"file": SimpleUploadedFile("p.csv", csv_text), "source": "x"})
        .status_code
        == 403
    )
    not_sheet = client.post(
        "/api/v1/imports", {"file": SimpleUploadedFile("p.xlsx", b"hello"), "source": "api"}
    )
    assert not_sheet.status_code == 422 and not_sheet.json()["errors"][0]["field"] == "file"
    assert ImportJob.objects.count() == 1


def test_export_is_scoped_audited_and_neutralises_formulas(
    api_client_for, chair_a, volunteer_b, in_a
):
    person(chair_a, first_name='=HYPERLINK("http://evil")', last_name="@SUM(1)", birth_date=None)
    response = api_client_for(chair_a).get("/api/v1/people/export?format=csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "บุญมี" in text and "'=HYPERLINK" in text and "'@SUM(1)" in text
    event = AuditEvent.objects.filter(action="export_people").latest("id")
    assert event.changes["count"] == 2 and event.changes["format"] == "csv"
    outside = api_client_for(volunteer_b).get("/api/v1/people/export?format=csv")
    assert "บุญมี" not in b"".join(outside.streaming_content).decode("utf-8-sig")
    assert Person.objects.count() == 2
