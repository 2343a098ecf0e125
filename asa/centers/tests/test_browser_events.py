"""Browser test (Playwright + Debian chromium): the chair of Bang Khen holds a training and
takes attendance; the volunteer finds it in their record and downloads the certificate; the
volunteer enters hours by hand, the chair approves, the volunteer's fiscal-year hours change."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from asa.conftest import log_in
from asa.geo.loading import load_areas
from asa.geo.models import District, Province, Subdistrict
from asa.lib.thai import format_be_date_numeric

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _areas(transactional_db):
    if not Subdistrict.objects.exists():
        load_areas(Province, District, Subdistrict)


def field(page, label: str):
    """The input labelled exactly `label` (a required field's label ends with " *")."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def nav(page, name: str) -> None:
    page.get_by_role("navigation", name="เมนูหลัก").get_by_role("link", name=name).click()


def test_a_training_gives_a_certificate_and_hand_entered_hours_count_once_approved(
    page, browser, live_server, chair_a, volunteer_a
):
    today = format_be_date_numeric(timezone.localdate())
    # The chair records a training.
    log_in(page, "chair.a")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)
    nav(page, "กิจกรรม")
    page.get_by_role("link", name="บันทึกกิจกรรมใหม่").click()
    field(page, "ประเภทกิจกรรม").select_option("training")
    field(page, "ชื่อกิจกรรม").fill("อบรมการจัดทำฐานข้อมูลผู้ประสบปัญหาทางสังคม")
    field(page, "วันที่").fill(today)
    field(page, "เวลาเริ่ม").fill("09:00")
    field(page, "เวลาสิ้นสุด").fill("12:00")
    field(page, "สถานที่").fill("ที่ทำการชุมชน หมู่บ้านพร้อมสุข (ซ. รามอินทรา 8)")
    field(page, "วิทยากร/ผู้บรรยาย").fill("นักพัฒนาสังคม สำนักงานเขตบางเขน")
    field(page, "หัวข้อ").fill("การจัดทำฐานข้อมูลผู้ประสบปัญหาทางสังคม")
    page.get_by_role("button", name="บันทึก", exact=True).click()
    page.wait_for_url(re.compile(r"/events/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("อบรมการจัดทำฐานข้อมูลผู้ประสบปัญหาทางสังคม")
    # ... and ticks who came; hours default to the three hours of the training.
    page.get_by_role("link", name="บันทึกผู้เข้าร่วม").click()
    page.get_by_label("นางอาสาเอ ทดสอบ", exact=True).check()
    expect(page.get_by_label("ชั่วโมงของ นางอาสาเอ ทดสอบ")).to_have_value("3")
    page.get_by_role("button", name="บันทึกผู้เข้าร่วม").click()
    page.wait_for_url(re.compile(r"/events/\d+/$"))
    expect(page.get_by_text("บันทึกผู้เข้าร่วมแล้ว 1 คน")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"^BKK-1005-\d{4}-0001$"))).to_be_visible()

    # The volunteer, on a phone, finds the training and downloads the certificate.
    context = browser.new_context(
        base_url=live_server.url, locale="th-TH", viewport={"width": 390, "height": 844}
    )
    phone = context.new_page()
    phone.set_default_timeout(10000)
    log_in(phone, "volunteer.a")
    phone.wait_for_url(lambda url: "/accounts/login/" not in url)
    phone.goto("/hours/")
    trainings = phone.locator("#hours-trainings").locator("..")
    expect(trainings).to_contain_text("การจัดทำฐานข้อมูลผู้ประสบปัญหาทางสังคม")
    link = trainings.get_by_role("link", name=re.compile("วุฒิบัตร"))
    pdf = phone.request.get(link.get_attribute("href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")
    total = phone.locator("#hours-total").locator("..").locator(".stat")
    expect(total).to_have_text("3")

    # The volunteer enters two hours by hand: they wait for the chair.
    phone.get_by_role("link", name="บันทึกชั่วโมงเอง").click()
    field(phone, "วันที่ปฏิบัติงาน").fill(today)
    field(phone, "จำนวนชั่วโมง").fill("2")
    field(phone, "งานที่ทำ").fill("ช่วยจัดถุงยังชีพให้ครัวเรือนเปราะบาง")
    phone.get_by_role("button", name="ส่งให้ประธานศูนย์อนุมัติ").click()
    phone.wait_for_url("**/hours/")
    expect(phone.get_by_text("รออนุมัติ", exact=True)).to_be_visible()
    expect(total).to_have_text("3")

    # The chair approves.
    nav(page, "ชั่วโมงจิตอาสา")
    page.get_by_role("link", name="พิจารณาชั่วโมงที่ส่งมา").click()
    page.get_by_role("link", name="พิจารณา", exact=True).click()
    page.get_by_role("button", name="อนุมัติ", exact=True).click()
    expect(page.get_by_text("บันทึกผลการพิจารณาแล้ว")).to_be_visible()

    # The volunteer's hours for the fiscal year now count them.
    phone.reload()
    expect(total).to_have_text("5")
    expect(phone.get_by_text("อนุมัติแล้ว", exact=True)).to_be_visible()
    context.close()
