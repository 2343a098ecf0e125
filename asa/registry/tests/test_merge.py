"""Merging two records of one person carries everything; undo puts back exactly what moved."""

import datetime as dt
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from asa.accounts.models import AuditEvent
from asa.aid import actions as aid_actions
from asa.aid.models import Distribution, Item, Loan, Piece
from asa.cases import actions as case_actions
from asa.cases.models import Assistance, Case, Visit
from asa.conftest import new_national_id
from asa.privacy.actions import receive_privacy_request
from asa.privacy.models import Anonymisation, PrivacyRequest
from asa.registry.actions import (
    _remember_candidate,
    add_household_member,
    create_household,
    merge_people,
    record_consent,
    record_problem,
    register_person,
    undo_merge,
    update_person,
)
from asa.registry.merging import RULES, Rule, person_relations
from asa.registry.models import (
    DuplicateCandidate,
    DuplicateStatus,
    Household,
    HouseholdMembership,
    Merge,
    Person,
    PersonProblem,
    ProblemType,
    TargetGroup,
)
from asa.reports.actions import rebuild_rollups, refresh_rollups
from asa.reports.models import AreaLevel, CurrentFigure, MonthlyFigure

pytestmark = pytest.mark.django_db

ANUSAWARI = "100502"  # center A's subdistrict
THAWI_WATTHANA = "104802"  # center B's


def register(actor, first_name, last_name="ศรีสุข", subdistrict=ANUSAWARI, **extra):
    return register_person(
        actor=actor,
        first_name=first_name,
        last_name=last_name,
        birth_date=dt.date(1950, 5, 1),
        subdistrict=subdistrict,
        check_duplicates=False,
        **extra,
    )


def stock(actor, center):
    """Consumer kits and wheelchairs in the center's store."""
    aid_actions.receive_donation(
        actor=actor,
        center=center,
        donor_kind="company",
        donor_name="บริษัท ใจบุญ จำกัด",
        received_on=timezone.localdate(),
        lines=[
            (Item.objects.get(code="consumer-kit"), 40, []),
            (Item.objects.get(code="wheelchair"), 2, ["WC-001", "WC-002"]),
        ],
    )


def give_help(actor, person, *, label: str, serial: str):
    """A case (with a visit), assistance, a distribution and a loan for `person`."""
    case = case_actions.open_case(
        actor=actor, person=person, source="field", story=f"เรื่องของ{label}"
    )
    case_actions.record_visit(
        actor=actor,
        case=case,
        visited_at=timezone.now(),
        observations=f"เยี่ยม{label}",
    )
    case_actions.record_assistance(
        actor=actor,
        case=case,
        kind="emergency_grant",
        amount=Decimal("3000"),
        regulation="เงินสงเคราะห์ผู้ประสบปัญหาทางสังคมกรณีฉุกเฉิน",
        description=f"เงินสงเคราะห์{label}",
        given_on=timezone.localdate(),
    )
    aid_actions.distribute_items(
        actor=actor,
        center=case.center,
        person=person,
        case=case,
        lines=[(Item.objects.get(code="consumer-kit"), 2)],
    )
    aid_actions.lend_piece(
        actor=actor,
        piece=Piece.objects.get(serial_number=serial),
        person=person,
        case=case,
        condition_out="ดี",
        expected_return_on=timezone.localdate() + dt.timedelta(days=90),
    )
    return case


def two_records(actor, center):
    """Two records of one woman, each with a case, assistance, a distribution and a loan."""
    stock(actor, center)
    survivor = register(actor, "บุญมี")
    merged = register(actor, "บุญมี", last_name="ศรีสุก", house_number="99")
    give_help(actor, survivor, label="บุญมี", serial="WC-001")
    give_help(actor, merged, label="บุญมีอีกรายการ", serial="WC-002")
    return survivor, merged


def references(survivor, merged) -> dict[str, tuple[set, set]]:
    """For each relation that moves: (ids of rows pointing at the survivor, at the merged)."""
    found = {}
    for relation in person_relations():
        if relation.rule is Rule.STAY:
            continue
        rows = relation.model._default_manager.filter(
            **{f"{relation.field.name}__in": [survivor.pk, merged.pk]}
        ).values_list("pk", relation.field.attname)
        found[relation.key] = (
            {pk for pk, person in rows if person == survivor.pk},
            {pk for pk, person in rows if person == merged.pk},
        )
    return found


