"""The one door to scoped data.

Every page and endpoint reads other people's data through `visible(user, queryset)` or fetches
one object with `get_for(user, queryset, pk, write=...)`. Each model that holds scoped data has a
rule here saying, for a user's scope, which rows they may read and which they may change.

A scope is where a user's roles apply: the nation (ministry admin), a province or district
(officers), a center (chair, volunteer) or an agency (partner users).
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import BooleanField, Exists, F, Func, Model, OuterRef, Q, QuerySet, Subquery
from django.http import Http404

from asa.accounts.models import Role
from asa.cases.models import Case, CaseAssignment
from asa.field.models import OfflineSubmission
from asa.referrals.models import Agency, CaseConference
from asa.registry.models import Household, Person

ALL = Q()  # no restriction
NOTHING = Q(pk__in=[])  # matches no row


@dataclass(frozen=True)
class Scope:
    authenticated: bool = False
    user_id: int | None = None
    national: bool = False
    data_protection_officer: bool = False
    province_codes: frozenset[str] = field(default_factory=frozenset)
    district_codes: frozenset[str] = field(default_factory=frozenset)
    chair_center_ids: frozenset[int] = field(default_factory=frozenset)
    member_center_ids: frozenset[int] = field(default_factory=frozenset)
    agency_ids: frozenset[int] = field(default_factory=frozenset)
    volunteer_ids: frozenset[int] = field(default_factory=frozenset)
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_officer(self) -> bool:
        return bool(self.province_codes or self.district_codes)

    @property
    def center_ids(self) -> frozenset[int]:
        """Every center the user works in, as chair or volunteer."""
        return self.chair_center_ids | self.member_center_ids

    @property
    def is_staff_level(self) -> bool:
        """Ministry, officers and chairs: the people who manage, not only take part."""
        return self.national or self.is_officer or bool(self.chair_center_ids)


ANONYMOUS = Scope()


def scope_of(user) -> Scope:
    """The user's scope, read once per request and kept on the user object.

    One query: the role assignments and the user's active volunteer record (UNION ALL), since it
    runs on every request; kept API_TOKEN_CACHE_SECONDS in the shared cache, from which a role
    given or taken away drops it, so the change applies to the user's very next request.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_asa_scope", None)
    if cached is not None:
        return cached
    from django.db import connection

    from asa.accounts import token_cache

    # Kept a few seconds in the shared cache, dropped at once by a role or status change
    # (forget_scope, asa/accounts/token_cache.py).
    rows = token_cache.recall_scope(user.pk)
    if rows is None:
        with connection.cursor() as cursor:
            cursor.execute(_scope_sql(), [user.pk, user.pk, volunteer_active()])
            rows = [list(row) for row in cursor.fetchall()]
        token_cache.remember_scope_rows(user.pk, rows)
    return remember_scope(user, rows)


def remember_scope(user, rows) -> Scope:
    """Build the user's scope from the rows of _scope_sql and keep it on the user object for
    the rest of the request (the API's token lookup reads them in its own query)."""
    provinces, districts, chairs, members, agencies, roles = (
        set(),
        set(),
        set(),
        set(),
        set(),
        set(),
    )
    volunteer_ids = set()
    national = dpo = False
    for role, province, district, center, agency, volunteer in rows:
        if volunteer is not None:
            volunteer_ids.add(volunteer)
            continue
        roles.add(role)
        match role:
            case Role.MINISTRY_ADMIN:
                national = True
            case Role.DATA_PROTECTION_OFFICER:
                dpo = True
            case Role.PROVINCE_OFFICER:
                provinces.add(province)
            case Role.DISTRICT_OFFICER:
                districts.add(district)
            case Role.CENTER_CHAIR:
                chairs.add(center)
            case Role.VOLUNTEER:
                members.add(center)
            case Role.AGENCY_USER:
                agencies.add(agency)
    volunteer_ids = frozenset(volunteer_ids)
    scope = Scope(
        authenticated=True,
        user_id=user.pk,
        national=national,
        data_protection_officer=dpo,
        province_codes=frozenset(provinces),
        district_codes=frozenset(districts),
        chair_center_ids=frozenset(chairs),
        member_center_ids=frozenset(members),
        agency_ids=frozenset(agencies),
        volunteer_ids=volunteer_ids,
        roles=frozenset(roles),
    )
    user._asa_scope = scope
    return scope


