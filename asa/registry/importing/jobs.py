"""The import actions: start (check and keep the file, open the job), run, enqueue."""

import hashlib
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from asa.accounts.access import scope_of
from asa.accounts.events import record_event
from asa.centers.models import Center
from asa.registry.importing.columns import (
    NO_ROWS,
    max_bytes,
)
from asa.registry.importing.engine import (
    Importer,
)
from asa.registry.importing.files import (
    FileRefused,
    open_sheet,
)
from asa.registry.importing.probing import (
    outside_matches_lately,
)
from asa.registry.importing.reports import (
    IMPORT_LOCKED_MESSAGE,
)
from asa.registry.models import (
    ImportJob,
    ImportStatus,
)


def _import_dir() -> Path:
    directory = Path(settings.MEDIA_ROOT) / "imports"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def check_import_center(actor, center: Center | None) -> None:
    if center is None or actor is None:
        return
    from asa.accounts.access import writable_centers

    if not writable_centers(actor).filter(pk=center.pk).exists():
        raise ValidationError({"center": "คุณไม่มีสิทธิ์นำเข้าข้อมูลให้ศูนย์นี้"})


@transaction.atomic
def start_import(
    *,
    actor,
    file,
    file_name: str,
    source: str,
    center: Center | None = None,
    all_or_nothing: bool = False,
    dry_run: bool = False,
) -> ImportJob:
    """Check and keep an uploaded file (a file object or bytes) and open its import job.

    Refused with a Thai message on `file`: larger than IMPORT_MAX_BYTES, not a CSV/XLSX by its
    content (whatever its name says), unreadable text, no `first_name` column.
    """
    source = " ".join((source or "").split())
    center = _check_may_import(actor, source, center)
    path, digest, sheet = _keep_file(file, file_name)
    job = ImportJob.objects.create(
        uploaded_by=actor if actor is not None and actor.is_authenticated else None,
        center=center,
        file_name=Path(file_name).name[:255],
        file_path=str(path),
        file_sha256=digest.hexdigest(),
        source=source,
        all_or_nothing=all_or_nothing,
        dry_run=dry_run,
        total_rows=sheet.total,
    )
    record_event(
        actor=actor,
        action="start_import",
        obj=job,
        changes={
            "file": job.file_name,
            "sha256": job.file_sha256,
            "source": source,
            "rows": sheet.total,
            "center": center.pk if center else None,
            "all_or_nothing": all_or_nothing,
            "dry_run": dry_run,
            "ignored_columns": sheet.ignored_headers,
        },
    )
    return job


def _check_may_import(actor, source: str, center: Center | None) -> Center | None:
    """Refuse what may not start (no source, a role or center the actor lacks, the import lock);
    answer the center rows without an address go to."""
    if not source:
        raise ValidationError({"source": "กรุณาระบุชื่อแหล่งข้อมูล (เช่น ชื่อระบบหรือหน่วยงานต้นทาง)"})
    if len(source) > 60:
        raise ValidationError({"source": "ชื่อแหล่งข้อมูลยาวเกิน 60 ตัวอักษร"})
    if actor is not None and not scope_of(actor).authenticated:
        raise ValidationError({"file": "กรุณาเข้าสู่ระบบ"})
    check_import_center(actor, center)
    if actor is not None:
        from asa.registry.api import may_import

        if not may_import(actor):
            raise ValidationError({"file": "นำเข้าข้อมูลได้เฉพาะประธาน อพม. และเจ้าหน้าที่"})
        if outside_matches_lately(actor) > settings.IMPORT_OUTSIDE_MATCH_LIMIT:
            raise ValidationError({"file": IMPORT_LOCKED_MESSAGE})
    if center is None and actor is not None:
        # Rows without an address go to the importer's center, when they have exactly one.
        centers = scope_of(actor).center_ids
        if len(centers) == 1:
            center = Center.objects.filter(pk=next(iter(centers))).first()
    return center


def _keep_file(file, file_name: str) -> tuple[Path, "hashlib._Hash", object]:
    """Store the upload under MEDIA_ROOT/imports; (path, sha256, its Sheet). Refused (and not
    kept) when too large or not a spreadsheet with rows."""
    limit = max_bytes()
    size = getattr(file, "size", None)
    if size is None and isinstance(file, bytes | bytearray):
        size = len(file)
    if size is not None and size > limit:
        raise FileRefused(_too_large(size, limit))
    suffix = Path(file_name).suffix.lower()[:6] or ".dat"
    path = _import_dir() / f"{uuid.uuid4().hex}{suffix if suffix in ('.csv', '.xlsx') else '.dat'}"
    digest = hashlib.sha256()
    written = 0
    chunks = [bytes(file)] if isinstance(file, bytes | bytearray) else _chunks(file)
    try:
        with path.open("wb") as out:
            for chunk in chunks:
                written += len(chunk)
                if written > limit:
                    raise FileRefused(_too_large(written, limit))
                digest.update(chunk)
                out.write(chunk)
        sheet = open_sheet(path)  # refuses what is not a spreadsheet, before a job exists
        if sheet.total == 0:
            raise FileRefused(NO_ROWS)
    except ValidationError:
        path.unlink(missing_ok=True)
        raise
    return path, digest, sheet


def _chunks(file):
    if hasattr(file, "chunks"):
        yield from file.chunks()
        return
    while chunk := file.read(1024 * 1024):
        yield chunk


def _too_large(size: int, limit: int) -> str:
    return (
        f"ไฟล์ใหญ่เกินกำหนด ({size / 1048576:.1f} MB; ไม่เกิน {limit / 1048576:.0f} MB) "
        "กรุณาแบ่งไฟล์เป็นหลายไฟล์"
    )


def run_import(job_id: int) -> ImportJob:
    """Import (or finish importing) a job. Safe to run again after a crash: committed batches
    are skipped; a finished job is left as it is."""
    job = ImportJob.objects.select_related("uploaded_by").get(pk=job_id)
    if job.status == ImportStatus.DONE or (
        job.status == ImportStatus.FAILED and job.finished_at is not None
    ):
        return job
    try:
        return Importer(job).run()
    except ValidationError as error:
        message = " ".join(error.messages)
    except Exception as error:  # the job records the failure for the user, then re-raise
        message = f"การนำเข้าหยุดกลางคัน ({type(error).__name__}) นำเข้าซ้ำได้โดยไม่เกิดข้อมูลซ้ำ"
        ImportJob.objects.filter(pk=job_id).update(status=ImportStatus.FAILED, error=message)
        raise
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportStatus.FAILED, error=message, finished_at=timezone.now()
    )
    job.refresh_from_db()
    return job


def import_file(
    path: str | Path,
    *,
    actor,
    source: str,
    center: Center | None = None,
    all_or_nothing: bool = False,
) -> ImportJob:
    """Start and run an import in the foreground (CLI, benchmarks)."""
    path = Path(path)
    with path.open("rb") as handle:
        job = start_import(
            actor=actor,
            file=handle,
            file_name=path.name,
            source=source,
            center=center,
            all_or_nothing=all_or_nothing,
        )
    return run_import(job.pk)


def enqueue_import(job: ImportJob) -> None:
    """Run the job in the background once the transaction that created it commits."""
    from asa.registry.tasks import run_import_job

    transaction.on_commit(lambda: run_import_job.enqueue(job.pk))
