"""Casework pages: intake, the case page, visits, watch lists. Thin: parse, check, act, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from asa.accounts.access import can_write, get_for, reports_of, require, scope_of, visible
from asa.accounts.actions import mark_notifications_read
from asa.accounts.events import AUDIT_ONLY_ACTIONS, action_label
from asa.accounts.models import AuditEvent
from asa.accounts.reads import read_page, record_search
from asa.aid.actions import may_use_stock
from asa.cases import actions, forms, queries
from asa.cases.models import (
    OPEN_STATUSES,
    AssistanceKind,
    Case,
    CaseAssignment,
    Outcome,
    PlanItem,
    PlanItemStatus,
    Status,
    Urgency,
    VisitPhoto,
)
from asa.centers.models import Center, Volunteer
from asa.lib.thai import to_arabic_digits
from asa.lib.thai_order import thai_order
from asa.registry.queries import people_for, people_named, search_people

PAGE_SIZE = 50
SECTION_SIZE = 20
LATE_REFERRALS_SHOWN = 1000  # the watch page lists at most this many late referrals ("1,000+")
CASE_ROW_COLUMNS = (  # what a row of cases/_case_rows.html shows
    "number",
    "urgency",
    "status",
    "next_follow_up_on",
    "person__title",
    "person__first_name",
    "person__last_name",
    "center__name_th",
    "center__name_en",
)
LATE_REFERRAL_COLUMNS = (  # what the watch page shows of them
    "status",
    "respond_by",
    "complete_by",
    "agency__name_th",
    "service__name_th",
    "case__number",
    "case__person__title",
    "case__person__first_name",
    "case__person__last_name",
)


def _paginate(
    request, queryset, per_page: int = PAGE_SIZE, *, param: str = "page", count: int | None = None
) -> dict:
    """A page of the queryset and the query string that keeps the other filters.

    `count`, when the caller already knows it, saves the paginator's own COUNT query.
    """
    paginator = Paginator(queryset, per_page)
    if count is not None:
        paginator.count = count  # a cached property: set, it is not computed again
    page = paginator.get_page(request.GET.get(param))
    query = request.GET.copy()
    query.pop(param, None)
    encoded = query.urlencode()
    return {"page_obj": page, "query_without_page": f"{encoded}&" if encoded else ""}


def _int(value) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() else None


def _manages(user, case: Case) -> bool:
    """Chairs of the case's center, officers of its area and the ministry manage a case."""
    scope = scope_of(user)
    return (
        scope.national
        or case.center_id in scope.chair_center_ids
        or case.district_id in scope.district_codes
        or case.district_id[:2] in scope.province_codes
    )


def _case_queryset(user):
    return queries.cases_for(user).select_related("person", "center", "household")


def _get_case(request, pk, *, write: bool = False) -> Case:
    return get_for(request.user, _case_queryset(request.user), pk, write=write)


def _version(form) -> int | None:
    return form.cleaned_data.get("version")


def _error_text(error: ValidationError) -> str:
    return (
        " ".join(m for messages_ in error.message_dict.values() for m in messages_)
        if hasattr(error, "error_dict")
        else " ".join(error.messages)
    )


# --- Lists -------------------------------------------------------------------------------------


def _visible_centers(user):
    return (
        visible(user, Center.objects.all())
        .only("pk", "name_th", "name_en")
        .order_by(thai_order("name_th"))
    )


