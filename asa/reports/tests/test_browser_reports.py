"""In the browser, on the demo: the ministry drills down from the nation to Bang Khen and takes
the XLSX and the PDF; the chair of Thawi Watthana sees only their center; FY figures = the seed."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from asa.centers.demo import DEMO_PASSWORD_DEFAULT
from asa.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(settings):
    # The demo's sign-ins have no authenticator; the second factor has its own tests.
    settings.ASA_REQUIRE_TWO_FACTOR = False
    call_command("demo", stdout=io.StringIO())


def _figure(page, name: str) -> str:
    return page.locator(f'[data-figure="{name}"]').first.inner_text()


def _table_rows(page, title: str) -> list[list[str]]:
    card = page.locator("figure.chart-card", has=page.get_by_role("heading", name=title))
    card.get_by_text("ดูเป็นตาราง").click()
    return [
        [cell.strip() for cell in row.split("\t")]
        for row in card.locator("tbody tr").all_inner_texts()
    ]


def test_the_ministry_drills_down_and_downloads(demo, page):
    log_in(page, "admin", DEMO_PASSWORD_DEFAULT)
    page.goto("/reports/")
    page.wait_for_url("**/reports/nation/")
    assert page.get_by_role("heading", level=1).inner_text() == "ทั้งประเทศ"
    page.get_by_label("ปีงบประมาณ (พ.ศ.)").select_option("2562")
    page.get_by_role("button", name="แสดงรายงาน").click()
    page.wait_for_url("**/reports/nation/?fiscal_year=2562**")
    # The seed: 9 Bangkok centers from FY2560 on, Bang Khen and Thawi Watthana in March 2562.
    assert _table_rows(page, "ศูนย์ประสานงานที่เปิดในแต่ละปีงบประมาณ") == [
        ["2560", "3"],
        ["2561", "4"],
        ["2562", "4"],
    ]
    assert _figure(page, "centers_active") == "11"
    assert page.locator("svg.tile-map").count() == 1

    page.locator("table.drill-down").get_by_role("link", name="กรุงเทพมหานคร").click()
    page.wait_for_url("**/reports/provinces/10/?fiscal_year=2562")
    assert page.get_by_role("heading", level=1).inner_text() == "กรุงเทพมหานคร"
    assert page.locator("table.drill-down tbody tr").count() == 11
    # This step through the schematic map: Bang Khen's tile, marked as having a center.
    tile = page.locator('svg.tile-map a[href^="/reports/districts/1005/"]')
    assert "มีศูนย์ประสานงาน" in tile.get_attribute("aria-label")
    tile.click()
    page.wait_for_url("**/reports/districts/1005/?fiscal_year=2562")
    assert _figure(page, "volunteers_active") == "50"
    page.get_by_role("link", name="ศูนย์ประสานงาน อพม. เขตบางเขน").click()
    page.wait_for_url("**/reports/centers/*/?fiscal_year=2562")
    assert page.get_by_role("heading", level=1).inner_text() == "ศูนย์ประสานงาน อพม. เขตบางเขน"
    breadcrumbs = page.get_by_role("navigation", name="ลำดับพื้นที่")
    assert breadcrumbs.get_by_role("link", name="กรุงเทพมหานคร").is_visible()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="ดาวน์โหลด Excel (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename.endswith("2561-10_2562-09.xlsx")
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    summary = {row[0]: row[1] for row in book["สรุป"].iter_rows(values_only=True) if row}
    assert summary["พื้นที่"] == "ศูนย์ประสานงาน อพม. เขตบางเขน"
    assert summary["อาสาสมัคร (อพม.) ที่ปฏิบัติงาน"] == 50

    pdf_link = page.get_by_role("link", name="รายงาน PDF", exact=True).get_attribute("href")
    response = page.context.request.get(pdf_link)
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")


def test_the_chair_of_thawi_watthana_sees_only_their_center(demo, browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="th-TH")
    page = context.new_page()
    page.set_default_timeout(10000)
    try:
        log_in(page, "chair.thawiwatthana", DEMO_PASSWORD_DEFAULT)
        page.get_by_role("navigation", name="เมนูหลัก").get_by_role(
            "link", name="รายงานและสถิติ"
        ).click()
        page.wait_for_url("**/reports/centers/*/")
        assert page.get_by_role("heading", level=1).inner_text() == ("ศูนย์ประสานงาน อพม. เขตทวีวัฒนา")
        assert _figure(page, "volunteers_active") == "19"
        assert "บางเขน" not in page.content()
        # The areas above are named but not links for a chair.
        breadcrumbs = page.get_by_role("navigation", name="ลำดับพื้นที่")
        assert breadcrumbs.get_by_role("link").count() == 0

        from asa.centers.models import Center

        bang_khen = Center.objects.get(code="BKK-1005")
        refused = page.goto(f"/reports/centers/{bang_khen.pk}/")
        assert refused.status == 403
        assert page.get_by_role("heading", name="ไม่มีสิทธิ์เข้าถึง").is_visible()
        for url in [
            f"/reports/export/center/{bang_khen.pk}.xlsx",
            f"/reports/export/center/{bang_khen.pk}.pdf",
            "/reports/export/district/1005.csv",
            "/reports/districts/1005/",
        ]:
            assert page.context.request.get(url).status == 403, url
    finally:
        context.close()
