"""People, households, consent, duplicates, imports and export over JSON.

Thin: parse, check access (`asa.accounts.access`), call an action, answer. Out of scope is 404,
readable but not writable is 403, bad input is 422 naming the field; a likely duplicate on
registration and an edit made against an old `version` are 409.
"""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, StreamingHttpResponse
from ninja import File, Form, Query, Router, Status, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from asa.accounts.access import (
    get_for,
    require,
    scope_of,
    visible,
    with_write_flag,
    writable_centers,
)
from asa.accounts.events import AUDIT_ONLY_ACTIONS
from asa.accounts.models import AuditEvent
from asa.accounts.reads import audited_pagination, read_api
from asa.registry import actions, exporting, import_review, importing
from asa.registry.models import (
    Consent,
    DuplicateCandidate,
    DuplicateStatus,
    Household,
    HouseholdAssessment,
    HouseholdMembership,
    ImportJob,
    ImportRowResult,
    Merge,
    Person,
    PersonProblem,
    ProblemType,
    RowOutcome,
    TargetGroup,
)
from asa.registry.queries import households_for, people_for, search_people
from asa.registry.schemas import (
    AssessmentIn,
    AssessmentOut,
    ConsentIn,
    ConsentOut,
    ConsentWithdrawIn,
    DistinctIn,
    DuplicateConflictOut,
    DuplicateOut,
    ErrorOut,
    HouseholdDetailOut,
    HouseholdIn,
    HouseholdOut,
    ImportJobOut,
    ImportRowReviewIn,
    ImportRowReviewOut,
    MemberIn,
    MemberOut,
    MembershipEndIn,
    MergeIn,
    MergeOut,
    PersonDetailOut,
    PersonEventOut,
    PersonImportRowOut,
    PersonIn,
    PersonOut,
    PersonPatch,
    ProblemIn,
    ProblemOut,
    ProblemStatusIn,
    UndoMergeIn,
)

router = Router()

# --- People ------------------------------------------------------------------------------------


def filter_people(people, *, center=None, target_group="", problem="", subdistrict=""):
    if center is not None:
        people = people.filter(center_id=center)
    if target_group:
        people = people.filter(target_groups__code=target_group.strip())
    if problem:
        people = people.filter(problems__problem_type__code=problem.strip())
    if subdistrict:
        people = people.filter(subdistrict_id=subdistrict.strip())
    return people


# What PersonOut shows (full_name is title + first + last): the list reads these columns only,
# not the whole 39-column row.
LIST_COLUMNS = (
    "id",
    "title",
    "first_name",
    "last_name",
    "sex",
    "birth_date",
    "birth_date_precision",
    "center_id",
    "subdistrict_id",
    "district_id",
    "province_id",
    "version",
)


@router.get(
    "/people",
    response=list[PersonOut],
    tags=["people"],
    summary="People you may see",
    description=(
        "`q`: national ID (exact), phone, or name (partial, tolerant of tone marks, titles and "
        "spaces, or sound-alike): at most the 20 best. Filters: `center` (id), `target_group` "
        "and `problem` (codes), `subdistrict` (DOPA code)."
    ),
)
@paginate(audited_pagination("registry.person"))
def list_people(
    request,
    q: str = Query("", max_length=100),
    center: int | None = None,
    target_group: str = Query("", max_length=40),
    problem: str = Query("", max_length=40),
    subdistrict: str = Query("", max_length=6),
):
    people = filter_people(
        people_for(request.auth),
        center=center,
        target_group=target_group,
        problem=problem,
        subdistrict=subdistrict,
    ).only(*LIST_COLUMNS)
    if q.strip():
        return search_people(people, q)
    return people.order_by("id")


