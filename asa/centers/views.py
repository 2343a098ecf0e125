"""Pages for coordination centers and volunteers. Thin: parse, check access, act, render."""

import datetime as dt
import re
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from asa.accounts.access import can_write, get_for, require, scope_of, visible, writable_centers
from asa.centers import actions, queries
from asa.centers import attendance as attendance_actions
from asa.centers import events as event_actions
from asa.centers import hours as hours_actions
from asa.centers.certificates import certificate_pdf
from asa.centers.forms import (
    CenterForm,
    EventForm,
    HoursDecisionForm,
    HoursEntryForm,
    OwnProfileForm,
    PhotoUploadForm,
    VolunteerForm,
    VolunteerRoleForm,
    VolunteerStatusForm,
    add_action_errors,
    add_event_errors,
)
from asa.centers.models import (
    Center,
    CenterStatus,
    EventKind,
    EventPhoto,
    HoursEntry,
    HoursStatus,
    Volunteer,
    VolunteerRole,
    VolunteerStatus,
)
from asa.lib.forms import address_initial
from asa.lib.thai import fiscal_year_be, thai_digits_preferred, to_arabic_digits
from asa.lib.thai_order import thai_order

PAGE_SIZE = 50


def _paginate(request, queryset, per_page: int = PAGE_SIZE) -> dict:
    """A page of the queryset and the query string to keep the filters across pages."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    encoded = query.urlencode()
    return {"page_obj": page, "query_without_page": f"{encoded}&" if encoded else ""}


# --- Centers -----------------------------------------------------------------------------------


@login_required
def center_list(request):
    context = _paginate(request, queries.center_list_for(request.user))
    return render(request, "centers/center_list.html", context)


@login_required
def center_detail(request, pk):
    center = get_for(request.user, queries.centers_for(request.user), pk)
    may_write = can_write(request.user, center)
    text = request.GET.get("q", "")
    volunteers = queries.filter_volunteers(
        queries.volunteers_for(request.user).filter(center=center),
        text=text,
        status=request.GET.get("status", ""),
        include_national_id=may_write,
    )
    context = {
        "center": center,
        "may_write": may_write,
        "committee": list(queries.committee_of(center)),
        "q": text,
        "status": request.GET.get("status", ""),
        "statuses": VolunteerStatus.choices,
        **_paginate(request, volunteers),
    }
    template = "centers/_volunteer_rows.html" if request.htmx else "centers/center_detail.html"
    return render(request, template, context)


@login_required
def center_edit(request, pk):
    center = get_for(request.user, queries.centers_for(request.user), pk, write=True)
    if request.method == "POST":
        form = CenterForm(request.POST)
        if form.is_valid():
            try:
                actions.update_center(
                    actor=request.user,
                    center=center,
                    **{name: form.cleaned_data[name] for name in CenterForm.FIELDS},
                )
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("บันทึกข้อมูลศูนย์แล้ว"))
                return redirect("centers:center_detail", pk=center.pk)
    else:
        form = CenterForm(initial={name: getattr(center, name) for name in CenterForm.FIELDS})
    return render(request, "centers/center_form.html", {"center": center, "form": form})


# --- Volunteers --------------------------------------------------------------------------------


@login_required
def volunteer_list(request):
    scope = scope_of(request.user)
    text = request.GET.get("q", "")
    volunteers = queries.filter_volunteers(
        queries.volunteers_for(request.user),
        text=text,
        center_id=request.GET.get("center", ""),
        status=request.GET.get("status", ""),
        include_national_id=scope.is_staff_level,
    )
    context = {
        "q": text,
        "center_id": request.GET.get("center", ""),
        "status": request.GET.get("status", ""),
        "statuses": VolunteerStatus.choices,
        # The filter lists only the centers the user can see; a handful, or one province's.
        "centers": queries.centers_for(request.user).only("pk", "name_th", "name_en")[:200],
        "may_create": writable_centers(request.user).exists(),
        "may_search_id": scope.is_staff_level,
        "show_center": True,
        **_paginate(request, volunteers),
    }
    template = "centers/_volunteer_rows.html" if request.htmx else "centers/volunteer_list.html"
    return render(request, template, context)


@login_required
def volunteer_detail(request, pk):
    volunteer = get_for(request.user, queries.volunteer_detail_for(request.user), pk)
    may_write = can_write(request.user, volunteer)
    history = queries.history_of(volunteer)
    labels = {"status": VolunteerStatus, "role": VolunteerRole}
    for change in history:
        choices = labels.get(change.field)
        change.old_label = _label(choices, change.old_value)
        change.new_label = _label(choices, change.new_value)
    may_see_identity = may_write or volunteer.pk in scope_of(request.user).volunteer_ids
    fiscal_year = queries.current_fiscal_year()
    context = {
        "volunteer": volunteer,
        "may_write": may_write,
        # National ID, birth date and address: for those who manage the volunteer, or themself.
        "may_see_identity": may_see_identity,
        "skills": list(volunteer.skills.all()),
        # Training records and certificates: the volunteer, their chair, officers (access rule).
        "trainings": list(queries.trainings_for(request.user).filter(volunteer=volunteer)[:50]),
        "history": history,
        "fiscal_year": fiscal_year,
        "hours": (
            queries.volunteer_hours(volunteer, fiscal_year=fiscal_year)
            if may_see_identity
            else None
        ),
    }
    return render(request, "centers/volunteer_detail.html", context)


def _label(choices, value: str) -> str:
    if choices is None or value not in choices.values:
        return value
    return choices(value).label


@login_required
def volunteer_create(request):
    centers = writable_centers(request.user).order_by(thai_order("name_th"))
    require(centers.exists())
    if request.method == "POST":
        form = VolunteerForm(request.POST, centers=centers)
        if form.is_valid():
            try:
                volunteer = actions.register_volunteer(actor=request.user, **form.action_data())
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("ลงทะเบียน อพม. แล้ว"))
                return redirect("centers:volunteer_detail", pk=volunteer.pk)
    else:
        form = VolunteerForm(centers=centers, initial={"center": _preselected_center(request)})
    return render(request, "centers/volunteer_form.html", {"form": form, "volunteer": None})


def _preselected_center(request):
    """`?center=<id>` from a center page, else the chair's own center."""
    wanted = request.GET.get("center", "")
    if wanted.isdigit():
        return int(wanted)
    chair_centers = scope_of(request.user).chair_center_ids
    return next(iter(chair_centers)) if len(chair_centers) == 1 else None


