"""The issue's browser test: 10 bicycles and 50 kits reach Bang Khen through the donation form;
the chair lends 2 bicycles to volunteers and, from a home visit, gives 3 kits to a household,
the recipient signing on a phone-sized screen; balances, ledger, receipts and the household's
assistance ledger agree; a concurrent over-distribution is refused."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Sum
from django.utils import timezone

from asa.aid import actions
from asa.aid.models import Distribution, Donation, Item, Loan, StockBalance, StockMovement
from asa.cases import actions as case_actions
from asa.cases.models import Assistance
from asa.centers.models import Volunteer
from asa.conftest import log_in
from asa.lib.thai import format_be_date_numeric
from asa.registry.actions import create_household, register_person

pytestmark = pytest.mark.django_db(transaction=True)


def balance(center, code):
    row = StockBalance.objects.filter(center=center, item__code=code).first()
    return row.quantity if row else 0


def ledger_sum(center, code):
    total = StockMovement.objects.filter(center=center, item__code=code).aggregate(
        total=Sum("quantity")
    )["total"]
    return total or 0


def test_donation_loans_and_a_signed_distribution_from_a_visit(
    phone_page, live_server, center_a, chair_a, volunteer_a
):
    page = phone_page
    today = format_be_date_numeric(timezone.localdate())
    head = register_person(
        actor=chair_a,
        first_name="บุญมี",
        last_name="ศรีสุข",
        birth_date=dt.date(1950, 5, 1),
        subdistrict="100502",
    )
    household = create_household(actor=chair_a, head=head)
    case = case_actions.open_case(actor=chair_a, person=head, source="field", story="ขาดอาหาร")
    visit = case_actions.record_visit(
        actor=chair_a, case=case, visited_at=timezone.now(), observations="ไม่มีอาหารในบ้าน"
    )
    log_in(page, "chair.a")

    # 1. The donation: 10 bicycles with serial numbers and 50 kits, through the form.
    page.goto(f"/centers/{center_a.pk}/donations/new/")
    page.select_option("#id_donor_kind", "agency")
    page.fill("#id_donor_name", "กรมพัฒนาสังคมและสวัสดิการ (พส.)")
    page.fill("#id_received_on", today)
    page.select_option("#id_lines-0-item", str(Item.objects.get(code="bicycle").pk))
    page.fill("#id_lines-0-quantity", "10")
    page.fill("#id_lines-0-serials", "\n".join(f"BK-{n:03d}" for n in range(1, 11)))
    page.select_option("#id_lines-1-item", str(Item.objects.get(code="consumer-kit").pk))
    page.fill("#id_lines-1-quantity", "50")
    page.get_by_role("button", name="บันทึกและออกใบอนุโมทนาบัตร").click()
    page.wait_for_url("**/donations/*/")
    donation = Donation.objects.get()
    assert donation.receipt_number in page.locator("#receipt-number").inner_text()
    pdf = page.request.get(f"/donations/{donation.pk}/?format=pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF-")

    # 2. Two bicycles lent to volunteers of the center.
    volunteers = list(Volunteer.objects.filter(center=center_a).order_by("pk"))
    for volunteer in volunteers[:2]:
        page.goto(f"/centers/{center_a.pk}/loans/new/")
        page.select_option("#id_piece", index=1)
        page.select_option("#id_volunteer", str(volunteer.pk))
        page.get_by_role("button", name="บันทึก").click()
        page.wait_for_url(f"**/centers/{center_a.pk}/loans/")
    assert Loan.objects.filter(status="out").count() == 2
    assert page.locator("#loan-table tbody tr").count() == 2

    # 3. From the visit: 3 kits to the household, signed on the phone's screen.
    page.goto(f"/centers/{center_a.pk}/distributions/new/?visit={visit.pk}")
    assert case.number in page.locator(".aid-recipient").inner_text()
    page.select_option("#id_lines-0-item", str(Item.objects.get(code="consumer-kit").pk))
    page.fill("#id_lines-0-quantity", "3")
    canvas = page.locator("#signature-canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 20, box["y"] + box["height"] / 2)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 20 + step * 25, box["y"] + 30 + (step % 3) * 30, steps=3)
    page.mouse.up()
    assert (
        page.locator("input[name=signature_data]")
        .input_value()
        .startswith("data:image/png;base64,")
    )
    page.get_by_role("button", name="บันทึกและออกใบรับสิ่งของ").click()
    page.wait_for_url("**/distributions/*/")
    distribution = Distribution.objects.get()
    assert distribution.visit_id == visit.pk and distribution.case_id == case.pk
    assert distribution.household_id == household.pk
    assert page.locator("img.receipt-signature").evaluate("image => image.naturalWidth") > 0
    pdf = page.request.get(f"/distributions/{distribution.pk}/?format=pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF-")

    # 4. Balances, ledger and the household's assistance ledger agree.
    assert balance(center_a, "bicycle") == 8 == ledger_sum(center_a, "bicycle")
    assert balance(center_a, "consumer-kit") == 47 == ledger_sum(center_a, "consumer-kit")
    page.goto(f"/centers/{center_a.pk}/stock/")
    kits_row = page.locator("#balance-table tr[data-item=consumer-kit] .aid-quantity")
    assert kits_row.inner_text() == "47"
    page.goto(f"/items/{Item.objects.get(code='consumer-kit').pk}/?center={center_a.pk}")
    assert page.locator("#item-balance").inner_text() == "47"
    assert page.locator("#item-ledger-total").inner_text() == "47"
    given = Assistance.objects.filter(household=household)
    assert given.count() == 1 and "ถุงยังชีพ" in given.get().description
    assert "3" in given.get().description

    # 5. Two distributions of the last kits at the same moment: exactly one succeeds.
    actions.distribute_items(
        actor=chair_a,
        center=center_a,
        household=household,
        lines=[(Item.objects.get(code="consumer-kit"), 46)],
    )
    barrier = threading.Barrier(2)
    results = []

    def distribute():
        try:
            barrier.wait()
            actions.distribute_items(
                actor=chair_a,
                center=center_a,
                household=household,
                lines=[(Item.objects.get(code="consumer-kit"), 1)],
            )
            results.append("ok")
        except ValidationError:
            results.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=distribute) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["ok", "refused"]
    assert balance(center_a, "consumer-kit") == 0 == ledger_sum(center_a, "consumer-kit")