def _export(request, file_format: str, filters: dict):
    user = request.auth if hasattr(request, "auth") and request.auth else request.user
    people = filter_people(people_for(user), **filters)
    exporting.export_people(actor=user, people=people, file_format=file_format, filters=filters)
    if file_format == "xlsx":
        response = HttpResponse(
            exporting.xlsx_bytes(people),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = StreamingHttpResponse(
            exporting.csv_lines(people), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="people.{file_format}"'
    return response


@router.get(
    "/people/export",
    tags=["people"],
    summary="Export the people you may see (CSV or XLSX; audited)",
    description="Same filters as the list. Columns are the import format's, after `id`.",
)
def export_people(
    request,
    format: str = Query("csv", pattern="^(csv|xlsx)$"),
    center: int | None = None,
    target_group: str = Query("", max_length=40),
    problem: str = Query("", max_length=40),
    subdistrict: str = Query("", max_length=6),
):
    filters = {
        "center": center,
        "target_group": target_group,
        "problem": problem,
        "subdistrict": subdistrict,
    }
    return _export(request, format, filters)


def person_detail(user, person_id: int, *, write: bool = False) -> Person:
    person = get_for(
        user,
        with_write_flag(user, people_for(user)).prefetch_related(
            "target_groups",
            Prefetch("problems", queryset=PersonProblem.objects.select_related("problem_type")),
            Prefetch(
                "memberships",
                queryset=HouseholdMembership.objects.filter(ended_on__isnull=True).select_related(
                    "household"
                ),
                to_attr="current_memberships",
            ),
        ),
        person_id,
        write=write,
    )
    person.show_private_fields = person.user_may_write
    return person


@router.get("/people/{person_id}", response=PersonDetailOut, tags=["people"])
def get_person(request, person_id: int):
    person = person_detail(request.auth, person_id)
    read_api(request, person)  # logged; out-of-routine reads need a reason (428)
    return person


def _target_groups(codes: list[str]) -> list[TargetGroup]:
    # Target groups are an admin-kept catalogue (not scoped data).
    wanted = {code.strip() for code in codes if code.strip()}
    groups = list(TargetGroup.objects.filter(code__in=wanted))
    missing = wanted - {group.code for group in groups}
    if missing:
        raise ValidationError({"target_groups": f"ไม่รู้จักกลุ่มเป้าหมาย: {', '.join(sorted(missing))}"})
    return groups


def _candidates(user, candidates) -> list[dict]:
    # Name a candidate only to someone who may see them; of anyone else say only that someone
    # is registered elsewhere (no id, no reasons): the API must not answer who is registered.
    visible_ids = set(
        people_for(user).filter(pk__in=[c[0].pk for c in candidates]).values_list("pk", flat=True)
    )
    return [
        {"id": person.pk, "full_name": person.full_name, "score": score, "reasons": reasons}
        if person.pk in visible_ids
        else {"id": None, "full_name": None, "score": None, "reasons": [REGISTERED_ELSEWHERE]}
        for person, score, reasons in candidates
    ]


REGISTERED_ELSEWHERE = "มีผู้ลงทะเบียนไว้แล้วนอกพื้นที่ของคุณ หากเป็นบุคคลเดียวกัน โปรดขอให้เจ้าหน้าที่ พมจ. ขอโอนข้อมูล"


@router.post(
    "/people",
    response={201: PersonDetailOut, 409: DuplicateConflictOut},
    tags=["people"],
    summary="Register a person (search first: likely duplicates answer 409)",
    description=(
        "Likely duplicates (same sound-alike name and birth year in the subdistrict, same "
        "phone) answer **409** with `candidates`; send `duplicate_override_reason` to register "
        "anyway (the reason is recorded). The same identity number is a 422 on `id_number`."
    ),
)
def create_person(request, payload: PersonIn):
    user = request.auth
    data = payload.dict()
    center_id = data.pop("center")
    center = None
    if center_id is not None:
        center = writable_centers(user).filter(pk=center_id).first()
        if center is None:
            raise ValidationError({"center": "คุณไม่มีสิทธิ์บันทึกข้อมูลให้ศูนย์นี้"})
    data["target_groups"] = _target_groups(data["target_groups"])
    if data["subdistrict"] is None:
        data.pop("subdistrict")
    if data["birth_date_precision"] is None:
        data.pop("birth_date_precision")
    try:
        person = actions.register_person(actor=user, center=center, **data)
    except actions.DuplicateSuspected as error:
        return Status(
            409,
            {
                "detail": error.message_dict["duplicate_override_reason"][0],
                "errors": [
                    {
                        "field": "duplicate_override_reason",
                        "message": error.message_dict["duplicate_override_reason"][0],
                    }
                ],
                "candidates": _candidates(user, error.candidates),
            },
        )
    return Status(201, person_detail(user, person.pk))


@router.patch(
    "/people/{person_id}",
    response={200: PersonDetailOut, 409: ErrorOut},
    tags=["people"],
    summary="Change a person's details (send the version you read)",
    description="An edit against an older `version` than the current one is refused with 409.",
)
def update_person(request, person_id: int, payload: PersonPatch):
    user = request.auth
    person = get_for(user, people_for(user), person_id, write=True)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    if "target_groups" in data:
        codes = data.pop("target_groups")
        data["target_groups"] = None if codes is None else _target_groups(codes)
    try:
        actions.update_person(actor=user, person=person, expected_version=version, **data)
    except actions.StaleEdit as error:
        message = error.message_dict["version"][0]
        return Status(
            409, {"detail": message, "errors": [{"field": "version", "message": message}]}
        )
    return person_detail(user, person.pk)


@router.get(
    "/people/{person_id}/timeline",
    response=list[PersonEventOut],
    tags=["people"],
    summary="Everything recorded about a person, newest first",
)
@paginate(LimitOffsetPagination)
def person_timeline(request, person_id: int):
    person = get_for(request.auth, people_for(request.auth), person_id)
    read_api(request, person, part="timeline")
    return (
        AuditEvent.objects.filter(object_type="registry.person", object_id=str(person.pk))
        .exclude(action__in=AUDIT_ONLY_ACTIONS)
        .order_by("-at", "-id")
    )


@router.get("/people/{person_id}/consents", response=list[ConsentOut], tags=["consent"])
@paginate(LimitOffsetPagination)
def list_consents(request, person_id: int):
    person = get_for(request.auth, people_for(request.auth), person_id)
    read_api(request, person, part="consents")
    return visible(request.auth, Consent.objects.filter(person=person))


@router.post(
    "/people/{person_id}/consents",
    response={201: ConsentOut},
    tags=["consent"],
    summary="Record the legal basis / consent for holding a person's data",
)
def create_consent(request, person_id: int, payload: ConsentIn):
    user = request.auth
    person = get_for(user, people_for(user), person_id, write=True)
    consent = actions.record_consent(actor=user, person=person, **payload.dict())
    return Status(201, consent)


@router.post(
    "/people/{person_id}/problems",
    response={201: ProblemOut},
    tags=["people"],
    summary="Note a problem the person faces (reporting a type again updates it), as the page does",
)
def record_problem(request, person_id: int, payload: ProblemIn):
    user = request.auth
    person = get_for(user, people_for(user), person_id, write=True)
    problem_type = ProblemType.objects.filter(code=payload.problem_type, is_active=True).first()
    if problem_type is None:
        raise ValidationError({"problem_type": "ไม่พบประเภทปัญหานี้"})
    data = payload.dict(exclude={"problem_type"})
    problem = actions.record_problem(actor=user, person=person, problem_type=problem_type, **data)
    return Status(201, problem)


@router.post(
    "/people/{person_id}/problems/{problem_type}/status",
    response=ProblemOut,
    tags=["people"],
    summary="Mark a person's problem active, improving or resolved",
)
def update_problem_status(request, person_id: int, problem_type: str, payload: ProblemStatusIn):
    user = request.auth
    person = get_for(user, people_for(user), person_id, write=True)
    # The person was checked for writing just above; the problem is one of theirs.
    problem = (
        PersonProblem.objects.select_related("problem_type", "person")
        .filter(person=person, problem_type__code=problem_type)
        .first()
    )
    if problem is None:
        raise Http404("ไม่พบปัญหานี้ของบุคคลนี้")
    return actions.update_problem_status(actor=user, problem=problem, status=payload.status)


@router.post(
    "/consents/{consent_id}/withdraw",
    response=ConsentOut,
    tags=["consent"],
    summary="Record that a person withdrew a consent (reason required), as the person's page does",
)
def withdraw_consent(request, consent_id: int, payload: ConsentWithdrawIn):
    user = request.auth
    consent = get_for(user, Consent.objects.select_related("person"), consent_id, write=True)
    return actions.withdraw_consent(
        actor=user, consent=consent, reason=payload.reason, withdrawn_on=payload.withdrawn_on
    )


# --- Households --------------------------------------------------------------------------------


@router.get("/households", response=list[HouseholdOut], tags=["households"])
@paginate(audited_pagination("registry.household"))
def list_households(request, center: int | None = None, subdistrict: str = Query("", max_length=6)):
    households = households_for(request.auth).select_related("head").order_by("id")
    if center is not None:
        households = households.filter(center_id=center)
    if subdistrict:
        households = households.filter(subdistrict_id=subdistrict.strip())
    return households


def household_detail(user, household_id: int, *, write: bool = False) -> Household:
    return get_for(
        user,
        households_for(user)
        .select_related("head")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=HouseholdMembership.objects.select_related("person").order_by(
                    "started_on", "id"
                ),
            ),
            Prefetch("assessments", queryset=HouseholdAssessment.objects.all()),
        ),
        household_id,
        write=write,
    )