@functools.cache
def _scope_sql(user: str = "%s", status: str = "%s") -> str:
    """Role assignments (volunteer column NULL) then active volunteer records (the rest NULL),
    of the user given as a parameter (or as the SQL expression `user`). A paused or departed
    volunteer's record gives nothing: their assigned cases are no longer theirs to read."""
    from django.db import connection

    from asa.accounts.models import RoleAssignment
    from asa.centers.models import Volunteer

    quote = connection.ops.quote_name
    assignment = RoleAssignment._meta
    volunteer = Volunteer._meta
    columns = ", ".join(
        quote(assignment.get_field(name).column)
        for name in ("role", "province", "district", "center", "agency")
    )
    # Names from the models' own metadata; every value is a parameter.
    return (
        f"SELECT {columns}, NULL AS volunteer FROM {quote(assignment.db_table)} "  # noqa: S608
        f"WHERE {quote(assignment.get_field('user').column)} = {user} "
        f"UNION ALL "
        f"SELECT NULL, NULL, NULL, NULL, NULL, {quote(volunteer.pk.column)} "
        f"FROM {quote(volunteer.db_table)} "
        f"WHERE {quote(volunteer.get_field('user').column)} = {user} "
        f"AND {quote(volunteer.get_field('status').column)} = {status}"
    )


def scope_rows_sql(user: str) -> str:
    """The scope's rows as one JSON array, for the user given as the SQL expression `user`: a
    column the API's token lookup adds, so an API request reads its scope without a query of
    its own. Takes one parameter (the volunteer status that counts: active)."""
    from django.db import connection

    columns = "role, province_id, district_id, center_id, agency_id, volunteer"
    if connection.vendor == "postgresql":
        rows = f"json_agg(json_build_array({columns}))"
    else:
        rows = f"json_group_array(json_array({columns}))"
    return f"(SELECT {rows} FROM ({_scope_sql(user, '%s')}) AS scope_rows)"  # noqa: S608


def volunteer_active() -> str:
    from asa.centers.models import VolunteerStatus

    return VolunteerStatus.ACTIVE.value


def forget_scope(user) -> None:
    """Drop the cached scope after the user's roles change: on the user object, and the cached
    lookups of the user's API tokens in every process (asa/accounts/token_cache.py)."""
    from asa.accounts.token_cache import forget_tokens_of

    if hasattr(user, "_asa_scope"):
        del user._asa_scope
    forget_tokens_of(user.pk)


# --- Rules -------------------------------------------------------------------------------------
# A rule answers, for a scope, a Q over the model: `read` for what may be seen, `write` for what
# may be changed. `area` builds the officer part from the path to the model's district.


def _area(scope: Scope, district_path: str) -> Q:
    """An officer's area over the row's own district column (at `district_path`)."""
    # A province is spelled as its district codes: one IN list on the row's own district
    # column, which the (district, ...) indexes serve directly, where a prefix match would need
    # a pattern index on every query. Joined through geo_district instead, a Bangkok officer's
    # name search took 61 ms at p95 against 10 (1,000,000 people, bench/search.py).
    districts = set(scope.district_codes) | districts_of(scope.province_codes)
    return Q(**{f"{district_path}_id__in": sorted(districts)}) if districts else NOTHING


def _center_read(scope: Scope) -> Q:
    if scope.national:
        return ALL
    return _area(scope, "district") | Q(pk__in=scope.center_ids)


def _center_write(scope: Scope) -> Q:
    if scope.national:
        return ALL
    return _area(scope, "district") | Q(pk__in=scope.chair_center_ids)


def _volunteer_read(scope: Scope) -> Q:
    if scope.national:
        return ALL
    # Volunteers see their own center's colleagues (names, roles); managers see their area.
    return (
        _area(scope, "center__district")
        | Q(center_id__in=scope.center_ids)
        | Q(pk__in=scope.volunteer_ids)
    )


def _volunteer_write(scope: Scope) -> Q:
    if scope.national:
        return ALL
    return _area(scope, "center__district") | Q(center_id__in=scope.chair_center_ids)


def _agency_read(scope: Scope) -> Q:
    # The partner directory is shared knowledge of the network; every signed-in worker reads it.
    if scope.national or scope.is_officer or scope.center_ids:
        return ALL
    return Q(pk__in=scope.agency_ids)


def _agency_write(scope: Scope) -> Q:
    return ALL if scope.national else Q(pk__in=scope.agency_ids)


