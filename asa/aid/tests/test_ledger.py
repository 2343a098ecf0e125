import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.db.models import Sum
from django.utils import timezone

from asa.aid import actions
from asa.aid.models import Item, Loan, Piece, PieceStatus, StockBalance, StockMovement
from asa.cases.queries import assistance_totals
from asa.centers.models import Volunteer
from asa.registry.actions import create_household, register_person


def item(code):
    return Item.objects.get(code=code)


def balance(center, code):
    row = StockBalance.objects.filter(center=center, item__code=code).first()
    return row.quantity if row else 0


def ledger_sum(center, code):
    return (
        StockMovement.objects.filter(center=center, item__code=code).aggregate(
            total=Sum("quantity")
        )["total"]
        or 0
    )


@pytest.fixture
def stocked(chair_a, center_a):
    return actions.receive_donation(
        actor=chair_a,
        center=center_a,
        donor_kind="company",
        donor_name="บริษัท ใจบุญ จำกัด",
        received_on=timezone.localdate(),
        lines=[
            (item("bicycle"), 10, [f"BK-{n:03d}" for n in range(1, 11)]),
            (item("consumer-kit"), 50, []),
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


def test_the_balance_is_the_ledger(stocked, center_a, chair_a, volunteer_a, household):
    assert balance(center_a, "bicycle") == 10 and balance(center_a, "consumer-kit") == 50
    pieces = list(Piece.objects.filter(item__code="bicycle").order_by("serial_number")[:2])
    member = Volunteer.objects.get(user=volunteer_a)
    for piece in pieces:
        actions.lend_piece(
            actor=chair_a,
            piece=piece,
            volunteer=member,
            condition_out="ใหม่",
            expected_return_on=timezone.localdate() + dt.timedelta(days=90),
        )
    actions.distribute_items(
        actor=chair_a, center=center_a, household=household, lines=[(item("consumer-kit"), 3)]
    )
    assert balance(center_a, "bicycle") == 8 == ledger_sum(center_a, "bicycle")
    assert balance(center_a, "consumer-kit") == 47 == ledger_sum(center_a, "consumer-kit")
    assert Piece.objects.filter(status=PieceStatus.LOANED).count() == 2
    assert assistance_totals(household=household)[0]["count"] == 1


def test_bad_input_is_refused_and_nothing_moves(
    stocked, center_a, center_b, chair_a, chair_b, household
):
    kit = item("consumer-kit")
    before = StockMovement.objects.count()
    cases = [
        (
            lambda: actions.distribute_items(
                actor=chair_a, center=center_a, household=household, lines=[(kit, -1)]
            ),
            "lines",
        ),
        (
            lambda: actions.distribute_items(
                actor=chair_a, center=center_a, household=household, lines=[(kit, 1.5)]
            ),
            "lines",
        ),
        (
            lambda: actions.distribute_items(
                actor=chair_a, center=center_a, household=household, lines=[(kit, 51)]
            ),
            "lines",
        ),
        (
            lambda: actions.distribute_items(
                actor=chair_b, center=center_a, household=household, lines=[(kit, 1)]
            ),
            "center",
        ),
        (
            lambda: actions.transfer_stock(
                actor=chair_a, from_center=center_a, to_center=center_a, item=kit, quantity=1
            ),
            "to_center",
        ),
    ]
    for call, field in cases:
        with pytest.raises(ValidationError) as error:
            call()
        assert field in error.value.message_dict
    piece = Piece.objects.filter(item__code="bicycle").first()
    actions.lend_piece(
        actor=chair_a,
        piece=piece,
        household=household,
        condition_out="ดี",
        expected_return_on=timezone.localdate(),
    )
    with pytest.raises(ValidationError):
        actions.lend_piece(
            actor=chair_a,
            piece=Piece.objects.get(pk=piece.pk),
            household=household,
            condition_out="ดี",
            expected_return_on=timezone.localdate(),
        )
    assert Loan.objects.count() == 1
    assert StockMovement.objects.count() == before + 1


def test_a_closed_period_refuses_backdated_movements(stocked, center_a, chair_a, household):
    today = timezone.localdate()
    actions.record_stock_take(
        actor=chair_a,
        center=center_a,
        counted_on=today,
        counts={item("consumer-kit"): 48},
        closes_period=True,
    )
    assert balance(center_a, "consumer-kit") == 48 == ledger_sum(center_a, "consumer-kit")
    with pytest.raises(ValidationError) as error:
        actions.record_stock_take(
            actor=chair_a, center=center_a, counted_on=today, counts={item("consumer-kit"): 47}
        )
    assert "counted_on" in error.value.message_dict


def test_a_transfer_moves_both_ledgers(stocked, center_a, center_b, chair_a):
    actions.transfer_stock(
        actor=chair_a,
        from_center=center_a,
        to_center=center_b,
        item=item("consumer-kit"),
        quantity=5,
        reason="ช่วยศูนย์ทวีวัฒนา",
    )
    assert balance(center_a, "consumer-kit") == 45 and balance(center_b, "consumer-kit") == 5


@pytest.mark.django_db(transaction=True)
def test_two_volunteers_cannot_distribute_the_last_kit_twice(chair_a, center_a, household):
    actions.receive_donation(
        actor=chair_a,
        center=center_a,
        donor_kind="anonymous",
        received_on=timezone.localdate(),
        lines=[(item("consumer-kit"), 1, [])],
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
                lines=[(item("consumer-kit"), 1)],
            )
            results.append("ok")
        except ValidationError:
            results.append("refused")
        finally:
            connections.close_all()

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        "file:memorydb"
    ):
        pass  # the in-memory test database is shared between threads; writers still serialise
    threads = [threading.Thread(target=distribute) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["ok", "refused"]
    assert balance(center_a, "consumer-kit") == 0 == ledger_sum(center_a, "consumer-kit")
