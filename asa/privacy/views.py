"""The DPO's pages: data-subject requests, retention, the ROPA and the breach register.

Thin: every view first refuses (403) anyone but the data protection officer and the ministry,
fetches through the access layer, then calls an action or a query.
"""

import functools
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from asa.accounts.access import get_for
from asa.centers.forms import add_action_errors
from asa.privacy import actions, queries, retention, ropa
from asa.privacy.forms import (
    AnswerForm,
    AssignForm,
    BreachForm,
    RefuseForm,
    RequestForm,
    VerifyForm,
    WithdrawForm,
)
from asa.privacy.models import Breach, PrivacyRequest, RequestKind, RequestStatus
from asa.privacy.tasks import run_retention_task

PAGE_SIZE = 50
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def privacy_officer_required(view):
    """Signed in, and the DPO or the ministry; anyone else gets 403."""

    @login_required
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        actions.require_privacy_officer(request.user)
        return view(request, *args, **kwargs)

    return wrapped


def _paginate(request, queryset, name: str = "page") -> dict:
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get(name))
    query = request.GET.copy()
    query.pop(name, None)
    encoded = query.urlencode()
    return {"page_obj": page, "query_without_page": f"{encoded}&" if encoded else ""}


@privacy_officer_required
def home(request):
    today = timezone.localdate()
    context = {
        "counts": queries.request_counts(request.user, today=today),
        "urgent": list(
            queries.requests_for(request.user)
            .filter(status__in=[RequestStatus.RECEIVED, RequestStatus.IN_PROGRESS])
            .order_by("due_on", "pk")[:10]
        ),
        "open_breaches": list(queries.breaches_for(request.user).exclude(status="closed")[:5]),
        "today": today,
        "now": timezone.now(),
    }
    return render(request, "privacy/home.html", context)


# --- Requests ----------------------------------------------------------------------------------


@privacy_officer_required
def request_list(request):
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    overdue = request.GET.get("overdue") == "1"
    rows = queries.requests_for(
        request.user,
        status=status if status in RequestStatus.values else "",
        kind=kind if kind in RequestKind.values else "",
        overdue=overdue,
    )
    context = {
        **_paginate(request, rows),
        "status": status,
        "kind": kind,
        "overdue": overdue,
        "statuses": RequestStatus.choices,
        "kinds": RequestKind.choices,
        "today": timezone.localdate(),
    }
    return render(request, "privacy/request_list.html", context)


@privacy_officer_required
def request_create(request):
    form = RequestForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            privacy_request = actions.receive_privacy_request(
                actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("บันทึกคำขอแล้ว ครบกำหนดตอบภายใน 30 วัน"))
            return redirect("privacy:request_detail", pk=privacy_request.pk)
    return render(request, "privacy/request_form.html", {"form": form})


def _request(request, pk) -> PrivacyRequest:
    queryset = PrivacyRequest.objects.select_related(
        "person", "assigned_to", "answered_by", "identity_verified_by"
    )
    return get_for(request.user, queryset, pk, write=request.method == "POST")


def _detail(request, privacy_request, status=200, **forms_by_name):
    forms_by_name = {
        "assign_form": AssignForm(initial={"assigned_to": privacy_request.assigned_to_id}),
        "verify_form": VerifyForm(initial={"person": privacy_request.person_id or ""}),
        "answer_form": AnswerForm(),
        "refuse_form": RefuseForm(),
        "withdraw_form": WithdrawForm(),
        **forms_by_name,
    }
    erasure_refusal = ""
    if (
        privacy_request.kind == RequestKind.ERASURE
        and privacy_request.person
        and privacy_request.is_open
    ):
        erasure_refusal = actions.erasure_refusal(privacy_request.person)
    context = {
        "item": privacy_request,
        "today": timezone.localdate(),
        "erasure_refusal": erasure_refusal,
        "kinds": RequestKind,
        **forms_by_name,
    }
    return render(request, "privacy/request_detail.html", context, status=status)


@privacy_officer_required
def request_detail(request, pk):
    return _detail(request, _request(request, pk))


# (form class, the form's name on the page, how to call the action with its cleaned data)
TRANSITIONS = {
    "assign": (
        AssignForm,
        "assign_form",
        lambda actor, item, data: actions.assign_privacy_request(
            actor=actor, privacy_request=item, assignee=data["assigned_to"]
        ),
    ),
    "verify": (
        VerifyForm,
        "verify_form",
        lambda actor, item, data: actions.verify_requester_identity(
            actor=actor, privacy_request=item, method=data["identity_method"], person=data["person"]
        ),
    ),
    "generate": (
        None,
        "",
        lambda actor, item, data: actions.generate_access_answer(actor=actor, privacy_request=item),
    ),
    "answer": (
        AnswerForm,
        "answer_form",
        lambda actor, item, data: actions.answer_privacy_request(
            actor=actor, privacy_request=item, answer=data["answer"]
        ),
    ),
    "erase": (
        None,
        "",
        lambda actor, item, data: actions.erase_person_data(actor=actor, privacy_request=item),
    ),
    "refuse": (
        RefuseForm,
        "refuse_form",
        lambda actor, item, data: actions.refuse_privacy_request(
            actor=actor, privacy_request=item, reason=data["refusal_reason"]
        ),
    ),
    "withdraw": (
        WithdrawForm,
        "withdraw_form",
        lambda actor, item, data: actions.withdraw_privacy_request(
            actor=actor, privacy_request=item, reason=data.get("reason", "")
        ),
    ),
}