@login_required
def volunteer_edit(request, pk):
    volunteer = get_for(request.user, queries.volunteer_detail_for(request.user), pk, write=True)
    if request.method == "POST":
        form = VolunteerForm(request.POST, creating=False)
        if form.is_valid():
            try:
                actions.update_volunteer(
                    actor=request.user, volunteer=volunteer, **form.action_data()
                )
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("บันทึกข้อมูล อพม. แล้ว"))
                return redirect("centers:volunteer_detail", pk=volunteer.pk)
    else:
        initial = {name: getattr(volunteer, name) for name in VolunteerForm.PERSONAL_FIELDS}
        initial |= address_initial(volunteer)
        initial["skills"] = list(volunteer.skills.all())
        form = VolunteerForm(creating=False, initial=initial)
    return render(request, "centers/volunteer_form.html", {"form": form, "volunteer": volunteer})


@login_required
def volunteer_status(request, pk):
    volunteer = get_for(request.user, queries.volunteers_for(request.user), pk, write=True)
    if request.method == "POST":
        form = VolunteerStatusForm(request.POST)
        if form.is_valid():
            try:
                actions.change_volunteer_status(
                    actor=request.user, volunteer=volunteer, **form.cleaned_data
                )
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("เปลี่ยนสถานะแล้ว"))
                return redirect("centers:volunteer_detail", pk=volunteer.pk)
    else:
        suggested = (
            VolunteerStatus.INACTIVE
            if volunteer.status == VolunteerStatus.ACTIVE
            else VolunteerStatus.ACTIVE
        )
        form = VolunteerStatusForm(initial={"status": request.GET.get("status", suggested)})
    return render(request, "centers/volunteer_status.html", {"form": form, "volunteer": volunteer})


