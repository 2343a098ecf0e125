"""Pages for goods and equipment. Thin: parse, check access, call an action or a query, render.

Reading a center's stock needs read access to the center (`get_for`); moving it needs
`require_center_member` (its chair and volunteers, officers of its area, the ministry).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from asa.accounts.access import get_for, visible
from asa.aid import actions, queries, receipts
from asa.aid.forms import (
    DistributionForm,
    DonationForm,
    DriveForm,
    LoanForm,
    ReturnForm,
    StockTakeForm,
    ThresholdForm,
    TransferForm,
    WriteOffForm,
    line_formset,
)
from asa.aid.models import ItemKind
from asa.centers.forms import add_action_errors
from asa.centers.models import Center, Volunteer, VolunteerStatus
from asa.lib.thai import thai_digits_preferred
from asa.lib.thai_order import thai_order

PAGE_SIZE = 50


def _paginate(request, queryset, per_page: int = PAGE_SIZE, name: str = "page") -> dict:
    page = Paginator(queryset, per_page).get_page(request.GET.get(name))
    query = request.GET.copy()
    query.pop(name, None)
    encoded = query.urlencode()
    return {"page_obj": page, "query_without_page": f"{encoded}&" if encoded else ""}


def _center(request, pk, *, write: bool = False) -> Center:
    center = get_for(request.user, queries.centers_for(request.user), pk)
    if write:
        actions.require_center_member(request.user, center)
    return center


def _today():
    return timezone.localdate()


# --- Stock -------------------------------------------------------------------------------------


@login_required
def catalogue(request):
    """The catalogue and the centers whose stock the user may open."""
    context = {
        "items": list(queries.catalogue()[:500]),
        **_paginate(request, queries.centers_for(request.user).order_by(thai_order("name_th"))),
    }
    return render(request, "aid/catalogue.html", context)


@login_required
def stock(request, pk):
    center = _center(request, pk)
    balances = list(queries.balances_of(center)[:200])
    for balance in balances:
        balance.is_low = queries.is_low(balance)
    context = {
        "center": center,
        "balances": balances,
        "low": [balance for balance in balances if balance.is_low],
        "today": _today(),
        **_paginate(request, queries.pieces_of(center)),
    }
    return render(request, "aid/stock.html", context)


@login_required
def item_detail(request, pk):
    item = get_for(request.user, queries.catalogue(), pk)
    centers = queries.centers_for(request.user)
    wanted = request.GET.get("center", "")
    # Without ?center= the item page shows the first center the user works in.
    center = get_for(request.user, centers, wanted) if wanted else centers.order_by("pk").first()
    context = {"item": item, "center": center}
    if center is not None:
        balance = queries.balances_of(center).filter(item=item).first()
        context |= {
            "balance": balance,
            "ledger_total": queries.ledger_total(center, item),
            "pieces": list(queries.pieces_of(center, item=item)[:200]) if item.is_equipment else [],
            **_paginate(request, queries.ledger_of(center, item)),
        }
    return render(request, "aid/item_detail.html", context)


@login_required
def threshold_edit(request, pk):
    center = _center(request, pk, write=True)
    items = queries.catalogue()
    form = ThresholdForm(
        request.POST or None, items=items, initial={"item": request.GET.get("item")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_low_stock_threshold(
                actor=request.user,
                center=center,
                item=form.cleaned_data["item"],
                threshold=form.cleaned_data["threshold"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("บันทึกค่าแจ้งเตือนแล้ว"))
            return redirect("aid:stock", pk=center.pk)
    return render(
        request,
        "aid/form.html",
        {"heading": _("ตั้งค่าแจ้งเตือนสิ่งของใกล้หมด"), "center": center, "form": form},
    )


# --- Donations ---------------------------------------------------------------------------------


@login_required
def donation_list(request, pk):
    center = _center(request, pk)
    donations = queries.donations_for(request.user).filter(center=center)
    return render(
        request, "aid/donation_list.html", {"center": center, **_paginate(request, donations)}
    )


@login_required
def donation_create(request, pk):
    center = _center(request, pk, write=True)
    items = queries.catalogue()
    data = request.POST if request.method == "POST" else None
    form = DonationForm(data, initial={"received_on": _today()})
    lines = line_formset(data, items=items)
    if data is not None and form.is_valid() & lines.is_valid():
        filled = lines.filled()
        try:
            donation = actions.receive_donation(
                actor=request.user,
                center=center,
                donor_kind=form.cleaned_data["donor_kind"],
                donor_name=form.cleaned_data["donor_name"],
                donor_contact=form.cleaned_data["donor_contact"],
                received_on=form.cleaned_data["received_on"],
                value_estimate=form.cleaned_data["value_estimate"],
                note=form.cleaned_data["note"],
                lines=[
                    (line.cleaned_data["item"], line.cleaned_data["quantity"], line.serial_list())
                    for line in filled
                ],
            )
        except ValidationError as error:
            _line_errors(form, lines, error)
        else:
            messages.success(request, _("บันทึกการรับบริจาคแล้ว"))
            return redirect("aid:donation_receipt", pk=donation.pk)
    context = {"center": center, "form": form, "lines": lines}
    return render(request, "aid/donation_form.html", context)


def _line_errors(form, lines, error: ValidationError) -> None:
    """Errors the action gives about lines go above the lines; the rest next to their field."""
    if hasattr(error, "error_dict"):
        for field, field_messages in error.message_dict.items():
            if field in ("lines", "pieces", "counts"):
                lines.line_errors = [*getattr(lines, "line_errors", []), *field_messages]
                form.add_error(None, field_messages)
            else:
                form.add_error(field if field in form.fields else None, field_messages)
    else:
        form.add_error(None, error)


@login_required
def donation_receipt(request, pk):
    donation = get_for(request.user, queries.donations_for(request.user), pk)
    if request.GET.get("format") == "pdf":
        return _pdf(
            receipts.donation_pdf(donation, thai_digits=_wants_thai_digits(request)),
            donation.receipt_number,
        )
    return render(request, "aid/donation_receipt.html", {"donation": donation})


def _wants_thai_digits(request) -> bool:
    wanted = request.GET.get("digits")
    if wanted in ("thai", "arabic"):
        return wanted == "thai"
    return bool(thai_digits_preferred.get())


def _pdf(content: bytes, number: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Distributions -----------------------------------------------------------------------------


@login_required
def distribution_list(request, pk):
    center = _center(request, pk)
    distributions = queries.distributions_for(request.user).filter(center=center)
    context = {"center": center, **_paginate(request, distributions)}
    return render(request, "aid/distribution_list.html", context)


def _recipient(request, center) -> dict:
    """Person, household, case, visit and drive named in the query string, through the access
    layer (404 for what the user may not see)."""
    from asa.cases.models import Case, Visit
    from asa.registry.models import Household, Person

    user = request.user
    found = {"person": None, "household": None, "case": None, "visit": None, "drive": None}
    source = request.GET
    if source.get("visit"):
        found["visit"] = get_for(user, Visit.objects.select_related("case"), source["visit"])
        found["case"] = found["visit"].case
    if source.get("case"):
        found["case"] = get_for(user, Case.objects.all(), source["case"])
    if found["case"] is not None:
        found["person"] = found["case"].person
        found["household"] = found["case"].household
    if source.get("household"):
        found["household"] = get_for(
            user, Household.objects.select_related("head"), source["household"]
        )
    if source.get("person"):
        found["person"] = get_for(user, Person.objects.all(), source["person"])
    if source.get("drive"):
        found["drive"] = get_for(
            user, queries.drives_for(user).filter(center=center), source["drive"]
        )
    return found


@login_required
def distribution_create(request, pk):
    from asa.registry.models import Household

    center = _center(request, pk, write=True)
    recipient = _recipient(request, center)
    pieces = queries.pieces_in_stock(center)
    items = queries.consumables_in_stock(center)
    data = request.POST if request.method == "POST" else None
    initial = {"distributed_on": _today()}
    if recipient["household"] is not None:
        initial["household"] = recipient["household"].code
        if recipient["household"].head is not None:
            initial["signed_by_name"] = recipient["household"].head.full_name
    if recipient["person"] is not None:
        initial["signed_by_name"] = recipient["person"].full_name
    form = DistributionForm(data, request.FILES or None, pieces=pieces, initial=initial)
    lines = line_formset(data, items=items, with_serials=False, extra=2)
    if data is not None and form.is_valid() & lines.is_valid():
        household = recipient["household"]
        code = form.cleaned_data["household"].strip()
        if code and (household is None or household.code != code):
            household = visible(request.user, Household.objects.all()).filter(code=code).first()
            if household is None:
                form.add_error("household", _("ไม่พบครัวเรือนรหัสนี้ในความดูแลของคุณ"))
        if not form.errors:
            try:
                distribution = actions.distribute_items(
                    actor=request.user,
                    center=center,
                    lines=[
                        (line.cleaned_data["item"], line.cleaned_data["quantity"])
                        for line in lines.filled()
                    ],
                    pieces=list(form.cleaned_data["pieces"]),
                    distributed_on=form.cleaned_data["distributed_on"],
                    person=recipient["person"],
                    household=household,
                    case=recipient["case"],
                    visit=recipient["visit"],
                    drive=recipient["drive"],
                    signature=form.signature(),
                    signed_by_name=form.cleaned_data["signed_by_name"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                if hasattr(error, "error_dict") and "person" in error.message_dict:
                    form.add_error("household", error.message_dict["person"])
                else:
                    _line_errors(form, lines, error)
            else:
                messages.success(request, _("บันทึกการมอบสิ่งของแล้ว"))
                return redirect("aid:distribution_receipt", pk=distribution.pk)
    context = {"center": center, "form": form, "lines": lines, **recipient}
    return render(request, "aid/distribution_form.html", context)


@login_required
def distribution_receipt(request, pk):
    distribution = get_for(request.user, queries.distributions_for(request.user), pk)
    if request.GET.get("format") == "pdf":
        return _pdf(
            receipts.distribution_pdf(distribution, thai_digits=_wants_thai_digits(request)),
            distribution.receipt_number,
        )
    return render(request, "aid/distribution_receipt.html", {"distribution": distribution})


@login_required
def distribution_signature(request, pk):
    """The recipient's signature, streamed after the access check (private media)."""
    distribution = get_for(request.user, queries.distributions_for(request.user), pk)
    if not distribution.signature:
        raise Http404
    try:
        handle = distribution.signature.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    response = FileResponse(handle, content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- Transfers, write-offs, stock takes ---------------------------------------------------------


@login_required
def transfer_create(request, pk):
    center = _center(request, pk, write=True)
    form = TransferForm(
        request.POST or None,
        centers=Center.objects.order_by(thai_order("name_th")),
        items=queries.catalogue(),
        pieces=queries.pieces_in_stock(center),
        initial={"on": _today()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.transfer_stock(
                actor=request.user,
                from_center=center,
                to_center=data["to_center"],
                item=data["item"],
                quantity=data["quantity"] or 0,
                pieces=[piece for piece in data["pieces"] if piece.item_id == data["item"].pk],
                on=data["on"],
                reason=data["reason"],
            )
        except ValidationError as error:
            _field_errors(form, error, {"from_center": "to_center"})
        else:
            messages.success(request, _("บันทึกการโอนแล้ว"))
            return redirect("aid:stock", pk=center.pk)
    return render(
        request, "aid/form.html", {"heading": _("โอนสิ่งของไปศูนย์อื่น"), "center": center, "form": form}
    )


def _field_errors(form, error: ValidationError, aliases: dict | None = None) -> None:
    """An action's errors next to the form's fields; `on`-style names mapped by `aliases`."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_messages in error.message_dict.items():
        field = (aliases or {}).get(field, field)
        form.add_error(field if field in form.fields else None, field_messages)


@login_required
def write_off_create(request, pk):
    center = _center(request, pk, write=True)
    form = WriteOffForm(
        request.POST or None,
        items=queries.catalogue(),
        pieces=queries.pieces_in_stock(center),
        initial={"on": _today(), "item": request.GET.get("item")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.write_off(
                actor=request.user,
                center=center,
                item=data["item"],
                quantity=data["quantity"] or 0,
                piece=data["piece"],
                on=data["on"],
                reason=data["reason"],
            )
        except ValidationError as error:
            _field_errors(form, error)
        else:
            messages.success(request, _("บันทึกการตัดจำหน่ายแล้ว"))
            return redirect("aid:stock", pk=center.pk)
    return render(
        request, "aid/form.html", {"heading": _("ตัดจำหน่ายสิ่งของ"), "center": center, "form": form}
    )


@login_required
def stock_take_create(request, pk):
    center = _center(request, pk, write=True)
    items = queries.catalogue().filter(kind=ItemKind.CONSUMABLE)
    form = StockTakeForm(request.POST or None, items=items, initial={"counted_on": _today()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.record_stock_take(
                actor=request.user,
                center=center,
                counts=form.counts(),
                counted_on=form.cleaned_data["counted_on"],
                closes_period=form.cleaned_data["closes_period"],
            )
        except ValidationError as error:
            _field_errors(form, error)
        else:
            messages.success(request, _("บันทึกการตรวจนับแล้ว"))
            return redirect("aid:stock", pk=center.pk)
    balances = dict(queries.balances_of(center).values_list("item_id", "quantity"))
    rows = [
        (field, balances.get(item.pk, 0))
        for field, item in zip(form.count_fields(), form.items, strict=True)
    ]
    return render(
        request, "aid/stock_take_form.html", {"center": center, "form": form, "rows": rows}
    )


# --- Loans -------------------------------------------------------------------------------------


@login_required
def loan_list(request, pk):
    center = _center(request, pk)
    today = _today()
    loans = queries.loans_for(request.user).filter(center=center)
    if request.GET.get("status") == "out":
        loans = loans.filter(status="out")
    context = {
        "center": center,
        "today": today,
        "overdue": list(queries.overdue(loans, today=today).order_by("expected_return_on")[:100]),
        "status": request.GET.get("status", ""),
        **_paginate(request, loans),
    }
    return render(request, "aid/loan_list.html", context)


@login_required
def loan_create(request, pk):
    from asa.registry.models import Household

    center = _center(request, pk, write=True)
    form = LoanForm(
        request.POST or None,
        pieces=queries.pieces_in_stock(center),
        volunteers=Volunteer.objects.filter(center=center)
        .exclude(status=VolunteerStatus.LEFT)
        .order_by(thai_order("first_name")),
        initial={
            "loaned_on": _today(),
            "expected_return_on": _today().replace(year=_today().year + 1)
            if not (_today().month == 2 and _today().day == 29)
            else _today(),
            "condition_out": _("ใหม่ ใช้งานได้ดี"),
            "piece": request.GET.get("piece"),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        household = None
        if data["household"].strip():
            household = (
                visible(request.user, Household.objects.all())
                .filter(code=data["household"].strip())
                .first()
            )
            if household is None:
                form.add_error("household", _("ไม่พบครัวเรือนรหัสนี้ในความดูแลของคุณ"))
        if not form.errors:
            try:
                actions.lend_piece(
                    actor=request.user,
                    piece=data["piece"],
                    volunteer=data["volunteer"],
                    household=household,
                    loaned_on=data["loaned_on"],
                    expected_return_on=data["expected_return_on"],
                    condition_out=data["condition_out"],
                )
            except ValidationError as error:
                _field_errors(form, error)
            else:
                messages.success(request, _("บันทึกการให้ยืมแล้ว"))
                return redirect("aid:loan_list", pk=center.pk)
    return render(
        request, "aid/form.html", {"heading": _("ให้ยืมอุปกรณ์"), "center": center, "form": form}
    )


@login_required
def loan_return(request, pk):
    loan = get_for(request.user, queries.loans_for(request.user), pk)
    actions.require_center_member(request.user, loan.center)
    form = ReturnForm(request.POST or None, initial={"returned_on": _today()})
    if request.method == "POST" and form.is_valid():
        try:
            actions.return_piece(
                actor=request.user,
                loan=loan,
                returned_on=form.cleaned_data["returned_on"],
                condition_in=form.cleaned_data["condition_in"],
            )
        except ValidationError as error:
            _field_errors(form, error)
        else:
            messages.success(request, _("บันทึกการรับคืนแล้ว"))
            return redirect("aid:loan_list", pk=loan.center_id)
    return render(
        request,
        "aid/form.html",
        {"heading": _("รับคืนอุปกรณ์"), "loan": loan, "center": loan.center, "form": form},
    )


# --- Distribution drives -----------------------------------------------------------------------


@login_required
def drive_list(request, pk):
    from asa.registry.models import Household

    center = _center(request, pk)
    form = DriveForm(request.POST or None, initial={"planned_on": _today()})
    if request.method == "POST":
        actions.require_center_member(request.user, center)
        if form.is_valid():
            codes = form.household_codes()
            households = list(visible(request.user, Household.objects.all()).filter(code__in=codes))
            missing = sorted(set(codes) - {household.code for household in households})
            if missing:
                form.add_error("households", _("ไม่พบครัวเรือน: ") + ", ".join(missing))
            else:
                try:
                    drive = actions.plan_distribution_drive(
                        actor=request.user,
                        center=center,
                        title=form.cleaned_data["title"],
                        planned_on=form.cleaned_data["planned_on"],
                        households=households,
                    )
                except ValidationError as error:
                    _field_errors(form, error)
                else:
                    messages.success(request, _("บันทึกกิจกรรมแจกของแล้ว"))
                    return redirect("aid:drive_detail", pk=drive.pk)
    drives = queries.drives_for(request.user).filter(center=center)
    context = {"center": center, "form": form, **_paginate(request, drives)}
    return render(request, "aid/drive_list.html", context)


@login_required
def drive_detail(request, pk):
    drive = get_for(request.user, queries.drives_for(request.user), pk)
    rows = queries.drive_progress(drive)
    done = sum(1 for row in rows if row["distribution"])
    context = {"drive": drive, "center": drive.center, "rows": rows, "done": done}
    return render(request, "aid/drive_detail.html", context)
