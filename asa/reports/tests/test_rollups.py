"""Rollups against naive counts of the base tables, built through the real actions."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import Http404
from django.utils import timezone

from asa.aid import actions as aid_actions
from asa.aid.models import Distribution, DistributionLine, Item, Loan, LoanStatus, Piece
from asa.cases import actions as case_actions
from asa.cases.models import OPEN_STATUSES, Case, Visit
from asa.centers.hours import approve_hours_entry, enter_hours
from asa.centers.models import Center, Volunteer, VolunteerStatus
from asa.centers.queries import hours_by_center
from asa.referrals import actions as referral_actions
from asa.referrals.models import Referral, Service
from asa.registry.actions import (
    create_household,
    record_consent,
    record_problem,
    register_person,
)
from asa.registry.models import Person, PersonProblem, ProblemType, TargetGroup
from asa.reports.actions import mark_rollups_stale, rebuild_rollups
from asa.reports.models import AreaLevel, CurrentFigure, MonthlyFigure, StaleMonth
from asa.reports.queries import Period, dashboard

FIRST_NAMES = ["บุญมี", "สมศรี", "มาลี", "ประเสริฐ", "วันดี", "สุดา"]


def _person(actor, index: int, subdistrict: str, groups=()):
    return register_person(
        actor=actor,
        first_name=FIRST_NAMES[index % len(FIRST_NAMES)],
        last_name=f"ทดสอบ{index}",
        birth_date=dt.date(1950 + index % 40, 5, 1),
        subdistrict=subdistrict,
        target_groups=list(TargetGroup.objects.filter(code__in=groups)),
        check_duplicates=False,
    )


def build(chair_a, volunteer_a, chair_b, agency, *, scale: int = 1):
    """People, cases, visits, a closure, a referral, goods, a loan and hours in A and B."""
    now = timezone.now()
    volunteer = Volunteer.objects.get(user=volunteer_a)
    problem = ProblemType.objects.order_by("pk").first()
    groups = list(TargetGroup.objects.order_by("pk").values_list("code", flat=True)[:2])
    cases = []
    for index in range(2 * scale):
        person = _person(chair_a, index, "100502", groups[: index % 2 + 1])
        record_problem(actor=chair_a, person=person, problem_type=problem)
        case = case_actions.open_case(
            actor=chair_a,
            person=person,
            source="field",
            story="ผู้สูงอายุอยู่ลำพัง",
            reported_at=now - dt.timedelta(days=40, hours=index),
        )
        case_actions.record_visit(
            actor=volunteer_a,
            case=case,
            visited_at=now - dt.timedelta(days=40 - 2 * index, hours=index),
            observations="บ้านทรุดโทรม",
            volunteers=[volunteer],
        )
        cases.append(case)
    case_actions.close_case(actor=chair_a, case=cases[0], outcome="resolved")
    other = _person(chair_b, 99, "104802", groups[:1])
    case_actions.open_case(actor=chair_b, person=other, source="hotline", story="ตกงาน")
    # A referral, accepted by the partner.
    shelter = referral_actions.update_agency(
        actor=None, agency=agency, services=[Service.objects.get(code="shelter")], area_codes=["10"]
    )
    referred = cases[-1]
    record_consent(
        actor=chair_a,
        person=referred.person,
        basis="consent",
        given_by="self",
        given_on=timezone.localdate(),
        method="signed_paper",
        allows_sharing=True,
    )
    referral = referral_actions.send_referral(
        actor=chair_a,
        case=referred,
        agency=shelter,
        service=Service.objects.get(code="shelter"),
        need="ที่พักชั่วคราว",
    )
    referral_actions.answer_referral(actor=None, referral=referral, status="accepted")
    # Goods: a donation, a distribution and a bicycle out on loan.
    center_a = Center.objects.get(code="BKK-1005")
    aid_actions.receive_donation(
        actor=chair_a,
        center=center_a,
        donor_kind="company",
        donor_name="บริษัท ใจบุญ จำกัด",
        received_on=timezone.localdate(),
        lines=[
            (Item.objects.get(code="bicycle"), 2, ["BK-001", "BK-002"]),
            (Item.objects.get(code="consumer-kit"), 20, []),
        ],
    )
    household = create_household(actor=chair_a, head=cases[0].person)
    aid_actions.distribute_items(
        actor=chair_a,
        center=center_a,
        household=household,
        lines=[(Item.objects.get(code="consumer-kit"), 3)],
    )
    aid_actions.lend_piece(
        actor=chair_a,
        piece=Piece.objects.get(serial_number="BK-001"),
        volunteer=volunteer,
        condition_out="ใหม่",
        expected_return_on=timezone.localdate() + dt.timedelta(days=30),
    )
    entry = enter_hours(
        actor=volunteer_a,
        volunteer=volunteer,
        worked_on=timezone.localdate() - dt.timedelta(days=3),
        hours=Decimal("2.5"),
        description="คัดแยกสิ่งของบริจาค",
    )
    approve_hours_entry(actor=chair_a, entry=entry)
    return cases


def _moments(period: Period):
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(period.start, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(period.end_date + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start, end


def naive(center_ids, period: Period) -> dict:
    """The same figures counted straight from the base tables."""
    start, end = _moments(period)
    first, last = period.start, period.end_date
    today = timezone.localdate()
    cases = Case.objects.filter(center__in=center_ids)
    hours = hours_by_center(center_ids, first_day=first, last_day=last)
    return {
        "volunteers_active": Volunteer.objects.filter(
            center__in=center_ids, status=VolunteerStatus.ACTIVE
        ).count(),
        "people_total": Person.objects.filter(
            center__in=center_ids, merged_into__isnull=True
        ).count(),
        "cases_open": cases.filter(status__in=OPEN_STATUSES).count(),
        "cases_overdue": cases.filter(
            status__in=OPEN_STATUSES, next_follow_up_on__lt=today
        ).count(),
        "equipment_on_loan": Loan.objects.filter(
            center__in=center_ids, status=LoanStatus.OUT
        ).count(),
        "centers_opened": Center.objects.filter(
            pk__in=center_ids, opened_on__gte=first, opened_on__lte=last
        ).count(),
        "people_registered": Person.objects.filter(
            center__in=center_ids, merged_into__isnull=True, created_at__gte=start,
            created_at__lt=end,
        ).count(),
        "problems_reported": PersonProblem.objects.filter(
            person__center__in=center_ids, first_reported_on__gte=first,
            first_reported_on__lte=last,
        ).count(),
        "cases_opened": cases.filter(reported_at__gte=start, reported_at__lt=end).count(),
        "cases_closed": cases.filter(closed_at__gte=start, closed_at__lt=end).count(),
        "visits": Visit.objects.filter(
            case__center__in=center_ids, visited_at__gte=start, visited_at__lt=end
        ).count(),
        "first_visits": cases.filter(
            first_visit_at__gte=start, first_visit_at__lt=end
        ).count(),
        "referrals_sent": Referral.objects.filter(
            case__center__in=center_ids, sent_at__gte=start, sent_at__lt=end
        ).count(),
        "goods_distributed": DistributionLine.objects.filter(
            distribution__in=Distribution.objects.filter(
                center__in=center_ids, distributed_on__gte=first, distributed_on__lte=last
            )
        ).aggregate(total=Sum("quantity"))["total"] or 0,
        "volunteer_hours": sum((h.total for h in hours.values()), Decimal(0)),
    }  # fmt: skip


def figures(user, level, code, period) -> dict:
    totals = dashboard(user, level=level, code=code, period=period).totals
    return {name: getattr(totals, name) for name in naive([], period)}


@pytest.fixture
def world(chair_a, volunteer_a, chair_b, agency, center_a, center_b):
    return build(chair_a, volunteer_a, chair_b, agency)


PERIODS = [
    Period.current_fiscal_year(),
    Period.months(
        (timezone.localdate() - dt.timedelta(days=45)).replace(day=1), timezone.localdate()
    ),
    Period.months(timezone.localdate(), timezone.localdate()),
]


def test_rollups_match_naive_counts_at_every_level(world, admin_user, center_a, center_b):
    rebuild_rollups()
    both = [center_a.pk, center_b.pk]
    for period in PERIODS:
        assert figures(admin_user, "center", str(center_a.pk), period) == naive(
            [center_a.pk], period
        )
        assert figures(admin_user, "district", "1005", period) == naive([center_a.pk], period)
        assert figures(admin_user, "province", "10", period) == naive(both, period)
        assert figures(admin_user, "nation", "TH", period) == naive(both, period)
    totals = dashboard(admin_user, level="center", code=str(center_a.pk), period=PERIODS[1]).totals
    assert totals.cases_opened == 2 and totals.visits == 2 and totals.cases_closed == 1
    assert totals.goods_distributed == 3 and totals.equipment_on_loan == 1
    assert totals.volunteer_hours == Decimal("2.5") + 2 * 2  # entry + two visits × 2 hours


def test_the_dashboard_breaks_figures_down(world, admin_user, center_a):
    rebuild_rollups()
    board = dashboard(admin_user, level="province", code="10", period=PERIODS[1])
    assert [child.area.code for child in board.children] == ["1005", "1048"]
    bang_khen = board.children[0]
    assert bang_khen.cases_opened == 2 and bang_khen.area.name == "เขตบางเขน"
    assert {bar.key: bar.value for bar in board.district_caseload} == {"1005": 1, "1048": 1}
    assert sum(bar.value for bar in board.first_visit_buckets) == 2
    assert {bar.key: bar.value for bar in board.referrals_by_outcome} == {"accepted": 1}
    assert [bar.value for bar in board.referrals_by_agency] == [1]
    assert [(bar.key, bar.value) for bar in board.goods_distributed] == [
        (str(Item.objects.get(code="consumer-kit").pk), 3)
    ]
    assert sum(bar.value for bar in board.people_by_target_group) == 4  # 1 + 2 + 1 links
    assert board.centers_opened_by_fiscal_year == [] or all(
        bar.value for bar in board.centers_opened_by_fiscal_year
    )
    nation = dashboard(admin_user, level="nation", code="TH", period=PERIODS[0])
    assert [child.area.code for child in nation.children] == ["10"]
    assert [bar.key for bar in nation.centers_opened_by_fiscal_year] == ["2562"]
    assert nation.centers_opened_by_fiscal_year[0].value == 2
    centers = dashboard(admin_user, level="district", code="1005", period=PERIODS[0]).children
    assert [child.area.code for child in centers] == [str(center_a.pk)]


def _rows():
    monthly = set(
        MonthlyFigure.objects.values_list(
            "level", "code", "month", "metric", "dimension", "value", "district_code",
            "province_code",
        )
    )  # fmt: skip
    current = set(
        CurrentFigure.objects.values_list(
            "level", "code", "metric", "dimension", "value", "district_code", "province_code"
        )
    )
    return monthly, current


@pytest.mark.django_db(transaction=True)
def test_incremental_refresh_equals_a_rebuild(
    chair_a, volunteer_a, chair_b, agency, center_a, center_b
):
    # Every action commits, and its refresh task runs (ImmediateBackend) after the commit.
    build(chair_a, volunteer_a, chair_b, agency)
    assert not StaleMonth.objects.exists()
    incremental = _rows()
    assert incremental[0] and incremental[1]  # not vacuous
    rebuild_rollups()
    assert _rows() == incremental


@pytest.mark.django_db(transaction=True)
def test_an_action_moves_the_figure_after_commit(chair_a, admin_user, center_a, center_b):
    rebuild_rollups()
    period = PERIODS[2]
    before = dashboard(admin_user, level="nation", code="TH", period=period).totals
    person = _person(chair_a, 7, "100502")
    case = case_actions.open_case(actor=chair_a, person=person, source="field", story="x")
    after = dashboard(admin_user, level="nation", code="TH", period=period).totals
    assert after.cases_opened == before.cases_opened + 1
    assert after.people_registered == before.people_registered + 1
    assert after.cases_open == before.cases_open + 1
    case_actions.close_case(actor=chair_a, case=case, outcome="resolved")
    closed = dashboard(admin_user, level="center", code=str(center_a.pk), period=period).totals
    assert closed.cases_open == after.cases_open - 1 and closed.cases_closed == 1
    assert not StaleMonth.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_marking_is_one_row_per_center_month(center_a):
    from django.db import connection, transaction

    today = timezone.localdate()
    days = [today - dt.timedelta(days=day) for day in range(3)]
    months = {day.replace(day=1) for day in days}
    with transaction.atomic():
        for day in days:
            mark_rollups_stale(center_id=center_a.pk, on=day)
        marked = StaleMonth.objects.filter(center=center_a, month__in=months).count()
        callbacks = len(connection.run_on_commit)
    assert marked == len(months)
    assert callbacks == 1  # one refresh task per transaction, however many marks
    assert not StaleMonth.objects.exists()  # and it ran after the commit


def test_overdue_follows_the_calendar_on_the_nightly_refresh(world, admin_user, center_a):
    from asa.reports.actions import refresh_current_figures

    rebuild_rollups()
    Case.objects.filter(center=center_a, status__in=OPEN_STATUSES).update(
        next_follow_up_on=timezone.localdate() - dt.timedelta(days=1)
    )  # what the passing of time does, without an action
    refresh_current_figures()
    board = dashboard(admin_user, level="center", code=str(center_a.pk), period=PERIODS[0])
    assert board.totals.cases_overdue == 1


# --- scope ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("admin_user", {"nation", "province", "district", "center", "other_center"}),
        ("officer", {"province", "district", "center", "other_center"}),
        ("district_officer_a", {"district", "center"}),
        ("chair_a", {"center"}),
        ("chair_b", {"other_center"}),
        ("volunteer_a", set()),
        ("outside_officer", set()),
        ("agency_user", set()),
        ("dpo", set()),
    ],
)
def test_it_refuses_areas_outside_the_users_scope(request, persona, allowed, center_a, center_b):
    user = request.getfixturevalue(persona)
    areas = {
        "nation": ("nation", "TH"),
        "province": ("province", "10"),
        "district": ("district", "1005"),
        "center": ("center", str(center_a.pk)),
        "other_center": ("center", str(center_b.pk)),
    }
    for name, (level, code) in areas.items():
        if name in allowed:
            dashboard(user, level=level, code=code, period=PERIODS[0])
        else:
            with pytest.raises(PermissionDenied):
                dashboard(user, level=level, code=code, period=PERIODS[0])


def test_unknown_areas_are_not_found(admin_user):
    for level, code in [("province", "99"), ("district", "9999"), ("center", "0"), ("x", "1")]:
        with pytest.raises(Http404):
            dashboard(admin_user, level=level, code=code, period=PERIODS[0])


def test_the_dashboard_reads_a_constant_number_of_queries(
    chair_a, volunteer_a, chair_b, agency, admin_user, officer, django_assert_max_num_queries
):
    build(chair_a, volunteer_a, chair_b, agency)
    rebuild_rollups()
    counts = {}
    for scale in ("small", "large"):
        for user, level, code in [(admin_user, "nation", "TH"), (officer, "province", "10")]:
            user = type(user).objects.get(pk=user.pk)  # a fresh scope
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as captured:
                dashboard(user, level=level, code=code, period=PERIODS[0])
            counts[scale, level] = len(captured)
        if scale == "small":
            for index in range(5):
                case_actions.open_case(
                    actor=chair_a,
                    person=_person(chair_a, 20 + index, "100502"),
                    source="field",
                    story="x",
                )
            rebuild_rollups()
    assert counts["small", "nation"] == counts["large", "nation"] <= 14
    assert counts["small", "province"] == counts["large", "province"] <= 14
    assert AreaLevel.NATION  # the levels are the model's


def test_the_command_rebuilds_refreshes_and_recomputes(world, admin_user, center_a):
    import io

    from django.core.management import call_command

    for what in ("rebuild", "refresh", "current"):
        out = io.StringIO()
        call_command("rollups", what, stdout=out)
        assert out.getvalue().startswith("{")
    board = dashboard(admin_user, level="nation", code="TH", period=PERIODS[0])
    assert board.totals.cases_opened == 3 and board.current_as_of is not None


def test_a_long_queue_of_marks_is_refreshed_in_runs(center_a, center_b):
    for months_back in range(5):
        day = timezone.localdate().replace(day=1) - dt.timedelta(days=31 * months_back)
        mark_rollups_stale(center_id=center_a.pk, on=day)
        mark_rollups_stale(center_id=center_b.pk, on=day)
    from asa.reports.actions import refresh_rollups

    first = refresh_rollups(limit=4)
    assert first == {"refreshed": 4, "more": True}
    while refresh_rollups(limit=4)["more"]:
        pass
    assert not StaleMonth.objects.exists()


def test_an_import_marks_once_per_batch_not_per_row(tmp_path, settings, chair_a, admin_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from asa.registry.importing import import_file

    settings.MEDIA_ROOT = tmp_path / "media"
    rows = ["source_ref,ชื่อ,นามสกุล,วันเกิด,รหัสตำบล,กลุ่มเป้าหมาย,ปัญหา"] + [
        f"R{n},{FIRST_NAMES[n % 6]},นำเข้า{n},01/05/{2490 + n},100502,elderly,debt"
        for n in range(12)
    ]
    path = tmp_path / "people.csv"
    path.write_bytes("\n".join(rows).encode("utf-8-sig"))
    with CaptureQueriesContext(connection) as captured:
        job = import_file(path, actor=chair_a, source="tpmap")
    assert job.counts["imported"] == 12, job.error
    marks = [
        q
        for q in captured.captured_queries
        if q["sql"].startswith("INSERT") and "stalemonth" in q["sql"]
    ]
    assert len(marks) == 1
    from asa.reports.actions import refresh_rollups

    refresh_rollups()
    board = dashboard(admin_user, level="district", code="1005", period=PERIODS[2])
    assert board.totals.people_registered == 12 and board.totals.problems_reported == 12
    assert {bar.key: bar.value for bar in board.people_by_target_group} == {"elderly": 12}


def test_the_first_visit_average_sits_in_the_chart_bar_that_holds_the_visits(world, admin_user):
    """Each case first visited 26 hours after its report: 1.1 days on average, and the chart
    must put them in the bar whose words hold 1.1 days (it said "2–3 days")."""
    for case in Case.objects.filter(first_visit_at__isnull=False):
        Case.objects.filter(pk=case.pk).update(
            first_visit_at=case.reported_at + dt.timedelta(hours=26)
        )
    rebuild_rollups()
    board = dashboard(admin_user, level="nation", code="TH", period=PERIODS[0])
    assert board.totals.first_visit_average_days == Decimal("1.1")
    bars = {str(bar.label): bar.value for bar in board.first_visit_buckets if bar.value}
    assert bars == {"มากกว่า 1 ถึง 3 วัน": board.totals.first_visits}
