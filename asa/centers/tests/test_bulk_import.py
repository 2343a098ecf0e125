"""Bulk import of centers and volunteers from CSV/XLSX: good rows kept, bad rows reported with
their column, each row through the page's own action (audited), only within the importer's scope."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from asa.accounts.models import AuditEvent
from asa.centers.importing import import_volunteers
from asa.centers.models import Center, Volunteer
from asa.conftest import new_national_id

CENTERS_CSV = (
    "code,name_th,subdistrict_code,opened_on,phone\n"
    "BKK-1001,ศูนย์ประสานงาน อพม. เขตพระนคร,100101,01/10/2563,021111111\n"
    "BKK-1002,ศูนย์ประสานงาน อพม. เขตดุสิต,999999,01/10/2563,\n"
    "BKK-1003,ศูนย์ประสานงาน อพม. เขตหนองจอก,100301,31/02/2563,\n"
    "CMI-5002,ศูนย์เชียงใหม่,500101,01/10/2563,\n"
    ",ไม่มีรหัส,100401,01/10/2563,\n"
)


def _upload(name: str, content: bytes):
    return SimpleUploadedFile(name, content)


def test_an_officer_imports_centers_of_their_province(client_for, officer):
    response = client_for(officer).post(
        "/centers/import/", {"file": _upload("centers.csv", CENTERS_CSV.encode())}
    )
    assert response.status_code == 200
    reports = response.context["reports"]
    outcomes = [(report.row_number, report.outcome, report.field) for report in reports]
    assert outcomes == [
        (2, "imported", ""),
        (3, "error", "subdistrict_code"),  # no such subdistrict
        (4, "error", "opened_on"),  # 31 February
        (5, "error", "subdistrict_code"),  # Chiang Mai: outside Bangkok
        (6, "error", "code"),  # missing
    ]
    assert Center.objects.filter(code="BKK-1001").exists()
    assert not Center.objects.filter(code__in=["BKK-1002", "BKK-1003", "CMI-5002"]).exists()
    body = response.content.decode()
    assert "รายงานผลการนำเข้า" in body and "ไม่พบรหัสตำบล 999999" in body
    assert AuditEvent.objects.filter(actor=officer, action="open_center").count() == 1
    summary = AuditEvent.objects.get(actor=officer, action="import_centers")
    assert summary.changes == {"imported": 1, "error": 4}


def test_a_second_run_reports_existing_centers_unchanged(client_for, admin_user):
    client = client_for(admin_user)
    client.post("/centers/import/", {"file": _upload("c.csv", CENTERS_CSV.encode())})
    again = client.post("/centers/import/", {"file": _upload("c.csv", CENTERS_CSV.encode())})
    assert again.context["reports"][0].outcome == "unchanged"
    assert Center.objects.filter(code="BKK-1001").count() == 1


def _volunteers_xlsx(rows) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(
        [
            *("รหัสศูนย์", "คำนำหน้า", "ชื่อ", "นามสกุล", "เลขประจำตัวประชาชน", "วันเกิด"),
            *("เพศ", "รหัสตำบล", "วันที่เข้าร่วม", "บทบาท"),
        ]
    )
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_a_chair_imports_volunteers_of_their_center_only(client_for, chair_a, center_a, center_b):
    good_id = new_national_id()
    data = _volunteers_xlsx(
        [
            [
                center_a.code,
                "นาง",
                "นำเข้า",
                "จากไฟล์",
                good_id,
                "01/06/2518",
                "หญิง",
                "100502",
                "15/01/2563",
                "สมาชิก",
            ],
            [
                center_b.code,
                "นาย",
                "ศูนย์",
                "อื่น",
                new_national_id(),
                "01/06/2518",
                "ชาย",
                "104802",
                "15/01/2563",
                "",
            ],
            [
                "NO-SUCH",
                "นาย",
                "ไม่มี",
                "ศูนย์",
                new_national_id(),
                "01/06/2518",
                "ชาย",
                "100502",
                "15/01/2563",
                "",
            ],
            [
                center_a.code,
                "นาย",
                "เลข",
                "ผิด",
                "1234567890123",
                "01/06/2518",
                "ชาย",
                "100502",
                "15/01/2563",
                "",
            ],
        ]
    )
    response = client_for(chair_a).post(
        "/volunteers/import/", {"file": _upload("volunteers.xlsx", data)}
    )
    assert response.status_code == 200
    outcomes = [(report.outcome, report.field) for report in response.context["reports"]]
    assert outcomes == [
        ("imported", ""),
        ("error", "center_code"),  # center B is not the chair's
        ("error", "center_code"),  # unknown code
        ("error", "national_id"),  # bad check digit
    ]
    volunteer = Volunteer.objects.get(first_name="นำเข้า")
    assert volunteer.center == center_a
    assert not Volunteer.objects.filter(center=center_b, first_name="ศูนย์").exists()
    assert AuditEvent.objects.filter(actor=chair_a, action="register_volunteer").count() == 1


def test_it_sends_the_row_report_as_xlsx(client_for, chair_a, center_a):
    from openpyxl import load_workbook

    data = _volunteers_xlsx([["NO-SUCH", "นาย", "ก", "ข", new_national_id(), "2518", "ชาย"]])
    response = client_for(chair_a).post(
        "/volunteers/import/", {"file": _upload("v.xlsx", data), "report": "xlsx"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0] == ("แถวที่", "ผล", "คอลัมน์", "รายละเอียด", "รหัส")
    # The row has no subdistrict or joining date: the first missing column is named.
    assert rows[1][:4] == (2, "ข้อผิดพลาด", "subdistrict_code", "กรุณากรอก subdistrict_code")


def test_it_refuses_what_is_not_a_spreadsheet_in_thai(client_for, chair_a):
    response = client_for(chair_a).post(
        "/volunteers/import/", {"file": _upload("x.xlsx", b"\x00\x01binary")}
    )
    assert response.status_code == 200
    assert "ไม่ใช่ตารางข้อมูล" in response.content.decode()
    assert not AuditEvent.objects.filter(action="import_volunteers").exists()


def test_only_managers_import(client_for, volunteer_a, agency_user, chair_a):
    assert client_for(volunteer_a).get("/volunteers/import/").status_code == 403
    assert client_for(agency_user).get("/volunteers/import/").status_code == 403
    assert client_for(chair_a).get("/centers/import/").status_code == 403
    assert client_for(chair_a).get("/volunteers/import/").status_code == 200


def test_the_action_runs_without_a_page(center_a, admin_user):
    data = (
        "center_code,first_name,last_name,national_id,birth_date,sex,subdistrict_code,joined_on\n"
        f"{center_a.code},สาม,สี่,{new_national_id()},1975-06-01,female,100502,2020-01-15\n"
    ).encode()
    reports = import_volunteers(actor=admin_user, data=data)
    assert [report.outcome for report in reports] == ["imported"]