@login_required
def case_list(request):
    cases = queries.cases_for(request.user)
    status, urgency = request.GET.get("status", ""), request.GET.get("urgency", "")
    center_id, volunteer_id = _int(request.GET.get("center")), _int(request.GET.get("volunteer"))
    if status == "open":
        cases = cases.filter(status__in=OPEN_STATUSES)
    elif status in Status.values:
        cases = cases.filter(status=status)
    if urgency in Urgency.values:
        cases = cases.filter(urgency=urgency)
    if center_id:
        cases = cases.filter(center_id=center_id)
    if volunteer_id:
        cases = cases.filter(
            pk__in=CaseAssignment.objects.filter(
                volunteer_id=volunteer_id, ended_at__isnull=True
            ).values("case_id")
        )
    text = request.GET.get("q", "").strip()[:100]
    if text:
        # The person's name (or ID or phone) through the registry's indexed search, or the number.
        number = to_arabic_digits(text)
        cases = cases.filter(Q(number=number) | Q(person_id__in=people_named(request.user, text)))
    centers = list(_visible_centers(request.user)[:200])
    # The volunteer filter lists one center's volunteers: the chosen one, or the user's only one.
    own = scope_of(request.user).center_ids
    filter_center = center_id or (next(iter(own)) if len(own) == 1 else None)
    volunteers = []
    if filter_center:
        volunteers = list(
            visible(request.user, Volunteer.objects.filter(center_id=filter_center))
            .only("pk", "title", "first_name", "last_name")
            .order_by(thai_order("first_name"))[:200]
        )
    context = {
        "statuses": Status.choices,
        "urgencies": Urgency.choices,
        "centers": centers,
        "volunteers": volunteers,
        "filters": {
            "q": text,
            "status": status,
            "urgency": urgency,
            "center": center_id,
            "volunteer": volunteer_id,
        },
        "may_take_cases": queries.may_take_cases(request.user),
        **_paginate(request, cases.order_by("-reported_at", "-id").only(*CASE_ROW_COLUMNS)),
    }
    record_search(
        request.user,
        object_type="cases.case",
        params=request.GET,
        results=context["page_obj"].paginator.count,
    )
    return render(request, "cases/case_list.html", context)


@login_required
def my_reports(request):
    """The cases I reported: that each was received, where it went and its status — not the
    case file (once someone is assigned, the file is for the people working on it)."""
    reports = (
        reports_of(request.user)
        .annotate(assigned=Exists(CaseAssignment.objects.filter(case_id=OuterRef("pk"))))
        .only("number", "reported_at", "status", "urgency", "center__name_th", "center__name_en")
        .select_related("center")
        .order_by("-reported_at", "-id")
    )
    return render(request, "cases/my_reports.html", _paginate(request, reports))


def _with_assignees(cases):
    current = (
        CaseAssignment.objects.filter(ended_at__isnull=True)
        .select_related("volunteer")
        # Names only: a volunteer's other columns include encrypted ones, decrypted on load.
        .only("case", "volunteer__title", "volunteer__first_name", "volunteer__last_name")
    )
    return cases.prefetch_related(Prefetch("assignments", queryset=current, to_attr="current"))


@login_required
def watch(request):
    cases = queries.cases_for(request.user)
    center_id = _int(request.GET.get("center"))
    if center_id:
        cases = cases.filter(center_id=center_id)
    today = timezone.localdate()
    counts = queries.watch_counts(cases, today=today)
    sections = []
    titles = {
        "overdue": gettext_lazy("เลยกำหนดติดตาม"),
        "today": gettext_lazy("ถึงกำหนดวันนี้"),
        "week": gettext_lazy("ภายใน 7 วันข้างหน้า"),
    }
    for bucket in ("overdue", "today", "week"):
        rows = queries.watch_list(cases, bucket=bucket, today=today).only(*CASE_ROW_COLUMNS)
        rows = _with_assignees(rows)
        page = _paginate(request, rows, SECTION_SIZE, param=f"{bucket}_page", count=counts[bucket])
        sections.append(
            {"bucket": bucket, "title": titles[bucket], "count": counts[bucket], **page}
        )
    from asa.referrals.queries import overdue_referrals

    # Referrals the partner has not answered or finished in time are watched here too. They are
    # few (open and past their dates): one query for their ids (at most LATE_REFERRALS_SHOWN)
    # gives both the count and the page, whose rows are then read by id through the same scoped
    # query, instead of a COUNT and a page that each walk the scope.
    late = overdue_referrals(request.user, center_id=center_id, today=today)
    late_ids = list(late.values_list("pk", flat=True)[: LATE_REFERRALS_SHOWN + 1])
    late_capped = len(late_ids) > LATE_REFERRALS_SHOWN
    late_referrals = _paginate(
        request, late_ids[:LATE_REFERRALS_SHOWN], SECTION_SIZE, param="referrals_page"
    )
    late_page = late_referrals["page_obj"]
    rows = late.only(*LATE_REFERRAL_COLUMNS).in_bulk(late_page.object_list)
    late_page.object_list = [rows[pk] for pk in late_page.object_list if pk in rows]
    context = {
        "sections": sections,
        "today": today,
        "centers": list(_visible_centers(request.user)[:200]),
        "center_id": center_id,
        "late_referrals": late_referrals,
        "late_capped": late_capped,
    }
    return render(request, "cases/watch.html", context)


