"""Pages for coordination centers and volunteers. Thin: parse, check access, act, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from asa.accounts.access import can_write, get_for, require, scope_of, writable_centers
from asa.centers import actions, queries
from asa.centers.forms import (
    CenterForm,
    OwnProfileForm,
    VolunteerForm,
    VolunteerRoleForm,
    VolunteerStatusForm,
    add_action_errors,
)
from asa.centers.models import Volunteer, VolunteerRole, VolunteerStatus
from asa.lib.forms import address_initial

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
    context = {
        "volunteer": volunteer,
        "may_write": may_write,
        # National ID, birth date and address: for those who manage the volunteer, or themself.
        "may_see_identity": may_write or volunteer.pk in scope_of(request.user).volunteer_ids,
        "skills": list(volunteer.skills.all()),
        "trainings": list(volunteer.trainings.all()[:50]),
        "history": history,
    }
    return render(request, "centers/volunteer_detail.html", context)


def _label(choices, value: str) -> str:
    if choices is None or value not in choices.values:
        return value
    return choices(value).label


@login_required
def volunteer_create(request):
    centers = writable_centers(request.user).order_by("name_th")
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
