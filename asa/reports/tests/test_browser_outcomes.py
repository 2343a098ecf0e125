# ruff: noqa: F811 (the fixtures imported from test_outcomes are parameters here)
"""In the browser: the ministry opens the nation's outcomes, drills down to a center and takes
the XLSX (the small world of test_outcomes, fiscal year 2568)."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from asa.conftest import log_in
from asa.reports.tests.test_outcomes import center_c, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)


def _figure(page, name: str) -> str:
    return page.locator(f'[data-figure="{name}"]').first.inner_text()


def test_the_ministry_drills_down_the_outcomes_and_downloads(world, admin_user, center_a, page):
    log_in(page, "admin.user")
    page.goto("/reports/")
    page.wait_for_url("**/reports/nation/")
    page.get_by_role("navigation", name="มุมมองรายงาน").get_by_role("link", name="ผลลัพธ์").click()
    page.wait_for_url("**/reports/nation/outcomes/")
    page.get_by_label("ปีงบประมาณ (พ.ศ.)").select_option("2568")
    page.get_by_role("button", name="แสดงรายงาน").click()
    page.wait_for_url("**/reports/nation/outcomes/?fiscal_year=2568**")
    assert _figure(page, "emergency_24h") == "33.3%"
    assert _figure(page, "median_closure") == "15.0"
    # Each figure says what it counts (a hover and a numbered footnote).
    definition = page.locator('[data-figure="emergency_24h"]').locator("..").get_attribute("title")
    assert "หารด้วยกรณีฉุกเฉิน" in definition
    assert page.locator("#definition-4").is_visible()
    # The chart's table fallback.
    card = page.locator(
        "figure.chart-card",
        has=page.get_by_role("heading", name="กรณีที่ปิด จำแนกตามผลการดำเนินงาน"),
    )
    card.get_by_text("ดูเป็นตาราง").click()
    assert card.locator("tbody tr").count() == 4

    drill = page.locator("table.outcome-drill-down")
    drill.get_by_role("link", name="กรุงเทพมหานคร").click()
    page.wait_for_url("**/reports/provinces/10/outcomes/?fiscal_year=2568")
    page.locator("table.outcome-drill-down").get_by_role("link", name="เขตบางเขน").click()
    page.wait_for_url("**/reports/districts/1005/outcomes/?fiscal_year=2568")
    page.locator("table.outcome-drill-down").get_by_role("link", name=center_a.name_th).click()
    page.wait_for_url(f"**/reports/centers/{center_a.pk}/outcomes/?fiscal_year=2568")
    assert _figure(page, "resolved") == "50.0%"
    assert page.locator("table.partner-scorecard tbody tr").count() == 1

    with page.expect_download() as download_info:
        page.get_by_role("link", name="ดาวน์โหลด Excel (XLSX)").click()
    download = download_info.value
    assert download.suggested_filename.endswith("2567-10_2568-09.xlsx")
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    rows = {row[0]: row for row in book["ผลลัพธ์"].iter_rows(values_only=True) if row}
    assert rows["ปิดกรณีโดยแก้ไขปัญหาได้"][1:4] == (1, 2, 50)
