"""Not an identity oracle: matches outside the importer area, the import lock, the DPO."""

import datetime as dt
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from asa.accounts.access import Scope
from asa.accounts.events import record_event
from asa.registry.importing.reports import (
    IMPORT_LOCKED_MESSAGE,
    OUTSIDE_SCOPE_MESSAGE,
    Result,
    _counts,
)
from asa.registry.models import (
    ImportJob,
    Person,
)


def _may_write(scope: Scope | None, center_id, district_id) -> bool:
    if scope is None or scope.national:
        return True
    if center_id is not None and center_id in scope.center_ids:
        return True
    return bool(district_id) and (
        district_id in scope.district_codes or district_id[:2] in scope.province_codes
    )


OUTSIDE_SCOPE_COUNT = "outside_scope"


def outside_matches_lately(user, *, but: int | None = None) -> int:
    """Rows of the user's imports of the last 24 hours that matched people outside their area."""
    if user is None:
        return 0
    since = timezone.now() - dt.timedelta(hours=24)
    jobs = ImportJob.objects.filter(uploaded_by=user, created_at__gte=since).exclude(pk=but)
    return sum(
        counts.get(OUTSIDE_SCOPE_COUNT, 0)
        for counts in jobs.values_list("counts", flat=True)[:1000]
    )


class ProbeGuard:
    """Importer methods: rows matching people the importing user may not see."""

    def _refuse_probing(self, results: list[Result]) -> None:
        """Past IMPORT_OUTSIDE_MATCH_LIMIT rows matching people outside the importer's area in
        a day, an import is a way of asking who is registered: stop it (this batch is not
        written), keep the user from importing for the rest of the day and tell the DPO."""
        rows = [r.number for r in results if r.message == OUTSIDE_SCOPE_MESSAGE]
        self._durably(
            partial(
                record_event,
                actor=self.actor,
                action="import_outside_scope_matches",
                object_type="registry.importjob",
                object_id=str(self.job.pk),
                changes={"rows": rows[:100], "count": len(rows)},
            )
        )
        total = self.earlier_outside_matches + self.outside_matches
        if total <= settings.IMPORT_OUTSIDE_MATCH_LIMIT:
            return
        self._durably(partial(self._lock_imports, total, self.outside_matches))
        raise ValidationError(IMPORT_LOCKED_MESSAGE)

    def _durably(self, write) -> None:
        """The probes' audit, the lock and the DPO's notice must outlive the import: an
        all-or-nothing import, whose transaction a probe always rolls back (a match outside the
        area refuses the file), makes them after that transaction (`Importer.run`)."""
        if self.job.all_or_nothing:
            self.after_import.append(write)
        else:
            write()

    def _lock_imports(self, total: int, outside_matches: int) -> None:
        counts = {**_counts(self.job.pk), OUTSIDE_SCOPE_COUNT: outside_matches}
        ImportJob.objects.filter(pk=self.job.pk).update(counts=counts)
        record_event(
            actor=self.actor,
            action="lock_imports",
            object_type="registry.importjob",
            object_id=str(self.job.pk),
            changes={"outside_scope_matches": total},
        )
        from asa.accounts.actions import notify
        from asa.accounts.models import Role

        for officer in (
            get_user_model()
            .objects.filter(is_active=True, role_assignments__role=Role.DATA_PROTECTION_OFFICER)
            .distinct()[:20]
        ):
            notify(
                user=officer,
                kind="import_probe",
                message=(
                    f"ผู้ใช้ {self.actor.get_username()} นำเข้าแถวที่ตรงกับบุคคลนอกพื้นที่ของตน "
                    f"{total} แถวใน 24 ชั่วโมง การนำเข้าของผู้ใช้นี้ถูกระงับ"
                ),
                dedupe_key=f"import_probe:{self.job.pk}",
            )

    def _outside_scope(self, person_ids: set[int]) -> set[int]:
        """The matched people the importing user may not see: a row report must not tell
        them that an identity number is registered, nor whose it is."""
        scope = self.scope
        person_ids.discard(0)
        if scope is None or scope.national or not person_ids:
            return set()
        places = Person.objects.filter(pk__in=person_ids).values_list(
            "pk", "center_id", "district_id"
        )
        # People of this import's previous batch may not be committed yet: they are the
        # importer's own rows, inside its area (checked before they were written).
        return {
            pk
            for pk, center_id, district_id in places
            if not _may_write(scope, center_id, district_id)
        }
