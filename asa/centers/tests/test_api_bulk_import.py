"""The centers and volunteers imports over the API (issue 15: every page action has an
operation): the same importer as the import pages, the row report as JSON, the pages' access."""

from django.core.files.uploadedfile import SimpleUploadedFile

from asa.accounts.models import AuditEvent
from asa.centers.models import Center, Volunteer
from asa.centers.tests.test_bulk_import import CENTERS_CSV, _volunteers_xlsx
from asa.conftest import new_national_id


def upload(name: str, content: bytes) -> dict:
    return {"file": SimpleUploadedFile(name, content)}


def test_an_officer_imports_centers_and_gets_the_row_report(api_client_for, officer):
    client = api_client_for(officer)
    response = client.post("/api/v1/centers/import", upload("centers.csv", CENTERS_CSV.encode()))
    assert response.status_code == 200, response.content
    report = response.json()
    assert (report["imported"], report["unchanged"], report["errors"]) == (1, 0, 4)
    rows = [(row["row_number"], row["outcome"], row["field"]) for row in report["rows"]]
    assert rows == [
        (2, "imported", ""),
        (3, "error", "subdistrict_code"),
        (4, "error", "opened_on"),
        (5, "error", "subdistrict_code"),  # Chiang Mai: outside the officer's Bangkok
        (6, "error", "code"),
    ]
    assert "ไม่พบรหัสตำบล 999999" in report["rows"][1]["message"]
    made = Center.objects.get(code="BKK-1001")
    assert report["rows"][0]["object_id"] == made.pk
    assert AuditEvent.objects.filter(actor=officer, action="open_center").count() == 1
    again = client.post("/api/v1/centers/import", upload("c.csv", CENTERS_CSV.encode())).json()
    assert again["rows"][0]["outcome"] == "unchanged" and again["unchanged"] == 1


def test_a_chair_imports_volunteers_of_their_center_only(
    api_client_for, chair_a, center_a, center_b
):
    row = ["นาง", "นำเข้า", "ทางเอพีไอ", None, "01/06/2518", "หญิง", "100502", "15/01/2563", ""]
    mine, theirs = [center_a.code, *row], [center_b.code, *row]
    mine[4], theirs[4] = new_national_id(), new_national_id()
    response = api_client_for(chair_a).post(
        "/api/v1/volunteers/import", upload("v.xlsx", _volunteers_xlsx([mine, theirs]))
    )
    assert response.status_code == 200, response.content
    rows = [(row["outcome"], row["field"]) for row in response.json()["rows"]]
    assert rows == [("imported", ""), ("error", "center_code")]
    assert Volunteer.objects.filter(last_name="ทางเอพีไอ").get().center == center_a


def test_a_file_that_is_not_a_spreadsheet_is_a_422_naming_file(api_client_for, admin_user):
    response = api_client_for(admin_user).post(
        "/api/v1/centers/import", upload("x.xlsx", b"PK\x03\x04 not really a workbook")
    )
    assert response.status_code == 422, response.content
    assert response.json()["errors"][0]["field"] == "file"
    response = api_client_for(admin_user).post("/api/v1/centers/import", {})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "file"


def test_those_the_pages_refuse_are_refused(
    api_client_for, volunteer_a, agency_user, dpo, chair_a, center_a
):
    centers = upload("centers.csv", CENTERS_CSV.encode())
    for user in (chair_a, volunteer_a, agency_user, dpo):  # not the ministry or an officer
        centers["file"].seek(0)
        assert api_client_for(user).post("/api/v1/centers/import", centers).status_code == 403
    row = [center_a.code, "นาย", "ไม่มี", "สิทธิ์", new_national_id(), "01/06/2518", "ชาย"]
    volunteers = upload("v.xlsx", _volunteers_xlsx([[*row, "100502", "15/01/2563", ""]]))
    for user in (volunteer_a, agency_user, dpo):  # they manage no center
        volunteers["file"].seek(0)
        assert api_client_for(user).post("/api/v1/volunteers/import", volunteers).status_code == 403
    assert not Center.objects.filter(code="BKK-1001").exists()
    assert not Volunteer.objects.filter(last_name="สิทธิ์").exists()


def test_without_a_token_it_is_401(client, db):
    response = client.post("/api/v1/centers/import", upload("c.csv", CENTERS_CSV.encode()))
    assert response.status_code == 401