def _registry_read(scope: Scope) -> Q:
    """People and households: the area for officers, the center for its chair and volunteers.

    Volunteers read their own center's people (read-only beyond what they registered); the
    casework issue narrows volunteers to people linked to their cases where the center wants.
    """
    if scope.national:
        return ALL
    return _area(scope, "district") | Q(center_id__in=scope.center_ids)


def _registry_write(scope: Scope) -> Q:
    if scope.national:
        return ALL
    # Volunteers report and record people in the field, so they write in their center too.
    return _area(scope, "district") | Q(center_id__in=scope.center_ids)


def _through_person(rule: Callable[[Scope], Q]) -> Callable[[Scope], Q]:
    def condition(scope: Scope) -> Q:
        return Q(person__in=Person.objects.filter(rule(scope)))

    return condition


def _through_household(rule: Callable[[Scope], Q]) -> Callable[[Scope], Q]:
    def condition(scope: Scope) -> Q:
        return Q(household__in=Household.objects.filter(rule(scope)))

    return condition


def _duplicate_read(scope: Scope) -> Q:
    # Reviewers see a pair only when they may see both records.
    if scope.national:
        return ALL
    people = Person.objects.filter(_registry_read(scope))
    return Q(person_a__in=people) & Q(person_b__in=people)


def _duplicate_write(scope: Scope) -> Q:
    # Merging is for managers: the ministry, officers and chairs, never a volunteer alone.
    if scope.national:
        return ALL
    managed = _area(scope, "district") | Q(center_id__in=scope.chair_center_ids)
    people = Person.objects.filter(managed)
    return Q(person_a__in=people) & Q(person_b__in=people)


def _duplicate_write_people(scope: Scope) -> Q:
    if scope.national:
        return ALL
    return _area(scope, "district") | Q(center_id__in=scope.chair_center_ids)


def _import_read(scope: Scope) -> Q:
    if scope.national:
        return ALL
    return _area(scope, "center__district") | Q(center_id__in=scope.center_ids)


class _AnyOf(Func):
    """`pk IN (subquery)` that PostgreSQL can combine with other indexed conditions.

    Inside an OR, PostgreSQL runs `id IN (SELECT ...)` as a filter on every row (a full scan of
    a million cases); `id = ANY(ARRAY(SELECT ...))` is computed once and read through the primary
    key index, so the OR becomes a BitmapOr of index scans. Other databases get the plain IN.
    """

    output_field = BooleanField()
    conditional = True

    def as_sql(self, compiler, connection, **extra):
        column, subquery = self.source_expressions
        column_sql, column_params = compiler.compile(column)
        subquery_sql, subquery_params = compiler.compile(subquery)
        return f"{column_sql} IN {subquery_sql}", (*column_params, *subquery_params)

    def as_postgresql(self, compiler, connection, **extra):
        column, subquery = self.source_expressions
        column_sql, column_params = compiler.compile(column)
        subquery_sql, subquery_params = compiler.compile(subquery)
        return f"{column_sql} = ANY(ARRAY{subquery_sql})", (*column_params, *subquery_params)


def _case_read(scope: Scope) -> Q:
    """Cases: the area for officers, the center for its chair, a volunteer's current cases.

    A volunteer reads a case while assigned to it (the assignment not ended) and while it is
    in their own center: unassigned or transferred, it is no longer theirs. Whoever reported a
    case from the field reads it until it is assigned to someone; after that they see only
    that their report was received and its status (`reports_of`), not the case file.
    """
    if scope.national:
        return ALL
    return _case_scope(scope, case="pk", created_by=Q(created_by_id=scope.user_id))


def _case_write(scope: Scope) -> Q:
    """Changing a case (visits, plans, help, status): the ministry, officers of its area, the
    chair of its center, and volunteers currently assigned to it in their own center. Nobody
    writes to a case of another center, and a reporter is not a worker on the case."""
    if scope.national:
        return ALL
    return _case_scope(scope, case="pk", created_by=NOTHING, write=True)