@login_required
def volunteer_role(request, pk):
    volunteer = get_for(request.user, queries.volunteers_for(request.user), pk, write=True)
    if request.method == "POST":
        form = VolunteerRoleForm(request.POST)
        if form.is_valid():
            try:
                actions.change_volunteer_role(
                    actor=request.user, volunteer=volunteer, **form.cleaned_data
                )
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("เปลี่ยนบทบาทแล้ว"))
                return redirect("centers:volunteer_detail", pk=volunteer.pk)
    else:
        form = VolunteerRoleForm(initial={"role": volunteer.role})
    return render(request, "centers/volunteer_role.html", {"form": form, "volunteer": volunteer})


@login_required
def own_profile_edit(request):
    """A volunteer corrects their own phone and address (their record, never someone else's)."""
    volunteer = (
        Volunteer.objects.select_related("subdistrict__district").filter(user=request.user).first()
    )
    if volunteer is None:
        raise Http404
    if request.method == "POST":
        form = OwnProfileForm(request.POST)
        if form.is_valid():
            try:
                actions.update_own_profile(actor=request.user, **form.action_data())
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("บันทึกข้อมูลของคุณแล้ว"))
                return redirect("accounts:profile")
    else:
        form = OwnProfileForm(initial={"phone": volunteer.phone, **address_initial(volunteer)})
    return render(request, "centers/own_profile_form.html", {"form": form, "volunteer": volunteer})


# --- Events ------------------------------------------------------------------------------------


def _partner_centers(user):
    """Centers an event may be held jointly with: those in the provinces of the user's own."""
    provinces = writable_centers(user).values("district__province_id")
    return (
        Center.objects.filter(district__province_id__in=provinces, status=CenterStatus.ACTIVE)
        .only("pk", "name_th", "name_en")
        .order_by(thai_order("name_th"))
    )


@login_required
def event_list(request):
    fiscal_year = request.GET.get("fy", "")
    chosen_year = queries.parse_fiscal_year(fiscal_year) if fiscal_year else None
    events = queries.filter_events(
        queries.events_for(request.user),
        center_id=request.GET.get("center", ""),
        kind=request.GET.get("kind", ""),
        fiscal_year=chosen_year,
    )
    context = {
        "center_id": request.GET.get("center", ""),
        "kind": request.GET.get("kind", ""),
        "fiscal_year": chosen_year,
        "kinds": EventKind.choices,
        "fiscal_years": queries.fiscal_year_choices(),
        "centers": queries.centers_for(request.user).only("pk", "name_th", "name_en")[:200],
        "may_create": writable_centers(request.user).exists(),
        **_paginate(request, events),
    }
    return render(request, "centers/event_list.html", context)


@login_required
def event_create(request):
    centers = writable_centers(request.user).order_by(thai_order("name_th"))
    require(centers.exists())
    partners = _partner_centers(request.user)
    if request.method == "POST":
        form = EventForm(request.POST, centers=centers, partner_centers=partners)
        if form.is_valid():
            try:
                event = event_actions.create_event(actor=request.user, **form.action_data())
            except ValidationError as error:
                add_event_errors(form, error)
            else:
                messages.success(request, _("บันทึกกิจกรรมแล้ว"))
                return redirect("centers:event_detail", pk=event.pk)
    else:
        form = EventForm(
            centers=centers,
            partner_centers=partners,
            initial={
                "center": _preselected_center(request),
                "kind": request.GET.get("kind", ""),
                "starts_time": dt.time(9, 0),
                "ends_time": dt.time(12, 0),
            },
        )
    return render(request, "centers/event_form.html", {"form": form, "event": None})