@login_required
def today(request):
    """A volunteer's day: visits due (today and overdue) on their cases, new assignments."""
    day = timezone.localdate()
    due, new_cases = queries.todays_work(request.user, today=day)
    context = {
        "today": day,
        "new_cases": list(new_cases[:SECTION_SIZE]),
        "may_take_cases": queries.may_take_cases(request.user),
        **_paginate(request, due, SECTION_SIZE),
    }
    return render(request, "cases/today.html", context)


@login_required
def caseload(request):
    require(scope_of(request.user).is_staff_level)
    cases = queries.cases_for(request.user)
    center_id = _int(request.GET.get("center"))
    if center_id:
        cases = cases.filter(center_id=center_id)
    open_cases = cases.filter(status__in=OPEN_STATUSES)
    unassigned = open_cases.exclude(
        pk__in=CaseAssignment.objects.filter(ended_at__isnull=True).values("case_id")
    )
    context = {
        "centers": list(_visible_centers(request.user)[:200]),
        "center_id": center_id,
        "unassigned_count": unassigned.count(),
        "open_count": open_cases.count(),
        **_paginate(request, queries.caseload(cases).select_related("center")),
    }
    record_search(
        request.user,
        object_type="cases.case",
        params=request.GET,
        results=context["page_obj"].paginator.count,
    )
    return render(request, "cases/caseload.html", context)


# --- Intake ------------------------------------------------------------------------------------


def _registry_url(name: str, **kwargs) -> str:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:  # the registry pages are mounted separately
        return ""


@login_required
def case_create(request):
    """Search first: find the person in the registry, then record the report about them."""
    require(queries.may_take_cases(request.user))
    people = people_for(request.user).select_related("subdistrict__district__province", "center")
    person_id = request.POST.get("person") or request.GET.get("person")
    if not person_id:
        text = request.GET.get("q", "").strip()
        context = {
            "q": text,
            "results": list(search_people(people, text)) if text else [],
            "register_url": _registry_url("registry:person_create"),
        }
        if text:
            record_search(
                request.user,
                object_type="registry.person",
                params=request.GET,
                results=len(context["results"]),
            )
        return render(request, "cases/case_search.html", context)
    person = get_for(request.user, people, person_id)
    centers = Center.objects.filter(pk__in=scope_of(request.user).center_ids) | visible(
        request.user, Center.objects.all(), write=True
    )
    centers = centers.distinct().order_by(thai_order("name_th"))
    if request.method == "POST":
        form = forms.IntakeForm(request.POST, centers=centers)
        if form.is_valid():
            try:
                case = actions.open_case(actor=request.user, person=person, **form.action_data())
            except ValidationError as error:
                forms.add_action_errors(form, error)
            else:
                messages.success(
                    request, _("รับเรื่องแล้ว กรณีเลขที่ %(number)s") % {"number": case.number}
                )
                return redirect("cases:case_detail", pk=case.pk)
    else:
        now = timezone.localtime()
        form = forms.IntakeForm(
            centers=centers,
            initial={
                "reported_on": now.date(),
                "reported_time": now.time().replace(second=0, microsecond=0),
                "target_groups": list(person.target_groups.all()),
            },
        )
    open_cases = list(
        queries.cases_for(request.user).filter(person=person, status__in=OPEN_STATUSES)[:5]
    )
    context = {"form": form, "person": person, "open_cases": open_cases}
    return render(request, "cases/case_form.html", context)


# --- The case page -----------------------------------------------------------------------------


def _label(choices, value) -> str:
    return choices(value).label if value in choices.values else str(value or "")