def _case_scope(scope: Scope, *, case: str, created_by: Q, write: bool = False) -> Q:
    """The case rule over a row's own district_id and center_id columns (a case's, or a
    referral's copy of its case's), `case` naming the column holding the case id and
    `created_by` the rows of cases this user reported."""
    # Every part is one indexed column of the row (no join), so lists and counts at a million
    # cases read the index entries of the scope, not the whole table (bench/cases.py).
    area = _area(scope, "district")
    own = NOTHING
    if scope.volunteer_ids and scope.center_ids:
        # Only assignments still running, and only in the user's own centers: a transfer ends
        # the assignments, and the center check holds even if one was left open.
        assigned = CaseAssignment.objects.filter(
            volunteer_id__in=scope.volunteer_ids, ended_at__isnull=True
        )
        own = Q(center_id__in=scope.center_ids) & Q(
            _AnyOf(F(case), Subquery(assigned.values("case_id")))
        )
    if not write and scope.user_id is not None and scope.center_ids:
        # A reporter follows their report until someone is assigned (ever) to the case.
        # Officers see theirs through the area already; leaving this out for them keeps
        # area-wide counts index-only.
        ever_assigned = CaseAssignment.objects.filter(case_id=OuterRef(case))
        own |= created_by & Q(center_id__in=scope.center_ids) & ~Exists(ever_assigned)
    return area | Q(center_id__in=scope.chair_center_ids) | own


def reports_of(user) -> QuerySet:
    """The cases this user reported, whatever became of them: for the "my reports" page, which
    shows only that each was received, where it went and its status (never the case file)."""
    scope = scope_of(user)
    if not scope.authenticated:
        return Case.objects.none()
    return Case.objects.filter(created_by_id=scope.user_id)


@functools.lru_cache(maxsize=256)
def districts_of(province_codes: frozenset[str]) -> frozenset[str]:
    """The district codes of some provinces (geography does not change while running)."""
    from asa.geo.models import District

    if not province_codes:
        return frozenset()
    return frozenset(
        District.objects.filter(province_id__in=province_codes).values_list("code", flat=True)
    )


def _through_case(rule: Callable[[Scope], Q]) -> Callable[[Scope], Q]:
    def condition(scope: Scope) -> Q:
        if scope.national:
            return ALL
        return Q(case__in=Case.objects.filter(rule(scope)))

    return condition


def _referral_read(scope: Scope) -> Q:
    """Referrals: whoever may read the case, and the users of the agency it is addressed to
    (who see only the shared fields — the pages and API decide that with `sees_case`)."""
    if scope.national:
        return ALL
    return referrals_of_readable_cases(scope) | Q(agency_id__in=scope.agency_ids)


def referrals_of_readable_cases(scope: Scope) -> Q:
    """Referrals of the cases this scope may read, decided on the referral's own copy of its
    case's center and district: no lookup of the case row by row."""
    if scope.national:
        return ALL
    reported = Case.objects.filter(created_by_id=scope.user_id).values("pk")
    return _case_scope(
        scope, case="case_id", created_by=Q(_AnyOf(F("case_id"), Subquery(reported)))
    )


def referrals_of_writable_cases(scope: Scope) -> Q:
    """Referrals of the cases this scope may change (send, withdraw, issue links)."""
    if scope.national:
        return ALL
    return _case_scope(scope, case="case_id", created_by=NOTHING, write=True)


def _referral_write(scope: Scope) -> Q:
    """Referrals: whoever may change the case, and the users of the agency it is addressed to
    (who answer it)."""
    if scope.national:
        return ALL
    return referrals_of_writable_cases(scope) | Q(agency_id__in=scope.agency_ids)


def _conference_read(scope: Scope) -> Q:
    if scope.national:
        return ALL
    return Q(case__in=Case.objects.filter(_case_read(scope))) | Q(
        pk__in=CaseConference.objects.filter(agencies__in=scope.agency_ids).values("pk")
    )


def _conference_action_read(scope: Scope) -> Q:
    if scope.national:
        return ALL
    return Q(conference__in=CaseConference.objects.filter(_conference_read(scope))) | Q(
        owner_agency_id__in=scope.agency_ids
    )


def _conference_action_write(scope: Scope) -> Q:
    if scope.national:
        return ALL
    return Q(conference__case__in=Case.objects.filter(_case_write(scope))) | Q(
        owner_agency_id__in=scope.agency_ids
    )


def sees_case(user, case_id: int) -> bool:
    """Whether the user may read the case itself (a partner user sees only what was shared)."""
    return visible(user, Case.objects.filter(pk=case_id)).exists()


def _center_stock(scope: Scope) -> Q:
    """Stock rows of a center: its chair and volunteers, officers of its area, the ministry."""
    if scope.national:
        return ALL
    return _area(scope, "center__district") | Q(center_id__in=scope.center_ids)


