"""The engine: Importer reads, checks and writes a job's rows batch by batch."""

from functools import partial

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from asa.accounts.access import scope_of
from asa.accounts.events import record_event
from asa.lib.crypto import encrypt, identity_hash, phone_hash
from asa.lib.thai_text import name_key, sound_key
from asa.registry.importing.cells import (
    cell_text,
)
from asa.registry.importing.columns import (
    COLUMN_OF_FIELD,
    NO_ROWS,
)
from asa.registry.importing.duplicates import (
    DuplicateChecks,
)
from asa.registry.importing.files import (
    Sheet,
    open_sheet,
)
from asa.registry.importing.households import (
    HouseholdLinking,
)
from asa.registry.importing.probing import (
    OUTSIDE_SCOPE_COUNT,
    ProbeGuard,
    _may_write,
    outside_matches_lately,
)
from asa.registry.importing.reports import (
    IDENTITY_FIELDS,
    IDENTITY_LABELS,
    Result,
    _counts,
    _duplicate_result,
    _shown,
)
from asa.registry.importing.rows import (
    Catalogues,
    Row,
    RowChecker,
    RowError,
    _content_ref,
)
from asa.registry.importing.writer import (
    PERSON_COLUMNS,
    BatchWriter,
    _any,
    _take_ids,
    insert_rows,
)
from asa.registry.models import (
    ImportJob,
    ImportRowResult,
    ImportStatus,
    Person,
    RowOutcome,
)
from asa.reports.actions import mark_people_rollups_stale, mark_rollups_stale_many

BATCH_SIZE = 5000


class _AllOrNothingFailed(Exception):
    pass