def test_every_relation_to_a_person_has_a_merge_rule():
    """Walk every model, field by field: a new ForeignKey, OneToOneField or ManyToManyField to
    Person (in any app) fails here until RULES says whether it moves in a merge, and why."""
    keys = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields(include_hidden=True):
            if not field.is_relation or field.related_model is not Person:
                continue
            if isinstance(field, models.ManyToManyField):
                through = field.remote_field.through._meta
                names = [
                    f.name
                    for f in through.get_fields()
                    if f.many_to_one and f.related_model is Person
                ]
                keys.update(f"{through.label_lower}.{name}" for name in names)
            elif isinstance(field, models.ForeignKey):  # OneToOneField is a ForeignKey
                keys.add(f"{model._meta.label_lower}.{field.name}")
    assert keys, "the walk found no relation at all"
    assert "cases.case.person" in keys and "registry.person_target_groups.person" in keys
    missing = sorted(keys - set(RULES))
    assert not missing, f"no merge rule for {missing}: add each to asa.registry.merging.RULES"
    stale = sorted(set(RULES) - keys)
    assert not stale, f"merge rules for relations that no longer exist: {stale}"
    assert {relation.key for relation in person_relations()} == keys
    assert all(reason.strip() for _, reason in RULES.values())


def test_it_moves_every_reference_and_undo_restores_exactly(chair_a, center_a, dpo):
    survivor, merged = two_records(chair_a, center_a)
    elderly = TargetGroup.objects.get(code="elderly")
    disabled = TargetGroup.objects.get(code="disability")
    survivor.target_groups.add(elderly)
    merged.target_groups.add(elderly, disabled)  # one shared: it must not collide
    debt, housing = ProblemType.objects.order_by("pk")[:2]
    record_problem(actor=chair_a, person=survivor, problem_type=debt)
    record_problem(actor=chair_a, person=merged, problem_type=debt)  # kept on the merged record
    record_problem(actor=chair_a, person=merged, problem_type=housing)
    record_consent(
        actor=chair_a,
        person=merged,
        basis="public_task",
        given_by="not_applicable",
        given_on=timezone.localdate(),
        method="not_applicable",
    )
    home = create_household(actor=chair_a, head=survivor)
    other_home = create_household(actor=chair_a, head=merged)  # merged heads a household
    request = receive_privacy_request(
        actor=dpo,
        kind="access",
        requester_name="บุญมี ศรีสุก",
        received_on=timezone.localdate(),
        person=merged,
    )
    earlier = register(chair_a, "บุญมี", last_name="ศรีสุกข์")
    merge_people(actor=chair_a, survivor=merged, merged=earlier)  # merged earlier into `merged`
    before = references(survivor, merged)

    merge = merge_people(actor=chair_a, survivor=survivor, merged=merged, reason="คนเดียวกัน")

    assert Case.objects.filter(person=survivor).count() == 2
    assert Assistance.objects.filter(person=survivor).count() == 6  # goods and loans count too
    assert Distribution.objects.filter(person=survivor).count() == 2
    assert Loan.objects.filter(person=survivor).count() == 2
    assert Visit.objects.filter(case__person=survivor).count() == 2  # visits follow their case
    assert set(survivor.target_groups.all()) == {elderly, disabled}
    assert set(survivor.problems.values_list("problem_type", flat=True)) == {debt.pk, housing.pk}
    assert survivor.consents.count() == 1
    assert Household.objects.get(pk=other_home.pk).head == survivor
    assert PrivacyRequest.objects.get(pk=request.pk).person == survivor
    assert Person.objects.get(pk=earlier.pk).merged_into == survivor
    # What could not move without breaking a unique rule stayed on the merged record: the
    # survivor's problem of the same type, target group and current household win.
    after = references(survivor, merged)
    left = {key: ids for key, (_, ids) in after.items() if ids}
    assert left == {
        "registry.householdmembership.person": {
            HouseholdMembership.objects.get(person=merged, household=other_home).pk
        },
        "registry.personproblem.person": {
            PersonProblem.objects.get(person=merged, problem_type=debt).pk
        },
        "registry.person_target_groups.person": {
            Person.target_groups.through.objects.get(person=merged, targetgroup=elderly).pk
        },
    }
    assert home.memberships.get().person == survivor
    event = AuditEvent.objects.get(action="merge_people", changes__merge=merge.pk)
    assert event.changes["moved"] == merge.moved and event.reason == "คนเดียวกัน"

    undo_merge(actor=chair_a, merge=merge, reason="รวมผิด")

    assert references(survivor, merged) == before
    merged.refresh_from_db()
    assert merged.merged_into is None
    assert set(merged.target_groups.all()) == {elderly, disabled}
    assert list(survivor.target_groups.all()) == [elderly]  # the old undo left `disabled` here
    assert AuditEvent.objects.filter(action="undo_merge", changes__merge=merge.pk).exists()


