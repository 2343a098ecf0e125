"""One Home pages: the partner directory, referrals from a case, the partner's inbox, links for
partners without users, case conferences. (Notification channels: asa/accounts/channel_views.py.)

Thin views: parse, check access, call an action, render. A partner user reads a referral but
never its case: what they see of the person is the referral's `shared_data` snapshot only.
"""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from asa.accounts.access import can_write, get_for, scope_of, sees_case, visible
from asa.accounts.events import action_label
from asa.accounts.models import AuditEvent, Role, RoleAssignment
from asa.cases.models import Case
from asa.geo.models import District, Province, Subdistrict
from asa.lib.crypto import open_values
from asa.lib.thai_order import thai_order
from asa.referrals import actions, forms
from asa.referrals.models import (
    OPEN_REFERRAL_STATUSES,
    Agency,
    AgencyArea,
    CaseConference,
    ConferenceAction,
    Referral,
    ReferralStatus,
    Service,
)

PAGE_SIZE = 30

# Thai names for the referral steps on timelines (the case page may reuse these).


def _paginate(request, queryset, per_page: int = PAGE_SIZE) -> dict:
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return {"page_obj": page, "query_without_page": f"{encoded}&" if encoded else ""}


def _put_errors(form, error: ValidationError, rename: dict | None = None) -> None:
    """Show an action's refusal next to the form's fields (unknown fields: at the top)."""
    rename = rename or {}
    for field, texts in error.message_dict.items():
        name = rename.get(field, field)
        for text in texts:
            form.add_error(name if name in form.fields else None, text)