@router.get("/households/{household_id}", response=HouseholdDetailOut, tags=["households"])
def get_household(request, household_id: int):
    household = household_detail(request.auth, household_id)
    read_api(request, household)
    return household


def _person_in_body(user, person_id: int, field: str) -> Person:
    person = visible(user, Person.objects.filter(merged_into__isnull=True), write=True)
    found = person.filter(pk=person_id).first()
    if found is None:
        raise ValidationError({field: "ไม่พบบุคคลนี้ในพื้นที่ที่คุณแก้ไขได้"})
    return found


@router.post(
    "/households",
    response={201: HouseholdDetailOut},
    tags=["households"],
    summary="Open a household with its head (address defaults to the head's)",
)
def create_household(request, payload: HouseholdIn):
    user = request.auth
    head = _person_in_body(user, payload.head, "head")
    household = actions.create_household(actor=user, head=head, started_on=payload.started_on)
    return Status(201, household_detail(user, household.pk))


@router.post(
    "/households/{household_id}/members",
    response={201: MemberOut},
    tags=["households"],
    summary="Add a person to a household (their previous household ends: history is kept)",
)
def add_member(request, household_id: int, payload: MemberIn):
    user = request.auth
    household = get_for(user, households_for(user), household_id, write=True)
    person = _person_in_body(user, payload.person, "person")
    membership = actions.add_household_member(
        actor=user,
        household=household,
        person=person,
        relationship=payload.relationship,
        started_on=payload.started_on,
    )
    return Status(201, membership)