def test_it_refuses_what_cannot_be_merged_or_undone(chair_a, admin_user):
    first, second, third = (register(chair_a, name) for name in ("หนึ่ง", "สอง", "สาม"))
    with pytest.raises(ValidationError) as refused:
        merge_people(actor=chair_a, survivor=first, merged=first)
    assert "merged" in refused.value.message_dict
    merge = merge_people(actor=chair_a, survivor=first, merged=second)
    with pytest.raises(ValidationError):
        merge_people(actor=chair_a, survivor=third, merged=second)  # already merged
    later = merge_people(actor=chair_a, survivor=third, merged=first)
    with pytest.raises(ValidationError) as refused:
        undo_merge(actor=chair_a, merge=merge)  # its survivor was merged since: undo that first
    assert "merge" in refused.value.message_dict
    undo_merge(actor=chair_a, merge=later)
    undo_merge(actor=chair_a, merge=merge)
    with pytest.raises(ValidationError) as refused:
        undo_merge(actor=chair_a, merge=merge)
    assert "merge" in refused.value.message_dict
    Anonymisation.objects.create(person=third, reason="erasure", done_by=admin_user)
    with pytest.raises(ValidationError) as refused:
        merge_people(actor=chair_a, survivor=first, merged=third)
    assert "merged" in refused.value.message_dict
    assert not Person.objects.filter(merged_into__isnull=False).exists()


def test_undo_refuses_when_the_survivor_took_the_merged_identity(chair_a):
    number = new_national_id()
    survivor = register(chair_a, "หนึ่ง")
    merged = register(chair_a, "สอง", id_type="national_id", id_number=number)
    merge = merge_people(actor=chair_a, survivor=survivor, merged=merged)
    update_person(actor=chair_a, person=survivor, id_type="national_id", id_number=number)
    with pytest.raises(ValidationError) as refused:
        undo_merge(actor=chair_a, merge=merge)
    assert "merge" in refused.value.message_dict
    assert Merge.objects.get().undone_at is None
    assert Person.objects.get(pk=merged.pk).merged_into_id == survivor.pk


def figures() -> set:
    monthly = MonthlyFigure.objects.values_list(
        "level", "code", "month", "metric", "dimension", "value"
    )
    current = CurrentFigure.objects.values_list("level", "code", "metric", "dimension", "value")
    return set(monthly) | set(current)


def nation(metric: str, dimension: str = "") -> int:
    row = CurrentFigure.objects.filter(
        level=AreaLevel.NATION, metric=metric, dimension=dimension
    ).first()
    return row.value if row else 0


def test_rollups_stay_right_after_a_merge_and_an_undo(chair_a, chair_b, admin_user):
    """Two records at two centers; the merged one's problem was reported months ago. After
    the refresh the figures equal a rebuild from scratch: no person counted twice, no center-
    month left behind (the merged record's old center lost a problem in an old month)."""
    elderly = TargetGroup.objects.get(code="elderly")
    survivor = register(chair_a, "บุญมี", target_groups=[elderly])
    merged = register(chair_b, "บุญมี", subdistrict=THAWI_WATTHANA, target_groups=[elderly])
    long_ago = timezone.localdate() - dt.timedelta(days=120)
    record_problem(
        actor=chair_b,
        person=merged,
        problem_type=ProblemType.objects.get(code="debt"),
        first_reported_on=long_ago,
    )
    rebuild_rollups()
    start = figures()
    assert nation("people_total") == 2 and nation("registry_by_target_group", "elderly") == 2

    merge = merge_people(actor=admin_user, survivor=survivor, merged=merged)
    refresh_rollups()
    refreshed = figures()
    rebuild_rollups()
    assert refreshed == figures()
    assert nation("people_total") == 1 and nation("registry_by_target_group", "elderly") == 1
    problems = MonthlyFigure.objects.filter(
        level=AreaLevel.NATION, metric="problems_reported", month=long_ago.replace(day=1)
    )
    assert sum(problems.values_list("value", flat=True)) == 1

    undo_merge(actor=admin_user, merge=merge)
    refresh_rollups()
    assert figures() == start