def _error_text(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return " ".join(text for texts in error.message_dict.values() for text in texts)
    return " ".join(error.messages)


def _is_partner_of(user, referral: Referral) -> bool:
    return referral.agency_id in scope_of(user).agency_ids


# --- Areas -------------------------------------------------------------------------------------


def area_prefixes(code: str) -> list[str]:
    """The codes that cover an area: its province, district and subdistrict prefixes."""
    return [code[:length] for length in (2, 4, 6) if len(code) >= length]


def area_names(codes) -> dict[str, str]:
    """Thai names of DOPA codes of any level, in three queries at most."""
    codes = set(codes)
    names: dict[str, str] = {}
    for model, length in ((Province, 2), (District, 4), (Subdistrict, 6)):
        wanted = [code for code in codes if len(code) == length]
        if wanted:
            names.update((area.code, area.name) for area in model.objects.filter(code__in=wanted))
    return names


def _covering(code: str) -> Exists:
    return Exists(
        AgencyArea.objects.filter(agency=OuterRef("pk"), area_code__in=area_prefixes(code))
    )


def _has_users() -> Exists:
    return Exists(
        RoleAssignment.objects.filter(
            role=Role.AGENCY_USER, agency=OuterRef("pk"), user__is_active=True
        )
    )


def _agencies_for(user):
    return visible(user, Agency.objects.all()).annotate(has_users=_has_users())


# --- Directory ---------------------------------------------------------------------------------


@login_required
def agency_list(request):
    services = list(Service.objects.filter(is_active=True))
    province = request.GET.get("province", "")
    form = forms.DirectorySearchForm(
        request.GET or None,
        services=services,
        provinces=Province.objects.order_by(thai_order("name_th")),
        districts=District.objects.filter(province_id=province).order_by(thai_order("name_th"))
        if province
        else [],
    )
    agencies = _agencies_for(request.user).prefetch_related(
        Prefetch("services", queryset=Service.objects.only("code", "name_th")), "areas"
    )
    area = ""
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            agencies = agencies.filter(
                Q(name_th__icontains=data["q"]) | Q(name_en__icontains=data["q"])
            )
        if data["service"]:
            agencies = agencies.filter(services__code=data["service"])
        if data["kind"]:
            agencies = agencies.filter(kind=data["kind"])
        area = form.area_code()
        if area:
            agencies = agencies.filter(_covering(area))
    page = _paginate(request, agencies.filter(is_active=True).distinct())
    codes = {row.area_code for agency in page["page_obj"] for row in agency.areas.all()}
    names = area_names(codes | {area} if area else codes)
    for agency in page["page_obj"]:
        agency.area_labels = [names.get(row.area_code, row.area_code) for row in agency.areas.all()]
    return render(
        request,
        "referrals/agency_list.html",
        {
            "form": form,
            "area_name": names.get(area, ""),
            "may_register": scope_of(request.user).national,
            **page,
        },
    )


def may_edit_agency(user, agency: Agency) -> bool:
    """The ministry, the agency's own users, and officers of the agency's province."""
    if can_write(user, agency):
        return True
    scope = scope_of(user)
    provinces = set(scope.province_codes) | {code[:2] for code in scope.district_codes}
    return agency.province_id is not None and agency.province_id in provinces


def _agency(request, pk, *, write: bool = False) -> Agency:
    agency = get_for(request.user, _agencies_for(request.user), pk)
    if write and not may_edit_agency(request.user, agency):
        raise PermissionDenied
    return agency


@login_required
def agency_detail(request, pk):
    agency = _agency(request, pk)
    may_edit = may_edit_agency(request.user, agency)
    areas = list(agency.areas.all())
    names = area_names(row.area_code for row in areas)
    return render(
        request,
        "referrals/agency_detail.html",
        {
            "agency": agency,
            "services": list(agency.services.all()),
            "areas": [(row.area_code, names.get(row.area_code, "")) for row in areas],
            "contacts": list(agency.contacts.all()[:50]),
            "may_edit": may_edit,
            "contact_form": forms.ContactForm() if may_edit else None,
        },
    )


@login_required
def agency_edit(request, pk):
    agency = _agency(request, pk, write=True)
    if request.method == "POST":
        form = forms.AgencyForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                actions.update_agency(
                    actor=request.user,
                    agency=agency,
                    services=list(data["services"]),
                    area_codes=data["area_codes"],
                    phone=data["phone"].strip(),
                    email=data["email"].strip(),
                    address=data["address"].strip(),
                    is_active=data["is_active"],
                )
            except ValidationError as error:
                _put_errors(form, error, {"areas": "area_codes"})
            else:
                messages.success(request, _("บันทึกข้อมูลหน่วยงานแล้ว"))
                return redirect("referrals:agency_detail", pk=agency.pk)
    else:
        form = forms.AgencyForm(
            initial={
                "phone": agency.phone,
                "email": agency.email,
                "address": agency.address,
                "is_active": agency.is_active,
                "services": list(agency.services.all()),
                "area_codes": " ".join(agency.areas.values_list("area_code", flat=True)),
            }
        )
    return render(request, "referrals/agency_form.html", {"agency": agency, "form": form})


@require_POST
@login_required
def contact_create(request, pk):
    agency = _agency(request, pk, write=True)
    form = forms.ContactForm(request.POST)
    if form.is_valid():
        try:
            actions.add_agency_contact(actor=request.user, agency=agency, **form.cleaned_data)
        except ValidationError as error:
            _put_errors(form, error)
        else:
            messages.success(request, _("เพิ่มผู้ประสานงานแล้ว"))
            return redirect(reverse("referrals:agency_detail", args=[agency.pk]) + "#contacts")
    areas = list(agency.areas.all())
    names = area_names(row.area_code for row in areas)
    return render(
        request,
        "referrals/agency_detail.html",
        {
            "agency": agency,
            "services": list(agency.services.all()),
            "areas": [(row.area_code, names.get(row.area_code, "")) for row in areas],
            "contacts": list(agency.contacts.all()[:50]),
            "may_edit": True,
            "contact_form": form,
        },
        status=400,
    )


# --- Referrals from a case ---------------------------------------------------------------------


def _case(request, case_id, *, write: bool = False) -> Case:
    cases = Case.objects.select_related("person", "center", "household")
    return get_for(request.user, visible(request.user, cases), case_id, write=write)


def _referrals_of(case: Case):
    return case.referrals.select_related("agency", "service").order_by("-sent_at", "-id")


@login_required
def case_referrals(request, case_id):
    case = _case(request, case_id)
    page = _paginate(request, _referrals_of(case))
    conferences = list(case.conferences.prefetch_related("agencies")[:20])
    return render(
        request,
        "referrals/case_referrals.html",
        {
            "case": case,
            "may_write": case.is_open and can_write(request.user, case),
            "conferences": conferences,
            "today": timezone.localdate(),
            **page,
        },
    )


def _suggestions(case: Case, service: Service | None) -> tuple[list, list]:
    """Agencies offering the service: those covering the person's subdistrict first."""
    if service is None:
        return [], []
    offering = (
        Agency.objects.filter(is_active=True, services=service)
        .annotate(has_users=_has_users())
        .order_by(thai_order("name_th"))
    )
    subdistrict = case.person.subdistrict_id or ""
    if not subdistrict:
        return [], list(offering[:50])
    covering = offering.filter(_covering(subdistrict))
    return list(covering[:50]), list(offering.exclude(pk__in=covering.values("pk"))[:50])


def _shared_fields(service: Service | None) -> list[tuple[str, str]]:
    if service is None:
        return []
    return [
        (field, forms.SHARED_FIELD_LABELS.get(field, field))
        for field in (service.shared_fields or ["full_name", "need"])
    ]


@login_required
def referral_create(request, case_id):
    case = _case(request, case_id, write=True)
    consent = actions.sharing_basis(case.person)
    data = request.POST if request.method == "POST" else None
    initial = {"service": request.GET.get("service", ""), "need": request.GET.get("need", "")}
    plan_item = request.GET.get("plan_item", "")
    if plan_item.isdigit():
        initial["plan_item"] = int(plan_item)
    form = forms.ReferralForm(data, case=case, initial=initial)
    status = 200
    if data is not None and form.is_valid():
        values = form.cleaned_data
        try:
            referral = actions.send_referral(
                actor=request.user,
                case=case,
                agency=values["agency"],
                service=values["service"],
                need=values["need"],
                note=values["note"],
                plan_item=values["plan_item"],
            )
        except ValidationError as error:
            _put_errors(form, error, {"consent": None, "case": None})
            status = 400
        else:
            messages.success(
                request,
                _("ส่งต่อถึง %(agency)s แล้ว") % {"agency": referral.agency.name_th},
            )
            return redirect("referrals:referral_detail", pk=referral.pk)
    elif data is not None:
        status = 400
    service_code = (data or {}).get("service") or initial["service"]
    service = Service.objects.filter(code=service_code, is_active=True).first()
    suggested, others = _suggestions(case, service)
    chosen = (data or {}).get("agency", "")
    return render(
        request,
        "referrals/referral_form.html",
        {
            "case": case,
            "form": form,
            "consent": consent,
            "service": service,
            "services": Service.objects.filter(is_active=True),
            "shared_fields": _shared_fields(service),
            "suggested": suggested,
            "others": others,
            "chosen_agency": chosen,
            "area_name": area_names([case.person.subdistrict_id]).get(
                case.person.subdistrict_id or "", ""
            ),
        },
        status=status,
    )


# --- One referral ------------------------------------------------------------------------------


def _referral(request, pk) -> Referral:
    referrals = Referral.objects.select_related("agency", "service", "case", "sent_by", "consent")
    return get_for(request.user, referrals, pk)


def _shared_rows(referral: Referral) -> list[tuple[str, object]]:
    rows = []
    for field, value in open_values(referral.partner_shared_data()).items():
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value)
        rows.append((forms.SHARED_FIELD_LABELS.get(field, field), value))
    return rows


