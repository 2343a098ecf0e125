"""Address helpers for forms: `<option>` lists for the chained pickers, and address matching.

Areas are public reference data; the pages require sign-in like every other page.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from asa.geo.models import District, Subdistrict
from asa.geo.queries import match_address
from asa.lib.thai_order import thai_order

MATCH_LIMIT = 20


def _param(request, name: str) -> str:
    """The value of `name`, also when the form uses a prefix (`volunteer-province`)."""
    for key, value in request.GET.items():
        if key == name or key.endswith(f"-{name}"):
            return value.strip()
    return ""


def _sibling_id(request, trigger: str, name: str) -> str:
    """The id of a neighbouring select, from the id of the one that changed (HX-Trigger)."""
    trigger_id = request.headers.get("HX-Trigger") or f"id_{trigger}"
    if trigger_id.endswith(trigger):
        return trigger_id[: -len(trigger)] + name
    return f"id_{name}"


def _options(request, *, items, blank, resets=()):
    return render(
        request,
        "geo/options.html",
        {"items": items, "blank": blank, "resets": resets},
    )


@login_required
@require_GET
def district_options(request):
    """The districts of `?province=<code>`; also empties the subdistrict and postal code lists."""
    districts = District.objects.filter(province_id=_param(request, "province")).order_by(
        thai_order("name_th")
    )
    return _options(
        request,
        items=[(district.code, district.name) for district in districts],
        blank=_("— เลือกเขต/อำเภอ —"),
        resets=[
            (_sibling_id(request, "province", "subdistrict"), _("— เลือกแขวง/ตำบล —")),
            (_sibling_id(request, "province", "postal_code"), _("— อัตโนมัติ —")),
        ],
    )


@login_required
@require_GET
def subdistrict_options(request):
    """The subdistricts of `?district=<code>`; also empties the postal code list."""
    subdistricts = Subdistrict.objects.filter(district_id=_param(request, "district")).order_by(
        thai_order("name_th")
    )
    return _options(
        request,
        items=[(subdistrict.code, subdistrict.name) for subdistrict in subdistricts],
        blank=_("— เลือกแขวง/ตำบล —"),
        resets=[(_sibling_id(request, "district", "postal_code"), _("— อัตโนมัติ —"))],
    )


@login_required
@require_GET
def postal_code_options(request):
    """The postal codes of `?subdistrict=<code>`, the first one chosen."""
    subdistrict = Subdistrict.objects.filter(pk=_param(request, "subdistrict")).first()
    codes = subdistrict.postal_code_list if subdistrict else []
    return render(
        request,
        "geo/options.html",
        {"items": [(code, code) for code in codes], "blank": _("— อัตโนมัติ —"), "select_first": True},
    )


@login_required
@require_GET
def address_match(request):
    """Type a Thai address, see the DOPA areas it names."""
    text = request.GET.get("q", "").strip()[:300]
    results = []
    if text:
        addresses = match_address(text, limit=MATCH_LIMIT)
        results = [
            {
                "address": address,
                "postal_codes": ", ".join(address.subdistrict.postal_codes),
            }
            for address in addresses
        ]
    context = {"text": text, "results": results, "searched": bool(text)}
    template = "geo/match_results.html" if request.htmx else "geo/match.html"
    return render(request, template, context)
