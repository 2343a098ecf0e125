"""Goods and equipment over JSON. Thin: parse, check access, call an action or a query.

Reads go through `asa.accounts.access` (`visible`, `get_for`); writes through `asa.aid.actions`.
Naming a center, item, piece, person or household you may not use in the body is a 422 on that
field (its existence is not revealed); one object by id outside your scope is a 404.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Router, Status
from ninja.pagination import LimitOffsetPagination, paginate

from asa.accounts.access import get_for, visible
from asa.aid import actions, queries
from asa.aid.forms import _png_from_data_url
from asa.aid.models import Item, LoanStatus
from asa.aid.schemas import (
    BalanceOut,
    DistributionIn,
    DistributionOut,
    DonationIn,
    DonationOut,
    DriveDetailOut,
    DriveIn,
    DriveOut,
    ItemOut,
    LoanIn,
    LoanOut,
    MovementOut,
    MovementRef,
    PieceOut,
    ReturnIn,
    StockTakeIn,
    StockTakeOut,
    StockTransferIn,
    ThresholdIn,
    WriteOffIn,
)
from asa.centers.models import Center, Volunteer
from asa.lib.thai import ThaiDateError, check_ce_date
from asa.lib.thai_order import thai_order

router = Router(tags=["goods"])

NOT_YOURS = "ไม่พบ หรือคุณไม่มีสิทธิ์ใช้ข้อมูลนี้"


def _one(user, queryset, pk, field: str):
    """An object named in a request body, through the access layer; else 422 on the field."""
    if pk is None:
        return None
    found = visible(user, queryset).filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: NOT_YOURS})
    return found


def _center(user, pk: int, field: str = "center") -> Center:
    center = _one(user, Center.objects.all(), pk, field)
    try:
        actions.require_center_member(user, center)
    except Exception:
        raise ValidationError({field: "คุณไม่มีสิทธิ์ใช้คลังสิ่งของของศูนย์นี้"}) from None
    return center


def _item(pk: int, field: str) -> Item:
    # The catalogue is shared reference data: a direct lookup is no leak.
    found = Item.objects.filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: f"ไม่พบสิ่งของรหัส {pk}"})
    return found


def _pieces(user, ids: list[int], field: str = "pieces") -> list:
    pieces = list(queries.pieces_for(user).filter(pk__in=set(ids)))
    if len(pieces) != len(set(ids)):
        raise ValidationError({field: NOT_YOURS})
    return pieces


# --- Catalogue and stock -----------------------------------------------------------------------


@router.get("/items", response=list[ItemOut], summary="The catalogue of goods and equipment")
@paginate(LimitOffsetPagination)
def list_items(request, kind: str | None = None, category: str | None = None):
    items = queries.catalogue()
    if kind:
        items = items.filter(kind=kind)
    if category:
        items = items.filter(category__code=category)
    return items


@router.get("/items/{item_id}", response=ItemOut)
def get_item(request, item_id: int):
    return get_for(request.auth, queries.catalogue(), item_id)


@router.get(
    "/stock",
    response=list[BalanceOut],
    summary="Balances per center and item (those you may see)",
    description="`low=true`: only items at or below their low-stock threshold.",
)
@paginate(LimitOffsetPagination)
def list_stock(request, center: int | None = None, item: int | None = None, low: bool = False):
    balances = queries.balances_for(request.auth)
    if center is not None:
        balances = balances.filter(center_id=center)
    if item is not None:
        balances = balances.filter(item_id=item)
    if low:
        from django.db.models import F

        balances = balances.filter(
            low_stock_threshold__gt=0, quantity__lte=F("low_stock_threshold")
        )
    return balances


@router.get(
    "/stock/movements",
    response=list[MovementOut],
    summary="The stock ledger, newest first",
)
@paginate(LimitOffsetPagination)
def list_movements(request, center: int | None = None, item: int | None = None):
    movements = queries.movements_for(request.auth).select_related("piece")
    if center is not None:
        movements = movements.filter(center_id=center)
    if item is not None:
        movements = movements.filter(item_id=item)
    return movements


@router.get("/pieces", response=list[PieceOut], summary="Pieces of equipment and where they are")
@paginate(LimitOffsetPagination)
def list_pieces(
    request,
    center: int | None = None,
    item: int | None = None,
    status: str | None = None,
):
    pieces = queries.pieces_for(request.auth).order_by(thai_order("item__name_th"), "serial_number")
    if center is not None:
        pieces = pieces.filter(center_id=center)
    if item is not None:
        pieces = pieces.filter(item_id=item)
    if status:
        pieces = pieces.filter(status=status)
    return pieces


# --- Donations ---------------------------------------------------------------------------------


@router.get("/donations", response=list[DonationOut])
@paginate(LimitOffsetPagination)
def list_donations(request, center: int | None = None):
    donations = queries.donations_for(request.auth)
    if center is not None:
        donations = donations.filter(center_id=center)
    return donations


@router.get("/donations/{donation_id}", response=DonationOut)
def get_donation(request, donation_id: int):
    return get_for(request.auth, queries.donations_for(request.auth), donation_id)


@router.post(
    "/donations",
    response={201: DonationOut},
    summary="Receive a donation into a center's stock",
    description=(
        "Equipment lines give one serial number per piece. A center you may not use, a "
        "fraction or negative quantity, missing or repeated serials: 422 naming the field."
    ),
)
def create_donation(request, payload: DonationIn):
    from asa.referrals.models import Agency

    user = request.auth
    center = _center(user, payload.center)
    agency = _one(user, Agency.objects.all(), payload.donor_agency, "donor_agency")
    donation = actions.receive_donation(
        actor=user,
        center=center,
        donor_kind=payload.donor_kind,
        donor_name=payload.donor_name,
        donor_agency=agency,
        donor_contact=payload.donor_contact,
        received_on=payload.received_on,
        value_estimate=payload.value_estimate,
        note=payload.note,
        lines=[
            (_item(line.item, "lines"), line.quantity, line.serial_numbers)
            for line in payload.lines
        ],
    )
    return Status(201, get_donation(request, donation.pk))


# --- Distributions -----------------------------------------------------------------------------


@router.get("/distributions", response=list[DistributionOut])
@paginate(LimitOffsetPagination)
def list_distributions(
    request,
    center: int | None = None,
    household: int | None = None,
    person: int | None = None,
    case: int | None = None,
):
    distributions = queries.distributions_for(request.auth)
    for name, value in (
        ("center_id", center),
        ("household_id", household),
        ("person_id", person),
        ("case_id", case),
    ):
        if value is not None:
            distributions = distributions.filter(**{name: value})
    return distributions


@router.get("/distributions/{distribution_id}", response=DistributionOut)
def get_distribution(request, distribution_id: int):
    return get_for(request.auth, queries.distributions_for(request.auth), distribution_id)


@router.post(
    "/distributions",
    response={201: DistributionOut},
    summary="Hand goods to a person or household",
    description=(
        "Consumables in `lines`, equipment as `pieces`. Not enough left, another center's "
        "stock or recipient, a fraction: 422 naming the field. `signature`: PNG data URL."
    ),
)
def create_distribution(request, payload: DistributionIn):
    from asa.cases.models import Case, Visit
    from asa.registry.models import Household, Person

    user = request.auth
    center = _center(user, payload.center)
    visit = _one(user, Visit.objects.select_related("case"), payload.visit, "visit")
    case = _one(user, Case.objects.all(), payload.case, "case") or (visit.case if visit else None)
    person = _one(user, Person.objects.all(), payload.person, "person")
    household = _one(user, Household.objects.all(), payload.household, "household")
    if case is not None and person is None and household is None:
        person, household = case.person, case.household
    drive = _one(user, queries.drives_for(user).filter(center=center), payload.drive, "drive")
    signature = None
    if payload.signature:
        try:
            signature = _png_from_data_url(payload.signature)
        except ValidationError as error:
            raise ValidationError({"signature": error.messages}) from None
    distribution = actions.distribute_items(
        actor=user,
        center=center,
        lines=[(_item(line.item, "lines"), line.quantity) for line in payload.lines],
        pieces=_pieces(user, payload.pieces),
        distributed_on=payload.distributed_on,
        person=person,
        household=household,
        case=case,
        visit=visit,
        drive=drive,
        signature=signature,
        signed_by_name=payload.signed_by_name,
        note=payload.note,
    )
    return Status(201, get_distribution(request, distribution.pk))


# --- Distribution drives -----------------------------------------------------------------------


def _drives(user):
    return queries.drives_for(user).prefetch_related("households")


@router.get(
    "/drives",
    response=list[DriveOut],
    summary="Planned distribution drives (those you may see), latest first",
)
@paginate(LimitOffsetPagination)
def list_drives(request, center: int | None = None):
    drives = _drives(request.auth)
    if center is not None:
        drives = drives.filter(center_id=center)
    return drives


@router.get("/drives/{drive_id}", response=DriveDetailOut)
def get_drive(request, drive_id: int):
    return get_for(request.auth, _drives(request.auth), drive_id)


@router.post(
    "/drives",
    response={201: DriveDetailOut},
    summary="Plan a distribution drive with the households it should reach",
    description=(
        "For the center's members (as on its drives page). A center you may not use, a "
        "household you may not see or of another center: 422 naming the field."
    ),
)
def create_drive(request, payload: DriveIn):
    from asa.registry.models import Household

    user = request.auth
    center = _center(user, payload.center)
    try:
        check_ce_date(payload.planned_on)
    except ThaiDateError as error:
        raise ValidationError({"planned_on": str(error)}) from None
    wanted = set(payload.households)
    households = list(visible(user, Household.objects.all()).filter(pk__in=wanted))
    if len(households) != len(wanted):
        raise ValidationError({"households": NOT_YOURS})
    drive = actions.plan_distribution_drive(
        actor=user,
        center=center,
        title=payload.title,
        planned_on=payload.planned_on,
        households=households,
    )
    return Status(201, get_drive(request, drive.pk))


# --- Loans -------------------------------------------------------------------------------------


@router.get(
    "/loans",
    response=list[LoanOut],
    description="`overdue=true`: out past the expected return date; `status=out|returned|lost`.",
)
@paginate(LimitOffsetPagination)
def list_loans(
    request,
    center: int | None = None,
    overdue: bool = False,
    status: LoanStatus | None = None,
    volunteer: int | None = None,
    household: int | None = None,
):
    loans = queries.loans_for(request.auth)
    if center is not None:
        loans = loans.filter(center_id=center)
    if status:
        loans = loans.filter(status=status)
    if volunteer is not None:
        loans = loans.filter(volunteer_id=volunteer)
    if household is not None:
        loans = loans.filter(household_id=household)
    if overdue:
        loans = queries.overdue(loans, today=timezone.localdate()).order_by("expected_return_on")
    return loans


def _loan(user, loan_id: int):
    return get_for(user, queries.loans_for(user), loan_id)


@router.post(
    "/loans",
    response={201: LoanOut},
    summary="Lend a piece of equipment",
    description="A piece already out, or another center's piece: 422 naming `piece`.",
)
def create_loan(request, payload: LoanIn):
    from asa.cases.models import Case
    from asa.registry.models import Household, Person

    user = request.auth
    piece = _pieces(user, [payload.piece], "piece")[0]
    try:
        actions.require_center_member(user, piece.center)
    except Exception:
        raise ValidationError({"piece": NOT_YOURS}) from None
    loan = actions.lend_piece(
        actor=user,
        piece=piece,
        volunteer=_one(user, Volunteer.objects.all(), payload.volunteer, "volunteer"),
        person=_one(user, Person.objects.all(), payload.person, "person"),
        household=_one(user, Household.objects.all(), payload.household, "household"),
        case=_one(user, Case.objects.all(), payload.case, "case"),
        loaned_on=payload.loaned_on,
        expected_return_on=payload.expected_return_on,
        condition_out=payload.condition_out,
    )
    return Status(201, _loan(user, loan.pk))


@router.post("/loans/{loan_id}/return", response=LoanOut, summary="Take a lent piece back")
def return_loan(request, loan_id: int, payload: ReturnIn):
    user = request.auth
    loan = _loan(user, loan_id)
    actions.require_center_member(user, loan.center)
    actions.return_piece(
        actor=user, loan=loan, condition_in=payload.condition_in, returned_on=payload.returned_on
    )
    return _loan(user, loan.pk)


# --- Transfers and stock takes -----------------------------------------------------------------


@router.post(
    "/transfers",
    response={201: list[MovementRef]},
    summary="Move stock from one center to another",
    description="The same center at both ends: 422 naming `to_center`.",
)
def create_transfer(request, payload: StockTransferIn):
    user = request.auth
    from_center = _center(user, payload.from_center, "from_center")
    # Any center may receive; the destination is named, not read.
    to_center = Center.objects.filter(pk=payload.to_center).first()
    if to_center is None:
        raise ValidationError({"to_center": "ไม่พบศูนย์ปลายทาง"})
    movements = actions.transfer_stock(
        actor=user,
        from_center=from_center,
        to_center=to_center,
        item=_item(payload.item, "item"),
        quantity=payload.quantity,
        pieces=_pieces(user, payload.pieces),
        on=payload.on,
        reason=payload.reason,
    )
    return Status(201, movements)


@router.post(
    "/write-offs",
    response={201: MovementRef},
    summary="Remove broken, expired or lost stock from the ledger, with a reason",
    description="Goods by `quantity`, equipment by `piece`. A closed period: 422 naming `on`.",
)
def create_write_off(request, payload: WriteOffIn):
    user = request.auth
    center = _center(user, payload.center)
    piece = _pieces(user, [payload.piece], "piece")[0] if payload.piece is not None else None
    movement = actions.write_off(
        actor=user,
        center=center,
        item=_item(payload.item, "item"),
        quantity=payload.quantity,
        piece=piece,
        on=payload.on,
        reason=payload.reason,
    )
    return Status(201, movement)


@router.post(
    "/stock-thresholds",
    response={204: None},
    summary="Set the low-stock threshold of an item at a center (0: no warning)",
)
def set_threshold(request, payload: ThresholdIn):
    user = request.auth
    center = _center(user, payload.center)
    actions.set_low_stock_threshold(
        actor=user, center=center, item=_item(payload.item, "item"), threshold=payload.threshold
    )
    return Status(204, None)


@router.post(
    "/stock-takes",
    response={201: StockTakeOut},
    summary="Record a count; differences become adjustment movements",
    description="A date on or before a closed period: 422 naming `counted_on`.",
)
def create_stock_take(request, payload: StockTakeIn):
    user = request.auth
    center = _center(user, payload.center)
    counts = {_item(count.item, "counts"): count.counted for count in payload.counts}
    take = actions.record_stock_take(
        actor=user,
        center=center,
        counts=counts,
        counted_on=payload.counted_on,
        closes_period=payload.closes_period,
    )
    return Status(201, take)
