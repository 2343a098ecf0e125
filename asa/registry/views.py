"""Pages of the registry: search-first registration, people, households, duplicates.

Thin, like every view here: parse, fetch through the access layer, call an action, render.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q, prefetch_related_objects
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from asa.accounts.access import can_write, get_for, require, scope_of, visible, with_write_flag
from asa.accounts.events import AUDIT_ONLY_ACTIONS, action_label
from asa.accounts.models import AuditEvent
from asa.accounts.reads import read_page, record_search
from asa.cases.queries import may_take_cases
from asa.lib.templatetags.thai import bedatetime
from asa.lib.thai import BE_OFFSET, format_be_date
from asa.registry import actions, assessment
from asa.registry.forms import (
    AddMemberForm,
    AssessmentForm,
    ConsentForm,
    DistinctForm,
    EndMembershipForm,
    HouseholdForm,
    MergeForm,
    PersonEditForm,
    ProblemForm,
    ProblemStatusForm,
    RegisterPersonForm,
    UndoMergeForm,
    WithdrawConsentForm,
    add_action_errors,
    initial_from_search,
    person_initial,
)
from asa.registry.models import (
    TITLE_SUGGESTIONS,
    BirthDatePrecision,
    Consent,
    Dimension,
    DuplicateCandidate,
    DuplicateStatus,
    HouseholdAssessment,
    HouseholdMembership,
    Merge,
    Person,
    PersonProblem,
    ProblemType,
    TargetGroup,
)
from asa.registry.queries import (
    help_history,
    households_for,
    households_named,
    people_for,
    search_people,
)

PAGE_SIZE = 30
TIMELINE_PAGE_SIZE = 20

# What each action in the audit trail is called on a timeline.


def _paginate(request, queryset, per_page: int = PAGE_SIZE, *, param: str = "page") -> dict:
    """A page of the queryset and the query string that keeps the filters across pages."""
    page = Paginator(queryset, per_page).get_page(request.GET.get(param))
    query = request.GET.copy()
    query.pop(param, None)
    encoded = query.urlencode()
    return {"page_obj": page, "query_without_page": f"{encoded}&" if encoded else ""}


def _int_or_none(value) -> int | None:
    value = str(value or "").strip()
    return int(value) if value.isdigit() else None


def _may_register(user) -> bool:
    scope = scope_of(user)
    return scope.national or scope.is_officer or bool(scope.center_ids)


# --- People: search first ----------------------------------------------------------------------


@login_required
def person_list(request):
    """Search first: a name, ID or phone; without a query, the people in scope, page by page."""
    text = request.GET.get("q", "").strip()[:200]
    group = _int_or_none(request.GET.get("group"))
    problem = _int_or_none(request.GET.get("problem"))
    people = people_for(request.user).select_related("subdistrict__district")
    if group:
        people = people.filter(target_groups=group)
    if problem:
        people = people.filter(problems__problem_type=problem)
    context = {
        "q": text,
        "group": group,
        "problem": problem,
        "groups": TargetGroup.objects.filter(is_active=True),
        "problems": ProblemType.objects.filter(is_active=True),
        "may_register": _may_register(request.user),
        "searched": bool(text),
    }
    if text:
        # Ranked by search_people (ID, exact name, partial name, sound-alike); at most 20.
        results = list(search_people(people, text))
        prefetch_related_objects(results, "target_groups")
        context["results"] = results
        found = len(results)
    else:
        context |= _paginate(request, people.prefetch_related("target_groups"))
        found = context["page_obj"].paginator.count
    record_search(request.user, object_type="registry.person", params=request.GET, results=found)
    template = "registry/_person_results.html" if request.htmx else "registry/person_list.html"
    return render(request, template, context)


@login_required
def person_create(request):
    require(_may_register(request.user))
    candidates = []
    if request.method == "POST":
        form = RegisterPersonForm(request.POST)
        if form.is_valid():
            data = form.action_data()
            try:
                person = actions.register_person_with_problems(
                    actor=request.user,
                    problems=form.problems_with_severity(),
                    duplicate_override_reason=form.cleaned_data["duplicate_override_reason"],
                    **data,
                )
            except actions.DuplicateSuspected as suspected:
                candidates = _describe_candidates(request.user, suspected.candidates)
                add_action_errors(form, suspected)
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("ลงทะเบียนบุคคลแล้ว"))
                return redirect("registry:person_detail", pk=person.pk)
    else:
        form = RegisterPersonForm(initial=initial_from_search(request.GET.get("q", "")))
    context = {
        "form": form,
        "candidates": candidates,
        "asking_reason": bool(candidates) or bool(form["duplicate_override_reason"].value()),
        "title_suggestions": TITLE_SUGGESTIONS,
        "person": None,
    }
    return render(request, "registry/person_form.html", context)


def _describe_candidates(user, candidates) -> list[dict]:
    """What the registrar may see of each possible duplicate.

    Candidates come from the whole registry. The registry is not an identity oracle: a person
    outside the registrar's scope is not described at all (no name, initials, birth year, place
    or reasons), only that someone with these details may be registered elsewhere, once,
    whatever their number (`elsewhere` in the list).
    """
    ids = [person.pk for person, _score, _reasons in candidates]
    readable = set(people_for(user).filter(pk__in=ids).values_list("pk", flat=True))
    described = []
    for person, score, reasons in candidates:
        if person.pk not in readable:
            if not any(item.get("elsewhere") for item in described):
                described.append({"elsewhere": True})
            continue
        described.append(
            {
                "person": person,
                "may_read": True,
                "name": person.full_name,
                "birth_year": str(person.birth_date.year + BE_OFFSET) if person.birth_date else "",
                "address": person.address_line,
                "center": person.center.name if person.center_id else "",
                "score": round(score * 100),
                "reasons": reasons,
            }
        )
    return described


def _person_queryset(user):
    return visible(user, Person.objects.all()).select_related(
        "subdistrict__district__province", "center", "merged_into"
    )


@login_required
def person_detail(request, pk):
    person = get_for(
        request.user, with_write_flag(request.user, _person_queryset(request.user)), pk
    )
    if person.merged_into_id:
        messages.info(request, _("ข้อมูลนี้ถูกรวมเข้ากับข้อมูลอีกรายการแล้ว"))
        return redirect("registry:person_detail", pk=person.merged_into_id)
    if (asked := read_page(request, person)) is not None:
        return asked  # out-of-routine access: the reason first
    may_write = person.user_may_write
    membership = (
        person.memberships.filter(ended_on__isnull=True).select_related("household").first()
    )
    household = membership.household if membership else None
    members, assessments = [], []
    if household is not None:
        members = list(
            household.memberships.filter(ended_on__isnull=True)
            .exclude(person=person)
            .select_related("person")
        )
        assessments = list(household.assessments.all()[:2])
    consents = list(person.consents.select_related("recorded_by"))
    household_ids = list(person.memberships.values_list("household_id", flat=True))
    merges = list(
        Merge.objects.filter(survivor=person, undone_at__isnull=True).select_related("merged")
    )
    # The records merged into this one bring their events: one person, one history.
    events = _timeline([person.pk, *(merge.merged_id for merge in merges)], household_ids)
    context = {
        "person": person,
        "may_write": may_write,
        "may_merge": may_write and scope_of(request.user).is_staff_level,
        "may_open_case": may_take_cases(request.user),
        "membership": membership,
        "household": household,
        "members": members,
        "latest": _bars(assessments[0]) if assessments else None,
        "previous": _bars(assessments[1]) if len(assessments) > 1 else None,
        "target_groups": list(person.target_groups.all()),
        "problems": list(person.problems.select_related("problem_type")),
        "consents": consents,
        "has_legal_basis": any(consent.is_current for consent in consents),
        "merges": merges,
        # After a merge the survivor holds the merged record's cases, help, goods and loans.
        "history": help_history(request.user, person_ids=[person.pk]),
        "history_title": _("ประวัติการช่วยเหลือ"),
        "status_form": ProblemStatusForm(),
        "birth_year_only": person.birth_date_precision == BirthDatePrecision.YEAR,
        **_paginate(request, events, TIMELINE_PAGE_SIZE),
    }
    _label_events(context["page_obj"])
    return render(request, "registry/person_detail.html", context)


def _timeline(person_ids: list[int], household_ids: list[int]):
    """The audit events of a person (and the records merged into them) and of the households
    they were in, newest first.

    The person was fetched through the access layer; their events follow their visibility
    (the audit trail as a whole stays with the DPO and the ministry).
    """
    condition = Q(object_type="registry.person", object_id__in=[str(pk) for pk in person_ids])
    if household_ids:
        condition |= Q(
            object_type="registry.household", object_id__in=[str(pk) for pk in household_ids]
        )
    # Reads are for the DPO's audit search, not for the casework timeline.
    return (
        AuditEvent.objects.filter(condition)
        .exclude(action__in=AUDIT_ONLY_ACTIONS)
        .order_by("-at", "-id")
    )


def _label_events(page) -> None:
    for event in page:
        event.label = action_label(event.action)
        event.summary = _event_summary(event)


def _event_summary(event) -> str:
    changes = event.changes or {}
    if event.action == "update_person":
        names = []
        for field in changes:
            try:
                names.append(str(Person._meta.get_field(field).verbose_name))
            except FieldDoesNotExist:  # an old field name: show it as it is
                names.append(field)
        return ", ".join(names)
    if event.action in ("record_problem", "update_problem_status"):
        return _problem_name(changes.get("problem"))
    return ""


_PROBLEM_NAMES: dict[str, str] = {}


def _problem_name(code) -> str:
    # The problem catalogue is small and changes rarely; read it once per process.
    if code not in _PROBLEM_NAMES:  # first use, or a type an admin added since
        _PROBLEM_NAMES.update(ProblemType.objects.values_list("code", "name_th"))
    return _PROBLEM_NAMES.get(code, str(code or ""))


def _bars(row: HouseholdAssessment) -> dict:
    return {
        "row": row,
        "scores": [(Dimension(dimension).label, row.score(dimension)) for dimension in Dimension],
    }


@login_required
def person_edit(request, pk):
    person = get_for(request.user, people_for(request.user), pk, write=True)
    stale = False
    if request.method == "POST":
        form = PersonEditForm(request.POST)
        if form.is_valid():
            try:
                actions.update_person(
                    actor=request.user,
                    person=person,
                    expected_version=form.cleaned_data["version"],
                    **form.action_data(),
                )
            except actions.StaleEdit as error:
                stale = True
                # Keep what the user typed; the newer version lets them save over it on purpose.
                data = request.POST.copy()
                data["version"] = str(
                    Person.objects.filter(pk=person.pk).values_list("version", flat=True).first()
                )
                form = PersonEditForm(data)
                form.is_valid()
                add_action_errors(form, error)
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("บันทึกข้อมูลแล้ว"))
                return redirect("registry:person_detail", pk=person.pk)
    else:
        form = PersonEditForm(initial={**person_initial(person), "version": person.version})
    context = {
        "form": form,
        "person": person,
        "stale": stale,
        "title_suggestions": TITLE_SUGGESTIONS,
    }
    return render(request, "registry/person_form.html", context)


# --- Problems and consent ----------------------------------------------------------------------


@login_required
def problem_create(request, pk):
    person = get_for(request.user, people_for(request.user), pk, write=True)
    if request.method == "POST":
        form = ProblemForm(request.POST)
        if form.is_valid():
            try:
                actions.record_problem(actor=request.user, person=person, **form.cleaned_data)
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("บันทึกปัญหาแล้ว"))
                return redirect("registry:person_detail", pk=person.pk)
    else:
        form = ProblemForm()
    return render(request, "registry/problem_form.html", {"form": form, "person": person})


@login_required
@require_POST
def problem_status(request, pk):
    problem = get_for(
        request.user, PersonProblem.objects.select_related("problem_type"), pk, write=True
    )
    form = ProblemStatusForm(request.POST)
    if form.is_valid():
        actions.update_problem_status(
            actor=request.user, problem=problem, status=form.cleaned_data["status"]
        )
        messages.success(request, _("เปลี่ยนสถานะปัญหาแล้ว"))
    else:
        messages.error(request, _("สถานะไม่ถูกต้อง"))
    return redirect("registry:person_detail", pk=problem.person_id)


@login_required
def consent_create(request, pk):
    person = get_for(request.user, people_for(request.user), pk, write=True)
    if request.method == "POST":
        form = ConsentForm(request.POST)
        if form.is_valid():
            try:
                actions.record_consent(actor=request.user, person=person, **form.cleaned_data)
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("บันทึกฐานทางกฎหมายแล้ว"))
                return redirect("registry:person_detail", pk=person.pk)
    else:
        form = ConsentForm()
    return render(request, "registry/consent_form.html", {"form": form, "person": person})


@login_required
def consent_withdraw(request, pk):
    consent = get_for(request.user, Consent.objects.select_related("person"), pk, write=True)
    if request.method == "POST":
        form = WithdrawConsentForm(request.POST)
        if form.is_valid():
            try:
                actions.withdraw_consent(
                    actor=request.user,
                    consent=consent,
                    reason=form.cleaned_data["reason"],
                    withdrawn_on=form.cleaned_data["withdrawn_on"],
                )
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("บันทึกการถอนความยินยอมแล้ว"))
                return redirect("registry:person_detail", pk=consent.person_id)
    else:
        form = WithdrawConsentForm()
    context = {"form": form, "consent": consent, "person": consent.person}
    return render(request, "registry/consent_withdraw.html", context)


# --- Households --------------------------------------------------------------------------------


@login_required
def household_list(request):
    households = (
        households_for(request.user)
        .select_related("head", "subdistrict__district")
        .annotate(member_count=Count("memberships", filter=Q(memberships__ended_on__isnull=True)))
        .order_by("-id")
    )
    text = request.GET.get("q", "").strip()[:100]
    if text:
        households = households_named(households, request.user, text)
    context = {"q": text, **_paginate(request, households)}
    record_search(
        request.user,
        object_type="registry.household",
        params=request.GET,
        results=context["page_obj"].paginator.count,
    )
    return render(request, "registry/household_list.html", context)


@login_required
def household_create(request):
    head = get_for(request.user, people_for(request.user), request.GET.get("head"), write=True)
    if request.method == "POST":
        form = HouseholdForm(request.POST)
        if form.is_valid():
            try:
                household = actions.create_household(
                    actor=request.user,
                    head=head,
                    started_on=form.cleaned_data["started_on"],
                    **form.address_or_none(),
                )
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("เปิดครัวเรือนแล้ว"))
                return redirect("registry:household_detail", pk=household.pk)
    else:
        form = HouseholdForm()
    return render(request, "registry/household_form.html", {"form": form, "head": head})


def _ledger_totals(household, memberships) -> list[dict]:
    """Help per kind given to the household and its members by every center (one query)."""
    from asa.cases.models import AssistanceKind
    from asa.cases.queries import assistance_totals

    labels = dict(AssistanceKind.choices)
    member_ids = {membership.person_id for membership in memberships}
    return [
        {**row, "label": labels.get(row["kind"], row["kind"])}
        for row in assistance_totals(household=household, member_ids=member_ids)
    ]


@login_required
def household_detail(request, pk):
    household = get_for(
        request.user,
        with_write_flag(
            request.user,
            households_for(request.user).select_related("head", "subdistrict__district__province"),
        ),
        pk,
    )
    if (asked := read_page(request, household)) is not None:
        return asked
    may_write = household.user_may_write
    memberships = list(household.memberships.select_related("person").order_by("started_on", "id"))
    text = request.GET.get("q", "").strip()[:200]
    found = []
    if text and may_write:
        current = {m.person_id for m in memberships if m.ended_on is None}
        found = [
            person
            for person in search_people(
                people_for(request.user).select_related("subdistrict"), text
            )
            if person.pk not in current
        ]
    context = {
        "household": household,
        "may_write": may_write,
        "current": [m for m in memberships if m.ended_on is None],
        "past": [m for m in memberships if m.ended_on is not None],
        "assessments": list(household.assessments.all()[:24]),
        "dimensions": [Dimension(dimension).label for dimension in Dimension],
        # The ledger: help given to the household and to everyone who lived in it (a member
        # merged into another record: that record holds their rows now).
        "history": help_history(
            request.user,
            person_ids={
                pk
                for membership in memberships
                for pk in (membership.person_id, membership.person.merged_into_id)
                if pk is not None
            },
            household_ids=[household.pk],
            every_center=True,
        ),
        "history_title": _("บัญชีความช่วยเหลือของครัวเรือน"),
        "assistance_totals": _ledger_totals(household, memberships),
        "show_person": True,
        "q": text,
        "found": found,
        "add_form": AddMemberForm(),
    }
    return render(request, "registry/household_detail.html", context)


@login_required
@require_POST
def household_add_member(request, pk):
    household = get_for(request.user, households_for(request.user), pk, write=True)
    form = AddMemberForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("registry:household_detail", pk=household.pk)
    person = get_for(
        request.user, people_for(request.user), form.cleaned_data["person"], write=True
    )
    try:
        actions.add_household_member(
            actor=request.user,
            household=household,
            person=person,
            relationship=form.cleaned_data["relationship"],
            started_on=form.cleaned_data["started_on"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("เพิ่ม %(name)s เป็นสมาชิกครัวเรือนแล้ว") % {"name": person.full_name})
    return redirect("registry:household_detail", pk=household.pk)


@login_required
@require_POST
def membership_end(request, pk):
    membership = get_for(
        request.user, HouseholdMembership.objects.select_related("household"), pk, write=True
    )
    form = EndMembershipForm(request.POST)
    if form.is_valid():
        try:
            actions.end_household_membership(
                actor=request.user, membership=membership, ended_on=form.cleaned_data["ended_on"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("บันทึกการย้ายออกแล้ว"))
    else:
        messages.error(request, " ".join(form.errors.get("ended_on", [])))
    return redirect("registry:household_detail", pk=membership.household_id)


@login_required
def household_assess(request, pk):
    household = get_for(request.user, households_for(request.user), pk, write=True)
    if request.method == "POST":
        form = AssessmentForm(request.POST)
        if form.is_valid():
            try:
                actions.record_household_assessment(
                    actor=request.user,
                    household=household,
                    indicators=form.indicators(),
                    assessed_on=form.cleaned_data["assessed_on"],
                    notes=form.cleaned_data["notes"],
                )
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("บันทึกการประเมินแล้ว"))
                return redirect("registry:household_detail", pk=household.pk)
    else:
        from django.utils import timezone

        latest = household.assessments.first()
        initial = {"assessed_on": timezone.localdate()}
        if latest is not None:
            # Start from the last assessment: the volunteer changes what changed.
            initial |= {f"indicator_{code}": met for code, met in latest.indicators.items()}
        form = AssessmentForm(initial=initial)
    context = {
        "form": form,
        "household": household,
        "indicator_count": len(assessment.ALL_INDICATOR_CODES),
    }
    return render(request, "registry/household_assess.html", context)


# --- Duplicates --------------------------------------------------------------------------------


def _candidates(user):
    return visible(user, DuplicateCandidate.objects.all()).select_related(
        "person_a__subdistrict__district", "person_b__subdistrict__district"
    )


@login_required
def duplicate_list(request):
    pending = (
        _candidates(request.user)
        .filter(status=DuplicateStatus.PENDING)
        .filter(person_a__merged_into__isnull=True, person_b__merged_into__isnull=True)
        .order_by("-score", "id")
    )
    return render(request, "registry/duplicate_list.html", _paginate(request, pending))


@login_required
def duplicate_detail(request, pk):
    candidate = get_for(request.user, _candidates(request.user), pk)
    people = [candidate.person_a, candidate.person_b]
    prefetch_related_objects(
        people,
        "target_groups",
        Prefetch("problems", queryset=PersonProblem.objects.select_related("problem_type")),
    )
    rows = _comparison_rows(*people)
    context = {
        "candidate": candidate,
        "rows": rows,
        "may_review": candidate.status == DuplicateStatus.PENDING
        and can_write(request.user, candidate),
        "merge_form": MergeForm(auto_id="merge_%s"),
        "distinct_form": DistinctForm(auto_id="distinct_%s"),
    }
    return render(request, "registry/duplicate_detail.html", context)


def _comparison_rows(first: Person, second: Person) -> list[dict]:
    def birth(person):
        if person.birth_date is None:
            return ""
        if person.birth_date_precision == BirthDatePrecision.YEAR:
            return _("พ.ศ. %(year)s") % {"year": person.birth_date.year + BE_OFFSET}
        return format_be_date(person.birth_date)

    def identity(person):
        if not person.id_number:
            return person.get_id_type_display()
        return f"{person.get_id_type_display()} {person.id_number}"

    rows = [
        (_("ชื่อ-นามสกุล"), lambda p: p.full_name),
        (_("ชื่อภาษาอังกฤษ"), lambda p: p.name_en),
        (_("เอกสาร"), identity),
        (_("วันเกิด"), birth),
        (_("เพศ"), lambda p: p.get_sex_display()),
        (_("โทรศัพท์"), lambda p: p.phone),
        (_("ที่อยู่"), lambda p: p.address_line),
        (_("กลุ่มเป้าหมาย"), lambda p: ", ".join(g.name for g in p.target_groups.all())),
        (_("ปัญหา"), lambda p: ", ".join(x.problem_type.name for x in p.problems.all())),
        (_("ลงทะเบียนเมื่อ"), lambda p: bedatetime(p.created_at)),
    ]
    result = []
    for label, read in rows:
        left, right = read(first), read(second)
        result.append({"label": label, "a": left, "b": right, "same": left == right and left})
    return result


@login_required
@require_POST
def duplicate_merge(request, pk):
    candidate = get_for(request.user, _candidates(request.user), pk, write=True)
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("survivor", [])))
        return redirect("registry:duplicate_detail", pk=candidate.pk)
    survivor, merged = candidate.person_a, candidate.person_b
    if form.cleaned_data["survivor"] == "b":
        survivor, merged = merged, survivor
    try:
        merge = actions.merge_people(
            actor=request.user, survivor=survivor, merged=merged, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("registry:duplicate_detail", pk=candidate.pk)
    messages.success(request, _("รวมข้อมูลแล้ว ยกเลิกได้จากหน้าบุคคล"))
    return redirect("registry:person_detail", pk=merge.survivor_id)


@login_required
@require_POST
def duplicate_distinct(request, pk):
    candidate = get_for(request.user, _candidates(request.user), pk, write=True)
    form = DistinctForm(request.POST)
    form.is_valid()
    actions.mark_distinct(
        actor=request.user, candidate=candidate, reason=form.cleaned_data.get("reason", "")
    )
    messages.success(request, _("บันทึกว่าเป็นคนละคนแล้ว"))
    return redirect("registry:duplicate_list")


@login_required
@require_POST
def merge_undo(request, pk):
    merge = get_for(request.user, Merge.objects.all(), pk, write=True)
    form = UndoMergeForm(request.POST)
    form.is_valid()
    try:
        actions.undo_merge(
            actor=request.user, merge=merge, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("ยกเลิกการรวมข้อมูลแล้ว"))
    return redirect("registry:person_detail", pk=merge.survivor_id)