def _event_read(scope: Scope) -> Q:
    """Events: whoever may read the host center or one of the joint centers (read-only for
    volunteers); the rows are found through the indexed host column and the joint-center table."""
    if scope.national:
        return ALL
    from asa.centers.models import Center, Event

    centers = Center.objects.filter(_center_read(scope)).values("pk")
    joint = Event.other_centers.through.objects.filter(center_id__in=centers).values("event_id")
    return Q(center_id__in=centers) | Q(pk__in=joint)


def _event_write(scope: Scope) -> Q:
    # The host center's chair, officers of its area and the ministry run an event.
    if scope.national:
        return ALL
    return _area(scope, "center__district") | Q(center_id__in=scope.chair_center_ids)


def _through_event(rule: Callable[[Scope], Q]) -> Callable[[Scope], Q]:
    def condition(scope: Scope) -> Q:
        if scope.national:
            return ALL
        from asa.centers.models import Event

        return Q(event__in=Event.objects.filter(rule(scope)).values("pk"))

    return condition


def _own_volunteer_record(scope: Scope) -> Q:
    """Training records, certificates and hours entries: the volunteer themself, the chair of
    their center, officers of its area, the ministry."""
    if scope.national:
        return ALL
    return (
        Q(volunteer_id__in=scope.volunteer_ids)
        | _area(scope, "volunteer__center__district")
        | Q(volunteer__center_id__in=scope.chair_center_ids)
    )


def _managed_volunteer_record(scope: Scope) -> Q:
    # Approving hours is the managers' (the action also refuses anyone approving their own).
    if scope.national:
        return ALL
    return _area(scope, "volunteer__center__district") | Q(
        volunteer__center_id__in=scope.chair_center_ids
    )


def _assignment_in_area(scope: Scope) -> Q:
    """Role assignments (RoleAssignment rows) whose scope lies in an officer's area: their
    province, a district of it, a center in it, or a partner agency based in the province."""
    districts = set(scope.district_codes) | districts_of(scope.province_codes)
    if not districts:
        return NOTHING
    condition = Q(district_id__in=sorted(districts)) | Q(center__district_id__in=sorted(districts))
    if scope.province_codes:
        provinces = sorted(scope.province_codes)
        condition |= Q(province_id__in=provinces) | Q(agency__province_id__in=provinces)
    return condition


def _user_read(scope: Scope) -> Q:
    """Sign-in accounts, for the user-management pages: every account for the ministry; for
    an officer, the accounts holding a role in their area."""
    if scope.national:
        return ALL
    if not scope.is_officer:
        return NOTHING
    from asa.accounts.models import RoleAssignment

    return Q(pk__in=RoleAssignment.objects.filter(_assignment_in_area(scope)).values("user_id"))


def _user_write(scope: Scope) -> Q:
    # An officer manages an account only when every role it holds lies in their area: never a
    # ministry admin, a DPO, or someone who also works elsewhere.
    if scope.national:
        return ALL
    if not scope.is_officer:
        return NOTHING
    from asa.accounts.models import RoleAssignment

    outside = RoleAssignment.objects.exclude(_assignment_in_area(scope)).values("user_id")
    return _user_read(scope) & ~Q(pk__in=outside)


def _role_assignment_read(scope: Scope) -> Q:
    if scope.national:
        return ALL
    from asa.accounts.models import User

    return Q(user__in=User.objects.filter(_user_read(scope)))


def _role_assignment_write(scope: Scope) -> Q:
    if scope.national:
        return ALL
    return _assignment_in_area(scope)


def may_grant(user, *, role: str, scope_object=None) -> bool:
    """Whether this user may give (or take away) `role` over `scope_object`.

    The ministry gives any role; an officer gives roles over places in their area only, and
    never the ministry-admin or data-protection-officer role (those are national).
    """
    from asa.centers.models import Center
    from asa.geo.models import District, Province

    scope = scope_of(user)
    if scope.national:
        return True
    if not scope.is_officer or role in (Role.MINISTRY_ADMIN, Role.DATA_PROTECTION_OFFICER):
        return False
    districts = set(scope.district_codes) | districts_of(scope.province_codes)
    match scope_object:
        case Province():
            return scope_object.pk in scope.province_codes
        case District():
            return scope_object.pk in districts
        case Center():
            return scope_object.district_id in districts
        case Agency():
            return scope_object.province_id in scope.province_codes
    return False


