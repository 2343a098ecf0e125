"""The audit chain is sealed outside the request: a read writes its event unsealed and takes no
lock; the scheduler's seal_audit job chains it within seconds (asa/accounts/audit.py)."""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from asa.accounts.audit import _SEAL_LOCK, seal_pending, verify_chain
from asa.accounts.models import AuditEvent
from asa.accounts.tests.test_audit_chain import _raw_update
from asa.ops import actions, jobs
from asa.ops.models import JobRun, RunOutcome
from asa.registry.tests.test_api_registry import person

pytestmark = pytest.mark.django_db(transaction=True)


def _sealing(queries) -> list[str]:
    """The statements of a capture that take the seal lock or write the chain."""
    return [
        query["sql"]
        for query in queries
        if "pg_advisory" in query["sql"]
        or ("UPDATE" in query["sql"].upper() and "accounts_auditevent" in query["sql"])
    ]


def test_a_record_read_writes_its_event_but_takes_no_seal_lock(api_client_for, client_for, chair_a):
    """Committed for real (the request's on_commit callbacks run): nothing in it seals."""
    registered = person(chair_a)
    seal_pending()
    api = api_client_for(chair_a)
    with CaptureQueriesContext(connection) as queries:
        assert api.get(f"/api/v1/people/{registered.pk}").status_code == 200
    assert _sealing(queries) == []
    page = client_for(chair_a)
    with CaptureQueriesContext(connection) as queries:
        assert page.get(f"/people/{registered.pk}/").status_code == 200
    assert _sealing(queries) == []
    reads = AuditEvent.objects.filter(action="view_record", object_id=str(registered.pk))
    assert reads.count() == 2
    assert not reads.filter(sequence__isnull=False).exists()  # written, not yet chained


def test_the_seal_job_chains_what_requests_wrote_and_verify_still_finds_tampering(
    api_client_for, chair_a
):
    registered = person(chair_a)
    api = api_client_for(chair_a)
    for _ in range(3):
        assert api.get(f"/api/v1/people/{registered.pk}").status_code == 200
    assert verify_chain().unsealed >= 3
    # The scheduler runs the job itself (not through the worker's queue) every few seconds.
    job = jobs.JOBS_BY_NAME["seal_audit"]
    assert job.in_scheduler and job.every <= 10 * jobs.SECOND
    assert "seal_audit" in actions.enqueue_due_jobs()
    run = JobRun.objects.get(job__name="seal_audit")
    assert run.outcome == RunOutcome.SUCCESS and run.result["sealed"] >= 3
    verdict = verify_chain()
    assert verdict.ok and verdict.unsealed == 0
    read = AuditEvent.objects.filter(action="view_record").order_by("-sequence").first()
    with transaction.atomic():  # (SET LOCAL needs a transaction: this test commits)
        _raw_update(
            "UPDATE accounts_auditevent SET reason = %s WHERE id = %s", ["แก้ไขย้อนหลัง", read.pk]
        )
    broken = verify_chain().broken
    assert broken is not None and broken.event_id == read.pk and broken.kind == "content"


def test_a_run_seals_at_most_its_share_and_the_next_takes_the_rest(chair_a, monkeypatch):
    for index in range(7):
        person(chair_a, first_name=f"คนที่{index}", birth_date=None)
    pending = AuditEvent.objects.filter(sequence__isnull=True).count()
    assert pending >= 7
    assert seal_pending(batch=2, limit=4) == 4
    assert seal_pending(batch=2) == pending - 4
    assert verify_chain().ok


def test_concurrent_readers_do_not_wait_for_the_seal_lock(api_client_for, chair_a):
    """While a sealer holds the chain's lock, reads in other threads still answer; the sealer
    waits for the lock (so the lock held here is the real one)."""
    if connection.vendor != "postgresql":
        pytest.skip("the seal lock is PostgreSQL's advisory lock; SQLite has one writer anyway")
    registered = person(chair_a)
    clients = [api_client_for(chair_a) for _ in range(4)]
    holder = connections.create_connection("default")
    holder.connect()
    with holder.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [_SEAL_LOCK])
    answers, errors = [], []

    def read(client):
        try:
            for _ in range(3):
                answers.append(client.get(f"/api/v1/people/{registered.pk}").status_code)
        except Exception as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    sealed = []

    def seal():
        try:
            sealed.append(seal_pending())
        finally:
            connections.close_all()

    try:
        sealer = threading.Thread(target=seal)
        sealer.start()
        readers = [threading.Thread(target=read, args=(client,)) for client in clients]
        started = time.monotonic()
        for thread in readers:
            thread.start()
        for thread in readers:
            thread.join(timeout=30)
        elapsed = time.monotonic() - started
        assert not any(thread.is_alive() for thread in readers), "a read waited for the lock"
        assert not errors and answers == [200] * 12
        assert elapsed < 30
        assert sealer.is_alive() and not sealed  # the sealer is the one that waits
    finally:
        with holder.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_SEAL_LOCK])
        holder.close()
    sealer.join(timeout=30)
    assert sealed and sealed[0] >= 12
    assert verify_chain().ok