DONE_MESSAGES = {
    "assign": gettext_lazy("มอบหมายผู้รับผิดชอบแล้ว"),
    "verify": gettext_lazy("บันทึกการยืนยันตัวตนแล้ว"),
    "generate": gettext_lazy("จัดทำสำเนาข้อมูล (PDF และ JSON) แล้ว"),
    "answer": gettext_lazy("บันทึกคำตอบแล้ว"),
    "erase": gettext_lazy("ลบข้อมูลที่ระบุตัวตนแล้ว"),
    "refuse": gettext_lazy("บันทึกการปฏิเสธพร้อมเหตุผลแล้ว"),
    "withdraw": gettext_lazy("บันทึกการถอนคำขอแล้ว"),
}


@require_POST
@privacy_officer_required
def request_act(request, pk):
    privacy_request = _request(request, pk)
    verb = request.POST.get("action", "")
    if verb not in TRANSITIONS:
        raise Http404
    form_class, form_name, call = TRANSITIONS[verb]
    if form_class is None:
        # Buttons without fields: a refusal is shown as a message above the page.
        try:
            call(request.user, privacy_request, {})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, DONE_MESSAGES[verb])
        return redirect("privacy:request_detail", pk=privacy_request.pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            call(request.user, privacy_request, form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, DONE_MESSAGES[verb])
            return redirect("privacy:request_detail", pk=privacy_request.pk)
    privacy_request.refresh_from_db()
    return _detail(request, privacy_request, status=400, **{form_name: form})


@privacy_officer_required
def request_file(request, pk, file_format):
    privacy_request = _request(request, pk)
    stored = {"pdf": privacy_request.answer_pdf, "json": privacy_request.answer_json}.get(
        file_format
    )
    if not stored:
        raise Http404
    try:
        with stored.open("rb") as handle:
            content = handle.read()  # a person's copy is small; read whole, not streamed
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    actions.record_answer_download(
        actor=request.user, privacy_request=privacy_request, file_format=file_format
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = (
        f'attachment; filename="asa-data-request-{privacy_request.pk}.{file_format}"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- Retention ---------------------------------------------------------------------------------


@privacy_officer_required
def retention_page(request):
    context = {"report": retention.dry_run(), "policies": retention.POLICIES}
    return render(request, "privacy/retention.html", context)


@require_POST
@privacy_officer_required
def retention_run(request):
    result = run_retention_task.enqueue(actor_id=request.user.pk)
    messages.success(
        request,
        _("ส่งงานทำให้ข้อมูลเป็นนิรนามเข้าคิวแล้ว (งานที่ %(id)s) ผลจะปรากฏในรายงานเมื่อเสร็จ")
        % {"id": result.id},
    )
    return redirect("privacy:retention")


# --- Record of processing activities -----------------------------------------------------------


@privacy_officer_required
def ropa_page(request):
    context = {
        "controller": ropa.CONTROLLER,
        "activities": ropa.ACTIVITIES,
        "columns": ropa.COLUMNS,
    }
    return render(request, "privacy/ropa.html", context)


@privacy_officer_required
def ropa_export(request, file_format):
    if file_format == "xlsx":
        content = ropa.to_xlsx()
    elif file_format == "pdf":
        content = ropa.to_pdf()
    else:
        raise Http404
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="asa-ropa.{file_format}"'
    return response


# --- Breaches ----------------------------------------------------------------------------------


@privacy_officer_required
def breach_list(request):
    context = {**_paginate(request, queries.breaches_for(request.user)), "now": timezone.now()}
    return render(request, "privacy/breach_list.html", context)


@privacy_officer_required
def breach_create(request):
    form = BreachForm(request.POST or None, initial={"discovered_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            breach = actions.record_breach(actor=request.user, **form.action_arguments())
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("บันทึกเหตุละเมิดแล้ว ต้องแจ้ง สคส. ภายใน 72 ชั่วโมง"))
            return redirect("privacy:breach_detail", pk=breach.pk)
    return render(request, "privacy/breach_form.html", {"form": form})


def _breach(request, pk) -> Breach:
    return get_for(
        request.user, queries.breaches_for(request.user), pk, write=request.method == "POST"
    )


@privacy_officer_required
def breach_detail(request, pk):
    breach = _breach(request, pk)
    context = {
        "breach": breach,
        "now": timezone.now(),
        **_paginate(request, queries.affected_people(breach)),
    }
    return render(request, "privacy/breach_detail.html", context)


BREACH_STEPS = {
    "notify_regulator": (actions.notify_regulator, gettext_lazy("บันทึกการแจ้ง สคส. แล้ว")),
    "notify_people": (
        actions.notify_breach_people,
        gettext_lazy("บันทึกการแจ้งเจ้าของข้อมูลแล้ว"),
    ),
}


@require_POST
@privacy_officer_required
def breach_act(request, pk):
    breach = _breach(request, pk)
    step = request.POST.get("action", "")
    try:
        if step == "close":
            actions.close_breach(
                actor=request.user, breach=breach, notes=request.POST.get("notes", "")
            )
            messages.success(request, _("ปิดเรื่องแล้ว"))
        elif step in BREACH_STEPS:
            action, done = BREACH_STEPS[step]
            action(actor=request.user, breach=breach)
            messages.success(request, done)
        else:
            raise Http404
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("privacy:breach_detail", pk=breach.pk)


@privacy_officer_required
def breach_export(request, pk):
    from openpyxl import Workbook

    breach = _breach(request, pk)
    people = queries.affected_people(breach)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("affected")
    sheet.append(["รหัสบุคคล", "ชื่อ-นามสกุล", "เขต/อำเภอ", "โทรศัพท์"])
    count = 0
    for person in people.iterator(chunk_size=1000):
        sheet.append(
            [
                person.pk,
                person.full_name,
                person.district.name_th if person.district_id else "",
                person.phone,
            ]
        )
        count += 1
    actions.record_affected_people_export(actor=request.user, breach=breach, count=count)
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="breach-{breach.pk}-affected.xlsx"'
    return response