@router.post(
    "/households/{household_id}/members/{person_id}/end",
    response=MemberOut,
    tags=["households"],
    summary="Record that a person moved out of a household (the membership is kept as history)",
)
def end_member(request, household_id: int, person_id: int, payload: MembershipEndIn):
    user = request.auth
    household = get_for(user, households_for(user), household_id, write=True)
    membership = (
        HouseholdMembership.objects.select_related("household", "person")
        .filter(household=household, person_id=person_id, ended_on__isnull=True)
        .first()
    )
    if membership is None:
        raise ValidationError({"person_id": "บุคคลนี้ไม่ได้อยู่ในครัวเรือนนี้"})
    return actions.end_household_membership(
        actor=user, membership=membership, ended_on=payload.ended_on
    )


@router.post(
    "/households/{household_id}/assessments",
    response={201: AssessmentOut},
    tags=["households"],
    summary="Assess a household on the five dimensions",
)
def add_assessment(request, household_id: int, payload: AssessmentIn):
    user = request.auth
    household = get_for(user, households_for(user), household_id, write=True)
    row = actions.record_household_assessment(actor=user, household=household, **payload.dict())
    return Status(201, row)


# --- Duplicates --------------------------------------------------------------------------------


def _candidates_for(user):
    # A pair whose record was merged since is followed by the survivor's pair (merge_people).
    return visible(user, DuplicateCandidate.objects.select_related("person_a", "person_b")).filter(
        status=DuplicateStatus.PENDING,
        person_a__merged_into__isnull=True,
        person_b__merged_into__isnull=True,
    )


@router.get(
    "/duplicates",
    response=list[DuplicateOut],
    tags=["duplicates"],
    summary="Pairs that may be one person, waiting for review (both visible to you)",
)
@paginate(LimitOffsetPagination)
def list_duplicates(request):
    return _candidates_for(request.auth).order_by("-score", "id")


@router.post(
    "/duplicates/{candidate_id}/merge",
    response=MergeOut,
    tags=["duplicates"],
    summary="Merge the pair into `survivor` (managers: chairs, officers, admins)",
)
def merge_duplicate(request, candidate_id: int, payload: MergeIn):
    user = request.auth
    candidate = get_for(user, _candidates_for(user), candidate_id, write=True)
    pair = {candidate.person_a_id: candidate.person_a, candidate.person_b_id: candidate.person_b}
    if payload.survivor not in pair:
        raise ValidationError({"survivor": "ต้องเลือกหนึ่งในสองรายการของคู่นี้"})
    survivor = pair.pop(payload.survivor)
    merged = next(iter(pair.values()))
    return actions.merge_people(actor=user, survivor=survivor, merged=merged, reason=payload.reason)


@router.get(
    "/merges/{merge_id}",
    response=MergeOut,
    tags=["duplicates"],
    summary="One merge: who stayed, who was merged and which rows moved",
)
def get_merge(request, merge_id: int):
    return get_for(request.auth, Merge.objects.all(), merge_id)


@router.post(
    "/merges/{merge_id}/undo",
    response=MergeOut,
    tags=["duplicates"],
    summary="Undo a merge: the rows it moved go back to the merged record (managers)",
    description=(
        "Answers 422 on `merge` when the merge was already undone, or when the survivor has "
        "since been merged into another record (undo that merge first)."
    ),
)
def undo_merge(request, merge_id: int, payload: UndoMergeIn):
    user = request.auth
    merge = get_for(user, Merge.objects.all(), merge_id, write=True)
    return actions.undo_merge(actor=user, merge=merge, reason=payload.reason)