def _event_summary(event: AuditEvent) -> str:
    """One line saying what changed, in Thai words (never raw codes)."""
    changes = event.changes or {}
    match event.action:
        case "change_case_status":
            old, new = (changes.get("status") or ["", ""])[:2]
            return f"{_label(Status, old)} → {_label(Status, new)}"
        case "transfer_case":
            old, new = (changes.get("center") or ["", ""])[:2]
            return f"{old} → {new}"
        case "request_closure" | "approve_closure":
            return _label(Outcome, changes.get("outcome"))
        case "record_assistance":
            amount = changes.get("amount")
            kind = _label(AssistanceKind, changes.get("kind"))
            return (
                _("%(kind)s %(amount)s บาท") % {"kind": kind, "amount": amount}
                if amount not in (None, "None")
                else kind
            )
        case "update_plan_item":
            old, new = (changes.get("status") or ["", ""])[:2]
            return f"{_label(PlanItemStatus, old)} → {_label(PlanItemStatus, new)}"
        case "add_plan_item":
            return str(changes.get("need", ""))
        case "open_case":
            return _label(Urgency, changes.get("urgency"))
    return ""


def _timeline(request, case: Case) -> dict:
    events = (
        AuditEvent.objects.filter(object_type="cases.case", object_id=str(case.pk))
        .exclude(action__in=AUDIT_ONLY_ACTIONS)  # reads are for the DPO's audit search
        .only("at", "actor_label", "action", "changes", "reason")
    )
    page = _paginate(request, events, 20, param="events_page")
    for event in page["page_obj"]:
        event.label = action_label(event.action)
        event.summary = _event_summary(event)
    return {"events": page["page_obj"], "events_query": page["query_without_page"]}


def _case_context(request, case: Case, **forms_by_name) -> dict:
    user = request.user
    manages = _manages(user, case)
    may_write = manages or can_write(user, case)
    assignments = list(case.assignments.filter(ended_at__isnull=True).select_related("volunteer"))
    visits = case.visits.all().prefetch_related("volunteers", "photos").select_related("assessment")
    visits_page = _paginate(request, visits, 10, param="visits_page")
    plan_items = list(case.plan_items.select_related("responsible_volunteer")[:100])
    assistance = list(case.assistance.all()[:100])
    transitions = [
        (status, Status(status).label)
        for status in Status.values
        if status in actions.TRANSITIONS.get(Status(case.status), set())
    ]
    defaults = {
        "assign_form": forms.AssignForm(case=case) if manages and case.is_open else None,
        "transfer_form": forms.TransferForm(case=case) if manages and case.is_open else None,
        "plan_form": forms.PlanItemForm(case=case) if may_write and case.is_open else None,
        "assistance_form": forms.AssistanceForm(initial={"given_on": timezone.localdate()})
        if may_write
        else None,
        "closure_form": forms.ClosureRequestForm()
        if may_write and case.is_open and case.status != Status.CLOSURE_REQUESTED
        else None,
        "approve_form": forms.ApproveClosureForm()
        if manages and case.status == Status.CLOSURE_REQUESTED
        else None,
        "reopen_form": forms.ReopenForm() if manages and not case.is_open else None,
        "status_error": "",
    }
    defaults.update(forms_by_name)
    return {
        "case": case,
        "manages": manages,
        "may_write": may_write,
        # Goods handed over for this case (or one of its visits) start with its household.
        "may_distribute": may_use_stock(user, case.center),
        "caseload_url": f"{reverse('cases:caseload')}?center={case.center_id}"
        if manages and scope_of(user).is_staff_level
        else "",
        "assignments": assignments,
        "visits": visits_page["page_obj"],
        "visits_query": visits_page["query_without_page"],
        "plan_items": plan_items,
        "plan_statuses": PlanItemStatus.choices,
        "assistance": assistance,
        "totals": [
            {**row, "label": _label(AssistanceKind, row["kind"])}
            for row in queries.assistance_totals(person=case.person)
        ],
        "transitions": transitions if may_write and case.is_open else [],
        "problems": list(case.problems.all()),
        "target_groups": list(case.target_groups.all()),
        "clear_draft_key": request.session.pop("clear_visit_draft", ""),
        **_timeline(request, case),
        **defaults,
    }


@login_required
def case_detail(request, pk):
    case = _get_case(request, pk)
    if (asked := read_page(request, case)) is not None:
        return asked  # out-of-routine access: the reason first
    return render(request, "cases/case_detail.html", _case_context(request, case))


def _case_post(request, pk, *, manager_only: bool = False) -> Case:
    """The case a write on its page is aimed at: 404 outside scope, 403 if read-only."""
    case = _get_case(request, pk)
    if manager_only:
        require(_manages(request.user, case))
    elif not (_manages(request.user, case) or can_write(request.user, case)):
        raise PermissionDenied
    return case


