"""Every write to goods and equipment. The ledger and the balances move together, atomically.

Stock never goes negative: an outgoing movement updates the balance only where enough is left
(`UPDATE ... WHERE quantity >= n`), so of two volunteers distributing the last kit at the same
moment exactly one succeeds — PostgreSQL re-checks the condition after the first commits, and
SQLite runs writers one at a time (immediate transactions). A CHECK constraint backs it up.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from asa.accounts.access import scope_of
from asa.accounts.events import record_event
from asa.aid.models import (
    Distribution,
    DistributionLine,
    Donation,
    DonationLine,
    DonorKind,
    Item,
    Loan,
    LoanStatus,
    MovementKind,
    Piece,
    PieceStatus,
    StockBalance,
    StockMovement,
    StockTake,
)
from asa.centers.models import Center
from asa.reports.actions import mark_rollups_stale

MAXIMUM_QUANTITY = 100_000  # a typo guard for one line


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def _check_center(actor, center: Center, field: str = "center") -> None:
    """Only people working in (or supervising) the center move its stock."""
    if actor is None:
        return
    scope = scope_of(actor)
    if (
        scope.national
        or center.pk in scope.center_ids
        or center.district_id in scope.district_codes
        or center.district_id[:2] in scope.province_codes
    ):
        return
    raise ValidationError({field: "คุณไม่มีสิทธิ์ใช้คลังสิ่งของของศูนย์นี้"})


def _check_quantity(item: Item, quantity, field: str = "quantity") -> int:
    if isinstance(quantity, float) and not quantity.is_integer():
        raise ValidationError({field: f"{item.name_th} นับเป็น{item.unit} ต้องเป็นจำนวนเต็ม"})
    if isinstance(quantity, Decimal) and quantity != quantity.to_integral_value():
        raise ValidationError({field: f"{item.name_th} นับเป็น{item.unit} ต้องเป็นจำนวนเต็ม"})
    try:
        quantity = int(quantity)
    except (TypeError, ValueError) as error:
        raise ValidationError({field: "จำนวนต้องเป็นตัวเลข"}) from error
    if quantity <= 0:
        raise ValidationError({field: "จำนวนต้องมากกว่า 0"})
    if quantity > MAXIMUM_QUANTITY:
        raise ValidationError({field: "จำนวนมากผิดปกติ กรุณาตรวจสอบ"})
    return quantity


def _check_open_period(center: Center, on: dt.date, field: str) -> None:
    closed = (
        StockTake.objects.filter(center=center, closes_period=True)
        .order_by("-counted_on")
        .values_list("counted_on", flat=True)
        .first()
    )
    if closed is not None and on <= closed:
        raise ValidationError(
            {field: f"งวดบัญชีคลังปิดแล้วถึงวันที่ {closed:%d/%m/}{closed.year + 543} ไม่สามารถบันทึกย้อนหลังได้"}
        )
    if on > timezone.localdate():
        raise ValidationError({field: "วันที่ต้องไม่อยู่ในอนาคต"})


def _move(
    *,
    center: Center,
    item: Item,
    delta: int,
    kind: str,
    on: dt.date,
    actor,
    field: str = "quantity",
    **links,
) -> StockMovement:
    """Write one ledger line and move the balance with it (refusing to go below zero)."""
    if delta >= 0:
        balance, _ = StockBalance.objects.get_or_create(center=center, item=item)
        StockBalance.objects.filter(pk=balance.pk).update(quantity=F("quantity") + delta)
    else:
        try:
            with transaction.atomic():
                moved = StockBalance.objects.filter(
                    center=center, item=item, quantity__gte=-delta
                ).update(quantity=F("quantity") + delta)
        except IntegrityError:
            moved = 0
        if not moved:
            left = (
                StockBalance.objects.filter(center=center, item=item)
                .values_list("quantity", flat=True)
                .first()
                or 0
            )
            raise ValidationError(
                {
                    field: f"{item.name_th} ในคลังของศูนย์เหลือ {left} {item.unit} "
                    f"ไม่พอสำหรับ {-delta} {item.unit}"
                }
            )
    # Goods distributed and equipment out on loan are dashboard figures.
    mark_rollups_stale(center_id=center.pk, on=on)
    return StockMovement.objects.create(
        center=center,
        item=item,
        kind=kind,
        quantity=delta,
        occurred_on=on,
        recorded_by=_user(actor),
        **links,
    )


def _pending_number() -> str:
    """A unique placeholder until the row has its id (see `_number_from_id`)."""
    import uuid

    return uuid.uuid4().hex[:30]


def _number_from_id(row, prefix: str) -> None:
    """Receipt numbers come from the row id, so two receipts made at once never collide."""
    row.receipt_number = f"{prefix}{timezone.localdate().year + 543}-{row.pk:06d}"
    row.save(update_fields=["receipt_number"])


# --- In ----------------------------------------------------------------------------------------


@transaction.atomic
def receive_donation(
    *,
    actor,
    center: Center,
    donor_kind: str,
    received_on: dt.date,
    lines: Iterable[tuple[Item, int, list[str]]],
    donor_name: str = "",
    donor_agency=None,
    donor_contact: str = "",
    value_estimate=None,
    note: str = "",
) -> Donation:
    """Receive donated goods into a center's stock. Equipment lines name each piece's serial.

    `lines` holds (item, quantity, serial numbers); serials are required for equipment and
    their count must equal the quantity.
    """
    _check_center(actor, center)
    donor_kind = DonorKind(donor_kind)
    errors = {}
    if donor_kind != DonorKind.ANONYMOUS and not (donor_name.strip() or donor_agency):
        errors["donor_name"] = "กรุณากรอกชื่อผู้บริจาค (หรือเลือก “ไม่ประสงค์ออกนาม”)"
    lines = list(lines)
    if not lines:
        errors["lines"] = "กรุณาระบุสิ่งของที่รับบริจาคอย่างน้อย 1 รายการ"
    if errors:
        raise ValidationError(errors)
    _check_open_period(center, received_on, "received_on")
    cleaned = []
    for item, quantity, serials in lines:
        quantity = _check_quantity(item, quantity, "lines")
        serials = [s.strip() for s in (serials or []) if s and s.strip()]
        if item.is_equipment:
            if len(serials) != quantity:
                raise ValidationError(
                    {
                        "lines": f"{item.name_th}: กรุณาระบุหมายเลขครุภัณฑ์ "
                        f"ให้ครบ {quantity} ชิ้น (ระบุมา {len(serials)})"
                    }
                )
            if (
                len(set(serials)) != len(serials)
                or Piece.objects.filter(item=item, serial_number__in=serials).exists()
            ):
                raise ValidationError({"lines": f"{item.name_th}: หมายเลขครุภัณฑ์ซ้ำ"})
        cleaned.append((item, quantity, serials))
    estimate = value_estimate
    if estimate is None:
        estimate = sum((item.unit_value * quantity for item, quantity, _ in cleaned), Decimal("0"))
    donation = Donation.objects.create(
        center=center,
        receipt_number=_pending_number(),
        donor_kind=donor_kind,
        donor_name=donor_name.strip(),
        donor_agency=donor_agency,
        donor_contact=donor_contact.strip(),
        received_on=received_on,
        value_estimate=Decimal(estimate),
        note=note.strip(),
        recorded_by=_user(actor),
    )
    _number_from_id(donation, "D")
    for item, quantity, serials in cleaned:
        DonationLine.objects.create(donation=donation, item=item, quantity=quantity)
        if item.is_equipment:
            for serial in serials:
                piece = Piece.objects.create(item=item, serial_number=serial, center=center)
                _move(
                    center=center,
                    item=item,
                    delta=1,
                    kind=MovementKind.RECEIVED,
                    on=received_on,
                    actor=actor,
                    donation=donation,
                    piece=piece,
                )
        else:
            _move(
                center=center,
                item=item,
                delta=quantity,
                kind=MovementKind.RECEIVED,
                on=received_on,
                actor=actor,
                donation=donation,
            )
    record_event(
        actor=actor,
        action="receive_donation",
        obj=donation,
        changes={
            "center": center.code,
            "lines": [[item.code, quantity] for item, quantity, _ in cleaned],
        },
    )
    return donation


@transaction.atomic
def transfer_stock(
    *,
    actor,
    from_center: Center,
    to_center: Center,
    item: Item,
    quantity: int = 0,
    pieces: Iterable[Piece] = (),
    on: dt.date | None = None,
    reason: str = "",
) -> list[StockMovement]:
    """Move stock between centers: out of one ledger and into the other, in one transaction."""
    on = on or timezone.localdate()
    _check_center(actor, from_center, "from_center")
    if from_center.pk == to_center.pk:
        raise ValidationError({"to_center": "ศูนย์ต้นทางและปลายทางต้องไม่ใช่ศูนย์เดียวกัน"})
    _check_open_period(from_center, on, "on")
    _check_open_period(to_center, on, "on")
    movements = []
    if item.is_equipment:
        pieces = list(pieces)
        if not pieces:
            raise ValidationError({"pieces": "กรุณาเลือกชิ้นครุภัณฑ์ที่จะโอน"})
        for piece in pieces:
            _claim_piece(piece, center=from_center, field="pieces")
            Piece.objects.filter(pk=piece.pk).update(center=to_center)
            movements.append(
                _move(
                    center=from_center,
                    item=item,
                    delta=-1,
                    kind=MovementKind.TRANSFER_OUT,
                    on=on,
                    actor=actor,
                    piece=piece,
                    other_center=to_center,
                    reason=reason,
                )
            )
            movements.append(
                _move(
                    center=to_center,
                    item=item,
                    delta=1,
                    kind=MovementKind.TRANSFER_IN,
                    on=on,
                    actor=actor,
                    piece=piece,
                    other_center=from_center,
                    reason=reason,
                )
            )
    else:
        quantity = _check_quantity(item, quantity)
        movements.append(
            _move(
                center=from_center,
                item=item,
                delta=-quantity,
                kind=MovementKind.TRANSFER_OUT,
                on=on,
                actor=actor,
                other_center=to_center,
                reason=reason,
            )
        )
        movements.append(
            _move(
                center=to_center,
                item=item,
                delta=quantity,
                kind=MovementKind.TRANSFER_IN,
                on=on,
                actor=actor,
                other_center=from_center,
                reason=reason,
            )
        )
    record_event(
        actor=actor,
        action="transfer_stock",
        obj=item,
        changes={
            "from": from_center.code,
            "to": to_center.code,
            "quantity": quantity or len(list(pieces)),
        },
        reason=reason,
    )
    return movements


def _claim_piece(piece: Piece, *, center: Center, field: str) -> None:
    """Take a piece that must be in stock at `center`; refuse if it is elsewhere or out."""
    if piece.center_id != center.pk:
        raise ValidationError({field: f"{piece} ไม่ได้อยู่ที่ศูนย์นี้"})
    claimed = Piece.objects.filter(
        pk=piece.pk, status=PieceStatus.IN_STOCK, version=piece.version
    ).update(version=F("version") + 1)
    if not claimed:
        raise ValidationError({field: f"{piece} ไม่ได้อยู่ในคลัง (ถูกยืมหรือมอบไปแล้ว)"})
    piece.version += 1


# --- Out ---------------------------------------------------------------------------------------


@transaction.atomic
def distribute_items(
    *,
    actor,
    center: Center,
    lines: Iterable[tuple[Item, int]],
    distributed_on: dt.date | None = None,
    person=None,
    household=None,
    case=None,
    visit=None,
    drive=None,
    pieces: Iterable[Piece] = (),
    signature=None,
    signed_by_name: str = "",
    note: str = "",
    client_id=None,
) -> Distribution:
    """Hand goods from a center's stock to a person or household; records the help given.

    A hand-over made offline carries the phone's `client_id`: sent again, it returns the first
    distribution and moves no stock.
    """
    if client_id is not None:
        existing = Distribution.objects.filter(client_id=client_id).first()
        if existing is not None:
            return existing
    distributed_on = distributed_on or timezone.localdate()
    _check_center(actor, center)
    if person is None and household is None:
        raise ValidationError({"person": "กรุณาเลือกผู้รับหรือครัวเรือนที่รับ"})
    if case is not None and case.center_id != center.pk:
        raise ValidationError({"center": "ต้องแจกจากคลังของศูนย์ที่รับผิดชอบกรณีนี้"})
    _check_open_period(center, distributed_on, "distributed_on")
    lines = [(item, _check_quantity(item, quantity, "lines")) for item, quantity in lines]
    pieces = list(pieces)
    if not lines and not pieces:
        raise ValidationError({"lines": "กรุณาระบุสิ่งของที่มอบอย่างน้อย 1 รายการ"})
    for item, _ in lines:
        if item.is_equipment:
            raise ValidationError({"lines": f"{item.name_th} เป็นครุภัณฑ์ กรุณาเลือกเป็นรายชิ้น"})
    distribution = Distribution.objects.create(
        center=center,
        receipt_number=_pending_number(),
        person=person,
        household=household,
        case=case,
        visit=visit,
        drive=drive,
        distributed_on=distributed_on,
        signed_by_name=signed_by_name.strip(),
        note=note.strip(),
        recorded_by=_user(actor),
        client_id=client_id,
    )
    _number_from_id(distribution, "G")
    if signature is not None:
        distribution.signature.save(f"{distribution.receipt_number}.png", signature, save=True)
    for item, quantity in lines:
        DistributionLine.objects.create(distribution=distribution, item=item, quantity=quantity)
        _move(
            center=center,
            item=item,
            delta=-quantity,
            kind=MovementKind.DISTRIBUTED,
            on=distributed_on,
            actor=actor,
            distribution=distribution,
            field="lines",
        )
    for piece in pieces:
        _claim_piece(piece, center=center, field="pieces")
        Piece.objects.filter(pk=piece.pk).update(status=PieceStatus.DISTRIBUTED)
        DistributionLine.objects.create(
            distribution=distribution, item=piece.item, quantity=1, piece=piece
        )
        _move(
            center=center,
            item=piece.item,
            delta=-1,
            kind=MovementKind.DISTRIBUTED,
            on=distributed_on,
            actor=actor,
            distribution=distribution,
            piece=piece,
        )
    described = ", ".join(
        [f"{item.name_th} {quantity} {item.unit}" for item, quantity in lines]
        + [str(piece) for piece in pieces]
    )
    _record_help(
        actor=actor,
        center=center,
        person=person,
        household=household,
        case=case,
        description=f"มอบสิ่งของ: {described}",
        given_on=distributed_on,
    )
    record_event(
        actor=actor,
        action="distribute_items",
        obj=distribution,
        changes={
            "center": center.code,
            "person": getattr(person, "pk", None),
            "household": getattr(household, "pk", None),
            "lines": [[item.code, quantity] for item, quantity in lines],
            "pieces": [piece.pk for piece in pieces],
        },
    )
    return distribution


def _record_help(*, actor, center, person, household, case, description, given_on) -> None:
    """Put goods and loans on the person's and household's assistance ledger (casework)."""
    from asa.cases.models import Assistance, AssistanceKind

    recipient = person or (household.head if household is not None else None)
    if recipient is None:
        raise ValidationError({"household": "ครัวเรือนนี้ยังไม่มีหัวหน้าครัวเรือน กรุณาระบุผู้รับ"})
    if household is None:
        membership = recipient.memberships.filter(ended_on__isnull=True).first()
        household = membership.household if membership else None
    Assistance.objects.create(
        case=case,
        person=recipient,
        household=household,
        center=center,
        kind=AssistanceKind.GOODS,
        description=description[:500],
        given_on=given_on,
        provider=center.name_th,
        recorded_by=_user(actor),
    )


@transaction.atomic
def lend_piece(
    *,
    actor,
    piece: Piece,
    expected_return_on: dt.date,
    condition_out: str,
    volunteer=None,
    person=None,
    household=None,
    case=None,
    loaned_on: dt.date | None = None,
) -> Loan:
    """Lend a piece of equipment to a volunteer, a person or a household."""
    loaned_on = loaned_on or timezone.localdate()
    center = piece.center
    _check_center(actor, center, "piece")
    errors = {}
    if not (volunteer or person or household):
        errors["volunteer"] = "กรุณาเลือกผู้ยืม (อพม. บุคคล หรือครัวเรือน)"
    if volunteer is not None and volunteer.center_id != center.pk:
        errors["volunteer"] = "ผู้ยืมต้องเป็น อพม. ของศูนย์ที่เป็นเจ้าของอุปกรณ์"
    if expected_return_on < loaned_on:
        errors["expected_return_on"] = "กำหนดคืนต้องไม่ก่อนวันที่ยืม"
    if not condition_out.strip():
        errors["condition_out"] = "กรุณาบันทึกสภาพอุปกรณ์ตอนยืม"
    if errors:
        raise ValidationError(errors)
    _check_open_period(center, loaned_on, "loaned_on")
    _claim_piece(piece, center=center, field="piece")
    Piece.objects.filter(pk=piece.pk).update(
        status=PieceStatus.LOANED, condition=condition_out.strip()
    )
    try:
        with transaction.atomic():
            loan = Loan.objects.create(
                piece=piece,
                center=center,
                volunteer=volunteer,
                person=person,
                household=household,
                case=case,
                loaned_on=loaned_on,
                expected_return_on=expected_return_on,
                condition_out=condition_out.strip(),
                recorded_by=_user(actor),
            )
    except IntegrityError as error:
        raise ValidationError({"piece": f"{piece} ถูกยืมอยู่แล้ว"}) from error
    _move(
        center=center,
        item=piece.item,
        delta=-1,
        kind=MovementKind.LOANED,
        on=loaned_on,
        actor=actor,
        loan=loan,
        piece=piece,
        field="piece",
    )
    if person is not None or household is not None:
        _record_help(
            actor=actor,
            center=center,
            person=person,
            household=household,
            case=case,
            description=f"ยืม{piece} กำหนดคืน {expected_return_on:%d/%m/}"
            f"{expected_return_on.year + 543}",
            given_on=loaned_on,
        )
    record_event(
        actor=actor,
        action="lend_piece",
        obj=piece,
        changes={
            "loan": loan.pk,
            "volunteer": getattr(volunteer, "pk", None),
            "person": getattr(person, "pk", None),
            "household": getattr(household, "pk", None),
            "expected_return_on": expected_return_on,
        },
    )
    return loan


@transaction.atomic
def return_piece(
    *, actor, loan: Loan, condition_in: str, returned_on: dt.date | None = None
) -> Loan:
    returned_on = returned_on or timezone.localdate()
    _check_center(actor, loan.center, "loan")
    if loan.status != LoanStatus.OUT:
        raise ValidationError({"loan": "อุปกรณ์ชิ้นนี้คืนแล้ว"})
    if returned_on < loan.loaned_on:
        raise ValidationError({"returned_on": "วันที่คืนต้องไม่ก่อนวันที่ยืม"})
    if not condition_in.strip():
        raise ValidationError({"condition_in": "กรุณาบันทึกสภาพอุปกรณ์ตอนคืน"})
    _check_open_period(loan.center, returned_on, "returned_on")
    updated = Loan.objects.filter(pk=loan.pk, status=LoanStatus.OUT).update(
        status=LoanStatus.RETURNED, returned_on=returned_on, condition_in=condition_in.strip()
    )
    if not updated:
        raise ValidationError({"loan": "อุปกรณ์ชิ้นนี้คืนแล้ว"})
    Piece.objects.filter(pk=loan.piece_id).update(
        status=PieceStatus.IN_STOCK, condition=condition_in.strip(), version=F("version") + 1
    )
    _move(
        center=loan.center,
        item=loan.piece.item,
        delta=1,
        kind=MovementKind.RETURNED,
        on=returned_on,
        actor=actor,
        loan=loan,
        piece=loan.piece,
    )
    loan.refresh_from_db()
    record_event(
        actor=actor,
        action="return_piece",
        obj=loan.piece,
        changes={"loan": loan.pk, "condition_in": condition_in.strip()},
    )
    return loan


@transaction.atomic
def write_off(
    *,
    actor,
    center: Center,
    item: Item,
    reason: str,
    quantity: int = 0,
    piece: Piece | None = None,
    on: dt.date | None = None,
) -> StockMovement:
    """Remove broken, expired or lost stock from the ledger, with a reason."""
    on = on or timezone.localdate()
    _check_center(actor, center)
    if not reason.strip():
        raise ValidationError({"reason": "กรุณาระบุเหตุผลการตัดจำหน่าย"})
    _check_open_period(center, on, "on")
    if item.is_equipment:
        if piece is None:
            raise ValidationError({"piece": "กรุณาเลือกชิ้นครุภัณฑ์ที่ตัดจำหน่าย"})
        _claim_piece(piece, center=center, field="piece")
        Piece.objects.filter(pk=piece.pk).update(status=PieceStatus.WRITTEN_OFF)
        movement = _move(
            center=center,
            item=item,
            delta=-1,
            kind=MovementKind.WRITTEN_OFF,
            on=on,
            actor=actor,
            piece=piece,
            reason=reason.strip(),
        )
    else:
        quantity = _check_quantity(item, quantity)
        movement = _move(
            center=center,
            item=item,
            delta=-quantity,
            kind=MovementKind.WRITTEN_OFF,
            on=on,
            actor=actor,
            reason=reason.strip(),
        )
    record_event(
        actor=actor,
        action="write_off",
        obj=item,
        changes={"center": center.code, "quantity": movement.quantity},
        reason=reason.strip(),
    )
    return movement


@transaction.atomic
def record_stock_take(
    *,
    actor,
    center: Center,
    counts: dict[Item, int],
    counted_on: dt.date | None = None,
    closes_period: bool = False,
) -> StockTake:
    """Record a count; each difference from the ledger becomes an adjustment movement."""
    counted_on = counted_on or timezone.localdate()
    _check_center(actor, center)
    _check_open_period(center, counted_on, "counted_on")
    summary = {}
    for item, counted in counts.items():
        if item.is_equipment:
            raise ValidationError({"counts": f"{item.name_th} เป็นครุภัณฑ์ ตรวจนับรายชิ้นที่หน้าครุภัณฑ์"})
        try:
            counted = int(counted)
        except (TypeError, ValueError) as error:
            raise ValidationError({"counts": f"{item.name_th}: จำนวนต้องเป็นตัวเลข"}) from error
        if counted < 0:
            raise ValidationError({"counts": f"{item.name_th}: จำนวนนับต้องไม่ติดลบ"})
        expected = (
            StockBalance.objects.select_for_update()
            .filter(center=center, item=item)
            .values_list("quantity", flat=True)
            .first()
            or 0
        )
        if counted != expected:
            _move(
                center=center,
                item=item,
                delta=counted - expected,
                kind=MovementKind.COUNT_ADJUSTMENT,
                on=counted_on,
                actor=actor,
                reason="ปรับยอดตามการตรวจนับ",
                field="counts",
            )
        summary[str(item.pk)] = [expected, counted]
    take = StockTake.objects.create(
        center=center,
        counted_on=counted_on,
        counts=summary,
        closes_period=closes_period,
        recorded_by=_user(actor),
    )
    record_event(
        actor=actor,
        action="record_stock_take",
        obj=take,
        changes={"center": center.code, "counts": summary, "closes_period": closes_period},
    )
    return take


@transaction.atomic
def set_low_stock_threshold(*, actor, center: Center, item: Item, threshold: int) -> None:
    _check_center(actor, center)
    if int(threshold) < 0:
        raise ValidationError({"threshold": "ค่าแจ้งเตือนต้องไม่ติดลบ"})
    balance, _ = StockBalance.objects.get_or_create(center=center, item=item)
    balance.low_stock_threshold = int(threshold)
    balance.save(update_fields=["low_stock_threshold"])
    record_event(
        actor=actor,
        action="set_low_stock_threshold",
        obj=item,
        changes={"center": center.code, "threshold": int(threshold)},
    )


def may_use_stock(actor, center: Center) -> bool:
    """For pages: whether to offer this center's goods (hand-over links from a case or visit)."""
    try:
        _check_center(actor, center)
    except ValidationError:
        return False
    return True


def require_center_member(actor, center: Center) -> None:
    """For views: refuse (403) someone who cannot move this center's stock."""
    try:
        _check_center(actor, center)
    except ValidationError as error:
        raise PermissionDenied from error


@transaction.atomic
def plan_distribution_drive(
    *, actor, center: Center, title: str, planned_on: dt.date, households: Iterable = ()
):
    """Plan a distribution drive (e.g. the monthly one) with the households it should reach."""
    from asa.aid.models import DistributionDrive

    _check_center(actor, center)
    if not title.strip():
        raise ValidationError({"title": "กรุณาระบุชื่อกิจกรรม"})
    households = list(households)
    outside = [household for household in households if household.center_id != center.pk]
    if outside:
        raise ValidationError({"households": "ครัวเรือนต้องอยู่ในความดูแลของศูนย์นี้"})
    drive = DistributionDrive.objects.create(
        center=center, title=title.strip(), planned_on=planned_on
    )
    drive.households.set(households)
    record_event(
        actor=actor,
        action="plan_distribution_drive",
        obj=drive,
        changes={
            "center": center.code,
            "planned_on": planned_on,
            "households": [household.pk for household in households],
        },
    )
    return drive
