"""The audit log: one event per change, chained, append-only in the database."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from fangpin.core import dbguard
from fangpin.core.actor import Actor
from fangpin.core.audit import audit_log, verify_chain
from fangpin.core.models import AuditEvent


@pytest.fixture
def guard_closed(transactional_db):
    dbguard.ALWAYS_OPEN = False
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT set_config('fangpin.audit_open', 'off', false)")
    yield
    dbguard.ALWAYS_OPEN = True
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT set_config('fangpin.audit_open', 'on', false)")


def _events(n):
    return [
        audit_log(
            actor=Actor.command(), action="update", object_type="person", object_id=i, changes={"name": ["甲", "乙"]}
        )
        for i in range(n)
    ]


@pytest.mark.django_db
def test_chain_verifies_after_many_events():
    _events(5)
    assert verify_chain() == (5, None)


@pytest.mark.django_db
def test_ids_in_changes_and_reasons_are_masked():
    event = audit_log(
        actor=Actor.command(),
        action="update",
        object_type="person",
        changes={"id_number": ["34010219800101159X", None]},
        reason="核对 34010219800101159X",
    )
    event.refresh_from_db()
    assert event.changes["id_number"][0] == "3401**********159X"
    assert "34010219800101159X" not in event.reason


@pytest.mark.django_db(transaction=True)
def test_database_refuses_to_update_or_delete_audit_rows(guard_closed):
    _events(2)
    for sql in ("UPDATE core_auditevent SET reason = 'x'", "DELETE FROM core_auditevent"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql)
    assert AuditEvent.objects.count() == 2
    assert not AuditEvent.objects.filter(reason="x").exists()


@pytest.mark.django_db
def test_verifier_names_the_first_tampered_row():
    events = _events(4)
    # A superuser could bypass the triggers; the chain still shows it.
    AuditEvent.objects.filter(seq=events[2].seq).update(changes={"name": ["甲", "丙"]})
    checked, broken = verify_chain()
    assert broken == events[2].seq
    assert checked == 2


@pytest.mark.django_db
def test_verifier_detects_a_deleted_middle_row():
    events = _events(4)
    AuditEvent.objects.filter(seq=events[1].seq).delete()
    assert verify_chain()[1] == events[2].seq


@pytest.mark.django_db
def test_truncated_tail_is_detected_against_the_external_anchor(tmp_path):
    _events(3)
    anchor = tmp_path / "anchor.log"
    call_command("audit", "anchor", anchor_file=str(anchor))
    AuditEvent.objects.order_by("-seq").first().delete()
    with pytest.raises(CommandError, match="外部锚点"):
        call_command("audit", "verify", anchor_file=str(anchor))


@pytest.mark.django_db
def test_purge_refuses_a_retention_shorter_than_three_years():
    with pytest.raises(CommandError):
        call_command("audit", "purge", older_than_days=30)