def _refused(request, case, status=400, **forms_by_name):
    context = _case_context(request, case, **forms_by_name)
    return render(request, "cases/case_detail.html", context, status=status)


def _done(message):
    def finish(request, case, anchor=""):
        messages.success(request, message)
        return redirect(reverse("cases:case_detail", args=[case.pk]) + anchor)

    return finish


@require_POST
@login_required
def case_assign(request, pk):
    case = _case_post(request, pk, manager_only=True)
    form = forms.AssignForm(request.POST, case=case)
    if form.is_valid():
        try:
            actions.assign_case(
                actor=request.user,
                case=case,
                volunteers=form.cleaned_data["volunteers"],
                expected_version=_version(form),
            )
        except ValidationError as error:
            forms.add_action_errors(form, error)
        else:
            return _done(_("มอบหมาย อพม. แล้ว"))(request, case, "#assignments")
    return _refused(request, case, assign_form=form)


@require_POST
@login_required
def case_unassign(request, pk):
    case = _case_post(request, pk, manager_only=True)
    form = forms.UnassignForm(request.POST)
    if not form.is_valid():
        raise Http404
    assignment = (
        case.assignments.filter(volunteer_id=form.cleaned_data["volunteer"], ended_at__isnull=True)
        .select_related("volunteer")
        .first()
    )
    if assignment is None:
        raise Http404
    actions.unassign_volunteer(
        actor=request.user,
        case=case,
        volunteer=assignment.volunteer,
        reason=form.cleaned_data["reason"],
    )
    return _done(_("ยกเลิกการมอบหมายแล้ว"))(request, case, "#assignments")


@require_POST
@login_required
def case_status(request, pk):
    case = _case_post(request, pk)
    form = forms.StatusForm(request.POST)
    if form.is_valid():
        try:
            actions.change_case_status(
                actor=request.user,
                case=case,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                expected_version=_version(form),
            )
        except ValidationError as error:
            return _refused(request, case, status_error=_error_text(error))
        return _done(_("เปลี่ยนสถานะแล้ว"))(request, case)
    return _refused(request, case, status_error=_("สถานะที่เลือกไม่ถูกต้อง"))


@require_POST
@login_required
def case_transfer(request, pk):
    case = _case_post(request, pk, manager_only=True)
    form = forms.TransferForm(request.POST, case=case)
    if form.is_valid():
        try:
            actions.transfer_case(
                actor=request.user,
                case=case,
                to_center=form.cleaned_data["to_center"],
                reason=form.cleaned_data["reason"],
                expected_version=_version(form),
            )
        except ValidationError as error:
            forms.add_action_errors(form, error)
        else:
            messages.success(request, _("โอนกรณีแล้ว"))
            # The sender may no longer see the case once it has moved out of their area.
            if get_for_or_none(request.user, case.pk) is None:
                return redirect("cases:case_list")
            return redirect("cases:case_detail", pk=case.pk)
    return _refused(request, case, transfer_form=form)


def get_for_or_none(user, pk):
    return queries.cases_for(user).filter(pk=pk).first()


