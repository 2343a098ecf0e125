"""The audit trail's hash chain: sealing, `asa audit verify`, and what tampering looks like."""

import itertools
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction

from asa.accounts.audit import event_hash, seal_pending, verify_chain
from asa.accounts.events import record_event
from asa.accounts.models import AuditEvent


def _events(count, actor=None):
    return [
        record_event(
            actor=actor,
            action="update_person",
            object_type="registry.person",
            object_id=str(index),
            changes={"first_name": ["สมชาย", "สมชัย"], "score": 1.5, "list": [1, None]},
            reason="ทดสอบ",
        )
        for index in range(count)
    ]


def _verify() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out, stderr=out)
    return out.getvalue()


def _verify_fails() -> str:
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("audit", "verify", stdout=out, stderr=out)
    return out.getvalue()


def _raw_update(sql: str, params) -> None:
    """A change made straight in the database, as a DBA (or an attacker) could."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The append-only trigger refuses this; a superuser can switch it off — the chain
            # is what still tells.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")


def test_it_seals_events_in_order_with_each_linked_to_the_one_before(db, chair_a):
    _events(3, actor=chair_a)
    assert seal_pending() == AuditEvent.objects.count()
    rows = list(AuditEvent.objects.order_by("sequence"))
    assert [row.sequence for row in rows] == list(range(1, len(rows) + 1))
    assert rows[0].previous_hash == ""
    for before, after in itertools.pairwise(rows):
        assert after.previous_hash == before.hash
    assert seal_pending() == 0  # nothing left to seal


def test_verify_passes_on_an_untouched_chain(db, chair_a):
    _events(5, actor=chair_a)
    output = _verify()
    assert f"ok {AuditEvent.objects.count()} events" in output
    assert "head: sequence" in output


def test_verify_names_the_row_changed_in_the_database(db, chair_a):
    events = _events(4, actor=chair_a)
    _verify()
    target = AuditEvent.objects.get(pk=events[2].pk)
    _raw_update(
        "UPDATE accounts_auditevent SET reason = %s WHERE id = %s", ["ไม่มีใครเห็น", target.pk]
    )
    output = _verify_fails()
    assert f"sequence {target.sequence} (event id {target.pk})" in output
    assert "content" in output
    assert verify_chain().broken.event_id == target.pk


def test_verify_finds_a_rehashed_row_by_the_next_link(db, chair_a):
    events = _events(4, actor=chair_a)
    seal_pending()
    target = AuditEvent.objects.get(pk=events[1].pk)
    values = AuditEvent.objects.filter(pk=target.pk).values().get()
    values["actor_label"] = "someone.else"
    forged = event_hash(values, sequence=target.sequence, previous_hash=target.previous_hash)
    _raw_update(
        "UPDATE accounts_auditevent SET actor_label = %s, hash = %s WHERE id = %s",
        ["someone.else", forged, target.pk],
    )
    broken = verify_chain().broken
    assert broken.kind == "link"
    assert broken.sequence == target.sequence + 1


def test_verify_reports_the_gap_a_deleted_row_leaves(db, chair_a):
    events = _events(4, actor=chair_a)
    seal_pending()
    target = AuditEvent.objects.get(pk=events[1].pk)
    _raw_update("DELETE FROM accounts_auditevent WHERE id = %s", [target.pk])
    output = _verify_fails()
    assert "missing" in output
    broken = verify_chain().broken
    assert broken.kind == "gap"
    assert broken.sequence == target.sequence


def test_verify_walks_the_chain_in_small_batches(db, chair_a):
    _events(7, actor=chair_a)
    seal_pending(batch=2)
    verdict = verify_chain(batch=3)
    assert verdict.ok
    assert verdict.checked == AuditEvent.objects.count()


def test_events_written_later_extend_the_chain(db, chair_a):
    _events(2, actor=chair_a)
    seal_pending()
    _events(2, actor=chair_a)
    assert verify_chain().unsealed == 2
    seal_pending()
    assert verify_chain().ok


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the append-only trigger is PostgreSQL's"
)
def test_the_database_refuses_to_change_or_delete_an_event(db, chair_a):
    event = _events(1, actor=chair_a)[0]
    seal_pending()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="แก้")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        # Not even while unsealed: only the sealing columns may change.
        unsealed = _events(1, actor=chair_a)[0]
        AuditEvent.objects.filter(pk=unsealed.pk).update(action="nothing")


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_and_sealers_never_fork_the_chain(chair_a):
    """Two connections write and seal at once: one chain, no gap, no duplicate sequence."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one writer in at a time; the race needs PostgreSQL")
    errors = []
    start = threading.Barrier(2)

    def work():
        try:
            start.wait()
            for _ in range(15):
                with transaction.atomic():
                    _events(2, actor=chair_a)
                # The on_commit callback has sealed; seal again to race the other thread.
                seal_pending()
        except Exception as error:  # reported by the main thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    verdict = verify_chain()
    assert verdict.ok, verdict.broken
    assert verdict.checked == AuditEvent.objects.count()


@pytest.mark.django_db(transaction=True)
def test_one_transaction_schedules_one_seal_however_many_events(chair_a):
    from asa.accounts.audit import seal_after_commit

    with transaction.atomic():
        _events(25, actor=chair_a)
        pending = [entry for entry in connection.run_on_commit if entry[1] is seal_after_commit]
        assert len(pending) == 1
    # Committed: the callback has chained every event.
    verdict = verify_chain()
    assert verdict.ok and verdict.unsealed == 0


@pytest.mark.django_db(transaction=True)
def test_an_import_joins_the_chain_when_it_commits(tmp_path, settings, chair_a, center_a):
    from asa.registry.importing import import_file
    from asa.registry.tests.test_import import GOOD, HEADER, write

    settings.MEDIA_ROOT = tmp_path / "media"
    job = import_file(
        write(tmp_path, "p.csv", "\n".join([HEADER, *GOOD])), actor=chair_a, source="tpmap"
    )
    assert job.status == "done", job.error
    event = AuditEvent.objects.get(action="import_people", object_id=str(job.pk))
    assert event.sequence is not None
    verdict = verify_chain()
    assert verdict.ok and verdict.unsealed == 0
