"""Retention: one policy per kind of record, a dry run that reports, and a run that anonymises.

Policies are configuration in code with their periods overridable in settings
(`RETENTION_DAYS = {"closed_cases": 3650, ...}`). The dry run and the run select with the same
queries, so what the dry run counts is exactly what the run anonymises. Audit events are never
anonymised (the law's evidence); the dry run only notes how many are past their period.
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Max, QuerySet
from django.utils import timezone

from asa.lib.thai import local_date
from asa.privacy.models import Anonymisation, AnonymisationReason

BATCH = 500  # people per set-based update
SAMPLE = 10  # rows shown per policy in the dry run


@dataclass(frozen=True)
class Policy:
    code: str
    label: str
    rule: str  # what the policy keeps, in Thai, for the page
    default_days: int
    anonymises: bool = True

    @property
    def days(self) -> int:
        return int(getattr(settings, "RETENTION_DAYS", {}).get(self.code, self.default_days))


POLICIES = [
    Policy(
        code="closed_cases",
        label="บุคคลที่กรณีปิดแล้วทั้งหมด",
        rule="เก็บ 10 ปีหลังปิดกรณีล่าสุด แล้วทำให้ไม่สามารถระบุตัวตนได้ (คงสถิติ)",
        default_days=3652,
    ),
    Policy(
        code="inactive_people",
        label="บุคคลที่ไม่มีกรณีและไม่มีความเคลื่อนไหว",
        rule="ไม่มีกรณี ไม่ได้รับสิ่งของ และไม่มีการแก้ไขข้อมูล 5 ปี แล้วทำให้ไม่สามารถระบุตัวตนได้",
        default_days=1826,
    ),
    Policy(
        code="import_files",
        label="ไฟล์นำเข้าข้อมูล",
        rule="ลบไฟล์ต้นฉบับ 90 วันหลังนำเข้า (ผลการนำเข้ายังอยู่)",
        default_days=90,
    ),
    Policy(
        code="audit_log",
        label="บันทึกการใช้งาน",
        rule="เก็บ 10 ปี และไม่ทำให้เป็นนิรนาม (หลักฐานตามกฎหมาย) — แสดงจำนวนเพื่อทราบเท่านั้น",
        default_days=3652,
        anonymises=False,
    ),
]
POLICY_BY_CODE = {policy.code: policy for policy in POLICIES}


def _cutoff(policy: Policy, now: dt.datetime) -> dt.datetime:
    return now - dt.timedelta(days=policy.days)


def due(policy: Policy, *, now: dt.datetime | None = None) -> QuerySet:
    """The records past this policy's period that a run would act on (not done yet)."""
    from asa.accounts.models import AuditEvent
    from asa.aid.models import Distribution, Loan, LoanStatus
    from asa.cases.models import OPEN_STATUSES, Case
    from asa.registry.models import ImportJob, Person

    now = now or timezone.now()
    cutoff = _cutoff(policy, now)
    done = Anonymisation.objects.values("person_id")
    if policy.code == "closed_cases":
        closed_long_ago = (
            Case.objects.values("person_id")
            .annotate(last_closed=Max("closed_at"))
            .filter(last_closed__lt=cutoff)
            .values("person_id")
        )
        still_open = Case.objects.filter(status__in=OPEN_STATUSES).values("person_id")
        return (
            Person.objects.filter(pk__in=closed_long_ago)
            .exclude(pk__in=still_open)
            .exclude(pk__in=done)
            .order_by("pk")
        )
    if policy.code == "inactive_people":
        # The subqueries name only non-null people: NOT IN with a NULL would match nothing.
        recent_goods = Distribution.objects.filter(
            person__isnull=False, distributed_on__gte=cutoff.date()
        ).values("person_id")
        lent = Loan.objects.filter(person__isnull=False, status=LoanStatus.OUT).values("person_id")
        return (
            Person.objects.filter(updated_at__lt=cutoff)
            .exclude(pk__in=Case.objects.values("person_id"))
            .exclude(pk__in=recent_goods)
            .exclude(pk__in=lent)
            .exclude(pk__in=done)
            .order_by("pk")
        )
    if policy.code == "import_files":
        return ImportJob.objects.filter(created_at__lt=cutoff).exclude(file_path="").order_by("pk")
    if policy.code == "audit_log":
        return AuditEvent.objects.filter(at__lt=cutoff).order_by()
    raise LookupError(policy.code)


def _sample(policy: Policy, queryset: QuerySet) -> list[dict]:
    """A few identifiers of what would go: record id, area and date, nothing sensitive."""
    if policy.code == "import_files":
        return [
            {"id": job.pk, "area": "", "date": local_date(job.created_at)}
            for job in queryset.only("pk", "created_at")[:SAMPLE]
        ]
    if policy.code == "audit_log":
        return []
    people = queryset.select_related("district").only("pk", "district__name_th", "updated_at")
    return [
        {
            "id": person.pk,
            "area": person.district.name_th if person.district_id else "",
            "date": local_date(person.updated_at),
        }
        for person in people[:SAMPLE]
    ]


def dry_run(*, now: dt.datetime | None = None) -> list[dict]:
    """What a run would do now, per policy: a count and a sample of record ids."""
    now = now or timezone.now()
    report = []
    for policy in POLICIES:
        queryset = due(policy, now=now)
        report.append(
            {
                "policy": policy,
                "cutoff": _cutoff(policy, now).date(),
                "count": queryset.count(),
                "sample": _sample(policy, queryset),
            }
        )
    return report


def run(*, actor, now: dt.datetime | None = None) -> dict[str, int]:
    """Anonymise (or delete files) for every policy past its period, in batches.

    Each batch is its own transaction, so a long run holds no lock for long and a stopped run
    resumes where it was (already-anonymised people are skipped).
    """
    from asa.privacy.actions import anonymise_people, forget_import_files

    now = now or timezone.now()
    counts: dict[str, int] = {}
    for policy in POLICIES:
        if not policy.anonymises:
            counts[policy.code] = 0
            continue
        total = 0
        while True:
            ids = list(due(policy, now=now).values_list("pk", flat=True)[:BATCH])
            if not ids:
                break
            if policy.code == "import_files":
                done = forget_import_files(actor=actor, job_ids=ids)
            else:
                done = anonymise_people(
                    actor=actor,
                    person_ids=ids,
                    reason=AnonymisationReason.RETENTION,
                    policy=policy.code,
                )
            if not done:
                break
            total += done
        counts[policy.code] = total
    return counts