@login_required
def event_detail(request, pk):
    event = get_for(request.user, queries.event_detail_for(request.user), pk)
    certificates: dict[int, list] = {}
    for record in queries.trainings_for(request.user).filter(event=event).order_by("topic"):
        certificates.setdefault(record.volunteer_id, []).append(record)
    attendances = list(event.attendances.all())
    for attendance in attendances:
        attendance.certificates = certificates.get(attendance.volunteer_id, [])
    context = {
        "event": event,
        "may_write": can_write(request.user, event),
        "attendances": attendances,
        "speakers": event_actions.split_lines(event.speakers),
        "topics": event_actions.split_lines(event.topics),
        "photos": list(event.photos.all()),
        "other_centers": list(event.other_centers.all()),
        "photo_form": PhotoUploadForm(),
        "fiscal_year": fiscal_year_be(timezone.localdate(event.starts_at)),
    }
    return render(request, "centers/event_detail.html", context)


@login_required
def event_edit(request, pk):
    event = get_for(request.user, queries.events_for(request.user), pk, write=True)
    partners = _partner_centers(request.user) | Center.objects.filter(
        pk__in=event.other_centers.values("pk")
    )
    if request.method == "POST":
        form = EventForm(request.POST, partner_centers=partners, creating=False)
        if form.is_valid():
            try:
                event_actions.update_event(actor=request.user, event=event, **form.action_data())
            except ValidationError as error:
                add_event_errors(form, error)
            else:
                messages.success(request, _("บันทึกการแก้ไขกิจกรรมแล้ว"))
                return redirect("centers:event_detail", pk=event.pk)
    else:
        form = EventForm(
            partner_centers=partners, creating=False, initial=EventForm.initial_for(event)
        )
    return render(request, "centers/event_form.html", {"form": form, "event": event})


@login_required
def event_attendance(request, pk):
    """Tick the volunteers present (host and joint centers); hours default to the event's."""
    event = get_for(request.user, queries.events_for(request.user), pk, write=True)
    default_hours = attendance_actions.event_hours(event)
    volunteers = list(
        attendance_actions.eligible_attendees(event)
        .select_related("center")
        .order_by(
            thai_order("center__name_th"), thai_order("first_name"), thai_order("last_name"), "id"
        )
    )
    current = dict(event.attendances.values_list("volunteer_id", "hours"))
    error = codes_error = None
    codes = ""
    if request.method == "POST":
        present = {value for value in request.POST.getlist("present") if value.isdigit()}
        # Codes typed or scanned (one per line, or separated by spaces or commas) tick too.
        codes = request.POST.get("codes", "")
        by_pk = {volunteer.pk: volunteer for volunteer in volunteers}
        unknown = []
        for code in re.split(r"[\s,]+", codes.strip()) if codes.strip() else []:
            pk = Volunteer.pk_from_code(code)
            if pk in by_pk:
                present.add(str(pk))
            else:
                unknown.append(code)
        if unknown:
            codes_error = error = _("รหัส อพม. ไม่อยู่ในรายชื่อผู้มีสิทธิ์ร่วมกิจกรรมนี้: %(codes)s") % {
                "codes": ", ".join(unknown[:10])
            }
        attendees = {}
        for volunteer in volunteers:
            if str(volunteer.pk) not in present:
                continue
            typed = to_arabic_digits(request.POST.get(f"hours-{volunteer.pk}", "").strip())
            try:
                hours = Decimal(typed) if typed else None
            except ArithmeticError:
                hours = Decimal("NaN")
            if hours is not None and not hours.is_finite():
                error = _("ชั่วโมงของ %(name)s ไม่ใช่ตัวเลข") % {"name": volunteer.full_name}
            attendees[volunteer] = hours
        if error is None:
            try:
                attendance_actions.take_attendance(
                    actor=request.user, event=event, attendees=attendees
                )
            except ValidationError as failure:
                error = " ".join(failure.messages)
            else:
                messages.success(
                    request,
                    _("บันทึกผู้เข้าร่วมแล้ว %(count)s คน") % {"count": len(attendees)},
                )
                return redirect("centers:event_detail", pk=event.pk)
        current = {
            volunteer.pk: request.POST.get(f"hours-{volunteer.pk}", "")
            for volunteer in volunteers
            if str(volunteer.pk) in present
        }
        if codes_error is None:
            codes = ""  # those codes are ticked above; the field starts empty again
    for volunteer in volunteers:
        volunteer.present = volunteer.pk in current
        volunteer.hours = current.get(volunteer.pk, "") or default_hours
    context = {
        "event": event,
        "volunteers": volunteers,
        "default_hours": default_hours,
        "error": error,
        "codes": codes,
        "codes_error": codes_error,
        # The center is named on each line only when volunteers of joint centers are listed too.
        "several_centers": len({volunteer.center_id for volunteer in volunteers}) > 1,
        "present_count": len(current),
    }
    return render(request, "centers/event_attendance.html", context)