def _answers(referral: Referral) -> list[dict]:
    """The answers the partner may give now, in the order of the loop."""
    allowed = actions.PARTNER_MOVES.get(ReferralStatus(referral.status), set())
    return [
        {"name": name, "button": forms.ANSWERS[name][0], "reason_label": forms.ANSWERS[name][1]}
        for name, status in actions.LINK_ACTIONS.items()
        if status in allowed
    ]


def _referral_events(referral: Referral):
    on_case = Q(object_type="cases.case", object_id=str(referral.case_id)) & Q(
        changes__referral=referral.pk
    )
    on_referral = Q(object_type="referrals.referral", object_id=str(referral.pk))
    events = list(
        AuditEvent.objects.filter(on_case | on_referral)
        .only("at", "actor_label", "action", "reason")
        .order_by("at", "id")[:100]
    )
    for event in events:
        event.label = action_label(event.action)
    return events


def _is_overdue(referral: Referral, today: dt.date) -> bool:
    if referral.status == ReferralStatus.SENT:
        return referral.respond_by < today
    if referral.status in (ReferralStatus.ACCEPTED, ReferralStatus.IN_SERVICE):
        return referral.complete_by < today
    return False


def _referral_context(request, referral: Referral, **overrides) -> dict:
    user = request.user
    full = sees_case(user, referral.case_id)
    partner = _is_partner_of(user, referral)
    context = {
        "referral": referral,
        "full_view": full,
        "partner": partner,
        "shared_rows": _shared_rows(referral),
        "answers": _answers(referral) if partner else [],
        "answer_error": "",
        "overdue": _is_overdue(referral, timezone.localdate()),
    }
    if full:
        may_write = can_write(user, referral.case)
        # A partner without users in Asa answers through a link the sender makes here.
        agency_has_users = Agency.objects.filter(pk=referral.agency_id).filter(_has_users())
        context.update(
            events=_referral_events(referral),
            may_write=may_write,
            withdraw_form=forms.WithdrawForm(initial={"version": referral.version})
            if may_write and referral.is_open
            else None,
            link_form=forms.LinkForm(agency=referral.agency)
            if may_write and referral.is_open and not agency_has_users.exists()
            else None,
            issued_link=request.session.pop(f"referral-link-{referral.pk}", ""),
        )
    context.update(overrides)
    return context


