"""The field app offline, in Chromium: the service worker, the IndexedDB outbox surviving a
reload and a closed browser, each item accepted once, a changed world sent to the chair.

The browser is a persistent one (a profile directory), so closing and reopening it keeps the
service worker, its caches, IndexedDB and the session cookie, as a phone does."""

import io
import re

import pytest
from playwright.sync_api import expect

from asa.aid.models import Distribution, StockBalance, StockMovement
from asa.cases.actions import assign_case, open_case, transfer_case
from asa.cases.models import Case, Visit, VisitPhoto
from asa.centers.models import Volunteer
from asa.conftest import CHROMIUM, log_in
from asa.field.models import OfflineSubmission
from asa.registry.actions import register_person

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.e2e]

ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def _jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (320, 240), (30, 120, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _open(browser, live_server, profile, *, phone=False):
    options = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
    context = browser.browser_type.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        headless=True,
        args=ARGS,
        base_url=live_server.url,
        locale="th-TH",
        **(options if phone else {}),
    )
    context.set_default_timeout(15000)
    page = context.pages[0] if context.pages else context.new_page()
    return context, page


def _ready(page):
    page.wait_for_selector("#field-app[data-ready=true]", state="attached")


def _app_kept_offline(page):
    """Wait until the service worker controls the page and the app page is in its cache."""
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function(
        "async () => !!(await caches.match('/field/', {ignoreVary: true, ignoreSearch: true}))"
    )
    # The precache (styles, scripts, fonts) is complete once the worker is active.
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")


def _record_visit(page, case, observations):
    page.evaluate(f"location.hash = '#visit/{case.pk}'")
    form = page.locator("form[data-form=visit]")
    expect(form).to_be_visible()
    form.get_by_label("สิ่งที่พบเห็น").fill(observations)
    form.get_by_label("ผู้ที่พบ").fill("ตัวผู้สูงอายุ")
    form.get_by_label("ภาพถ่าย").set_input_files(
        {"name": "บ้าน.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()}
    )
    form.get_by_role("button", name="บันทึกการเยี่ยม").click()
    expect(page.locator("[data-view=outbox]")).to_be_visible()


def _hand_over(page, case, quantity):
    page.evaluate(f"location.hash = '#handover/{case.pk}'")
    form = page.locator("form[data-form=handover]")
    expect(form).to_be_visible()
    form.get_by_label("จำนวน").fill(str(quantity))
    form.get_by_label("ผู้รับ (ลงชื่อ)").fill("บุญเรือน ใจงาม")
    canvas = form.locator("canvas")
    canvas.scroll_into_view_if_needed()  # the mouse draws in the viewport's coordinates
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + 20)
    page.mouse.down()
    page.mouse.move(box["x"] + 120, box["y"] + 60, steps=5)
    page.mouse.move(box["x"] + 200, box["y"] + 30, steps=5)
    page.mouse.up()
    form.get_by_role("button", name="บันทึกการมอบสิ่งของ").click()
    expect(page.locator("[data-view=outbox]")).to_be_visible()


def _states(page):
    return page.locator("[data-outbox-item]").evaluate_all(
        "items => items.map(item => item.dataset.state)"
    )


def test_offline_visit_and_hand_over_survive_and_are_applied_once(
    browser, live_server, tmp_path, chair_a, volunteer_a, center_b, assigned_case, rice
):
    volunteer = Volunteer.objects.get(user=volunteer_a)
    other_person = register_person(
        actor=chair_a, first_name="สมศรี", last_name="ริมคลอง", subdistrict="100502"
    )
    moving = open_case(actor=chair_a, person=other_person, source="field", story="ย้ายบ้านบ่อย")
    assign_case(actor=chair_a, case=moving, volunteers=[volunteer])
    profile = tmp_path / "profile"

    context, page = _open(browser, live_server, profile)
    log_in(page, "volunteer.a")
    page.goto("/field/")
    _ready(page)
    expect(page.locator("[data-case]")).to_have_count(2)
    _app_kept_offline(page)

    # No signal: a visit with a photo, a hand-over with a signature, a visit to a case that is
    # transferred to another center meanwhile.
    context.set_offline(True)
    _record_visit(page, assigned_case, "หลังคารั่ว ไม่มีข้าวสาร")
    _hand_over(page, assigned_case, 3)
    _record_visit(page, moving, "ไม่พบตัว เพื่อนบ้านบอกว่าย้ายไปทวีวัฒนา")
    assert _states(page) == ["waiting", "waiting", "waiting"]
    transfer_case(
        actor=chair_a,
        case=Case.objects.get(pk=moving.pk),
        to_center=center_b,
        reason="ย้ายไปอยู่เขตทวีวัฒนา",
    )

    # Reload with no signal: the service worker serves the app, the outbox is still there.
    page.reload()
    _ready(page)
    page.evaluate("location.hash = '#outbox'")
    assert _states(page) == ["waiting", "waiting", "waiting"]
    assert not Visit.objects.exists() and not Distribution.objects.exists()

    # Close the browser and open it again, still offline: nothing is lost.
    context.close()
    context, page = _open(browser, live_server, profile)
    context.set_offline(True)
    page.goto("/field/#outbox")
    _ready(page)
    assert _states(page) == ["waiting", "waiting", "waiting"]

    # The signal returns, but the first answer is lost on the way back (a timeout): the server
    # applied the item, the phone did not hear it and sends it again.
    lost = []

    def lose_first_answer(route):
        response = route.fetch()
        if not lost:
            lost.append(response.status)
            route.abort()
        else:
            route.fulfill(response=response)

    page.route("**/field/sync/", lose_first_answer)
    context.set_offline(False)
    page.get_by_role("button", name="ส่งตอนนี้").click()
    while not lost:
        page.wait_for_timeout(200)
    page.get_by_role("button", name="ส่งตอนนี้").click()
    expect(page.locator("[data-state=waiting]")).to_have_count(0, timeout=30000)
    assert lost == [200]
    assert sorted(_states(page)) == ["needs_attention", "sent", "sent"]
    expect(page.locator("[data-state=needs_attention] .reason")).to_contain_text("โอน")

    # Exactly one of each on the server: one visit with its photo, one hand-over, one movement.
    visit = Visit.objects.get()
    assert visit.case_id == assigned_case.pk and VisitPhoto.objects.filter(visit=visit).count() == 1
    distribution = Distribution.objects.get()
    assert distribution.signature.name
    assert StockMovement.objects.filter(distribution=distribution).count() == 1
    assert StockBalance.objects.get(center=assigned_case.center, item=rice).quantity == 7
    # The transferred case's visit waits for the chair of the volunteer's own center.
    kept = OfflineSubmission.objects.get()
    assert kept.center_id == volunteer.center_id and kept.case_id == moving.pk
    # The moved case left the phone at this contact.
    page.evaluate("location.hash = '#today'")
    expect(page.locator("[data-case]")).to_have_count(1)
    context.close()

    context, page = _open(browser, live_server, tmp_path / "chair")
    log_in(page, "chair.a")
    page.goto("/field/review/")
    expect(page.get_by_text(re.compile("ถูกโอนไปยังศูนย์อื่น"))).to_be_visible()
    context.close()