@login_required
def event_photo_add(request, pk):
    event = get_for(request.user, queries.events_for(request.user), pk, write=True)
    if request.method != "POST":
        return redirect("centers:event_detail", pk=event.pk)
    form = PhotoUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            event_actions.add_event_photos(
                actor=request.user,
                event=event,
                photos=request.FILES.getlist("photos"),
                caption=form.cleaned_data["caption"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("เพิ่มภาพแล้ว"))
    else:
        messages.error(request, _("กรุณาเลือกภาพ"))
    return redirect("centers:event_detail", pk=event.pk)


@login_required
def event_photo(request, pk):
    """Stream an event photo after the access check; photos never sit under a public URL."""
    photo = get_for(request.user, EventPhoto.objects.all(), pk)
    try:
        handle = photo.image.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Disposition"] = f'inline; filename="event-photo-{photo.pk}.jpg"'
    return response


def _wants_thai_digits(request) -> bool:
    wanted = request.GET.get("digits")
    if wanted in ("thai", "arabic"):
        return wanted == "thai"
    return bool(thai_digits_preferred.get())


@login_required
def training_certificate(request, pk):
    """The certificate PDF: for the volunteer themself, their chair, officers in scope."""
    record = get_for(request.user, queries.trainings_for(request.user), pk)
    content = certificate_pdf(record, thai_digits=_wants_thai_digits(request))
    response = HttpResponse(content, content_type="application/pdf")
    name = record.certificate_number or f"training-{record.pk}"
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Volunteer hours ---------------------------------------------------------------------------


@login_required
def my_hours(request):
    """The signed-in volunteer's hours in a fiscal year, with where they came from."""
    volunteer = queries.own_volunteer(request.user)
    fiscal_year = queries.parse_fiscal_year(request.GET.get("fy"))
    context = {
        "volunteer": volunteer,
        "fiscal_year": fiscal_year,
        "fiscal_years": queries.fiscal_year_choices(),
        "per_visit": queries.hours_per_visit(),
        "manages": writable_centers(request.user).exists(),
    }
    if volunteer is not None:
        first_day, last_day = queries.fiscal_year_days(fiscal_year)
        context |= {
            "hours": queries.volunteer_hours(volunteer, fiscal_year=fiscal_year),
            "attended": list(
                queries.attendance_of(volunteer, first_day=first_day, last_day=last_day)[:100]
            ),
            "trainings": list(
                queries.trainings_for(request.user)
                .filter(volunteer=volunteer)
                .order_by("-completed_on", "topic")[:100]
            ),
            **_paginate(
                request,
                queries.hours_entries_for(request.user)
                .filter(volunteer=volunteer)
                .order_by("-worked_on", "-id"),
            ),
        }
    return render(request, "centers/my_hours.html", context)


@login_required
def hours_entry_create(request):
    volunteer = queries.own_volunteer(request.user)
    if volunteer is None:
        raise Http404
    if request.method == "POST":
        form = HoursEntryForm(request.POST)
        if form.is_valid():
            try:
                hours_actions.enter_hours(
                    actor=request.user, volunteer=volunteer, **form.cleaned_data
                )
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("ส่งชั่วโมงจิตอาสาแล้ว รอประธานศูนย์อนุมัติ"))
                return redirect("centers:my_hours")
    else:
        form = HoursEntryForm(initial={"worked_on": timezone.localdate()})
    return render(request, "centers/hours_entry_form.html", {"form": form, "volunteer": volunteer})