@never_cache
@login_required
def referral_detail(request, pk):
    referral = _referral(request, pk)
    context = _referral_context(request, referral)
    if context["partner"]:
        actions.record_referral_opened(actor=request.user, referral=referral, via="page")
    return render(request, "referrals/referral_detail.html", context)


@require_POST
@login_required
def referral_answer(request, pk):
    referral = _referral(request, pk)
    if not _is_partner_of(request.user, referral):
        raise PermissionDenied
    form = forms.AnswerForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.answer_referral(
                actor=request.user,
                referral=referral,
                status=actions.LINK_ACTIONS[data["action"]],
                reason=data["reason"],
                expected_version=data["version"],
            )
        except ValidationError as error:
            referral.refresh_from_db()
            context = _referral_context(
                request,
                referral,
                answer_error=_error_text(error),
                failed_action=data["action"],
                failed_reason=data["reason"],
            )
            return render(request, "referrals/referral_detail.html", context, status=400)
        messages.success(
            request, _("บันทึกคำตอบแล้ว: %(status)s") % {"status": referral.get_status_display()}
        )
        return redirect("referrals:referral_detail", pk=referral.pk)
    context = _referral_context(request, referral, answer_error=_("คำตอบไม่ถูกต้อง"))
    return render(request, "referrals/referral_detail.html", context, status=400)


def _referral_for_case_writer(request, pk) -> Referral:
    referral = _referral(request, pk)
    if not sees_case(request.user, referral.case_id):
        raise Http404  # a partner user never learns more about the case than its referral
    if not can_write(request.user, referral.case):
        raise PermissionDenied
    return referral


