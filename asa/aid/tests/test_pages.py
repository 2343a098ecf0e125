"""Goods pages: stock, ledger, donation and distribution forms, loans, transfers, write-offs,
stock takes, thresholds and drives — in and out of scope, Thai errors, nothing saved on error,
the ledger always equal to the balance, and query counts that do not grow with the data."""

import base64
import datetime as dt
import io

import pytest
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from asa.aid import actions
from asa.aid.models import (
    Distribution,
    DistributionDrive,
    Donation,
    Item,
    Loan,
    LoanStatus,
    Piece,
    PieceStatus,
    StockBalance,
    StockMovement,
    StockTake,
)
from asa.cases.models import Assistance
from asa.centers.models import Volunteer
from asa.lib.thai import format_be_date_numeric
from asa.registry.actions import create_household, register_person


def item(code):
    return Item.objects.get(code=code)


def balance(center, code):
    row = StockBalance.objects.filter(center=center, item__code=code).first()
    return row.quantity if row else 0


def ledger_sum(center, code):
    total = StockMovement.objects.filter(center=center, item__code=code).aggregate(
        total=Sum("quantity")
    )["total"]
    return total or 0


def assert_ledger_is_balance(center):
    for row in StockBalance.objects.filter(center=center).select_related("item"):
        assert row.quantity == ledger_sum(center, row.item.code), row.item.code


def be(day: dt.date) -> str:
    return format_be_date_numeric(day)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def stocked(chair_a, center_a, today):
    return actions.receive_donation(
        actor=chair_a,
        center=center_a,
        donor_kind="company",
        donor_name="บริษัท ใจบุญ จำกัด",
        received_on=today,
        lines=[
            (item("bicycle"), 4, [f"BK-{n:03d}" for n in range(1, 5)]),
            (item("consumer-kit"), 20, []),
        ],
    )


@pytest.fixture
def household(chair_a):
    head = register_person(
        actor=chair_a,
        first_name="บุญมี",
        last_name="ศรีสุข",
        birth_date=dt.date(1950, 5, 1),
        subdistrict="100502",
    )
    return create_household(actor=chair_a, head=head)