@router.post(
    "/duplicates/{candidate_id}/distinct",
    response={204: None},
    tags=["duplicates"],
    summary="Mark the pair as two different people",
)
def mark_distinct(request, candidate_id: int, payload: DistinctIn):
    user = request.auth
    candidate = get_for(user, _candidates_for(user), candidate_id, write=True)
    actions.mark_distinct(actor=user, candidate=candidate, reason=payload.reason)
    return Status(204, None)


# --- Imports -----------------------------------------------------------------------------------


def may_import(user) -> bool:
    """Chairs, officers and the ministry: an import writes many people at once and answers
    whether identity numbers are registered, which a volunteer's work does not need."""
    return scope_of(user).is_staff_level


def imports_for(user):
    """Jobs in the user's area (managers) plus the user's own uploads."""
    from django.db.models import Q

    scope = scope_of(user)
    if not scope.authenticated:
        return ImportJob.objects.none()
    own = Q(uploaded_by=user)
    if scope.is_staff_level:
        return ImportJob.objects.filter(own | Q(pk__in=visible(user, ImportJob.objects.all())))
    return ImportJob.objects.filter(own)  # a volunteer sees their own uploads only


@router.post(
    "/imports",
    response={202: ImportJobOut},
    tags=["imports"],
    summary="Upload a CSV or XLSX of people to import in the background",
    description=(
        "Multipart: `file`, `source` (the system the rows come from: re-importing the same "
        "source and `source_ref` updates), optional `center` (id), `all_or_nothing` and `dry_run` "
        "(check every row and write the row report, change nothing else). The "
        "answer is the job; poll `status_url`. A file that is not a spreadsheet (by content) "
        "or too large is a 422 on `file`. The format: docs/import-format.md."
    ),
)
def create_import(
    request,
    file: File[UploadedFile],
    source: Form[str],
    center: Form[int | None] = None,
    all_or_nothing: Form[bool] = False,
    dry_run: Form[bool] = False,
):
    user = request.auth
    require(may_import(user))
    chosen = None
    if center is not None:
        chosen = writable_centers(user).filter(pk=center).first()
        if chosen is None:
            raise ValidationError({"center": "คุณไม่มีสิทธิ์นำเข้าข้อมูลให้ศูนย์นี้"})
    job = importing.start_import(
        actor=user,
        file=file,
        file_name=file.name or "upload",
        source=source,
        center=chosen,
        all_or_nothing=all_or_nothing,
        dry_run=dry_run,
    )
    importing.enqueue_import(job)
    return Status(202, job)


@router.post(
    "/import-rows/{row_id}/review",
    response=ImportRowReviewOut,
    tags=["imports"],
    summary="Decide an import row held as a likely duplicate (chairs, officers, the ministry)",
    description=(
        "The rows waiting are those of `GET /imports/{id}/rows?outcome=duplicate` whose "
        "`review` is empty and whose matched person you may change; any other row (decided "
        "already, or outside your scope) is a 404. `taken_over` when the person already has "
        "everything the row knows: 422 on `decision`; a kept file that is gone: 422. "
        "`registered` answers the matched person; the new one is in the audit trail and the "
        "registry (the row's `source_ref`)."
    ),
)
def review_import_row(request, row_id: int, payload: ImportRowReviewIn):
    user = request.auth
    require(may_import(user))
    result = get_for(user, import_review.review_queue(user), row_id, write=True)
    return import_review.review_import_row(
        actor=user, result=result, decision=payload.decision, reason=payload.reason
    )


@router.get("/imports", response=list[ImportJobOut], tags=["imports"])
@paginate(LimitOffsetPagination)
def list_imports(request):
    return imports_for(request.auth).order_by("-created_at", "-id")


@router.get("/imports/{job_id}", response=ImportJobOut, tags=["imports"])
def get_import(request, job_id: int):
    return get_for(request.auth, imports_for(request.auth), job_id)


@router.get(
    "/imports/{job_id}/rows",
    response=list[PersonImportRowOut],
    tags=["imports"],
    summary="The per-row report (filter `outcome=error` for the rows to fix)",
)
@paginate(LimitOffsetPagination)
def list_import_rows(request, job_id: int, outcome: RowOutcome | None = None):
    job = get_for(request.auth, imports_for(request.auth), job_id)
    rows = ImportRowResult.objects.filter(job=job).order_by("row_number")
    if outcome:
        rows = rows.filter(outcome=outcome)
    return rows