def test_the_survivors_page_and_household_ledger_show_the_merged_history(
    client_for, chair_a, center_a
):
    survivor, merged = two_records(chair_a, center_a)
    home = create_household(actor=chair_a, head=survivor)
    merged_case = Case.objects.get(person=merged)
    update_person(actor=chair_a, person=merged, notes="ย้ายมาจากจังหวัดอื่น")  # its own event
    merge = merge_people(actor=chair_a, survivor=survivor, merged=merged)
    client = client_for(chair_a)
    page = client.get(reverse("registry:person_detail", args=[survivor.pk])).content.decode()
    ledger = client.get(reverse("registry:household_detail", args=[home.pk])).content.decode()
    for html in (page, ledger):
        assert merged_case.number in html and "เงินสงเคราะห์บุญมีอีกรายการ" in html
        assert "WC-002" in html and "WC-001" in html
    timeline = page[page.index('id="person-timeline"') :]
    assert "บันทึกเพิ่มเติม" in timeline  # the merged record's edit, in the survivor's timeline
    undo_merge(actor=chair_a, merge=merge)
    page = client.get(reverse("registry:person_detail", args=[survivor.pk])).content.decode()
    ledger = client.get(reverse("registry:household_detail", args=[home.pk])).content.decode()
    for html in (page, ledger):
        assert merged_case.number not in html and "เงินสงเคราะห์บุญมีอีกรายการ" not in html
        assert "WC-002" not in html and "WC-001" in html
    assert "บันทึกเพิ่มเติม" not in page[page.index('id="person-timeline"') :]


def _queries(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_history_reads_stay_constant_as_it_grows(client_for, chair_a, center_a):
    stock(chair_a, center_a)
    person = register(chair_a, "บุญมี")
    home = create_household(actor=chair_a, head=person)
    case = case_actions.open_case(actor=chair_a, person=person, source="field", story="เรื่อง")
    client = client_for(chair_a)
    urls = [
        reverse("registry:person_detail", args=[person.pk]),
        reverse("registry:household_detail", args=[home.pk]),
    ]

    def grow(start: int, stop: int) -> None:
        for number in range(start, stop):
            case_actions.record_assistance(
                actor=chair_a,
                case=case,
                kind="service",
                description=f"บริการครั้งที่ {number}",
                given_on=timezone.localdate(),
            )
            member = register(chair_a, f"สมาชิก{number}")
            add_household_member(actor=chair_a, household=home, person=member, relationship="child")
            aid_actions.distribute_items(
                actor=chair_a,
                center=center_a,
                person=member,
                lines=[(Item.objects.get(code="consumer-kit"), 1)],
            )

    grow(0, 11)  # past the ten shown: the count is read
    some = [_queries(client, url) for url in urls]
    grow(11, 19)
    assert [_queries(client, url) for url in urls] == some
    html = client.get(urls[1]).content.decode()
    assert "บริการครั้งที่ 18" in html and "บริการครั้งที่ 0<" not in html  # the newest 10


# --- API ---------------------------------------------------------------------------------------


def test_the_api_merges_and_undoes(api_client_for, chair_a, center_a):
    survivor, merged = two_records(chair_a, center_a)
    _remember_candidate(survivor, merged, score=0.9, reasons=["ชื่อออกเสียงเหมือนกัน"])
    candidate = DuplicateCandidate.objects.get()
    merged_case = Case.objects.get(person=merged)
    client = api_client_for(chair_a)
    answer = client.post(
        f"/api/v1/duplicates/{candidate.pk}/merge",
        {"survivor": survivor.pk, "reason": "คนเดียวกัน"},
        content_type="application/json",
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["moved"]["cases.case.person"] == [merged_case.pk]
    assert body["undone_at"] is None and body["undo_url"] == f"/api/v1/merges/{body['id']}/undo"
    assert client.get(f"/api/v1/merges/{body['id']}").json()["merged"] == merged.pk
    undone = client.post(body["undo_url"], {"reason": "รวมผิด"}, content_type="application/json")
    assert undone.status_code == 200 and undone.json()["undone_at"]
    assert Case.objects.filter(person=merged).count() == 1
    candidate.refresh_from_db()
    assert candidate.status == DuplicateStatus.PENDING
    again = client.post(body["undo_url"], {}, content_type="application/json")
    assert again.status_code == 422 and "merge" in again.content.decode()


def test_the_api_refuses_undo_to_volunteers_and_outsiders(
    api_client_for, chair_a, volunteer_a, chair_b, volunteer_b, outside_officer, agency_user
):
    merge = merge_people(
        actor=chair_a, survivor=register(chair_a, "หนึ่ง"), merged=register(chair_a, "สอง")
    )
    url = f"/api/v1/merges/{merge.pk}/undo"
    assert (
        api_client_for(volunteer_a).post(url, {}, content_type="application/json").status_code
        == 403
    )
    for outsider in (chair_b, volunteer_b, outside_officer, agency_user):
        client = api_client_for(outsider)
        assert client.post(url, {}, content_type="application/json").status_code == 404
        assert client.get(f"/api/v1/merges/{merge.pk}").status_code == 404
    assert Merge.objects.get().undone_at is None