def _token_read(scope: Scope) -> Q:
    return NOTHING  # tokens are reached only through the owner's own list, never by others


def _audit_read(scope: Scope) -> Q:
    return ALL if (scope.national or scope.data_protection_officer) else NOTHING


def _privacy(scope: Scope) -> Q:
    # Data-subject requests, anonymisations and breaches: the DPO and the ministry only.
    return ALL if (scope.national or scope.data_protection_officer) else NOTHING


def _offline_review(scope: Scope) -> Q:
    """Items a phone sent that could not be applied: the chair of the volunteer's center,
    officers of its area and the ministry (never another center's chair, never volunteers:
    a volunteer sees their own items' state on their phone)."""
    if scope.national:
        return ALL
    return _area(scope, "center__district") | Q(center_id__in=scope.chair_center_ids)


@dataclass(frozen=True)
class Rule:
    read: Callable[[Scope], Q]
    write: Callable[[Scope], Q]


RULES: dict[str, Rule] = {
    "centers.center": Rule(read=_center_read, write=_center_write),
    "centers.volunteer": Rule(read=_volunteer_read, write=_volunteer_write),
    "centers.event": Rule(read=_event_read, write=_event_write),
    "centers.attendance": Rule(
        read=_through_event(_event_read), write=_through_event(_event_write)
    ),
    "centers.eventphoto": Rule(read=_through_event(_event_read), write=lambda scope: NOTHING),
    "centers.trainingrecord": Rule(read=_own_volunteer_record, write=_managed_volunteer_record),
    "centers.hoursentry": Rule(read=_own_volunteer_record, write=_managed_volunteer_record),
    "referrals.agency": Rule(read=_agency_read, write=_agency_write),
    "registry.person": Rule(read=_registry_read, write=_registry_write),
    "registry.household": Rule(read=_registry_read, write=_registry_write),
    "registry.personproblem": Rule(
        read=_through_person(_registry_read), write=_through_person(_registry_write)
    ),
    "registry.consent": Rule(
        read=_through_person(_registry_read), write=_through_person(_registry_write)
    ),
    "registry.householdmembership": Rule(
        read=_through_household(_registry_read), write=_through_household(_registry_write)
    ),
    "registry.householdassessment": Rule(
        read=_through_household(_registry_read), write=_through_household(_registry_write)
    ),
    "registry.duplicatecandidate": Rule(read=_duplicate_read, write=_duplicate_write),
    "registry.merge": Rule(
        read=lambda scope: Q(survivor__in=Person.objects.filter(_registry_read(scope))),
        # Undo brings the merged record back: its manager must manage both records.
        write=lambda scope: (
            Q(survivor__in=Person.objects.filter(_duplicate_write_people(scope)))
            & Q(merged__in=Person.objects.filter(_duplicate_write_people(scope)))
        ),
    ),
    "registry.importjob": Rule(read=_import_read, write=_import_read),
    # Rows refused as duplicates: reviewed by those who may change the person they matched.
    "registry.importrowresult": Rule(
        read=_through_person(_registry_write), write=_through_person(_registry_write)
    ),
    "cases.case": Rule(read=_case_read, write=_case_write),
    "cases.visit": Rule(read=_through_case(_case_read), write=_through_case(_case_write)),
    "cases.planitem": Rule(read=_through_case(_case_read), write=_through_case(_case_write)),
    "cases.assistance": Rule(read=_through_case(_case_read), write=_through_case(_case_write)),
    "cases.visitphoto": Rule(
        read=lambda scope: (
            ALL if scope.national else Q(visit__case__in=Case.objects.filter(_case_read(scope)))
        ),
        write=lambda scope: NOTHING,
    ),
    "cases.caseassignment": Rule(read=_through_case(_case_read), write=lambda scope: NOTHING),
    "referrals.referral": Rule(read=_referral_read, write=_referral_write),
    "referrals.service": Rule(
        read=lambda scope: ALL, write=lambda scope: ALL if scope.national else NOTHING
    ),
    "referrals.agencycontact": Rule(
        read=lambda scope: Q(agency__in=Agency.objects.filter(_agency_read(scope))),
        write=lambda scope: Q(agency__in=Agency.objects.filter(_agency_write(scope))),
    ),
    "referrals.caseconference": Rule(read=_conference_read, write=_through_case(_case_write)),
    "referrals.conferenceaction": Rule(
        read=_conference_action_read, write=_conference_action_write
    ),
    "aid.item": Rule(
        read=lambda scope: ALL, write=lambda scope: ALL if scope.national else NOTHING
    ),
    "aid.itemcategory": Rule(
        read=lambda scope: ALL, write=lambda scope: ALL if scope.national else NOTHING
    ),
    "aid.piece": Rule(read=_center_stock, write=_center_stock),
    "aid.donation": Rule(read=_center_stock, write=_center_stock),
    "aid.distribution": Rule(read=_center_stock, write=_center_stock),
    "aid.distributiondrive": Rule(read=_center_stock, write=_center_stock),
    "aid.loan": Rule(read=_center_stock, write=_center_stock),
    "aid.stockmovement": Rule(read=_center_stock, write=lambda scope: NOTHING),
    "aid.stockbalance": Rule(read=_center_stock, write=_center_stock),
    "aid.stocktake": Rule(read=_center_stock, write=_center_stock),
    "field.offlinesubmission": Rule(read=_offline_review, write=_offline_review),
    "field.offlinesubmissionfile": Rule(
        read=lambda scope: Q(
            submission__in=OfflineSubmission.objects.filter(_offline_review(scope)).values("pk")
        ),
        write=lambda scope: NOTHING,
    ),
    "accounts.apitoken": Rule(read=_token_read, write=_token_read),
    "accounts.user": Rule(read=_user_read, write=_user_write),
    "accounts.roleassignment": Rule(read=_role_assignment_read, write=_role_assignment_write),
    "accounts.auditevent": Rule(read=_audit_read, write=lambda scope: NOTHING),
    "privacy.privacyrequest": Rule(read=_privacy, write=_privacy),
    "privacy.breach": Rule(read=_privacy, write=_privacy),
    "privacy.anonymisation": Rule(read=_privacy, write=lambda scope: NOTHING),
    # Rollups are reached only through asa.reports.queries.dashboard, which checks the area.
    "reports.stalemonth": Rule(
        read=lambda scope: ALL if scope.national else NOTHING, write=lambda scope: NOTHING
    ),
    "reports.monthlyfigure": Rule(
        read=lambda scope: ALL if scope.national else NOTHING, write=lambda scope: NOTHING
    ),
    "reports.currentfigure": Rule(
        read=lambda scope: ALL if scope.national else NOTHING, write=lambda scope: NOTHING
    ),
}