def signature_data_url() -> str:
    buffer = io.BytesIO()
    Image.new("RGBA", (120, 40), (255, 255, 255, 0)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def donation_post(today, **overrides):
    data = {
        "donor_kind": "agency",
        "donor_name": "กรมพัฒนาสังคมและสวัสดิการ (พส.)",
        "donor_contact": "",
        "received_on": be(today),
        "value_estimate": "",
        "note": "",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "30",
        "lines-0-item": item("bicycle").pk,
        "lines-0-quantity": "2",
        "lines-0-serials": "NEW-1\nNEW-2",
        "lines-1-item": item("consumer-kit").pk,
        "lines-1-quantity": "๑๐",
        "lines-1-serials": "",
        "lines-2-item": "",
        "lines-2-quantity": "",
        "lines-2-serials": "",
    }
    data.update(overrides)
    return data


def distribution_post(today, recipient, **overrides):
    data = {
        "distributed_on": be(today),
        "household": recipient.code,
        "signed_by_name": "นายบุญมี ศรีสุข",
        "signature_data": signature_data_url(),
        "note": "",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "30",
        "lines-0-item": item("consumer-kit").pk,
        "lines-0-quantity": "3",
        "lines-1-item": "",
        "lines-1-quantity": "",
    }
    data.update(overrides)
    return data


# --- Stock, item, scope -------------------------------------------------------------------------


def test_the_stock_page_shows_balances_pieces_and_low_stock(
    client_for, chair_a, volunteer_a, center_a, stocked
):
    actions.set_low_stock_threshold(
        actor=chair_a, center=center_a, item=item("consumer-kit"), threshold=25
    )
    piece = Piece.objects.get(serial_number="BK-001")
    member = Volunteer.objects.get(user=volunteer_a)
    actions.lend_piece(
        actor=chair_a,
        piece=piece,
        volunteer=member,
        condition_out="ใหม่",
        expected_return_on=timezone.localdate() + dt.timedelta(days=30),
    )
    response = client_for(volunteer_a).get(reverse("aid:stock", args=[center_a.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "ใกล้หมด" in text and "BK-001" in text and member.full_name in text
    center_page = client_for(chair_a).get(reverse("centers:center_detail", args=[center_a.pk]))
    assert "สิ่งของใกล้หมด" in center_page.content.decode()
    assert "ถุงยังชีพ" in center_page.content.decode()


def test_another_center_is_refused(client_for, chair_b, volunteer_b, center_a, stocked):
    donation = stocked
    for user in (chair_b, volunteer_b):
        client = client_for(user)
        for url in (
            reverse("aid:stock", args=[center_a.pk]),
            reverse("aid:donation_create", args=[center_a.pk]),
            reverse("aid:distribution_create", args=[center_a.pk]),
            reverse("aid:loan_list", args=[center_a.pk]),
            reverse("aid:donation_receipt", args=[donation.pk]),
            reverse("aid:donation_receipt", args=[donation.pk]) + "?format=pdf",
            reverse("aid:item_detail", args=[item("bicycle").pk]) + f"?center={center_a.pk}",
        ):
            assert client.get(url).status_code == 404, url
    before = StockMovement.objects.count()
    response = client_for(chair_b).post(
        reverse("aid:donation_create", args=[center_a.pk]), donation_post(timezone.localdate())
    )
    assert response.status_code == 404
    assert StockMovement.objects.count() == before


def test_the_item_page_shows_the_ledger_with_a_running_balance(
    client_for, chair_a, center_a, stocked, household
):
    actions.distribute_items(
        actor=chair_a, center=center_a, household=household, lines=[(item("consumer-kit"), 3)]
    )
    url = reverse("aid:item_detail", args=[item("consumer-kit").pk]) + f"?center={center_a.pk}"
    response = client_for(chair_a).get(url)
    page = response.context["page_obj"]
    assert [movement.balance_after for movement in page] == [17, 20]
    assert response.context["ledger_total"] == 17 == balance(center_a, "consumer-kit")


# --- Donations ---------------------------------------------------------------------------------


def test_a_donation_through_the_form_reaches_the_stock(client_for, chair_a, center_a, today):
    response = client_for(chair_a).post(
        reverse("aid:donation_create", args=[center_a.pk]), donation_post(today)
    )
    donation = Donation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("aid:donation_receipt", args=[donation.pk])
    assert balance(center_a, "bicycle") == 2 and balance(center_a, "consumer-kit") == 10
    assert set(Piece.objects.values_list("serial_number", flat=True)) == {"NEW-1", "NEW-2"}
    assert_ledger_is_balance(center_a)
    receipt = client_for(chair_a).get(response["Location"]).content.decode()
    assert donation.receipt_number in receipt and "ใบอนุโมทนาบัตร" in receipt


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"lines-1-quantity": "-3"}, "จำนวนต้องมากกว่า 0"),
        ({"lines-1-quantity": "1.5"}, "จำนวนต้องเป็นจำนวนเต็ม"),
        ({"lines-0-serials": "NEW-1"}, "กรุณาระบุหมายเลขครุภัณฑ์"),
        ({"received_on": "11/03/2019"}, "พ.ศ."),
        ({"donor_kind": "person", "donor_name": ""}, "กรุณากรอกชื่อผู้บริจาค"),
    ],
)
def test_bad_donations_show_thai_errors_and_save_nothing(
    client_for, chair_a, center_a, today, overrides, message
):
    response = client_for(chair_a).post(
        reverse("aid:donation_create", args=[center_a.pk]), donation_post(today, **overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Donation.objects.exists() and not StockMovement.objects.exists()


# --- Distributions -----------------------------------------------------------------------------


def test_a_distribution_with_a_drawn_signature(
    client_for, chair_a, center_a, stocked, household, today
):
    url = reverse("aid:distribution_create", args=[center_a.pk]) + f"?household={household.pk}"
    client = client_for(chair_a)
    form = client.get(url)
    assert household.code in form.content.decode()
    response = client.post(url, distribution_post(today, household))
    distribution = Distribution.objects.get()
    assert response["Location"] == reverse("aid:distribution_receipt", args=[distribution.pk])
    assert distribution.signature.name.endswith(".png")
    assert balance(center_a, "consumer-kit") == 17
    assert_ledger_is_balance(center_a)
    assert Assistance.objects.filter(household=household).count() == 1
    receipt = client.get(response["Location"]).content.decode()
    assert "ใบรับสิ่งของ" in receipt and distribution.receipt_number in receipt
    image = client.get(reverse("aid:distribution_signature", args=[distribution.pk]))
    assert image["Content-Type"] == "image/png"


def test_a_scanned_paper_receipt_can_stand_for_the_signature(
    client_for, chair_a, center_a, stocked, household, today
):
    buffer = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(buffer, format="JPEG")
    buffer.name = "scan.jpg"
    buffer.seek(0)
    data = distribution_post(today, household, signature_data="")
    data["signature_file"] = buffer
    response = client_for(chair_a).post(
        reverse("aid:distribution_create", args=[center_a.pk]), data
    )
    assert response.status_code == 302
    with Distribution.objects.get().signature.open("rb") as stored:
        assert stored.read(8) == b"\x89PNG\r\n\x1a\n"  # re-encoded as PNG


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"lines-0-quantity": "-1"}, "จำนวนต้องมากกว่า 0"),
        ({"lines-0-quantity": "2.5"}, "จำนวนต้องเป็นจำนวนเต็ม"),
        ({"lines-0-quantity": "21"}, "ไม่พอ"),
        ({"signature_data": "data:image/png;base64,bm90IGEgcG5n"}, "ลายมือชื่อต้องเป็นภาพ PNG"),
        ({"signature_data": "data:image/svg+xml;base64,PHN2Zz4="}, "ลายมือชื่อต้องเป็นภาพ PNG"),
        ({"household": "HH-NOPE"}, "ไม่พบครัวเรือน"),
        ({"signed_by_name": ""}, "กรุณากรอกชื่อผู้รับ"),
    ],
)
def test_bad_distributions_show_thai_errors_and_save_nothing(
    client_for, chair_a, center_a, stocked, household, today, overrides, message
):
    before = StockMovement.objects.count()
    response = client_for(chair_a).post(
        reverse("aid:distribution_create", args=[center_a.pk]),
        distribution_post(today, household, **overrides),
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Distribution.objects.exists()
    assert StockMovement.objects.count() == before
    assert balance(center_a, "consumer-kit") == 20


def test_a_large_signature_is_refused(client_for, chair_a, center_a, stocked, household, today):
    huge = (
        "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 400_000).decode()
    )
    response = client_for(chair_a).post(
        reverse("aid:distribution_create", args=[center_a.pk]),
        distribution_post(today, household, signature_data=huge),
    )
    assert "ภาพลายมือชื่อใหญ่เกินไป" in response.content.decode()
    assert not Distribution.objects.exists()


def test_another_centers_household_cannot_be_named(client_for, chair_b, center_b, household, today):
    actions.receive_donation(
        actor=chair_b,
        center=center_b,
        donor_kind="anonymous",
        received_on=today,
        lines=[(item("consumer-kit"), 5, [])],
    )
    response = client_for(chair_b).post(
        reverse("aid:distribution_create", args=[center_b.pk]),
        distribution_post(today, household),
    )
    assert "ไม่พบครัวเรือน" in response.content.decode()
    assert not Distribution.objects.exists()


# --- Loans, transfers, write-offs, stock takes, thresholds, drives --------------------------------


def test_lend_and_return_a_bicycle(client_for, chair_a, volunteer_a, center_a, stocked, today):
    client = client_for(chair_a)
    piece = Piece.objects.get(serial_number="BK-002")
    member = Volunteer.objects.get(user=volunteer_a)
    data = {
        "piece": piece.pk,
        "volunteer": member.pk,
        "household": "",
        "loaned_on": be(today - dt.timedelta(days=40)),
        "expected_return_on": be(today - dt.timedelta(days=10)),
        "condition_out": "ใหม่",
    }
    response = client.post(reverse("aid:loan_create", args=[center_a.pk]), data)
    assert response.status_code == 302
    loan = Loan.objects.get()
    listing = client.get(reverse("aid:loan_list", args=[center_a.pk]))
    assert [row.pk for row in listing.context["overdue"]] == [loan.pk]
    again = client.post(reverse("aid:loan_create", args=[center_a.pk]), data)
    assert "ไม่อยู่ในคลังแล้ว" in again.content.decode()
    assert Loan.objects.count() == 1
    response = client.post(
        reverse("aid:loan_return", args=[loan.pk]),
        {"returned_on": be(today), "condition_in": "ดี"},
    )
    assert response.status_code == 302
    loan.refresh_from_db()
    assert loan.status == LoanStatus.RETURNED
    assert Piece.objects.get(pk=piece.pk).status == PieceStatus.IN_STOCK
    assert balance(center_a, "bicycle") == 4
    assert_ledger_is_balance(center_a)


def test_a_transfer_to_the_same_center_is_refused(
    client_for, chair_a, center_a, center_b, stocked, today
):
    client = client_for(chair_a)
    url = reverse("aid:transfer_create", args=[center_a.pk])
    data = {"item": item("consumer-kit").pk, "quantity": "5", "on": be(today), "reason": "ช่วย"}
    response = client.post(url, data | {"to_center": center_a.pk})
    assert "ศูนย์ต้นทางและปลายทางต้องไม่ใช่ศูนย์เดียวกัน" in response.content.decode()
    assert balance(center_a, "consumer-kit") == 20
    response = client.post(url, data | {"to_center": center_b.pk})
    assert response.status_code == 302
    assert balance(center_a, "consumer-kit") == 15 and balance(center_b, "consumer-kit") == 5
    assert_ledger_is_balance(center_a)
    assert_ledger_is_balance(center_b)


def test_write_off_needs_a_reason(client_for, chair_a, center_a, stocked, today):
    client = client_for(chair_a)
    url = reverse("aid:write_off_create", args=[center_a.pk])
    data = {"item": item("consumer-kit").pk, "quantity": "2", "on": be(today), "reason": ""}
    response = client.post(url, data)
    assert "กรุณาระบุเหตุผลการตัดจำหน่าย" in response.content.decode()
    assert balance(center_a, "consumer-kit") == 20
    response = client.post(url, data | {"reason": "หมดอายุ"})
    assert response.status_code == 302
    assert balance(center_a, "consumer-kit") == 18
    assert_ledger_is_balance(center_a)


def test_a_stock_take_closes_the_period(client_for, chair_a, center_a, stocked, household, today):
    client = client_for(chair_a)
    url = reverse("aid:stock_take_create", args=[center_a.pk])
    kit = item("consumer-kit")
    response = client.post(
        url, {"counted_on": be(today), f"count_{kit.pk}": "18", "closes_period": "on"}
    )
    assert response.status_code == 302
    assert balance(center_a, "consumer-kit") == 18
    assert_ledger_is_balance(center_a)
    response = client.post(url, {"counted_on": be(today), f"count_{kit.pk}": "17"})
    assert "งวดบัญชีคลังปิดแล้ว" in response.content.decode()
    assert StockTake.objects.count() == 1
    assert balance(center_a, "consumer-kit") == 18


def test_thresholds_and_drives(client_for, chair_a, center_a, stocked, household, today):
    client = client_for(chair_a)
    response = client.post(
        reverse("aid:threshold_edit", args=[center_a.pk]),
        {"item": item("consumer-kit").pk, "threshold": "-1"},
    )
    assert "ค่าแจ้งเตือนต้องไม่ติดลบ" in response.content.decode()
    response = client.post(
        reverse("aid:threshold_edit", args=[center_a.pk]),
        {"item": item("consumer-kit").pk, "threshold": "30"},
    )
    assert (
        StockBalance.objects.get(center=center_a, item__code="consumer-kit").low_stock_threshold
        == 30
    )
    response = client.post(
        reverse("aid:drive_list", args=[center_a.pk]),
        {"title": "แจกของประจำเดือน", "planned_on": be(today), "households": household.code},
    )
    drive_url = response["Location"]
    page = client.get(drive_url).content.decode()
    assert "มอบแล้ว 0 จาก 1 ครัวเรือน" in page
    drive = DistributionDrive.objects.get()
    client.post(
        reverse("aid:distribution_create", args=[center_a.pk])
        + f"?household={household.pk}&drive={drive.pk}",
        distribution_post(today, household),
    )
    assert "มอบแล้ว 1 จาก 1 ครัวเรือน" in client.get(drive_url).content.decode()


def test_a_volunteer_of_another_center_cannot_lend(client_for, volunteer_b, center_a, stocked):
    piece = Piece.objects.get(serial_number="BK-003")
    response = client_for(volunteer_b).post(
        reverse("aid:loan_create", args=[center_a.pk]), {"piece": piece.pk}
    )
    assert response.status_code == 404
    assert not Loan.objects.exists()


# --- Query counts --------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def test_query_counts_do_not_grow(client_for, chair_a, volunteer_a, center_a, household, today):
    client = client_for(chair_a)
    member = Volunteer.objects.get(user=volunteer_a)
    urls = [
        reverse("aid:stock", args=[center_a.pk]),
        reverse("aid:item_detail", args=[item("consumer-kit").pk]) + f"?center={center_a.pk}",
        reverse("aid:item_detail", args=[item("bicycle").pk]) + f"?center={center_a.pk}",
        reverse("aid:loan_list", args=[center_a.pk]),
        reverse("aid:donation_list", args=[center_a.pk]),
        reverse("aid:distribution_list", args=[center_a.pk]),
    ]

    def grow(round_number):
        serials = [f"R{round_number}-{n}" for n in range(3)]
        actions.receive_donation(
            actor=chair_a,
            center=center_a,
            donor_kind="anonymous",
            received_on=today,
            lines=[(item("bicycle"), 3, serials), (item("consumer-kit"), 5, [])],
        )
        for serial in serials[:2]:
            actions.lend_piece(
                actor=chair_a,
                piece=Piece.objects.get(serial_number=serial),
                volunteer=member,
                condition_out="ดี",
                expected_return_on=today,
            )
        actions.distribute_items(
            actor=chair_a, center=center_a, household=household, lines=[(item("consumer-kit"), 1)]
        )

    grow(1)
    first = [_queries(client, url) for url in urls]
    for round_number in range(2, 5):
        grow(round_number)
    assert [_queries(client, url) for url in urls] == first
