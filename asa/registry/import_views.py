"""Import and export pages. Thin: check access, call the import/export actions, render."""

import io

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from asa.accounts.access import get_for, require, writable_centers
from asa.lib.thai_order import thai_order
from asa.registry import import_review, importing
from asa.registry.api import _export, imports_for, may_import
from asa.registry.exporting import report_xlsx
from asa.registry.models import ImportStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(forms.Form):
    file = forms.FileField(label=_("ไฟล์ CSV หรือ XLSX"))
    source = forms.CharField(
        label=_("แหล่งข้อมูล"),
        max_length=60,
        help_text=_("ชื่อระบบหรือหน่วยงานต้นทาง นำเข้าซ้ำจากแหล่งเดิมด้วย source_ref เดิมจะปรับปรุงข้อมูลเดิม"),
    )
    center = forms.ModelChoiceField(
        label=_("ศูนย์ที่รับผิดชอบ (เมื่อที่อยู่ไม่ระบุศูนย์)"), queryset=None, required=False
    )
    all_or_nothing = forms.BooleanField(
        label=_("นำเข้าทั้งหมดหรือไม่นำเข้าเลย (ถ้ามีแถวผิดพลาดจะไม่นำเข้าแถวใดเลย)"), required=False
    )
    dry_run = forms.BooleanField(
        label=_("ตรวจสอบอย่างเดียว (รายงานผลทุกแถว ยังไม่บันทึกข้อมูล)"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["center"].queryset = writable_centers(user).order_by(thai_order("name_th"))


@login_required
def import_list(request):
    require(may_import(request.user))
    jobs = imports_for(request.user).order_by("-created_at", "-id")
    page = Paginator(jobs, 50).get_page(request.GET.get("page"))
    return render(
        request, "registry/import_list.html", {"page_obj": page, "query_without_page": ""}
    )


@login_required
def import_create(request):
    require(may_import(request.user))
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = importing.start_import(
                actor=request.user,
                file=upload,
                file_name=upload.name,
                source=form.cleaned_data["source"],
                center=form.cleaned_data["center"],
                all_or_nothing=form.cleaned_data["all_or_nothing"],
                dry_run=form.cleaned_data["dry_run"],
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                form.add_error(field if field in form.fields else None, messages)
        else:
            importing.enqueue_import(job)
            return redirect("imports:import_detail", pk=job.pk)
    return render(request, "registry/import_form.html", {"form": form})


def _job(request, pk):
    return get_for(request.user, imports_for(request.user), pk)


@login_required
def import_detail(request, pk):
    job = _job(request, pk)
    errors = job.rows.exclude(outcome__in=["imported", "updated", "unchanged"]).order_by(
        "row_number"
    )[:50]
    return render(request, "registry/import_detail.html", {"job": job, "problem_rows": errors})


@login_required
def import_progress(request, pk):
    job = _job(request, pk)
    return render(request, "registry/import_progress.html", {"job": job})


@login_required
def import_report(request, pk):
    job = _job(request, pk)
    response = HttpResponse(report_xlsx(job), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-report.xlsx"'
    return response


@login_required
def import_review_list(request):
    """Rows refused as likely duplicates, waiting for someone to decide (never lost)."""
    require(may_import(request.user))
    rows = import_review.review_queue(request.user).order_by("-job_id", "row_number")
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request, "registry/import_review_list.html", {"page_obj": page, "query_without_page": ""}
    )


@login_required
def import_review_detail(request, pk):
    require(may_import(request.user))
    result = get_for(request.user, import_review.review_queue(request.user), pk, write=True)
    error = ""
    if request.method == "POST":
        try:
            import_review.review_import_row(
                actor=request.user,
                result=result,
                decision=request.POST.get("decision", ""),
                reason=request.POST.get("reason", "")[:500],
            )
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            return redirect("imports:import_review_list")
    try:
        row = import_review.read_row(result)
    except ValidationError as unreadable:
        row, error = None, error or " ".join(unreadable.messages)
    context = {
        "result": result,
        "row": row,
        "taken": import_review.missing_from_person(result, row) if row else {},
        "error": error,
    }
    return render(request, "registry/import_review_detail.html", context)


@login_required
def import_template(request):
    out = io.BytesIO()
    importing.write_template(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="asa-people-template.xlsx"'
    return response


def _filters(request) -> dict:
    center = request.GET.get("center", "")
    return {
        "center": int(center) if center.isdigit() else None,
        "target_group": request.GET.get("target_group", "")[:40],
        "problem": request.GET.get("problem", "")[:40],
        "subdistrict": request.GET.get("subdistrict", "")[:6],
    }


@login_required
def export_csv(request):
    return _export(request, "csv", _filters(request))


@login_required
def export_xlsx(request):
    return _export(request, "xlsx", _filters(request))


def is_running(job) -> bool:
    return job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
