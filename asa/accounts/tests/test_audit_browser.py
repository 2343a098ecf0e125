"""The audit trail in a real browser: an officer gives a reason before opening a record; the DPO
finds who opened that person's record this month and exports the access history."""

import re

import pytest

from asa.accounts.models import AuditEvent
from asa.cases.tests.test_pages_cases import make_case
from asa.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
REASON = "ตรวจสอบเรื่องร้องเรียนจากสายด่วน 1300"


def test_an_officer_gives_a_reason_then_the_dpo_finds_and_exports_who_opened_the_record(
    browser, live_server, chair_a, volunteer_a, officer, dpo
):
    case = make_case(chair_a, volunteer_a)
    person = case.person

    officer_context = browser.new_context(base_url=live_server.url, locale="th-TH")
    officer_page = officer_context.new_page()
    officer_page.set_default_timeout(10000)
    log_in(officer_page, "officer.bkk")
    officer_page.wait_for_url(lambda url: "/accounts/login/" not in url)
    officer_page.goto(f"/people/{person.pk}/")
    officer_page.get_by_role("heading", name="ระบุเหตุผลในการเปิดดูข้อมูล").wait_for()
    officer_page.get_by_label(re.compile("^เหตุผลที่ต้องเปิดดูข้อมูลนี้")).fill("ดู")
    officer_page.get_by_role("button", name="บันทึกเหตุผลและเปิดดูข้อมูล").click()
    officer_page.get_by_text("เหตุผลสั้นเกินไป").wait_for()
    officer_page.get_by_label(re.compile("^เหตุผลที่ต้องเปิดดูข้อมูลนี้")).fill(REASON)
    officer_page.get_by_role("button", name="บันทึกเหตุผลและเปิดดูข้อมูล").click()
    officer_page.get_by_role("heading", name=re.compile(person.first_name)).first.wait_for()
    officer_context.close()

    dpo_context = browser.new_context(
        base_url=live_server.url, locale="th-TH", accept_downloads=True
    )
    dpo_page = dpo_context.new_page()
    dpo_page.set_default_timeout(10000)
    log_in(dpo_page, "dpo.user")
    dpo_page.wait_for_url(lambda url: "/accounts/login/" not in url)
    # The DPO lands on the privacy page; the audit trail is in the menu.
    dpo_page.locator("nav.main-nav").get_by_role("link", name="บันทึกการใช้งาน").click()
    dpo_page.get_by_label(re.compile("^ค้นหาบุคคล")).fill(person.first_name)
    dpo_page.get_by_role("button", name="ค้นหา").click()
    dpo_page.get_by_role("link", name=person.full_name).click()
    dpo_page.get_by_test_id("this-month").click()
    table = dpo_page.get_by_test_id("audit-events")
    row = table.locator("tr", has_text="officer.bkk").filter(has_text="เปิดดูข้อมูล").first
    row.wait_for()
    assert REASON in row.inner_text()
    assert "since=" in dpo_page.url

    with dpo_page.expect_download() as download:
        dpo_page.get_by_test_id("export-xlsx").click()
    assert download.value.suggested_filename == f"access-history-{person.pk}.xlsx"
    exported = AuditEvent.objects.get(action="export_audit_events")
    assert exported.object_id == str(person.pk)
    dpo_context.close()
