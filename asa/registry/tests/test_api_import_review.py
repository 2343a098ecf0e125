"""Deciding an import row held as a likely duplicate over the API (issue 15): the same queue,
rule and action as the import review page."""

import datetime as dt
import json

import pytest

from asa.accounts.models import AuditEvent
from asa.registry.actions import register_person
from asa.registry.importing import import_file
from asa.registry.models import ImportRowResult, Person
from asa.registry.tests.test_import_identity import ID_1, xlsx


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def held(tmp_path, chair_a, center_a):
    """บุญมี ศรีสุข is registered without an ID; a hospital list has her again, with it."""
    known = register_person(
        actor=chair_a,
        first_name="บุญมี",
        last_name="ศรีสุข",
        birth_date=dt.date(1950, 5, 1),
        subdistrict=center_a.subdistrict,
    )
    row = ["H1", ID_1, "บุญมี", "ศรีสุก", "01/05/2493", "0812345678", "100502"]
    job = import_file(xlsx(tmp_path, [row]), actor=chair_a, source="hospital")
    return known, ImportRowResult.objects.get(job=job, outcome="duplicate")


def review(client, row_id, data):
    return client.post(
        f"/api/v1/import-rows/{row_id}/review", json.dumps(data), content_type="application/json"
    )


def test_a_chair_takes_the_rows_id_over_and_the_row_is_decided_once(api_client_for, chair_a, held):
    known, result = held
    client = api_client_for(chair_a)
    rows = client.get(f"/api/v1/imports/{result.job_id}/rows?outcome=duplicate").json()["items"]
    assert [(row["id"], row["review"]) for row in rows] == [(result.pk, "")]
    response = review(client, result.pk, {"decision": "taken_over", "reason": "คนเดียวกัน"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["review"], body["person"]) == (result.pk, "taken_over", known.pk)
    known.refresh_from_db()
    assert (known.id_number, known.phone) == (ID_1, "0812345678")
    event = AuditEvent.objects.get(action="review_import_row")
    assert event.actor == chair_a and event.reason == "คนเดียวกัน"
    # Decided: out of the queue, as on the page.
    assert review(client, result.pk, {"decision": "dismissed"}).status_code == 404
    assert AuditEvent.objects.filter(action="review_import_row").count() == 1


def test_a_row_can_be_registered_after_all(api_client_for, chair_a, held):
    _known, result = held
    response = review(
        api_client_for(chair_a), result.pk, {"decision": "registered", "reason": "คนละคน"}
    )
    assert response.status_code == 200 and response.json()["review"] == "registered"
    assert Person.objects.filter(first_name="บุญมี").count() == 2
    assert Person.objects.filter(source_ref="H1").exists()


def test_bad_decisions_are_refused_naming_the_field(api_client_for, chair_a, held):
    _known, result = held
    client = api_client_for(chair_a)
    for data in ({}, {"decision": "merge"}, {"decision": "dismissed", "reason": "x" * 501}):
        response = review(client, result.pk, data)
        assert response.status_code == 422, data
        assert response.json()["errors"][0]["field"] in ("decision", "reason")
    result.refresh_from_db()
    assert result.review == "" and not AuditEvent.objects.filter(action="review_import_row")


def test_outside_the_center_or_without_the_right_nothing_is_decided(
    api_client_for, chair_b, volunteer_a, outside_officer, agency_user, client, held
):
    _known, result = held
    for user, status in [
        (chair_b, 404),
        (outside_officer, 404),
        (volunteer_a, 403),  # volunteers do not import
        (agency_user, 403),
    ]:
        response = review(api_client_for(user), result.pk, {"decision": "dismissed"})
        assert response.status_code == status, user
    assert review(client, result.pk, {"decision": "dismissed"}).status_code == 401
    result.refresh_from_db()
    assert result.review == ""
    assert not AuditEvent.objects.filter(action="review_import_row").exists()