@require_POST
@login_required
def referral_withdraw(request, pk):
    referral = _referral_for_case_writer(request, pk)
    form = forms.WithdrawForm(request.POST)
    if form.is_valid():
        try:
            actions.withdraw_referral(
                actor=request.user,
                referral=referral,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            _put_errors(form, error, {"status": None, "version": None})
        else:
            messages.success(request, _("ถอนการส่งต่อแล้ว"))
            return redirect("referrals:referral_detail", pk=referral.pk)
    referral.refresh_from_db()
    context = _referral_context(request, referral, withdraw_form=form)
    return render(request, "referrals/referral_detail.html", context, status=400)


@require_POST
@login_required
def referral_link(request, pk):
    referral = _referral_for_case_writer(request, pk)
    form = forms.LinkForm(request.POST, agency=referral.agency)
    if form.is_valid():
        try:
            path = actions.issue_referral_link(
                actor=request.user, referral=referral, contact=form.cleaned_data["contact"]
            )
        except ValidationError as error:
            _put_errors(form, error)
        else:
            # Shown once on the next page, so the sender can copy it; never stored in clear.
            request.session[f"referral-link-{referral.pk}"] = request.build_absolute_uri(path)
            return redirect(reverse("referrals:referral_detail", args=[referral.pk]) + "#link")
    context = _referral_context(request, referral, link_form=form)
    return render(request, "referrals/referral_detail.html", context, status=400)


# --- Inbox and outbox --------------------------------------------------------------------------

INBOX_TABS = {
    "new": [ReferralStatus.SENT],
    "active": [ReferralStatus.ACCEPTED, ReferralStatus.IN_SERVICE],
    "done": [
        ReferralStatus.COMPLETED,
        ReferralStatus.NOT_COMPLETED,
        ReferralStatus.DECLINED,
        ReferralStatus.WITHDRAWN,
    ],
}


def _overdue_condition(today: dt.date) -> Q:
    return Q(status=ReferralStatus.SENT, respond_by__lt=today) | Q(
        status__in=[ReferralStatus.ACCEPTED, ReferralStatus.IN_SERVICE], complete_by__lt=today
    )


@login_required
def inbox(request):
    scope = scope_of(request.user)
    tab = request.GET.get("tab") if request.GET.get("tab") in INBOX_TABS else "new"
    referrals = Referral.objects.filter(
        agency_id__in=scope.agency_ids, status__in=INBOX_TABS[tab]
    ).select_related("agency", "service", "consent")
    page = _paginate(request, referrals)
    today = timezone.localdate()
    for referral in page["page_obj"]:
        referral.overdue = _is_overdue(referral, today)
    return render(
        request,
        "referrals/inbox.html",
        {"tab": tab, "is_partner": bool(scope.agency_ids), **page},
    )


OUTBOX_TABS = ("open", "overdue", "done", "all")


@login_required
def outbox(request):
    tab = request.GET.get("tab") if request.GET.get("tab") in OUTBOX_TABS else "open"
    today = timezone.localdate()
    cases = visible(request.user, Case.objects.all())
    referrals = Referral.objects.filter(case__in=cases).select_related(
        "agency", "service", "case__person"
    )
    if tab == "open":
        referrals = referrals.filter(status__in=OPEN_REFERRAL_STATUSES)
    elif tab == "overdue":
        referrals = referrals.filter(_overdue_condition(today))
    elif tab == "done":
        referrals = referrals.exclude(status__in=OPEN_REFERRAL_STATUSES)
    page = _paginate(request, referrals)
    for referral in page["page_obj"]:
        referral.overdue = _is_overdue(referral, today)
    return render(request, "referrals/outbox.html", {"tab": tab, **page})


# --- Links for partners without users (no login) ----------------------------------------------


def _link_response(request, template: str, context: dict, status: int = 200):
    response = render(request, template, context, status=status)
    # The token is the key: keep it out of caches and search engines. (The site's same-origin
    # referrer policy already keeps it from other sites; "no-referrer" would make browsers send
    # `Origin: null` with the answer form, which CSRF protection rightly refuses.)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _refused_link(request, token: str, error: actions.LinkRefused, action: str = ""):
    link = actions.record_link_refusal(token=token, reason=str(error), action=action)
    return _link_response(
        request,
        "referrals/link_refused.html",
        {"message": str(error)},
        status=410 if link is not None else 404,
    )


def link_page(request, token):
    if request.method not in ("GET", "POST"):
        raise Http404
    try:
        referral, link = actions.referral_for_link(token)
    except actions.LinkRefused as error:
        return _refused_link(request, token, error, request.POST.get("action", ""))
    context = {
        "referral": referral,
        "shared_rows": _shared_rows(referral),
        "answers": _answers(referral),
        "answer_error": "",
    }
    if request.method == "POST":
        form = forms.AnswerForm(request.POST)
        if not form.is_valid():
            context["answer_error"] = _("คำตอบไม่ถูกต้อง")
            return _link_response(request, "referrals/link_page.html", context, status=400)
        action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
        try:
            referral = actions.answer_by_link(token=token, action=action, reason=reason)
        except actions.LinkRefused as error:
            return _refused_link(request, token, error, action)
        except ValidationError as error:
            context.update(
                answer_error=_error_text(error), failed_action=action, failed_reason=reason
            )
            return _link_response(request, "referrals/link_page.html", context, status=400)
        return _link_response(
            request,
            "referrals/link_done.html",
            {"referral": referral, "again": referral.is_open},
        )
    actions.record_link_opened(link=link)
    return _link_response(request, "referrals/link_page.html", context)


# --- Case conferences --------------------------------------------------------------------------


@login_required
def conference_create(request, case_id):
    case = _case(request, case_id, write=True)
    if request.method == "POST":
        form = forms.ConferenceForm(request.POST)
        if form.is_valid():
            try:
                conference = actions.hold_conference(
                    actor=request.user, case=case, **form.cleaned_data
                )
            except ValidationError as error:
                _put_errors(form, error)
            else:
                messages.success(request, _("บันทึกการประชุมแล้ว"))
                return redirect("referrals:conference_detail", pk=conference.pk)
        status = 400
    else:
        form = forms.ConferenceForm(initial={"held_on": timezone.localdate()})
        status = 200
    return render(
        request, "referrals/conference_form.html", {"case": case, "form": form}, status=status
    )


def _conference(request, pk) -> CaseConference:
    conferences = CaseConference.objects.select_related("case__center", "recorded_by")
    return get_for(request.user, conferences, pk)


def _conference_context(request, conference: CaseConference, **overrides) -> dict:
    user = request.user
    scope = scope_of(user)
    full = sees_case(user, conference.case_id)
    may_write = full and can_write(user, conference.case)
    rows = list(conference.actions.select_related("owner_agency", "owner_center"))
    today = timezone.localdate()
    for row in rows:
        row.may_finish = row.done_on is None and (
            may_write or row.owner_agency_id in scope.agency_ids
        )
        row.overdue = row.done_on is None and row.due_on < today
    context = {
        "conference": conference,
        "agencies": list(conference.agencies.all()),
        "rows": rows,
        "full_view": full,
        "action_form": forms.ConferenceActionForm(conference=conference) if may_write else None,
    }
    context.update(overrides)
    return context


@login_required
def conference_detail(request, pk):
    conference = _conference(request, pk)
    return render(
        request, "referrals/conference_detail.html", _conference_context(request, conference)
    )


@require_POST
@login_required
def conference_action_create(request, pk):
    conference = _conference(request, pk)
    if not sees_case(request.user, conference.case_id):
        raise Http404
    if not can_write(request.user, conference):
        raise PermissionDenied
    form = forms.ConferenceActionForm(request.POST, conference=conference)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.add_conference_action(
                actor=request.user,
                conference=conference,
                action=data["action"],
                due_on=data["due_on"],
                **form.owners(),
            )
        except ValidationError as error:
            _put_errors(form, error, {"owner_agency": "owner"})
        else:
            messages.success(request, _("เพิ่มงานแล้ว"))
            return redirect(reverse("referrals:conference_detail", args=[pk]) + "#actions")
    context = _conference_context(request, conference, action_form=form)
    return render(request, "referrals/conference_detail.html", context, status=400)


@require_POST
@login_required
def conference_action_done(request, pk):
    rows = ConferenceAction.objects.select_related("conference__case")
    row = get_for(request.user, rows, pk, write=True)
    form = forms.DoneForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        actions.complete_conference_action(actor=request.user, action=row, note=note)
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, _("บันทึกว่าเสร็จแล้ว"))
    return redirect(reverse("referrals:conference_detail", args=[row.conference_id]) + "#actions")
