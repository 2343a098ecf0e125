"""Demo goods: what the openings of Bang Khen (11 March 2562) and Thawi Watthana (12 March 2562)
handed to the chairs — bicycles with serial numbers and consumer-goods kits from the ministry —
a few loans of bicycles to volunteers, kits given to demo households, low-stock thresholds.

Idempotent: a center that already has its opening donation is left as it is.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from asa.aid import actions
from asa.aid.models import Donation, Item, Piece, PieceStatus
from asa.centers.models import Center, Volunteer, VolunteerRole, VolunteerStatus

MINISTRY = "กรมพัฒนาสังคมและสวัสดิการ (พส.) กระทรวงการพัฒนาสังคมและความมั่นคงของมนุษย์"
OPENING_NOTE = "มอบในพิธีเปิดศูนย์ประสานงาน อพม."
OPENINGS = [("BKK-1005", "BK", 10, 50), ("BKK-1048", "TW", 8, 40)]
THRESHOLDS = {"consumer-kit": 20, "rice-5kg": 10, "milk-powder": 5}


@transaction.atomic
def load_aid_demo(*, stdout=None) -> None:
    say = stdout.write if stdout else (lambda text: None)
    bicycle, kit = Item.objects.get(code="bicycle"), Item.objects.get(code="consumer-kit")
    rice = Item.objects.get(code="rice-5kg")
    for code, prefix, bicycles, kits in OPENINGS:
        center = Center.objects.filter(code=code).first()
        if center is None or Donation.objects.filter(center=center, note=OPENING_NOTE).exists():
            continue
        opened = center.opened_on
        actions.receive_donation(
            actor=None,
            center=center,
            donor_kind="agency",
            donor_name=MINISTRY,
            received_on=opened,
            note=OPENING_NOTE,
            lines=[
                (bicycle, bicycles, [f"{prefix}-2562-{n:03d}" for n in range(1, bicycles + 1)]),
                (kit, kits, []),
            ],
        )
        actions.receive_donation(
            actor=None,
            center=center,
            donor_kind="company",
            donor_name="บริษัท ข้าวไทยใจดี จำกัด",
            received_on=opened + dt.timedelta(days=30),
            lines=[(rice, 30, [])],
        )
        for item_code, threshold in THRESHOLDS.items():
            actions.set_low_stock_threshold(
                actor=None,
                center=center,
                item=Item.objects.get(code=item_code),
                threshold=threshold,
            )
        _lend_bicycles(center, opened)
        given = _give_kits(center, kit)
        say(
            f"Goods: {center.code} received {bicycles} bicycles and {kits} kits"
            f" on its opening day; {given} households received kits.\n"
        )


def _lend_bicycles(center: Center, opened: dt.date) -> None:
    """The chair and two volunteers took bicycles for home visits; one is past its return date."""
    volunteers = list(
        Volunteer.objects.filter(center=center, status=VolunteerStatus.ACTIVE).order_by("pk")[:3]
    )
    chair = Volunteer.objects.filter(center=center, role=VolunteerRole.CHAIR).first()
    if chair is not None and chair not in volunteers:
        volunteers = [chair, *volunteers[:2]]
    pieces = Piece.objects.filter(center=center, item__code="bicycle", status=PieceStatus.IN_STOCK)
    today = timezone.localdate()
    returns = [dt.date(2027, 3, 31), dt.date(2027, 3, 31), dt.date(2026, 9, 30)]
    for volunteer, piece, expected in zip(volunteers, list(pieces[:3]), returns, strict=False):
        actions.lend_piece(
            actor=None,
            piece=piece,
            volunteer=volunteer,
            loaned_on=opened,
            expected_return_on=expected if expected >= opened else today,
            condition_out="ใหม่ ได้รับในพิธีเปิดศูนย์",
        )


def _give_kits(center: Center, kit: Item) -> int:
    """Kits for a few of the demo households of the center (none if the registry demo has none)."""
    from asa.registry.models import Household

    households = list(
        Household.objects.filter(center=center, head__isnull=False).order_by("pk")[:3]
    )
    on = min(dt.date(2026, 6, 1), timezone.localdate())
    for household in households:
        actions.distribute_items(
            actor=None,
            center=center,
            household=household,
            lines=[(kit, 1)],
            distributed_on=on,
            signed_by_name=household.head.full_name,
            note="แจกถุงยังชีพประจำเดือน",
        )
    return len(households)