def test_a_volunteers_full_day_on_a_phone(
    browser, live_server, tmp_path, chair_a, volunteer_a, assigned_case, rice
):
    volunteer = Volunteer.objects.get(user=volunteer_a)
    neighbour = register_person(
        actor=chair_a, first_name="ประยูร", last_name="สุขใจ", subdistrict="100502"
    )
    second = open_case(actor=chair_a, person=neighbour, source="field", story="ผู้พิการติดเตียง")
    assign_case(actor=chair_a, case=second, volunteers=[volunteer])

    context, page = _open(browser, live_server, tmp_path / "phone", phone=True)
    log_in(page, "volunteer.a")
    page.goto("/field/")
    _ready(page)
    _app_kept_offline(page)
    context.set_offline(True)

    _record_visit(page, assigned_case, "ได้รับข้าวสารแล้ว ยังต้องการยา")
    _record_visit(page, second, "แผลกดทับดีขึ้น")
    # A new person in distress; the name sounds like someone already on the phone.
    page.evaluate("location.hash = '#report'")
    form = page.locator("form[data-form=report]")
    form.get_by_label("ชื่อ", exact=True).fill("ประยูน")
    form.get_by_label("นามสกุล").fill("สุขใจ")
    expect(page.locator("[data-duplicates]")).to_contain_text("ประยูร สุขใจ")
    form.get_by_label("ชื่อ", exact=True).fill("ทองใบ")
    form.get_by_label("นามสกุล").fill("ริมน้ำ")
    form.get_by_label("ปีเกิด (พ.ศ.)").fill("2490")
    expect(page.locator("[data-duplicates]")).to_be_hidden()
    form.get_by_label("เล่าเรื่องโดยย่อ").fill("ผู้สูงอายุอยู่คนเดียวริมคลอง ไม่มีรายได้")
    form.get_by_role("button", name="บันทึกการแจ้งเหตุ").click()
    expect(page.locator("[data-view=outbox]")).to_be_visible()
    _hand_over(page, assigned_case, 2)
    assert _states(page) == ["waiting"] * 4
    # Nothing on the page scrolls sideways on the phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    context.set_offline(False)
    page.get_by_role("button", name="ส่งตอนนี้").click()
    expect(page.locator("[data-state=sent]")).to_have_count(4, timeout=30000)
    assert Visit.objects.count() == 2 and VisitPhoto.objects.count() == 2
    report = Case.objects.get(person__first_name="ทองใบ")
    assert report.center_id == volunteer.center_id and report.client_id
    assert Distribution.objects.get().signature.name
    assert StockBalance.objects.get(center=assigned_case.center, item=rice).quantity == 8
    context.close()


def test_signing_out_wipes_the_phone(browser, live_server, tmp_path, volunteer_a, assigned_case):
    context, page = _open(browser, live_server, tmp_path / "signout", phone=True)
    log_in(page, "volunteer.a")
    page.goto("/field/")
    _ready(page)
    expect(page.locator("[data-case]")).to_have_count(1)
    names = "async () => (await indexedDB.databases()).map(database => database.name)"
    assert "asa-field" in page.evaluate(names)
    # On a phone the sign-out button is behind the header's menu button.
    menu = page.get_by_role("button", name=re.compile("เมนู"))
    if menu.count() and menu.first.is_visible():
        menu.first.click()
    page.get_by_role("button", name=re.compile("ออกจากระบบ")).click()
    page.wait_for_url("**/accounts/login/**")
    assert "asa-field" not in page.evaluate(names)
    assert not page.evaluate("async () => await caches.has('asa-field-app')")
    context.close()
