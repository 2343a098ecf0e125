"""Outcome figures: a small world of cases, problems, assessments, referrals and help with known
answers, checked at every level (center, district, province, nation), and the rollups' rebuild
against their incremental refresh.

The world lives in fiscal year 2568 (1 Oct 2567 – 30 Sep 2568 BE = Oct 2024 – Sep 2025). It is
built through the real actions; the moments those actions stamp with "now" (closing, reopening,
a partner's answer, sending) are then moved back into 2568 with a plain UPDATE — what the
passing of time would have done — and the rollups are rebuilt from scratch.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from asa.aid import actions as aid_actions
from asa.aid.models import Item, Piece
from asa.cases import actions as case_actions
from asa.cases.models import Case, CaseReopening
from asa.centers.actions import open_center
from asa.geo.models import Subdistrict
from asa.referrals import actions as referral_actions
from asa.referrals.models import Referral, Service
from asa.registry.actions import (
    create_household,
    record_consent,
    record_household_assessment,
    record_problem,
    register_person,
    update_problem_status,
)
from asa.registry.models import HouseholdAssessment, PersonProblem, ProblemType, TargetGroup
from asa.reports.actions import rebuild_rollups
from asa.reports.models import StaleMonth
from asa.reports.outcomes import median_days, outcomes, partner_scorecard, suppressed
from asa.reports.queries import Period

FY2568 = Period.fiscal_year(2568)
ZONE = timezone.get_default_timezone()


def at(year, month, day, hour=9):
    return dt.datetime(year, month, day, hour, tzinfo=ZONE)


def _person(index, subdistrict, groups=()):
    return register_person(
        actor=None,
        first_name=["บุญมี", "สมศรี", "มาลี", "ประเสริฐ", "วันดี", "สุดา", "ชูชาติ"][index % 7],
        last_name=f"ผลลัพธ์{index}",
        birth_date=dt.date(1950 + index, 5, 1),
        subdistrict=subdistrict,
        target_groups=list(TargetGroup.objects.filter(code__in=groups)),
        check_duplicates=False,
    )


def _case(person, reported_at, *, urgency="routine", problems=(), groups=(), visit=None):
    case = case_actions.open_case(
        actor=None,
        person=person,
        source="hotline",
        story="ผู้สูงอายุอยู่ลำพัง รายได้ไม่พอ",
        urgency=urgency,
        reported_at=reported_at,
        problems=problems,
        target_groups=list(TargetGroup.objects.filter(code__in=groups)),
    )
    if visit is not None:
        case_actions.record_visit(actor=None, case=case, visited_at=visit, observations="เยี่ยมบ้าน")
    return case


def _close(case, outcome, closed_at):
    case_actions.close_case(actor=None, case=case, outcome=outcome)
    Case.objects.filter(pk=case.pk).update(closed_at=closed_at)


def _assess(household, on, **scores):
    row = record_household_assessment(
        actor=None, household=household, indicators={}, assessed_on=on
    )
    values = {f"{dimension}_score": 2 for dimension in DIMENSIONS}
    values.update({f"{dimension}_score": score for dimension, score in scores.items()})
    HouseholdAssessment.objects.filter(pk=row.pk).update(**values)


DIMENSIONS = ("income", "housing", "health", "education", "public_services")


def _refer(case, agency, service, sent_at, *, answer=None, answered_at=None, finished_at=None):
    record_consent(
        actor=None,
        person=case.person,
        basis="consent",
        given_by="self",
        given_on=timezone.localdate(sent_at),
        method="signed_paper",
        allows_sharing=True,
    )
    referral = referral_actions.send_referral(
        actor=None, case=case, agency=agency, service=service, need="ที่พักชั่วคราว"
    )
    if answer == "completed":
        referral_actions.answer_referral(actor=None, referral=referral, status="accepted")
        referral_actions.answer_referral(
            actor=None, referral=referral, status="completed", reason="รับเข้าพักแล้ว"
        )
    elif answer == "declined":
        referral_actions.answer_referral(
            actor=None, referral=referral, status="declined", reason="เต็ม"
        )
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=sent_at,
        respond_by=timezone.localdate(sent_at) + dt.timedelta(days=3),
        complete_by=timezone.localdate(sent_at) + dt.timedelta(days=30),
        responded_at=answered_at,
        finished_at=finished_at,
    )
    return referral


@pytest.fixture
def center_c(db):
    return open_center(
        actor=None,
        code="CMI-5001",
        name_th="ศูนย์ประสานงาน อพม. อำเภอเมืองเชียงใหม่",
        subdistrict=Subdistrict.objects.get(code="500101"),
        opened_on=dt.date(2019, 4, 1),
        venue="ศาลาประชาคม",
    )


@pytest.fixture
def world(center_a, center_b, center_c, agency):
    """Cases in A (Bang Khen), B (Thawi Watthana, both Bangkok) and C (Chiang Mai)."""
    hotline, other = (
        ProblemType.objects.filter(is_hotline_category=True).order_by("pk").first(),
        ProblemType.objects.filter(is_hotline_category=False).order_by("pk").first(),
    )
    elderly = TargetGroup.objects.order_by("pk").first().code
    shelter_service = Service.objects.get(code="shelter")
    partner = referral_actions.update_agency(
        actor=None, agency=agency, services=[shelter_service], area_codes=["10"]
    )
    a = [_person(index, "100502", [elderly]) for index in range(4)]
    b = [_person(10 + index, "104802") for index in range(2)]
    c = [_person(20, "500101")]
    # A1: resolved in 10 days, first visit after 2 days; cash 1,000 baht.
    a1 = _case(
        a[0], at(2024, 11, 1), problems=[hotline], groups=[elderly], visit=at(2024, 11, 3, 10)
    )
    case_actions.record_assistance(
        actor=None,
        case=a1,
        kind="cash",
        amount=Decimal(1000),
        description="ค่าเช่าบ้าน",
        given_on=dt.date(2024, 11, 5),
        regulation="เงินสงเคราะห์",
    )
    # The partner: A1's referral answered in 1 day and served in 15 (on time); A2's declined
    # after 10 days (late); B2's never answered (late).
    _refer(
        a1,
        partner,
        shelter_service,
        at(2024, 11, 5),
        answer="completed",
        answered_at=at(2024, 11, 6),
        finished_at=at(2024, 11, 20),
    )
    _close(a1, "resolved", at(2024, 11, 11))
    # A2: an emergency visited the same evening; referred and served; a bicycle on loan.
    a2 = _case(
        a[1],
        at(2024, 12, 1, 8),
        urgency="emergency",
        problems=[other],
        groups=[elderly],
        visit=at(2024, 12, 1, 20),
    )
    aid_actions.receive_donation(
        actor=None,
        center=center_a,
        donor_kind="company",
        donor_name="บริษัท ใจบุญ จำกัด",
        received_on=dt.date(2024, 11, 20),
        lines=[(Item.objects.get(code="bicycle"), 1, ["BK-9"])],
    )
    aid_actions.lend_piece(
        actor=None,
        piece=Piece.objects.get(serial_number="BK-9"),
        person=a[1],
        case=a2,
        condition_out="ใหม่",
        loaned_on=dt.date(2024, 12, 2),
        expected_return_on=dt.date(2025, 3, 2),
    )
    _refer(
        a2,
        partner,
        shelter_service,
        at(2024, 12, 5),
        answer="declined",
        answered_at=at(2024, 12, 15),
        finished_at=at(2024, 12, 15),
    )
    _close(a2, "referred_completed", at(2024, 12, 21, 8))
    # A3: an emergency first visited two days later, still open.
    _case(a[2], at(2025, 1, 10, 8), urgency="emergency", visit=at(2025, 1, 12, 8))
    # A4: closed, then reopened 28 days later (and still open).
    a4 = _case(a[3], at(2025, 1, 20))
    case_actions.close_case(actor=None, case=a4, outcome="resolved")
    case_actions.reopen_case(actor=None, case=a4, reason="ปัญหากลับมาอีก")
    CaseReopening.objects.filter(case=a4).update(
        closed_at=at(2025, 2, 1), reopened_at=at(2025, 3, 1)
    )
    # B1: an emergency never visited; B2: lost contact after 60 days (first visit: 4 days).
    _case(b[0], at(2025, 2, 1, 8), urgency="emergency")
    b2 = _case(b[1], at(2025, 1, 5), visit=at(2025, 1, 9))
    _refer(b2, partner, shelter_service, at(2025, 1, 10))
    _close(b2, "unable_to_contact", at(2025, 3, 6))
    # C1: died, 10 days after the report (first visit: 1 day).
    c1 = _case(c[0], at(2025, 4, 1), visit=at(2025, 4, 2, 10))
    _close(c1, "died", at(2025, 4, 11))
    # Problems: A1's hotline problem resolved in the same fiscal year; A2's only in the next;
    # B2's not at all.
    first = record_problem(
        actor=None, person=a[0], problem_type=hotline, first_reported_on=dt.date(2024, 11, 1)
    )
    update_problem_status(
        actor=None, problem=first, status="resolved", resolved_on=dt.date(2025, 6, 1)
    )
    second = record_problem(
        actor=None, person=a[1], problem_type=other, first_reported_on=dt.date(2024, 12, 1)
    )
    update_problem_status(
        actor=None, problem=second, status="resolved", resolved_on=dt.date(2025, 11, 1)
    )
    record_problem(
        actor=None, person=b[1], problem_type=hotline, first_reported_on=dt.date(2025, 1, 5)
    )
    # Households: A's improved on income and worsened on health over 198 days; B's two
    # assessments are 31 days apart (not compared); C's worsened on income over 273 days.
    household_a = create_household(actor=None, head=a[0])
    _assess(household_a, dt.date(2024, 10, 15), income=1, health=3)
    _assess(household_a, dt.date(2025, 5, 1), income=3, health=1)
    household_b = create_household(actor=None, head=b[1])
    _assess(household_b, dt.date(2025, 1, 1), income=1)
    _assess(household_b, dt.date(2025, 2, 1), income=4)
    household_c = create_household(actor=None, head=c[0])
    _assess(household_c, dt.date(2024, 11, 1), income=4)
    _assess(household_c, dt.date(2025, 8, 1), income=2)
    rebuild_rollups()
    return {"hotline": hotline, "other": other, "elderly": elderly, "agency": partner,
            "service": shelter_service}  # fmt: skip


def _figures(user, level, code, period=FY2568):
    board = outcomes(user, level=level, code=code, period=period)
    figure = {item.key: item for item in board.headline}
    return board, figure


def test_each_figure_at_each_level(world, admin_user, center_a, center_c):
    expected = {
        # level, code: closed by outcome, medians (first visit, closure), emergencies
        # (within 24 h, all), reopened (within 90 d, closures), problems (resolved, reported),
        # households compared
        ("center", str(center_a.pk)): (
            {"resolved": 1, "referred_completed": 1}, Decimal(2), Decimal(15), (1, 2), (1, 3),
            (1, 2), 1,
        ),
        ("district", "1005"): (
            {"resolved": 1, "referred_completed": 1}, Decimal(2), Decimal(15), (1, 2), (1, 3),
            (1, 2), 1,
        ),
        ("province", "10"): (
            {"resolved": 1, "referred_completed": 1, "unable_to_contact": 1}, Decimal(2),
            Decimal(20), (1, 3), (1, 4), (1, 3), 1,
        ),
        ("nation", "TH"): (
            {"resolved": 1, "referred_completed": 1, "unable_to_contact": 1, "died": 1},
            Decimal(2), Decimal(15), (1, 3), (1, 5), (1, 3), 2,
        ),
    }  # fmt: skip
    for (level, code), values in expected.items():
        by_outcome, first_visit, closure, emergency, reopened, problems, households = values
        board, figure = _figures(admin_user, level, code)
        assert {bar.key: bar.value for bar in board.by_outcome if bar.value} == by_outcome, level
        assert board.closed == sum(by_outcome.values())
        assert figure["resolved"].value == 1
        assert figure["resolved"].share == (Decimal(100) / sum(by_outcome.values())).quantize(
            Decimal("0.1")
        )
        assert figure["median_first_visit"].value == first_visit, level
        assert figure["median_closure"].value == closure, level
        assert (figure["emergency_24h"].value, figure["emergency_24h"].denominator) == emergency
        assert (figure["reopened_90"].value, figure["reopened_90"].denominator) == reopened
        assert (
            figure["problems_resolved"].value,
            figure["problems_resolved"].denominator,
        ) == problems, level
        assert board.households_compared == households == figure["households_compared"].value
        assert all(item.definition for item in board.headline)  # each says what it counts
    # Shares: 1 of 3 emergencies in Bangkok were visited within 24 hours.
    _, figure = _figures(admin_user, "province", "10")
    assert figure["emergency_24h"].share == Decimal("33.3")
    # Chiang Mai alone: one death, first visit after 1 day, closure after 10.
    board, figure = _figures(admin_user, "center", str(center_c.pk))
    assert {bar.key: bar.value for bar in board.by_outcome if bar.value} == {"died": 1}
    assert figure["median_first_visit"].value == 1 and figure["median_closure"].value == 10
    assert figure["emergency_24h"].denominator == 0 and figure["emergency_24h"].share is None


def test_outcomes_by_target_group_problem_and_the_hotline_first(world, admin_user):
    board, _ = _figures(admin_user, "nation", "TH")
    elderly = next(row for row in board.by_target_group if row.key == world["elderly"])
    assert (elderly.total, elderly.resolved, elderly.share) == (2, 1, Decimal("50.0"))
    by_problem = {row.key: (row.total, row.resolved) for row in board.by_problem}
    assert by_problem == {world["hotline"].code: (1, 1), world["other"].code: (1, 0)}
    assert next(row.key for row in board.by_problem) == world["hotline"].code
    problems = {row.key: (row.reported, row.resolved, row.hotline) for row in board.problems}
    assert problems == {
        world["hotline"].code: (2, 1, True),
        world["other"].code: (1, 0, False),
    }
    assert board.problems[0].hotline  # the 1300-hotline categories first


def test_households_changed_on_each_dimension(world, admin_user, center_a):
    nation, _ = _figures(admin_user, "nation", "TH")
    rows = {row.key: (row.improved, row.same, row.worse) for row in nation.households}
    assert rows == {
        "income": (1, 0, 1),
        "housing": (0, 2, 0),
        "health": (0, 1, 1),
        "education": (0, 2, 0),
        "public_services": (0, 2, 0),
    }
    center, _ = _figures(admin_user, "center", str(center_a.pk))
    assert {row.key: row.improved for row in center.households}["income"] == 1
    # Counted in the month of the latest assessment: May 2568 holds A's household only.
    may = Period.months(dt.date(2025, 5, 1), dt.date(2025, 5, 1))
    assert outcomes(admin_user, level="nation", code="TH", period=may).households_compared == 1


def test_the_partner_scorecard(world, admin_user, officer, agency_user, chair_a, center_a):
    board, _ = _figures(admin_user, "center", str(center_a.pk))
    (row,) = board.partners
    assert (row.sent, row.accepted, row.completed, row.declined, row.late) == (2, 1, 1, 1, 1)
    assert row.median_answer_days == Decimal("5.5")  # 1 and 10 days
    assert row.median_complete_days == Decimal(15)
    province = outcomes(officer, level="province", code="10", period=FY2568)
    (row,) = province.partners
    assert (row.sent, row.late) == (3, 2)
    # A chair sees the outcomes of their center, not the partner scorecard.
    assert outcomes(chair_a, level="center", code=str(center_a.pk), period=FY2568).partners == []
    # The partner sees its own scorecard, nationwide; no one else's.
    (own,) = partner_scorecard(agency_user, agency_id=world["agency"].pk, period=FY2568)
    assert (own.sent, own.accepted, own.completed, own.declined, own.late) == (3, 1, 1, 1, 2)
    with pytest.raises(PermissionDenied):
        partner_scorecard(agency_user, agency_id=world["agency"].pk + 1, period=FY2568)
    with pytest.raises(PermissionDenied):
        partner_scorecard(chair_a, agency_id=world["agency"].pk, period=FY2568)
    with pytest.raises(PermissionDenied):
        outcomes(agency_user, level="nation", code="TH", period=FY2568)


def test_help_given_and_the_outcome_of_its_cases(world, admin_user, center_a):
    board, _ = _figures(admin_user, "center", str(center_a.pk))
    assert board.helped_cases == 2
    assert board.help_baht == Decimal("1000.00") and board.help_baht_per_case == Decimal("500.00")
    help_rows = {row.key: (row.cases, row.resolved) for row in board.help}
    # The bicycle is on the ledger as goods, and counted as a loan too.
    assert help_rows == {"cash": (1, 1), "goods": (1, 0), "loan": (1, 0)}
    (bicycle,) = board.loans
    assert (bicycle.key, bicycle.cases, bicycle.resolved) == (
        str(Item.objects.get(code="bicycle").pk),
        1,
        0,
    )


def test_drill_down_rows(world, admin_user, center_a, center_b):
    nation, _ = _figures(admin_user, "nation", "TH")
    assert [(row.area.code, row.closed) for row in nation.children] == [("10", 3), ("50", 1)]
    bangkok, _ = _figures(admin_user, "province", "10")
    rows = {row.area.code: row for row in bangkok.children}
    assert (rows["1005"].closed, rows["1005"].resolved, rows["1005"].resolved_share) == (
        2,
        1,
        Decimal("50.0"),
    )
    assert (rows["1048"].emergencies, rows["1048"].emergencies_within_24_hours) == (1, 0)
    district, _ = _figures(admin_user, "district", "1005")
    assert [row.area.code for row in district.children] == [str(center_a.pk)]


def test_outside_scope_is_refused(world, outside_officer, chair_b, center_a, volunteer_a):
    for user, level, code in (
        (outside_officer, "province", "10"),
        (chair_b, "center", str(center_a.pk)),
        (volunteer_a, "center", str(center_a.pk)),
    ):
        with pytest.raises(PermissionDenied):
            outcomes(user, level=level, code=code, period=FY2568)


def test_median_of_a_histogram():
    assert median_days({}) is None
    assert median_days({3: 1}) == 3
    assert median_days({1: 1, 10: 1}) == Decimal("5.5")
    assert median_days({0: 2, 5: 1, 9: 1}) == Decimal("2.5")
    assert median_days({2: 5, 7: 1}) == 2


def test_small_numbers_are_suppressed():
    assert [suppressed(value) for value in (0, 1, 4, 5, 12)] == [0, "<5", "<5", 5, 12]


# --- rebuild = incremental ------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_incremental_refresh_equals_a_rebuild_for_outcomes(center_a, center_b, agency):
    """Everything through actions, each refreshed after its commit; then a rebuild from scratch."""
    from asa.reports.models import MonthlyFigure
    from asa.reports.tests.test_rollups import _rows

    hotline = ProblemType.objects.filter(is_hotline_category=True).order_by("pk").first()
    now = timezone.now()
    people = [_person(index, "100502") for index in range(3)]
    first = _case(
        people[0],
        now - dt.timedelta(days=5),
        urgency="emergency",
        problems=[hotline],
        visit=now - dt.timedelta(days=5) + dt.timedelta(hours=3),
    )
    case_actions.record_assistance(
        actor=None,
        case=first,
        kind="goods",
        description="ข้าวสาร 5 กิโลกรัม",
        given_on=timezone.localdate(),
    )
    service = Service.objects.get(code="shelter")
    partner = referral_actions.update_agency(
        actor=None, agency=agency, services=[service], area_codes=["10"]
    )
    referral = _refer_now(first, partner, service)
    referral_actions.answer_referral(actor=None, referral=referral, status="accepted")
    case_actions.close_case(actor=None, case=first, outcome="resolved")
    second = _case(people[1], now - dt.timedelta(days=2), visit=now - dt.timedelta(days=1))
    case_actions.close_case(actor=None, case=second, outcome="moved_away")
    case_actions.reopen_case(actor=None, case=second, reason="กลับมาอยู่ที่เดิม")
    problem = record_problem(actor=None, person=people[0], problem_type=hotline)
    update_problem_status(actor=None, problem=problem, status="resolved")
    household = create_household(actor=None, head=people[2])
    record_household_assessment(
        actor=None,
        household=household,
        indicators={},
        assessed_on=timezone.localdate() - dt.timedelta(days=200),
    )
    record_household_assessment(actor=None, household=household, indicators={})
    assert not StaleMonth.objects.exists()
    incremental = _rows()
    metrics = {row[3] for row in incremental[0]}
    for metric in ("outcome_cases_closed", "days_to_closure", "emergency_first_visit",
                   "closures_reopened", "problems_resolved_in_year", "households_compared",
                   "referral_scorecard", "referral_answer_days", "help_by_outcome"):  # fmt: skip
        assert metric in metrics, metric  # not vacuous
    rebuild_rollups()
    assert _rows() == incremental
    assert MonthlyFigure.objects.filter(metric="households_compared", level="nation").exists()


def _refer_now(case, agency, service):
    record_consent(
        actor=None, person=case.person, basis="consent", given_by="self",
        given_on=timezone.localdate(), method="signed_paper", allows_sharing=True,
    )  # fmt: skip
    return referral_actions.send_referral(
        actor=None, case=case, agency=agency, service=service, need="ที่พักชั่วคราว"
    )


def test_resolving_a_problem_dates_it_and_refuses_a_bad_date(center_a):
    hotline = ProblemType.objects.filter(is_hotline_category=True).first()
    person = _person(1, "100502")
    problem = record_problem(
        actor=None, person=person, problem_type=hotline, first_reported_on=dt.date(2025, 1, 5)
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        update_problem_status(
            actor=None, problem=problem, status="resolved", resolved_on=dt.date(2025, 1, 1)
        )
    assert "resolved_on" in error.value.message_dict
    problem.refresh_from_db()
    assert problem.status == "active" and problem.resolved_on is None  # nothing half-written
    update_problem_status(actor=None, problem=problem, status="resolved")
    assert PersonProblem.objects.get(pk=problem.pk).resolved_on == timezone.localdate()
    update_problem_status(actor=None, problem=problem, status="active")
    assert PersonProblem.objects.get(pk=problem.pk).resolved_on is None


def test_the_nightly_check_agrees_with_the_outcome_rollups(world):
    from asa.ops.consistency import check_rollups

    result = check_rollups()
    assert result["mismatched"] == 0 and result["nation_mismatched"] == 0, result["sample"]