def _rule_for(model: type[Model]) -> Rule:
    try:
        return RULES[model._meta.label_lower]
    except KeyError:
        # A model without a rule is a bug, not an open door.
        raise LookupError(f"No access rule for {model._meta.label}") from None


def visible(user, queryset: QuerySet, *, write: bool = False) -> QuerySet:
    """The rows of `queryset` this user may read (or change, with write=True)."""
    scope = scope_of(user)
    if not scope.authenticated:
        return queryset.none()
    rule = _rule_for(queryset.model)
    condition = rule.write(scope) if write else rule.read(scope)
    return queryset.filter(condition)


def get_for(user, queryset: QuerySet, pk, *, write: bool = False):
    """Fetch one row by primary key, checked against the user's scope.

    Out of scope answers 404 (the row's existence is not revealed); readable but not writable
    answers 403 when write=True.
    """
    try:
        found = visible(user, queryset).filter(pk=pk).first()
    except (ValueError, TypeError, ValidationError):
        found = None
    if found is None:
        raise Http404
    if write and not can_write(user, found):
        raise PermissionDenied
    return found


def can_write(user, obj: Model) -> bool:
    model = type(obj)
    return visible(user, model._default_manager.all(), write=True).filter(pk=obj.pk).exists()


WRITE_FLAG = "user_may_write"


def with_write_flag(user, queryset: QuerySet) -> QuerySet:
    """`queryset` with `user_may_write` on each row — what `can_write` answers — read in the
    same query (a detail page then needs no second one)."""
    model = queryset.model
    scope = scope_of(user)
    if not scope.authenticated:
        return queryset.none()
    writable = model._default_manager.filter(pk=OuterRef("pk")).filter(
        _rule_for(model).write(scope)
    )
    return queryset.annotate(**{WRITE_FLAG: Exists(writable)})


def require(condition: bool) -> None:
    """Refuse with 403 unless condition holds (for checks that are not row-level)."""
    if not condition:
        raise PermissionDenied


def writable_centers(user) -> QuerySet:
    from asa.centers.models import Center

    return visible(user, Center.objects.all(), write=True)
