"""Bulk import pages of centers (the ministry, officers) and volunteers (whoever manages a center).

Thin: check who may import, hand the file to asa.centers.importing, show the row report (or
send it as XLSX).
"""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from asa.accounts.access import require, scope_of, writable_centers
from asa.centers import importing

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class BulkImportForm(forms.Form):
    file = forms.FileField(label=_("ไฟล์ CSV หรือ XLSX"))


def _page(request, kind: str):
    form = BulkImportForm(request.POST or None, request.FILES or None)
    reports = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read()
        run = importing.import_centers if kind == "centers" else importing.import_volunteers
        try:
            reports = run(actor=request.user, data=data)
        except ValidationError as error:
            form.add_error("file", error.message_dict.get("file", error.messages))
        else:
            if request.POST.get("report") == "xlsx":
                response = HttpResponse(importing.report_xlsx(reports), content_type=XLSX)
                response["Content-Disposition"] = f'attachment; filename="{kind}-report.xlsx"'
                return response
    columns = importing.CENTER_COLUMNS if kind == "centers" else importing.VOLUNTEER_COLUMNS
    context = {
        "form": form,
        "kind": kind,
        "columns": columns.items(),
        "required": importing.REQUIRED[kind],
        "reports": reports,
        "counts": _counts(reports) if reports is not None else None,
    }
    return render(request, "centers/bulk_import.html", context, status=200)


def _counts(reports) -> dict[str, int]:
    counts: dict[str, int] = {}
    for report in reports:
        counts[report.outcome_label] = counts.get(report.outcome_label, 0) + 1
    return counts


@login_required
def center_import(request):
    scope = scope_of(request.user)
    require(scope.national or scope.is_officer)
    return _page(request, "centers")


@login_required
def volunteer_import(request):
    require(writable_centers(request.user).exists())
    return _page(request, "volunteers")
