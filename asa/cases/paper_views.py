"""Printable paper forms (PDF): the blank intake and visit forms, a case's visit form, and the
day's visit sheet. Each goes through the access layer like the page it stands in for."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from asa.accounts.access import get_for, scope_of, visible
from asa.cases import paper, queries
from asa.cases.views import _get_case, _int
from asa.centers.models import Center, Volunteer

SHEET_ROWS = 200  # a day's sheet is a handful of visits; the cap keeps a runaway list bounded


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


def _center(request) -> Center:
    """`?center=<id>` among the centers the user may see, else the user's own (only) center."""
    center_id = _int(request.GET.get("center"))
    if center_id is None:
        own = scope_of(request.user).center_ids
        if len(own) != 1:
            raise Http404(_("เลือกศูนย์ที่จะพิมพ์แบบฟอร์ม"))
        center_id = next(iter(own))
    return get_for(request.user, visible(request.user, Center.objects.all()), center_id)


@login_required
def intake_form(request):
    """A blank intake form headed with the center's name."""
    center = _center(request)
    return _pdf(paper.intake_form_pdf(center), "intake-form")


@login_required
def visit_form(request):
    """A blank visit form headed with the center's name."""
    center = _center(request)
    return _pdf(paper.visit_form_pdf(center), "visit-form")


@login_required
def case_visit_form(request, pk):
    """The visit form of one case the user may read: its number and person printed in."""
    case = _get_case(request, pk)
    return _pdf(paper.visit_form_pdf(case.center, case), f"visit-{case.number}")


@login_required
def visit_sheet(request):
    """The user's `/today/` list on paper: a row per visit to make, with room to write."""
    day = timezone.localdate()
    cases = queries.todays_visits(request.user, today=day).select_related(
        "person__subdistrict__district__province"
    )[:SHEET_ROWS]
    volunteer = (
        Volunteer.objects.filter(user=request.user).select_related("center").order_by("id").first()
    )
    content = paper.visit_sheet_pdf(
        volunteer_name=volunteer.full_name if volunteer else request.user.get_username(),
        center_name=volunteer.center.name_th if volunteer else "",
        day=day,
        cases=list(cases),
    )
    return _pdf(content, f"visits-{day.isoformat()}")
