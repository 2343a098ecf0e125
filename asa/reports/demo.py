"""Demo outcomes: what happened to the demo cases, so the outcomes section has something to say.

Through the real actions: cases closed with every kind of outcome (one reopened), problems
resolved, households re-assessed (some better, some worse), referrals to the One Home partners
answered on time, late, declined or not at all. A partner's answer needs time to pass, so the
referrals' dates are then set back to when they would have happened (history the generator
writes directly, as an import of past records would). Safe to run again: it runs once.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

DEMO_CENTERS = ("BKK-1005", "BKK-1048")
OUTCOMES = ["resolved", "referred_completed", "resolved", "moved_away", "unable_to_contact",
            "resolved", "declined", "died"]  # fmt: skip


@transaction.atomic
def load_outcomes_demo(*, stdout=None) -> dict:
    from asa.cases import actions as case_actions
    from asa.cases.models import Case, CaseReopening
    from asa.referrals import actions as referral_actions
    from asa.referrals.models import Agency, Referral
    from asa.registry import actions as registry_actions
    from asa.registry.models import Household, ProblemStatus

    if (
        CaseReopening.objects.exists()
        or not Case.objects.filter(center__code__in=DEMO_CENTERS).exists()
    ):
        return {"closed": 0}
    today = timezone.localdate()
    cases = list(
        Case.objects.filter(center__code__in=DEMO_CENTERS, first_visit_at__isnull=False)
        .exclude(status="closed")
        .select_related("person", "center")
        .order_by("id")
    )
    # Referrals first (a closed case cannot be referred): to the partners serving Bangkok.
    partners = [
        (agency, service)
        for agency in Agency.objects.filter(areas__area_code="10", is_active=True)
        .prefetch_related("services")
        .order_by("id")
        .distinct()[:4]
        for service in list(agency.services.all())[:1]
    ]
    referred = []
    for index, case in enumerate(cases[: 3 * len(partners)]):
        agency, service = partners[index % len(partners)]
        try:
            referral = referral_actions.send_referral(
                actor=None, case=case, agency=agency, service=service,
                need="ต้องการความช่วยเหลือต่อเนื่องตามแผน",
            )  # fmt: skip
        except ValidationError:  # no consent to share: this case is not referred
            continue
        referred.append(referral)
    for index, referral in enumerate(referred):
        # On time, served; declined; served but late; never answered (a late partner).
        plan = index % 4
        if plan in (0, 2):
            referral_actions.answer_referral(actor=None, referral=referral, status="accepted")
            referral_actions.answer_referral(
                actor=None, referral=referral, status="completed", reason="ให้บริการครบตามที่ขอ"
            )
        elif plan == 1:
            referral_actions.answer_referral(
                actor=None, referral=referral, status="declined", reason="อยู่นอกเกณฑ์ของหน่วยงาน"
            )
        sent = referral.case.first_visit_at + dt.timedelta(days=1)
        answered = sent + dt.timedelta(days=[1, 2, 6, 0][plan])
        finished = sent + dt.timedelta(days=[12, 2, 45, 0][plan])
        Referral.objects.filter(pk=referral.pk).update(
            sent_at=sent,
            respond_by=timezone.localdate(sent) + dt.timedelta(days=3),
            complete_by=timezone.localdate(sent) + dt.timedelta(days=30),
            responded_at=answered if plan != 3 else None,
            finished_at=finished if plan != 3 else None,
        )
    # Closures with every outcome; one closure undone.
    closed = []
    for index, case in enumerate(cases[::3]):
        outcome = OUTCOMES[index % len(OUTCOMES)]
        case_actions.close_case(
            actor=None, case=case, outcome=outcome, note="สรุปผลการช่วยเหลือ (ข้อมูลตัวอย่าง)"
        )
        closed.append((case, outcome))
    reopened = next((case for case, outcome in closed if outcome == "resolved"), None)
    if reopened is not None:
        case_actions.reopen_case(actor=None, case=reopened, reason="ปัญหาหนี้สินกลับมาอีกครั้ง")
    # The problems of people whose case was resolved: resolved too.
    for case, outcome in closed:
        if outcome != "resolved" or case is reopened:
            continue
        for problem in case.person.problems.exclude(status=ProblemStatus.RESOLVED):
            registry_actions.update_problem_status(
                actor=None, problem=problem, status=ProblemStatus.RESOLVED, resolved_on=today
            )
    # A third assessment for some households: every third lost ground (a job, a health
    # scheme), the others kept their gains.
    worse = 0
    households = (
        Household.objects.filter(center__code__in=DEMO_CENTERS, assessments__isnull=False)
        .distinct()
        .order_by("id")
    )
    for index, household in enumerate(households):
        if index % 3:
            continue
        latest = household.assessments.order_by("-assessed_on", "-id").first()
        indicators = dict(latest.indicators)
        for code in sorted(code for code, value in indicators.items() if value)[:2]:
            indicators[code] = False
        registry_actions.record_household_assessment(
            actor=None, household=household, indicators=indicators,
            assessed_on=today - dt.timedelta(days=2), notes="ติดตามผลหลังปิดกรณี",
        )  # fmt: skip
        worse += 1
    if stdout:
        stdout.write(
            f"Demo outcomes: {len(closed)} cases closed, {len(referred)} referrals answered or "
            f"late, {worse} households re-assessed.\n"
        )
    return {"closed": len(closed), "referrals": len(referred), "reassessed": worse}