@login_required
def hours_review(request):
    """Hand-entered hours of the volunteers the user manages; pending ones first to decide."""
    require(writable_centers(request.user).exists())
    status = request.GET.get("status", HoursStatus.PENDING)
    entries = visible(
        request.user,
        HoursEntry.objects.select_related("volunteer__center", "decided_by"),
        write=True,
    )
    if status in HoursStatus.values:
        entries = entries.filter(status=status)
    context = {
        "status": status,
        "statuses": HoursStatus.choices,
        **_paginate(request, entries.order_by("-worked_on", "-id")),
    }
    return render(request, "centers/hours_review.html", context)


@login_required
def hours_entry_decide(request, pk):
    entry = get_for(request.user, queries.hours_entries_for(request.user), pk, write=True)
    if request.method == "POST":
        form = HoursDecisionForm(request.POST)
        if form.is_valid():
            decide = (
                hours_actions.approve_hours_entry
                if form.cleaned_data["decision"] == "approve"
                else hours_actions.reject_hours_entry
            )
            try:
                decide(actor=request.user, entry=entry, note=form.cleaned_data["note"])
            except ValidationError as error:
                for field, problems in error.message_dict.items():
                    form.add_error("note" if field == "decision_note" else None, problems)
            else:
                messages.success(request, _("บันทึกผลการพิจารณาแล้ว"))
                return redirect("centers:hours_review")
    else:
        form = HoursDecisionForm(initial={"decision": "approve"})
    return render(request, "centers/hours_entry_decide.html", {"entry": entry, "form": form})


@login_required
def center_hours(request, pk):
    """A center's volunteer hours in a fiscal year: the total and each volunteer's."""
    center = get_for(request.user, queries.centers_for(request.user), pk, write=True)
    fiscal_year = queries.parse_fiscal_year(request.GET.get("fy"))
    first_day, last_day = queries.fiscal_year_days(fiscal_year)
    totals = queries.hours_by_center([center.pk], first_day=first_day, last_day=last_day)
    volunteers = queries.with_hours(
        center.volunteers.filter(status=VolunteerStatus.ACTIVE), fiscal_year=fiscal_year
    ).order_by(thai_order("first_name"), thai_order("last_name"), "id")
    context = {
        "center": center,
        "fiscal_year": fiscal_year,
        "fiscal_years": queries.fiscal_year_choices(),
        "hours": totals.get(center.pk, queries.NO_HOURS),
        "per_visit": queries.hours_per_visit(),
        **_paginate(request, volunteers),
    }
    return render(request, "centers/center_hours.html", context)


@login_required
def outstanding_volunteers(request):
    """Candidates for outstanding volunteer (อพม. ดีเด่น) by hours, visits and cases closed."""
    centers = writable_centers(request.user)
    require(centers.exists())
    fiscal_year = queries.parse_fiscal_year(request.GET.get("fy"))
    wanted = request.GET.get("center", "")
    center_id = int(wanted) if wanted.isdigit() else None
    candidates = queries.outstanding_candidates(
        request.user, fiscal_year=fiscal_year, center_id=center_id
    )
    context = {
        "fiscal_year": fiscal_year,
        "fiscal_years": queries.fiscal_year_choices(),
        "center_id": wanted,
        "centers": centers.only("pk", "name_th", "name_en").order_by(thai_order("name_th"))[:200],
        "per_visit": queries.hours_per_visit(),
        **_paginate(request, candidates),
    }
    return render(request, "centers/outstanding.html", context)