@require_POST
@login_required
def plan_item_create(request, pk):
    case = _case_post(request, pk)
    form = forms.PlanItemForm(request.POST, case=case)
    if form.is_valid():
        try:
            actions.add_plan_item(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            forms.add_action_errors(form, error)
        else:
            return _done(_("เพิ่มแผนการช่วยเหลือแล้ว"))(request, case, "#plan")
    return _refused(request, case, plan_form=form)


@require_POST
@login_required
def plan_item_update(request, pk):
    item = get_for(request.user, visible(request.user, PlanItem.objects.select_related("case")), pk)
    case = _case_post(request, item.case_id)
    form = forms.PlanItemUpdateForm(request.POST)
    if form.is_valid():
        actions.update_plan_item(actor=request.user, item=item, **form.cleaned_data)
        return _done(_("บันทึกความคืบหน้าแล้ว"))(request, case, "#plan")
    messages.error(request, _("สถานะของแผนไม่ถูกต้อง"))
    return redirect(reverse("cases:case_detail", args=[case.pk]) + "#plan")


@require_POST
@login_required
def assistance_create(request, pk):
    case = _case_post(request, pk)
    form = forms.AssistanceForm(request.POST)
    if form.is_valid():
        try:
            actions.record_assistance(actor=request.user, case=case, **form.cleaned_data)
        except ValidationError as error:
            forms.add_action_errors(form, error)
        else:
            return _done(_("บันทึกความช่วยเหลือแล้ว"))(request, case, "#assistance")
    return _refused(request, case, assistance_form=form)


@require_POST
@login_required
def closure_request(request, pk):
    case = _case_post(request, pk)
    form = forms.ClosureRequestForm(request.POST)
    if form.is_valid():
        try:
            actions.request_closure(
                actor=request.user,
                case=case,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data["note"],
                expected_version=_version(form),
            )
        except ValidationError as error:
            forms.add_action_errors(form, error)
        else:
            return _done(_("ส่งคำขอปิดกรณีแล้ว รอการอนุมัติ"))(request, case, "#closure")
    return _refused(request, case, closure_form=form)


@require_POST
@login_required
def closure_approve(request, pk):
    case = _case_post(request, pk, manager_only=True)
    form = forms.ApproveClosureForm(request.POST)
    if form.is_valid():
        try:
            actions.approve_closure(actor=request.user, case=case, expected_version=_version(form))
        except ValidationError as error:
            forms.add_action_errors(form, error)
        else:
            return _done(_("อนุมัติปิดกรณีแล้ว"))(request, case)
    return _refused(request, case, approve_form=form)


@require_POST
@login_required
def case_reopen(request, pk):
    case = _case_post(request, pk, manager_only=True)
    form = forms.ReopenForm(request.POST)
    if form.is_valid():
        try:
            actions.reopen_case(
                actor=request.user,
                case=case,
                reason=form.cleaned_data["reason"],
                expected_version=_version(form),
            )
        except ValidationError as error:
            forms.add_action_errors(form, error)
        else:
            return _done(_("เปิดกรณีอีกครั้งแล้ว"))(request, case)
    return _refused(request, case, reopen_form=form)


# --- Visits and photos -------------------------------------------------------------------------


@login_required
def visit_create(request, pk):
    case = _get_case(request, pk)
    if not (_manages(request.user, case) or can_write(request.user, case)):
        raise PermissionDenied
    if request.method == "POST":
        form = forms.VisitForm(request.POST, request.FILES, case=case)
        if form.is_valid():
            try:
                actions.record_visit(actor=request.user, case=case, **form.action_data())
            except ValidationError as error:
                forms.add_action_errors(form, error)
            else:
                messages.success(request, _("บันทึกการเยี่ยมบ้านแล้ว"))
                # The case page tells visit.js to drop the draft kept while typing.
                request.session["clear_visit_draft"] = f"visit-draft-{case.pk}"
                return redirect(reverse("cases:case_detail", args=[case.pk]) + "#visits")
    else:
        now = timezone.localtime()
        own = Volunteer.objects.filter(user=request.user, center_id=case.center_id)
        form = forms.VisitForm(
            case=case,
            initial={
                "visited_on": now.date(),
                "visited_time": now.time().replace(second=0, microsecond=0),
                "volunteers": list(own),
                "at_household_address": True,
            },
        )
    context = {"case": case, "form": form, "draft_key": f"visit-draft-{case.pk}"}
    return render(request, "cases/visit_form.html", context)


@login_required
def visit_photo(request, pk):
    """Stream a visit photo after the access check; photos never sit under a public URL."""
    photo = get_for(request.user, VisitPhoto.objects.all(), pk)
    try:
        handle = photo.image.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = f'inline; filename="visit-photo-{photo.pk}.jpg"'
    return response


# --- Notifications -----------------------------------------------------------------------------


@login_required
def notification_list(request):
    # Each notification's email/SMS/LINE copies: sent, waiting to retry, or failed and why.
    rows = request.user.notifications.prefetch_related("deliveries")
    context = _paginate(request, rows)
    return render(request, "cases/notifications.html", context)


@require_POST
@login_required
def notification_read(request):
    ids = [value for value in request.POST.getlist("id") if value.isdigit()]
    mark_notifications_read(user=request.user, ids=ids or None)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("cases:notification_list")
