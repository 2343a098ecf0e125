"""Input and output of the goods and equipment API. One schema per direction (STYLE.md).

Quantities are whole numbers of the item's unit: a fraction or a negative number is a 422 naming
the field. Dates are ISO, Common Era.
"""

import datetime as dt
from decimal import Decimal

from ninja import Field, Schema

from asa.aid.models import DonorKind, ItemKind, LoanStatus, MovementKind, PieceStatus
from asa.centers.schemas import CenterRef, InputSchema


class CategoryOut(Schema):
    id: int
    code: str
    name_th: str
    name_en: str


class ItemOut(Schema):
    id: int
    code: str
    name_th: str
    name_en: str
    category: CategoryOut
    kind: ItemKind
    unit: str
    unit_value: Decimal
    is_active: bool


class ItemRef(Schema):
    id: int
    code: str
    name_th: str
    unit: str


class BalanceOut(Schema):
    center: CenterRef
    item: ItemRef
    quantity: int
    low_stock_threshold: int
    is_low: bool

    @staticmethod
    def resolve_is_low(obj):
        return obj.low_stock_threshold > 0 and obj.quantity <= obj.low_stock_threshold


class MovementOut(Schema):
    id: int
    center_id: int
    item: ItemRef
    kind: MovementKind
    quantity: int
    piece_id: int | None
    serial_number: str | None
    donation_id: int | None
    distribution_id: int | None
    loan_id: int | None
    other_center_id: int | None
    occurred_on: dt.date
    reason: str

    @staticmethod
    def resolve_serial_number(obj):
        return obj.piece.serial_number if obj.piece_id else None


class PieceOut(Schema):
    id: int
    item: ItemRef
    serial_number: str
    center_id: int
    status: PieceStatus
    condition: str
    loan_id: int | None

    @staticmethod
    def resolve_loan_id(obj):
        loans = getattr(obj, "open_loans", None) or []
        return loans[0].pk if loans else None


class LineOut(Schema):
    item: ItemRef
    quantity: int
    piece_id: int | None = None


class DonationOut(Schema):
    id: int
    receipt_number: str
    center: CenterRef
    donor_kind: DonorKind
    donor_name: str
    donor_agency_id: int | None
    received_on: dt.date
    value_estimate: Decimal
    note: str
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())


class DistributionOut(Schema):
    id: int
    receipt_number: str
    center: CenterRef
    person_id: int | None
    household_id: int | None
    case_id: int | None
    visit_id: int | None
    drive_id: int | None
    distributed_on: dt.date
    signed_by_name: str
    has_signature: bool
    note: str
    lines: list[LineOut]

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())

    @staticmethod
    def resolve_has_signature(obj):
        return bool(obj.signature)


class LoanOut(Schema):
    id: int
    center_id: int
    piece: PieceOut
    volunteer_id: int | None
    person_id: int | None
    household_id: int | None
    case_id: int | None
    loaned_on: dt.date
    expected_return_on: dt.date
    condition_out: str
    returned_on: dt.date | None
    condition_in: str
    status: LoanStatus
    is_overdue: bool

    @staticmethod
    def resolve_is_overdue(obj):
        from django.utils import timezone

        return obj.status == LoanStatus.OUT and obj.expected_return_on < timezone.localdate()


class StockTakeOut(Schema):
    id: int
    center_id: int
    counted_on: dt.date
    counts: dict
    closes_period: bool


# --- Input -------------------------------------------------------------------------------------


class DonationLineIn(InputSchema):
    item: int = Field(..., description="item id")
    # A number, so that 1.5 reaches the action and is refused in Thai naming `lines`.
    quantity: float
    serial_numbers: list[str] = Field(default_factory=list, max_length=1000)


class DonationIn(InputSchema):
    center: int
    donor_kind: DonorKind
    donor_name: str = Field("", max_length=200)
    donor_agency: int | None = None
    donor_contact: str = Field("", max_length=300)
    received_on: dt.date
    value_estimate: Decimal | None = Field(None, ge=0, max_digits=12, decimal_places=2)
    note: str = Field("", max_length=2000)
    lines: list[DonationLineIn] = Field(..., max_length=30)


class DistributionLineIn(InputSchema):
    item: int
    quantity: float


class DistributionIn(InputSchema):
    center: int
    person: int | None = None
    household: int | None = None
    case: int | None = None
    visit: int | None = None
    drive: int | None = None
    distributed_on: dt.date | None = None
    lines: list[DistributionLineIn] = Field(default_factory=list, max_length=30)
    pieces: list[int] = Field(default_factory=list, max_length=100)
    signed_by_name: str = Field("", max_length=200)
    signature: str = Field("", description="the drawn signature as a PNG data URL")
    note: str = Field("", max_length=2000)


class LoanIn(InputSchema):
    piece: int
    volunteer: int | None = None
    person: int | None = None
    household: int | None = None
    case: int | None = None
    loaned_on: dt.date | None = None
    expected_return_on: dt.date
    condition_out: str = Field(..., max_length=200)


class ReturnIn(InputSchema):
    returned_on: dt.date | None = None
    condition_in: str = Field(..., max_length=200)


class StockTransferIn(InputSchema):
    from_center: int
    to_center: int
    item: int
    quantity: float = 0
    pieces: list[int] = Field(default_factory=list, max_length=100)
    on: dt.date | None = None
    reason: str = Field("", max_length=300)


class WriteOffIn(InputSchema):
    center: int
    item: int
    quantity: int = Field(0, ge=0, description="for goods; equipment is written off by `piece`")
    piece: int | None = None
    on: dt.date | None = None
    reason: str = Field(..., max_length=300)


class ThresholdIn(InputSchema):
    center: int
    item: int
    threshold: int = Field(..., ge=0, le=1_000_000)


class CountIn(InputSchema):
    item: int
    counted: int


class StockTakeIn(InputSchema):
    center: int
    counted_on: dt.date | None = None
    counts: list[CountIn] = Field(..., max_length=200)
    closes_period: bool = False


class MovementRef(Schema):
    id: int
    center_id: int
    kind: MovementKind
    quantity: int


# --- Distribution drives -----------------------------------------------------------------------


class DriveOut(Schema):
    id: int
    center: CenterRef
    title: str
    planned_on: dt.date
    household_count: int = Field(description="Households the drive should reach")
    created_at: dt.datetime

    @staticmethod
    def resolve_household_count(obj) -> int:
        return len(obj.households.all())


class DriveHouseholdOut(Schema):
    household_id: int
    code: str
    distribution_id: int | None = Field(description="The receipt's distribution; null: not yet")
    receipt_number: str | None


class DriveDetailOut(DriveOut):
    """One drive: each household and whether it has received (by which receipt)."""

    households: list[DriveHouseholdOut]

    @staticmethod
    def resolve_households(obj) -> list[dict]:
        from asa.aid.queries import drive_progress

        return [
            {
                "household_id": row["household"].pk,
                "code": row["household"].code,
                "distribution_id": row["distribution"][0] if row["distribution"] else None,
                "receipt_number": row["distribution"][1] if row["distribution"] else None,
            }
            for row in drive_progress(obj)
        ]


class DriveIn(InputSchema):
    center: int = Field(description="the center whose drive it is (you must be its member)")
    title: str = Field(min_length=1, max_length=200)
    planned_on: dt.date
    households: list[int] = Field(
        default_factory=list,
        max_length=1000,
        description="ids of the households it should reach (of the center's area)",
    )