class Importer(ProbeGuard, DuplicateChecks, HouseholdLinking):
    """Imports one job's rows batch by batch. Holds only per-job dictionaries in memory."""

    def __init__(self, job: ImportJob):
        self.job = job
        self.actor = job.uploaded_by
        self.scope = scope_of(self.actor) if self.actor is not None else None
        self.catalogues = Catalogues.load()
        self.today = timezone.localdate()
        self.seen_refs: dict[str, int] = {}  # source_ref → first row number in this file
        self.households: dict[str, int] = {}  # household_ref → household id
        self.kept_results: list[Result] = []
        self.places: dict[str | None, tuple] = {}  # subdistrict code → (district, center)
        # The writes of the batch being prepared, committed together by the BatchWriter.
        self.pending: list = []
        # The previous batch's new people (matching rows): it may not be committed yet when the
        # next batch looks for duplicates (BatchWriter). A dry run keeps one pool of every row
        # it would have imported instead (DuplicateChecks).
        self.in_flight: list[tuple] = []
        self.dry_run_pool = None
        self.after_import: list = []  # writes made after an all-or-nothing transaction
        # Rows that matched someone outside the importer's area (see _outside_scope).
        self.outside_matches = 0
        self.earlier_outside_matches = outside_matches_lately(self.actor, but=job.pk)

    # -- running

    def run(self) -> ImportJob:
        job = self.job
        sheet = open_sheet(job.file_path)
        resume_after = job.processed_rows  # rows of batches already committed
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.RUNNING,
            total_rows=max(sheet.total, resume_after),
            started_at=job.started_at or timezone.now(),
            error="",
        )
        if job.all_or_nothing:
            try:
                with transaction.atomic():
                    self._run_batches(sheet, resume_after)
                    failed = [r for r in self.kept_results if r.outcome in ("error", "duplicate")]
                    if failed:
                        raise _AllOrNothingFailed
            except _AllOrNothingFailed:
                self._write_after_import()
                return self._finish_refused()
            except BaseException:
                self._write_after_import()
                raise
            self._write_after_import()
        else:
            self._run_batches(sheet, resume_after)
        counts = _counts(job.pk)
        if not any(counts.values()) and not resume_after:  # rows that were all blank
            ImportJob.objects.filter(pk=job.pk).update(error=NO_ROWS)
        if self.outside_matches:
            counts[OUTSIDE_SCOPE_COUNT] = self.outside_matches
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.DONE,
            counts=counts,
            total_rows=F("processed_rows"),
            finished_at=timezone.now(),
        )
        record_event(
            actor=self.actor,
            action="finish_import",
            object_type="registry.importjob",
            object_id=str(job.pk),
            changes={"counts": counts, "source": job.source, "dry_run": job.dry_run},
        )
        job.refresh_from_db()
        return job

    def _write_after_import(self) -> None:
        """What must outlive an all-or-nothing import's transaction (ProbeGuard._durably)."""
        writes, self.after_import = self.after_import, []
        for write in writes:
            write()

    def _finish_refused(self) -> ImportJob:
        job = self.job
        failed = [r for r in self.kept_results if r.outcome in ("error", "duplicate")]
        with transaction.atomic():
            ImportRowResult.objects.filter(job=job).delete()
            insert_rows(
                ImportRowResult,
                ("job_id", "row_number", "outcome", "person_id", "field", "message"),
                [
                    (job.pk, r.number, r.outcome, r.person_id, r.field[:60], r.message)
                    for r in failed
                ],
            )
            counts = {"imported": 0, "error": 0, "duplicate": 0}
            for result in failed:
                counts[result.outcome] += 1
            if self.outside_matches:  # counted towards the import lock, whatever the outcome
                counts[OUTSIDE_SCOPE_COUNT] = self.outside_matches
            processed = len(self.kept_results)
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportStatus.FAILED,
                counts=counts,
                processed_rows=processed,
                total_rows=processed,
                finished_at=timezone.now(),
                error=(
                    f"ไม่ได้นำเข้าข้อมูลใด ๆ (เลือกนำเข้าทั้งหมดหรือไม่นำเข้าเลย) เพราะมี"
                    f"แถวที่ผิดพลาด {counts['error']} แถว และอาจซ้ำ {counts['duplicate']} แถว"
                ),
            )
            record_event(
                actor=self.actor,
                action="refuse_import",
                object_type="registry.importjob",
                object_id=str(job.pk),
                changes={"counts": counts},
            )
        job.refresh_from_db()
        return job

    def _run_batches(self, sheet: Sheet, resume_after: int) -> None:
        self.checker = RowChecker(sheet.columns, self.catalogues, today=self.today)
        self.writer = BatchWriter(
            threaded=connection.vendor == "postgresql"
            and not connection.in_atomic_block
            and not self.job.all_or_nothing
        )
        try:
            self._read_batches(sheet, resume_after)
        except BaseException:
            self.writer.close(raise_error=False)
            raise
        self.writer.close()

    def _read_batches(self, sheet: Sheet, resume_after: int) -> None:
        batch: list[tuple[int, list]] = []
        position = 0
        line = 1
        for raw in sheet.rows:
            line += 1
            if not raw or not any(cell not in (None, "") and str(cell).strip() for cell in raw):
                continue
            position += 1
            if position <= resume_after:
                # Committed before a crash: remember what later rows need, write nothing.
                self._remember_done(raw)
                continue
            batch.append((line, raw))
            if len(batch) >= BATCH_SIZE:
                self._import_batch(batch, position)
                batch = []
        if batch:
            self._import_batch(batch, position)

    def _remember_done(self, raw) -> None:
        size = len(raw)
        text = [
            "" if index is None or index >= size else cell_text(raw[index])
            for index in self.checker.positions
        ]
        self.seen_refs.setdefault(text[0] or _content_ref(text[1:]), 0)

    # -- one batch

    def _import_batch(self, batch: list[tuple[int, list]], last_position: int) -> None:
        job = self.job
        results: list[Result] = []
        rows: list[Row] = []
        check = self.checker.check
        seen_refs = self.seen_refs
        for number, raw in batch:
            try:
                row = check(raw)
            except RowError as error:
                column, message = next(iter(error.errors.items()))
                if len(error.errors) > 1:
                    message = "; ".join(f"{name}: {text}" for name, text in error.errors.items())
                results.append(Result(number, RowOutcome.ERROR, field=column, message=message))
                continue
            row.number = number
            first = seen_refs.get(row.source_ref)
            if first is not None:
                results.append(
                    Result(
                        number,
                        RowOutcome.UNCHANGED,
                        field="source_ref",
                        message=f"แถวซ้ำกับแถวที่ {first} ในไฟล์เดียวกัน" if first else "แถวนี้นำเข้าแล้ว",
                    )
                )
                continue
            seen_refs[row.source_ref] = number
            rows.append(row)
        results += self._write(rows)
        if self.outside_matches and self.actor is not None:
            self._refuse_probing(results)
        results.sort(key=lambda result: result.number)
        writes, self.pending = self.pending, []
        span = [batch[0][0], batch[-1][0]]
        self.writer.submit(partial(self._commit, writes, results, span, last_position))
        if job.all_or_nothing:
            self.kept_results += results

    def _commit(self, writes, results: list[Result], span: list[int], last_position: int):
        """Write one batch and its results and progress, in one transaction."""
        job = self.job
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # A batch lost in a server crash is imported again by the re-run (its progress
                # commits with it), so its commit need not wait for the disk; the job's final
                # update does, and that makes every batch before it durable too.
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
            for write in writes:
                write()
            insert_rows(
                ImportRowResult,
                ("job_id", "row_number", "outcome", "person_id", "field", "message"),
                [
                    (job.pk, r.number, r.outcome, r.person_id, r.field[:60], r.message)
                    for r in results
                ],
            )
            counts: dict[str, int] = {}
            for result in results:
                counts[result.outcome] = counts.get(result.outcome, 0) + 1
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=last_position)
            record_event(
                actor=self.actor,
                action="import_people",
                object_type="registry.importjob",
                object_id=str(job.pk),
                changes={"rows": span, "counts": counts, "source": job.source},
            )

    def _write(self, rows: list[Row]) -> list[Result]:
        """Create or update the batch's people; answer each row's result."""
        results: list[Result] = []
        new_rows, updated_people = self._sort_rows(rows, results)
        to_create = self._refuse_duplicates(new_rows, results)
        created = self._create(to_create)
        dry_run = self.job.dry_run
        for row, person_id in created:  # a dry run's new people have no row to point at
            results.append(
                Result(row.number, RowOutcome.IMPORTED, person_id=None if dry_run else person_id)
            )
        results += self._update(updated_people)
        self._link(created, [(row, person.pk) for row, person in updated_people], updated_people)
        self._mark_rollups(created, updated_people)
        return results

    def _sort_rows(self, rows: list[Row], results: list[Result]):
        """(new rows, [(row, person)] to update); the rows refused here go to `results`."""
        scope = self.scope
        existing = self._existing([row.source_ref for row in rows])
        new_rows: list[Row] = []
        updated_people: list[tuple[Row, Person]] = []
        for row in rows:
            person = existing.get(row.source_ref)
            subdistrict = row.data["subdistrict"]
            district_id, center_id = self._place_of(subdistrict.code if subdistrict else None)
            if not _may_write(scope, center_id, district_id):
                results.append(
                    Result(
                        row.number,
                        RowOutcome.ERROR,
                        field="subdistrict_code",
                        message="ที่อยู่นี้อยู่นอกพื้นที่ที่คุณรับผิดชอบ",
                    )
                )
            elif person is None:
                new_rows.append(row)
            elif person.merged_into_id is not None:
                results.append(
                    Result(
                        row.number,
                        RowOutcome.UNCHANGED,
                        person_id=person.merged_into_id,
                        message=f"บุคคลนี้ถูกรวมกับรหัสบุคคล {person.merged_into_id} แล้ว",
                    )
                )
            elif not _may_write(scope, person.center_id, person.district_id):
                results.append(
                    Result(
                        row.number,
                        RowOutcome.ERROR,
                        field="source_ref",
                        message="บุคคลนี้อยู่นอกพื้นที่ที่คุณรับผิดชอบ",
                    )
                )
            else:
                updated_people.append((row, person))
        return new_rows, updated_people

    def _refuse_duplicates(self, new_rows: list[Row], results: list[Result]) -> list[Row]:
        """The new rows to create; likely duplicates go to `results` (refused), those matching
        people outside the importer's area counted (ProbeGuard)."""
        duplicates = self._find_duplicates(new_rows)
        outside = self._outside_scope({pk for found in duplicates.values() for pk, _ in found})
        to_create: list[Row] = []
        for row in new_rows:
            found = duplicates.get(row.number)
            if found:
                results.append(_duplicate_result(row, found, outside))
            else:
                to_create.append(row)
        if outside:
            self.outside_matches += sum(
                1 for found in duplicates.values() if any(pk in outside for pk, _ in found)
            )
        return to_create

    def _mark_rollups(self, created, updated_people) -> None:
        """Dashboards: once per center-month of the batch, not once per row. New people count
        this month (registered, target groups, problems first reported today)."""
        place = self._place_of
        this_month = self.today.replace(day=1)
        centers = {
            place(row.data["subdistrict"].code if row.data["subdistrict"] else None)[1]
            for row, _ in created
        }
        self._later(
            mark_rollups_stale_many,
            marks={(center_id, this_month) for center_id in centers},
        )
        if updated_people:
            self._later(
                mark_people_rollups_stale,
                person_ids=[person.pk for _, person in updated_people],
                with_problems=True,
            )

    def _later(self, write, *args, **kwargs) -> None:
        """A write of this batch, done when the batch is committed (BatchWriter); none in a
        dry run, which writes only its row report and progress."""
        if not self.job.dry_run:
            self.pending.append(partial(write, *args, **kwargs))

    def _existing(self, refs: list[str]) -> dict[str, Person]:
        """People of this source already holding these refs (one indexed query)."""
        if not refs:
            return {}
        column, params = _any("source_ref", refs)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id FROM registry_person "  # noqa: S608 (fixed SQL, values as parameters)
                f"WHERE source = %s AND {column} AND NOT source_ref = ''",
                [self.job.source, *params],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
        if not ids:
            return {}
        return {person.source_ref: person for person in Person.objects.filter(pk__in=ids)}

    def _place_of(self, code: str | None) -> tuple[str | None, int | None]:
        """(district, center) of a subdistrict code; rows without an address go to the job's
        center, or the importer's only center."""
        found = self.places.get(code)
        if found is None:
            district_id = center_id = None
            if code is not None:
                district_id = self.catalogues.subdistricts[code].district_id
                center_id = self.catalogues.center_by_district.get(district_id)
            if center_id is None:
                center_id = self.job.center_id
                scope = self.scope
                if center_id is None and scope is not None and len(scope.center_ids) == 1:
                    center_id = next(iter(scope.center_ids))
            found = self.places[code] = (district_id, center_id)
        return found

    def _place(self, person: Person) -> None:
        subdistrict = person.subdistrict
        if subdistrict is not None:
            person.district_id = subdistrict.district_id
            person.province_id = subdistrict.district_id[:2]
            person.center_id = self.catalogues.center_by_district.get(subdistrict.district_id)
        if person.center_id is None:
            person.center_id = self._place_of(None)[1]

    def _create(self, rows: list[Row]) -> list[tuple[Row, int]]:
        """Insert new people in one COPY (executemany on SQLite); answer (row, person id)."""
        if not rows:
            return []
        ids = _take_ids(Person, len(rows))
        job = self.job
        source = job.source
        actor_id = self.actor.pk if self.actor is not None else None
        now = timezone.now()
        place = self._place_of
        values = []
        for row, pk in zip(rows, ids, strict=True):
            data = row.data
            subdistrict = data["subdistrict"]
            code = subdistrict.code if subdistrict is not None else None
            district_id, center_id = place(code)
            values.append(
                (
                    pk,
                    source,
                    row.source_ref,
                    data["title"],
                    data["first_name"],
                    data["last_name"],
                    data["id_type"],
                    encrypt(data["id_number"]),  # at rest (asa.lib.crypto): ~5 µs a value
                    data["birth_date"],
                    data["birth_date_precision"],
                    data["sex"],
                    encrypt(data["phone"]),
                    data["house_number"],
                    data["moo"],
                    data["village"],
                    data["soi"],
                    data["road"],
                    code,
                    data["postal_code"],
                    data["latitude"],
                    data["longitude"],
                    district_id,
                    district_id[:2] if district_id else None,
                    center_id,
                    *row.keys,
                    actor_id,
                    now,
                    now,
                )
            )
        self._later(insert_rows, Person, PERSON_COLUMNS, values)
        # Until committed, the next batch finds these here (_find_duplicates).
        if not job.dry_run:
            self.in_flight = [self._probe(row, pk) for row, pk in zip(rows, ids, strict=True)]
        return list(zip(rows, ids, strict=True))

    def _update(self, pairs: list[tuple[Row, Person]]) -> list[Result]:
        """Rows whose (source, source_ref) is already a person: change what differs."""
        results = []
        changed: list[Person] = []
        fields: set[str] = set()
        groups_to_add = []
        through = Person.target_groups.through
        current: dict[int, set[int]] = {}
        for person_id, group_id in through.objects.filter(
            person_id__in=[person.pk for _, person in pairs]
        ).values_list("person_id", "targetgroup_id"):
            current.setdefault(person_id, set()).add(group_id)
        for row, person in pairs:
            changes = {}
            for name, value in row.data.items():
                if name == "subdistrict":
                    if (value.pk if value else None) != person.subdistrict_id:
                        changes[name] = value
                elif getattr(person, name) != value:
                    changes[name] = value
            have = current.get(person.pk, set())
            missing_groups = [pk for pk in row.target_groups if pk not in have]
            groups_to_add += [(person.pk, pk) for pk in missing_groups]
            before = {name: getattr(person, name) for name in IDENTITY_FIELDS if name in changes}
            if changes:
                for name, value in changes.items():
                    setattr(person, name, value)
                if "subdistrict" in changes:
                    self._place(person)
                    changes.update(district=1, province=1, center=1)
                _fill_keys(person)
                person.version += 1
                fields |= set(changes) | {"name_key", "first_name_sound", "last_name_sound"}
                fields |= {"phone_hash", "id_number_hash", "version", "updated_at"}
                person.updated_at = timezone.now()
                changed.append(person)
            identity = [name for name in IDENTITY_FIELDS if name in changes]
            if identity:
                outcome = RowOutcome.CHANGED
                message = "; ".join(
                    f"{IDENTITY_LABELS[name]}: {_shown(name, before[name])} → "
                    f"{_shown(name, changes[name])}"
                    for name in identity
                )
            else:
                outcome = RowOutcome.UPDATED if changes or missing_groups else RowOutcome.UNCHANGED
                message = ", ".join(COLUMN_OF_FIELD.get(name, name) for name in changes)
            results.append(Result(row.number, outcome, person_id=person.pk, message=message))
        if changed:
            self._later(Person.objects.bulk_update, changed, sorted(fields), batch_size=500)
        if groups_to_add:
            self._later(
                through.objects.bulk_create,
                [through(person_id=p, targetgroup_id=g) for p, g in groups_to_add],
                ignore_conflicts=True,
            )
        return results


def _fill_keys(person: Person) -> None:
    # The same keys register_person computes (actions._keys), with the soundex memoised.
    person.name_key = name_key(f"{person.first_name}{person.last_name}")
    person.first_name_sound = sound_key(person.first_name)
    person.last_name_sound = sound_key(person.last_name)
    person.phone_hash = phone_hash(person.phone)
    person.id_number_hash = identity_hash(person.id_number)
