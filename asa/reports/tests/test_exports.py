"""Dashboard files: XLSX, CSV and the PDF report hold the page's figures, stay in the user's
scope, neutralise formula-looking text, and leave an audit event."""

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from asa.accounts.models import AuditEvent
from asa.centers.actions import open_center
from asa.geo.models import Subdistrict
from asa.reports.actions import rebuild_rollups
from asa.reports.pdf import period_heading, signature_date
from asa.reports.queries import Period

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures(center_a, center_b, chair_a, chair_b):
    rebuild_rollups()


def _url(level, code, file_format, query="fiscal_year=2562"):
    return f"/reports/export/{level}/{code}.{file_format}?{query}"


def test_the_xlsx_holds_the_dashboards_figures(client_for, officer, center_a, figures):
    response = client_for(officer).get(_url("province", "10", "xlsx"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="asa-province-10-2561-10_2562-09.xlsx"' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["สรุป", "รายเดือน", "จำแนก", "พื้นที่ย่อย", "ผลลัพธ์"]
    summary = {row[0]: row[1] for row in book["สรุป"].iter_rows(values_only=True) if row}
    assert summary["พื้นที่"] == "กรุงเทพมหานคร"
    assert summary["ช่วงเวลา"] == "ปีงบประมาณ 2562"
    assert summary["ศูนย์ประสานงานที่เปิดดำเนินการ"] == 2
    assert summary["ศูนย์ที่เปิดใหม่"] == 2  # both opened in March 2562
    months = list(book["รายเดือน"].iter_rows(values_only=True))
    assert months[1][0] == "ต.ค. 61" and len(months) == 13
    assert len(book["รายเดือน"]._charts) == 1  # a native line chart beside the figures
    districts = [row[1] for row in book["พื้นที่ย่อย"].iter_rows(min_row=2, values_only=True)]
    assert districts == ["เขตบางเขน", "เขตทวีวัฒนา"]
    event = AuditEvent.objects.get(action="export_dashboard")
    assert event.object_id == "province:10"
    assert event.changes["format"] == "xlsx"


def test_the_csv_is_utf8_with_a_byte_order_mark_for_excel(client_for, chair_a, center_a, figures):
    response = client_for(chair_a).get(_url("center", center_a.pk, "csv"))
    assert response.status_code == 200
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert ["ข้อมูลรายงาน", "", "พื้นที่", center_a.name_th] in rows
    assert ["หมวด", "รหัส", "รายการ", "ค่า"] in rows
    assert ["กรณีที่รับแจ้งใหม่รายเดือน", "2562-03", "มี.ค. 62", "0"] in rows  # months in BE
    assert ["ข้อมูลรายงาน", "", "ระดับ", "ศูนย์"] in rows
    volunteers = [row for row in rows if row[1] == "volunteers_active"]
    assert volunteers == [["สรุป", "volunteers_active", "อาสาสมัคร (อพม.) ที่ปฏิบัติงาน", "1"]]
    assert AuditEvent.objects.filter(action="export_dashboard", actor=chair_a).count() == 1


def test_the_pdf_report_is_a_thai_pdf(client_for, chair_b, center_b, figures):
    client = client_for(chair_b)
    arabic = client.get(_url("center", center_b.pk, "pdf", "fiscal_year=2562&digits=arabic"))
    thai = client.get(_url("center", center_b.pk, "pdf", "fiscal_year=2562&digits=thai"))
    for response in (arabic, thai):
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
        assert b"Sarabun" in response.content  # the Thai font is embedded
    assert arabic.content != thai.content
    assert AuditEvent.objects.filter(action="export_dashboard").count() == 2


def test_the_report_names_its_period_and_signature_date_in_the_buddhist_era():
    assert period_heading(Period.fiscal_year(2562)) == (
        "ประจำปีงบประมาณ พ.ศ. 2562 (1 ตุลาคม 2561 – 30 กันยายน 2562)"
    )
    march = Period.months(dt.date(2019, 3, 1), dt.date(2019, 3, 1))
    assert period_heading(march) == "ประจำเดือนมีนาคม พ.ศ. 2562"
    spring = Period.months(dt.date(2019, 3, 1), dt.date(2019, 5, 1))
    assert period_heading(spring) == "ระหว่างวันที่ 1 มีนาคม 2562 – 31 พฤษภาคม 2562"
    assert signature_date(dt.date(2019, 3, 12)) == "วันที่ 12 เดือนมีนาคม พ.ศ. 2562"


def test_the_pdf_report_text_has_the_official_shape(chair_b, center_b, figures):
    """The words on the page, read back through fpdf2's own output (uncompressed)."""
    from asa.reports import pdf as report_pdf
    from asa.reports.queries import dashboard

    board = dashboard(
        chair_b, level="center", code=str(center_b.pk), period=Period.fiscal_year(2562)
    )
    texts = []
    original = report_pdf._Report.text

    def spy(self, value):
        texts.append(str(value))
        return original(self, value)

    report_pdf._Report.text = spy
    try:
        report_pdf.area_report_pdf(
            board, signer_name="นางประธานบี ทดสอบ", today=dt.date(2019, 9, 30)
        )
    finally:
        report_pdf._Report.text = original
    joined = "\n".join(texts)
    assert "แบบรายงานผลการดำเนินงาน" in joined
    assert center_b.name_th in joined
    assert "กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์" in joined
    assert "ประจำปีงบประมาณ พ.ศ. 2562" in joined
    assert "1. ศูนย์ประสานงานและอาสาสมัคร" in joined
    assert "ลงชื่อ ........................................ ประธาน อพม." in joined
    assert "(นางประธานบี ทดสอบ)" in joined
    assert "วันที่ 30 เดือนกันยายน พ.ศ. 2562" in joined


@pytest.mark.parametrize("file_format", ["xlsx", "csv", "pdf"])
def test_a_chair_cannot_export_another_centers_figures(
    client_for, chair_b, center_a, figures, file_format
):
    client = client_for(chair_b)
    assert client.get(_url("center", center_a.pk, file_format)).status_code == 403
    assert client.get(_url("district", "1005", file_format)).status_code == 403
    assert client.get(_url("nation", "TH", file_format)).status_code == 403
    assert not AuditEvent.objects.filter(action="export_dashboard").exists()


@pytest.mark.parametrize("persona", ["volunteer_a", "agency_user", "dpo", "outside_officer"])
def test_others_cannot_export_bang_khens_figures(request, client_for, center_a, figures, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(_url("district", "1005", "xlsx")).status_code == 403
    assert client.get(_url("center", center_a.pk, "csv")).status_code == 403


def test_it_refuses_an_unknown_format_or_level(client_for, admin_user, figures):
    client = client_for(admin_user)
    assert client.get(_url("province", "10", "docx")).status_code == 404
    assert client.get(_url("planet", "10", "csv")).status_code == 404


def test_a_bad_period_answers_400_naming_the_field(client_for, admin_user, figures):
    response = client_for(admin_user).get(_url("nation", "TH", "xlsx", "fiscal_year=2019"))
    assert response.status_code == 400
    assert response.content.decode().startswith("fiscal_year:")
    assert not AuditEvent.objects.filter(action="export_dashboard").exists()


def test_formula_looking_names_stay_text(client_for, admin_user, figures):
    open_center(
        actor=None,
        code="EVIL-1",
        name_th='=HYPERLINK("http://example.com","คลิก")',
        subdistrict=Subdistrict.objects.get(code="103301"),
        opened_on=dt.date(2019, 1, 1),
    )
    rebuild_rollups()
    client = client_for(admin_user)
    book = load_workbook(io.BytesIO(client.get(_url("district", "1033", "xlsx")).content))
    names = [row[1] for row in book["พื้นที่ย่อย"].iter_rows(min_row=2, values_only=True)]
    assert names == ['\'=HYPERLINK("http://example.com","คลิก")']
    text = client.get(_url("district", "1033", "csv")).content.decode("utf-8-sig")
    assert "\"'=HYPERLINK(" in text


def test_the_monthly_report_form_asks_for_one_month(client_for, chair_b, center_b, figures):
    client = client_for(chair_b)
    page = client.get(f"/reports/centers/{center_b.pk}/").content.decode()
    assert f'action="/reports/export/center/{center_b.pk}.pdf"' in page
    assert 'name="month"' in page
    response = client.get(_url("center", center_b.pk, "pdf", "month=2562-03&digits=thai"))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    event = AuditEvent.objects.get(action="export_dashboard")
    assert (event.changes["start"], event.changes["end"]) == ("2019-03-01", "2019-03-01")
    wrong = client.get(_url("center", center_b.pk, "pdf", "month=2019-03"))
    assert wrong.status_code == 400
    assert wrong.content.decode().startswith("month:")


def test_export_query_count_stays_constant_as_data_grows(client_for, admin_user, figures):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from asa.conftest import make_volunteer
    from asa.reports.cache import reset

    client = client_for(admin_user)
    urls = [_url("province", "10", "xlsx"), _url("nation", "TH", "csv")]
    client.get(urls[0])

    def count(url) -> int:
        reset()  # the figures built, not read from the cache (asa/reports/cache.py)
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    before = [count(url) for url in urls]
    for code in ["103301", "104601", "501001"]:
        center = open_center(
            actor=None,
            code=f"MORE-{code}",
            name_th=f"ศูนย์ทดสอบ {code}",
            subdistrict=Subdistrict.objects.get(code=code),
            opened_on=dt.date(2019, 2, 1),
        )
        make_volunteer(center)
    rebuild_rollups()
    assert [count(url) for url in urls] == before


def test_the_center_report_names_its_chair(client_for, chair_b, center_b, figures, monkeypatch):
    from asa.reports import views

    seen = {}

    def fake_pdf(dashboard, *, thai_digits, signer_name, today, outcomes=None, suppress=False):
        seen["signer"] = signer_name
        return b"%PDF-fake"

    monkeypatch.setattr(views.pdf, "area_report_pdf", fake_pdf)
    response = client_for(chair_b).get(_url("center", center_b.pk, "pdf"))
    assert response.status_code == 200
    assert seen["signer"].endswith("ประธานบี ทดสอบ")
