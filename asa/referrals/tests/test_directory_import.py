"""The One Home directory as CSV/XLSX: import (good and bad rows, Thai headers, encodings,
idempotent), export (same columns, formulas neutralised), the CLI and the API."""

import csv
import io

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import Workbook, load_workbook

from asa.accounts.models import AuditEvent
from asa.referrals import actions, importing
from asa.referrals.models import Agency, AgencyKind

HEADER = ",".join(importing.COLUMNS)
GOOD = [
    "ศูนย์บริการสาธารณสุข 99 ทดสอบ,Health Center 99,health,10,02-111-2222,hc99@example.org,"
    "ถนนพหลโยธิน,health_care;elderly_care,1005;1048,นางสาวสุดา ใจดี,081-111-2222,"
    "suda@example.org",
    "วัดทดสอบ,,temple,10,,,,,1005,,,",
]
BAD = [
    ",nameless,ngo,10,,,,,,,,",  # no Thai name
    "มูลนิธิทดสอบ,,spaceship,10,,,,,,,,",  # unknown kind
    "บริษัททดสอบ,,private_donor,10,,,,flying,,,,",  # unknown service
    "โรงเรียนทดสอบ,,school,10,,,,education,9999,,,",  # unknown area
    "สถานีทดสอบ,,police,10,,not-an-email,,,,,,",  # bad email
]


