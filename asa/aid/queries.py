"""Every read of goods and equipment: scoped querysets, the ledger with its running balance.

Scoped reads go through `asa.accounts.access.visible`; each function here takes what the caller
may already see (a center fetched with `get_for`) and returns a bounded, prefetched queryset.
"""

import datetime as dt

from django.db.models import F, Prefetch, QuerySet, Sum, Window

from asa.accounts.access import visible
from asa.aid.models import (
    Distribution,
    DistributionDrive,
    Donation,
    Item,
    ItemKind,
    Loan,
    LoanStatus,
    Piece,
    PieceStatus,
    StockBalance,
    StockMovement,
)
from asa.centers.models import Center
from asa.lib.thai_order import thai_order


def centers_for(user) -> QuerySet[Center]:
    return visible(user, Center.objects.select_related("district__province"))


def catalogue() -> QuerySet[Item]:
    return Item.objects.filter(is_active=True).select_related("category")


def balances_of(center: Center) -> QuerySet[StockBalance]:
    """What the center holds, item by item (the catalogue is small, a page of at most 200)."""
    return (
        StockBalance.objects.filter(center=center)
        .select_related("item__category")
        .order_by(thai_order("item__category__name_th"), thai_order("item__name_th"))
    )


def low_stock_of(center: Center) -> QuerySet[StockBalance]:
    """Items at or below the center's warning threshold (a threshold of 0 means no warning)."""
    return balances_of(center).filter(
        low_stock_threshold__gt=0, quantity__lte=F("low_stock_threshold")
    )


def _open_loans() -> Prefetch:
    return Prefetch(
        "loans",
        queryset=Loan.objects.filter(status=LoanStatus.OUT).select_related(
            "volunteer", "person", "household"
        ),
        to_attr="open_loans",
    )


def pieces_of(center: Center, *, item: Item | None = None, held: bool = True) -> QuerySet[Piece]:
    """Pieces of equipment of the center; `held`: only those in stock or out on loan."""
    pieces = (
        Piece.objects.filter(center=center)
        .select_related("item")
        .order_by(thai_order("item__name_th"), "serial_number")
    )
    if item is not None:
        pieces = pieces.filter(item=item)
    if held:
        pieces = pieces.filter(status__in=[PieceStatus.IN_STOCK, PieceStatus.LOANED])
    return pieces.prefetch_related(_open_loans())


def pieces_in_stock(center: Center) -> QuerySet[Piece]:
    return (
        Piece.objects.filter(center=center, status=PieceStatus.IN_STOCK)
        .select_related("item")
        .order_by(thai_order("item__name_th"), "serial_number")
    )


def consumables_in_stock(center: Center) -> QuerySet[Item]:
    return catalogue().filter(
        kind=ItemKind.CONSUMABLE, balances__center=center, balances__quantity__gt=0
    )


def ledger_of(center: Center, item: Item) -> QuerySet[StockMovement]:
    """The center's movements of one item, newest first, each with the balance after it."""
    running = Window(
        expression=Sum("quantity"),
        partition_by=[F("center_id"), F("item_id")],
        order_by=[F("occurred_on").asc(), F("id").asc()],
    )
    return (
        StockMovement.objects.filter(center=center, item=item)
        .select_related("other_center", "donation", "distribution", "loan", "piece", "recorded_by")
        .annotate(balance_after=running)
        .order_by("-occurred_on", "-id")
    )


def ledger_total(center: Center, item: Item) -> int:
    return (
        StockMovement.objects.filter(center=center, item=item).aggregate(total=Sum("quantity"))[
            "total"
        ]
        or 0
    )


def movements_for(user) -> QuerySet[StockMovement]:
    return visible(
        user, StockMovement.objects.select_related("item", "center", "other_center", "piece")
    ).order_by("-occurred_on", "-id")


def balances_for(user) -> QuerySet[StockBalance]:
    return visible(user, StockBalance.objects.select_related("item__category", "center")).order_by(
        "center_id", thai_order("item__category__name_th"), thai_order("item__name_th")
    )


def donations_for(user) -> QuerySet[Donation]:
    return visible(
        user,
        Donation.objects.select_related("center", "donor_agency").prefetch_related("lines__item"),
    )


def distributions_for(user) -> QuerySet[Distribution]:
    return visible(
        user,
        Distribution.objects.select_related(
            "center", "person", "household__head", "case", "drive"
        ).prefetch_related("lines__item", "lines__piece"),
    )


def loans_for(user) -> QuerySet[Loan]:
    return visible(
        user,
        Loan.objects.select_related(
            "piece__item", "center", "volunteer", "person", "household", "case"
        ),
    )


def overdue(loans: QuerySet[Loan], *, today: dt.date) -> QuerySet[Loan]:
    return loans.filter(status=LoanStatus.OUT, expected_return_on__lt=today)


def pieces_for(user) -> QuerySet[Piece]:
    return visible(user, Piece.objects.select_related("item", "center")).prefetch_related(
        _open_loans()
    )


def drives_for(user) -> QuerySet[DistributionDrive]:
    return visible(user, DistributionDrive.objects.select_related("center"))


def drive_progress(drive: DistributionDrive) -> list[dict]:
    """Each household of the drive and whether (and by which receipt) it has received."""
    households = list(drive.households.select_related("head").order_by("code"))
    given = {}
    for household_id, distribution_id, receipt in Distribution.objects.filter(
        drive=drive
    ).values_list("household_id", "id", "receipt_number"):
        given.setdefault(household_id, (distribution_id, receipt))
    return [
        {"household": household, "distribution": given.get(household.pk)}
        for household in households
    ]


def is_low(balance: StockBalance) -> bool:
    return balance.low_stock_threshold > 0 and balance.quantity <= balance.low_stock_threshold
