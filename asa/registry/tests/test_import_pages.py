import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from asa.conftest import log_in
from asa.registry.actions import register_person
from asa.registry.importing import import_file
from asa.registry.models import ImportJob

CSV = "ชื่อ,นามสกุล,รหัสตำบล\nมานี,มีนา,100502\n,ไม่มีชื่อ,100502\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_the_upload_page_starts_an_import_and_shows_its_report(
    client_for, chair_a, django_capture_on_commit_callbacks
):
    client = client_for(chair_a)
    assert "ดาวน์โหลดแม่แบบ" in client.get("/imports/new/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/imports/new/", {"file": SimpleUploadedFile("p.csv", CSV.encode()), "source": "หน้าเว็บ"}
        )
    job = ImportJob.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/imports/{job.pk}/"
    page = client.get(f"/imports/{job.pk}/").content.decode()
    assert "เสร็จแล้ว" in page and "กรุณากรอกชื่อ" in page
    report = load_workbook(io.BytesIO(client.get(f"/imports/{job.pk}/report.xlsx").content)).active
    assert [cell.value for cell in report[3]][:3] == [3, "ข้อผิดพลาด", "first_name"]
    assert "p.csv" in client.get("/imports/").content.decode()


def test_the_upload_page_shows_thai_errors_for_a_bad_file(client_for, chair_a, settings):
    settings.IMPORT_MAX_BYTES = 10
    answer = client_for(chair_a).post(
        "/imports/new/",
        {"file": SimpleUploadedFile("p.xlsx", b"not a sheet at all"), "source": "x"},
    )
    assert answer.status_code == 200 and "ใหญ่เกินกำหนด" in answer.content.decode()
    assert ImportJob.objects.count() == 0


def test_others_cannot_see_a_job_and_agencies_cannot_import(
    client_for, chair_a, volunteer_b, agency_user, tmp_path
):
    path = tmp_path / "p.csv"
    path.write_text(CSV)
    job = import_file(path, actor=chair_a, source="s")
    outsider = client_for(volunteer_b)
    for url in (
        f"/imports/{job.pk}/",
        f"/imports/{job.pk}/progress/",
        f"/imports/{job.pk}/report.xlsx",
    ):
        assert outsider.get(url).status_code == 404, url
    assert "p.csv" not in outsider.get("/imports/").content.decode()
    assert client_for(agency_user).get("/imports/new/").status_code == 403
    assert client_for(None).get("/imports/").status_code == 302


def test_the_template_and_exports_download(client_for, chair_a, volunteer_b):
    register_person(
        actor=chair_a, first_name='=HYPERLINK("http://x","ดู")', last_name="+1", subdistrict="100502"
    )
    client = client_for(chair_a)
    template = load_workbook(io.BytesIO(client.get("/imports/template.xlsx").content)).active
    assert template["A1"].value == "source_ref"
    sheet = load_workbook(io.BytesIO(client.get("/people/export.xlsx").content)).active
    first_name = sheet.cell(row=2, column=6)
    assert first_name.data_type == "s" and first_name.value.startswith("'=HYPERLINK")
    assert sheet.cell(row=2, column=7).value == "'+1"
    csv_text = b"".join(client.get("/people/export.csv").streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text
    outside = b"".join(client_for(volunteer_b).get("/people/export.csv").streaming_content)
    assert b"HYPERLINK" not in outside


def test_the_browser_upload_reaches_done_and_the_report_downloads(page, chair_a, tmp_path):
    log_in(page, chair_a.username)
    page.goto("/imports/new/")
    path = tmp_path / "people.csv"
    path.write_text(CSV, encoding="utf-8")
    page.get_by_label("ไฟล์ CSV หรือ XLSX").set_input_files(str(path))
    page.get_by_label("แหล่งข้อมูล").fill("เบราว์เซอร์")
    page.get_by_role("button", name="เริ่มนำเข้า").click()
    page.wait_for_selector("#import-progress[data-status=done]")
    assert page.locator("progress").get_attribute("value") == page.locator(
        "progress"
    ).get_attribute("max")
    with page.expect_download() as download:
        page.get_by_role("link", name="ดาวน์โหลดรายงานรายแถว (XLSX)").click()
    assert download.value.suggested_filename.endswith("-report.xlsx")
    report = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    assert report.max_row == 3
