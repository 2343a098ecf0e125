"""Browser test (Playwright + Debian chromium) on a 390x844 phone: the chair takes attendance of
a training by search, "select all" and a scanned volunteer code, and saves it."""

import re

import pytest
from playwright.sync_api import expect

from asa.centers.tests.test_events import make_training, own
from asa.conftest import log_in, make_volunteer

pytestmark = pytest.mark.django_db(transaction=True)


def test_attendance_on_a_phone_by_search_select_all_and_code(
    phone_page, chair_a, volunteer_a, center_a
):
    page = phone_page
    event = make_training(center_a, actor=chair_a)
    somsri = [make_volunteer(center_a, first_name=f"สมศรี{number}") for number in range(3)]
    scanned = make_volunteer(center_a, first_name="บุญชู", last_name="สแกนบัตร")
    absent = make_volunteer(center_a, first_name="ไม่ได้มา")
    log_in(page, "chair.a")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    page.goto(f"/events/{event.pk}/attendance/")
    # The search narrows the list; "select all" ticks only those shown.
    page.get_by_label("ค้นหาชื่อหรือรหัส").fill("สมศรี")
    expect(page.locator(".attendance-list li:visible")).to_have_count(3)
    page.get_by_label("เลือกทั้งหมดที่แสดงอยู่").check()
    expect(page.locator("[data-attendance-count]")).to_have_text("3")
    page.get_by_label("ค้นหาชื่อหรือรหัส").fill("")
    expect(page.get_by_label(absent.full_name, exact=True)).not_to_be_checked()
    # A scanner types the code and Enter: that volunteer is ticked, the field is ready again.
    codes = page.get_by_label("รหัส อพม. (พิมพ์หรือสแกนบัตร)")
    codes.fill(scanned.code)
    codes.press("Enter")
    expect(page.get_by_role("status").filter(has_text="ทำเครื่องหมายมาร่วมแล้ว")).to_contain_text(
        scanned.full_name
    )
    expect(codes).to_have_value("")
    expect(page.get_by_label(scanned.full_name, exact=True)).to_be_checked()
    # A code of nobody on the list says so and ticks nothing.
    codes.fill("V999999")
    codes.press("Enter")
    expect(page.get_by_role("status").filter(has_text="ไม่พบรหัส")).to_be_visible()
    expect(page.locator("[data-attendance-count]")).to_have_text("4")
    codes.fill("")  # (left in the field, the server would refuse it by name on saving)
    # No sideways scroll on the phone, and the save button is in reach without scrolling down.
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    expect(page.get_by_role("button", name="บันทึกผู้เข้าร่วม")).to_be_in_viewport()
    page.get_by_role("button", name="บันทึกผู้เข้าร่วม").click()
    page.wait_for_url(re.compile(r"/events/\d+/$"))
    expect(page.get_by_text("บันทึกผู้เข้าร่วมแล้ว 4 คน")).to_be_visible()
    present = set(event.attendances.values_list("volunteer_id", flat=True))
    assert present == {*(volunteer.pk for volunteer in somsri), scanned.pk}
    assert own(volunteer_a).pk not in present