def _csv(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def test_it_imports_good_rows_and_reports_bad_ones(db):
    report = importing.import_directory(actor=None, data=_csv(*GOOD, *BAD))
    assert report.count("created") == 2
    assert report.count("error") == 5
    errors = {row.row: row.message for row in report.rows if row.outcome == "error"}
    assert "name_th" in errors[4] and "ไม่มีชื่อหน่วยงาน" in errors[4]
    assert "ประเภท" in errors[5]
    assert "flying" in errors[6]
    assert "9999" in errors[7]
    assert "อีเมล" in errors[8]
    health = Agency.objects.get(name_th="ศูนย์บริการสาธารณสุข 99 ทดสอบ")
    assert health.kind == AgencyKind.HEALTH and health.province_id == "10"
    assert set(health.services.values_list("code", flat=True)) == {"health_care", "elderly_care"}
    assert set(health.areas.values_list("area_code", flat=True)) == {"1005", "1048"}
    contact = health.contacts.get()
    assert contact.name == "นางสาวสุดา ใจดี" and contact.receives_referrals
    assert Agency.objects.count() == 2  # nothing of the bad rows


def test_importing_the_same_file_again_changes_nothing(db):
    data = _csv(*GOOD)
    importing.import_directory(actor=None, data=data)
    events = AuditEvent.objects.exclude(action="import_agencies").count()
    report = importing.import_directory(actor=None, data=data)
    assert report.count("unchanged") == 2 and report.count("created") == 0
    assert AuditEvent.objects.exclude(action="import_agencies").count() == events
    assert Agency.objects.count() == 2


def test_it_updates_by_thai_name_and_keeps_empty_cells(db):
    importing.import_directory(actor=None, data=_csv(*GOOD))
    changed = "วัดทดสอบ,Test Temple,,,02-999-0000,,,,1005;1048,พระครูทดสอบ,089-000-1111,"
    report = importing.import_directory(actor=None, data=_csv(changed))
    assert report.count("updated") == 1
    temple = Agency.objects.get(name_th="วัดทดสอบ")
    assert temple.name_en == "Test Temple" and temple.kind == AgencyKind.TEMPLE
    assert temple.phone == "02-999-0000"
    assert set(temple.areas.values_list("area_code", flat=True)) == {"1005", "1048"}
    assert temple.contacts.get().phone == "089-000-1111"


def test_thai_headers_and_cp874(db):
    header = ",".join(importing.THAI_HEADERS[column] for column in importing.COLUMNS)
    text = "\n".join([header, "บ้านพักเด็กทดสอบ,,บ้านพักเด็กและครอบครัว,กรุงเทพมหานคร,,,,shelter,10,,,"])
    for data in (text.encode("cp874"), ("\ufeff" + text).encode("utf-8")):
        Agency.objects.all().delete()
        report = importing.import_directory(actor=None, data=data)
        assert report.count("created") == 1, report.lines()
        made = Agency.objects.get()
        assert made.kind == AgencyKind.CHILD_FAMILY_SHELTER and made.province_id == "10"


def test_xlsx_import(db):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(importing.COLUMNS)
    sheet.append(next(csv.reader([GOOD[0]])))
    out = io.BytesIO()
    workbook.save(out)
    report = importing.import_directory(actor=None, data=out.getvalue())
    assert report.count("created") == 1


def test_a_file_that_is_not_a_directory_is_refused(db):
    with pytest.raises(importing.FileRefused):
        importing.import_directory(actor=None, data=b"a,b,c\n1,2,3\n")
    with pytest.raises(importing.FileRefused):
        importing.import_directory(actor=None, data=b"")


def test_export_has_the_same_columns_and_neutralises_formulas(db):
    agency = actions.register_agency(
        actor=None, name_th='=HYPERLINK("http://x")', kind="ngo", phone="+6621234567"
    )
    actions.update_agency(actor=None, agency=agency, area_codes=["10"])
    data = importing.export_directory(actor=None, agencies=Agency.objects.all(), file_format="csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == importing.COLUMNS
    assert rows[1][0].startswith("'=") and rows[1][4] == "'+6621234567"
    # Exported files import back unchanged.
    assert importing.import_directory(actor=None, data=data).count("unchanged") == 1
    workbook = load_workbook(
        io.BytesIO(
            importing.export_directory(
                actor=None, agencies=Agency.objects.all(), file_format="xlsx"
            )
        )
    )
    cell = workbook.active["A2"]
    assert cell.data_type == "s" and cell.value.startswith("'=")


def test_officers_import_only_their_province(db, district_officer_a, outside_officer):
    data = _csv(*GOOD)
    report = importing.import_directory(actor=outside_officer, data=data)
    assert report.count("error") == 2 and not Agency.objects.exists()
    report = importing.import_directory(actor=district_officer_a, data=data)
    assert report.count("created") == 2


def test_the_command_line(db, tmp_path):
    source = tmp_path / "agencies.csv"
    source.write_bytes(_csv(*GOOD, BAD[1]))
    out = io.StringIO()
    call_command("agencies", "import", str(source), stdout=out)
    assert "เพิ่มใหม่ 2" in out.getvalue() and "แถว 4" in out.getvalue()
    target = tmp_path / "out.xlsx"
    call_command("agencies", "export", str(target), stdout=io.StringIO())
    assert load_workbook(target).active.max_row == 3


def test_the_api(api_client_for, officer, chair_a, agency_user):
    upload = io.BytesIO(_csv(*GOOD, BAD[0]))
    upload.name = "agencies.csv"
    for user in (chair_a, agency_user):
        upload.seek(0)
        response = api_client_for(user).post("/api/v1/agencies/import", {"file": upload})
        assert response.status_code == 403
    upload.seek(0)
    response = api_client_for(officer).post("/api/v1/agencies/import", {"file": upload})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["created"] == 2 and body["errors"] == 1
    assert body["rows"][2]["outcome"] == "error" and body["rows"][2]["row"] == 4
    junk = io.BytesIO(b"\x00\x01\x02")
    junk.name = "junk.csv"
    response = api_client_for(officer).post("/api/v1/agencies/import", {"file": junk})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "file"
    # Export: the directory as the user sees it.
    response = api_client_for(chair_a).get("/api/v1/agencies/export?format=csv")
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").splitlines()[0] == HEADER
    response = api_client_for(agency_user).get("/api/v1/agencies/export?format=xlsx")
    rows = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert [row[0] for row in rows[1:]] == [agency_user.role_assignments.get().agency.name_th]
    assert Client().get("/api/v1/agencies/export").status_code == 401
