"""The audit trail's hash chain: sealing, `asa audit verify`, and what tampering looks like."""

import itertools
import threading
from importlib import import_module
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


SQLITE_TRIGGERS = import_module("asa.accounts.migrations.0011_audit_append_only_sqlite")


def _raw_update(sql: str, params) -> None:
    """A change made straight in the database, as a DBA (or an attacker) could."""
    with connection.cursor() as cursor:
        # The append-only trigger refuses this; a superuser can switch it off (PostgreSQL) or
        # drop it (SQLite) — the chain is what still tells.
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            for statement in SQLITE_TRIGGERS.DROP:
                cursor.execute(statement)
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        else:
            for statement in SQLITE_TRIGGERS.CREATE:
                cursor.execute(statement)


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
                # Seal at once, racing the other thread's writes and seals.
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
def test_a_commit_leaves_its_events_unsealed_until_the_seal_job_runs(chair_a):
    from asa.ops.jobs import seal_audit

    seal_pending()  # the personas' own events
    with transaction.atomic():
        _events(25, actor=chair_a)
    assert connection.run_on_commit == []  # nothing is left to run after the commit
    assert AuditEvent.objects.filter(sequence__isnull=True).count() == 25
    assert seal_audit(now=None) == {"sealed": 25}
    verdict = verify_chain()
    assert verdict.ok and verdict.unsealed == 0


@pytest.mark.django_db(transaction=True)
def test_an_import_joins_the_chain_at_the_next_seal(tmp_path, settings, chair_a, center_a):
    from asa.registry.importing import import_file
    from asa.registry.tests.test_import import GOOD, HEADER, write

    settings.MEDIA_ROOT = tmp_path / "media"
    job = import_file(
        write(tmp_path, "p.csv", "\n".join([HEADER, *GOOD])), actor=chair_a, source="tpmap"
    )
    assert job.status == "done", job.error
    event = AuditEvent.objects.get(action="import_people", object_id=str(job.pk))
    assert event.sequence is None
    seal_pending()
    event.refresh_from_db()
    assert event.sequence is not None
    verdict = verify_chain()
    assert verdict.ok and verdict.unsealed == 0


def _verify_with_head(head: str) -> tuple[bool, str]:
    out = StringIO()
    try:
        call_command("audit", "verify", "--head", head, stdout=out, stderr=out)
    except CommandError:
        return False, out.getvalue()
    return True, out.getvalue()


def test_verify_with_the_published_head_finds_a_deleted_tail(db, chair_a):
    _events(5, actor=chair_a)
    seal_pending()
    published = AuditEvent.objects.order_by("-sequence").first()
    _events(1, actor=chair_a)  # written after the head was published: fine
    passed, output = _verify_with_head(published.hash)
    assert passed, output
    assert f"the given head is event {published.sequence}" in output
    # The newest rows removed, bypassing the trigger as a superuser could: the chain that is
    # left still verifies on its own, but no longer holds the head kept elsewhere.
    _raw_update("DELETE FROM accounts_auditevent WHERE sequence >= %s", [published.sequence - 1])
    assert "ok " in _verify()
    passed, output = _verify_with_head(published.hash)
    assert not passed
    assert f"the head {published.hash} is not in the chain" in output


def test_a_daily_publication_mails_the_head_to_the_data_protection_officers(
    db, chair_a, dpo, mailoutbox
):
    from asa.accounts.audit import chain_head, publish_audit_head, published_heads

    dpo.email = "dpo@example.org"
    dpo.save(update_fields=["email"])
    _events(3, actor=chair_a)
    answer = publish_audit_head()
    assert answer["published"] and answer["recipients"] == 1
    sequence, head = answer["sequence"], answer["hash"]
    assert [message.to for message in mailoutbox] == [["dpo@example.org"]]
    assert head in mailoutbox[0].body and f"asa audit verify --head {head}" in mailoutbox[0].body
    assert published_heads()[0]["hash"] == head and published_heads()[0]["sequence"] == sequence
    # The publication is itself an audited event, after the head it published.
    seal_pending()  # (the test's transaction never commits, so seal by hand)
    assert chain_head()[0] == sequence + 1
    # Once a day.
    assert not publish_audit_head()["published"]
    assert len(mailoutbox) == 1
    assert _verify_with_head(head)[0]


def test_the_anchor_page_says_whether_a_kept_head_is_still_in_the_chain(
    db, chair_a, dpo, client_for
):
    from django.urls import reverse

    _events(4, actor=chair_a)
    seal_pending()
    kept = AuditEvent.objects.order_by("-sequence").first()
    page = client_for(dpo).get(reverse("audit:anchor"), {"head": f"hash: {kept.hash}"})
    assert page.status_code == 200
    assert "ไม่มีการลบแถวท้าย" in page.content.decode()
    _raw_update("DELETE FROM accounts_auditevent WHERE sequence >= %s", [kept.sequence])
    page = client_for(dpo).get(reverse("audit:anchor"), {"head": kept.hash})
    assert "ไม่พบค่านี้ในห่วงโซ่" in page.content.decode()
    bad = client_for(dpo).get(reverse("audit:anchor"), {"head": "not a hash"})
    assert "ต้องเป็นเลขฐานสิบหก 64 ตัว" in bad.content.decode()
    assert client_for(chair_a).get(reverse("audit:anchor")).status_code == 403
