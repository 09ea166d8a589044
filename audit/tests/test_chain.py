"""The access log is a hash chain: appends never fork it, and any edit or removal is found."""

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from audit.chain import chain_verify
from audit.constants import GENESIS_HASH, DataCategory
from audit.models import AccessLog, AppendOnlyError
from audit.services import access_log_record

from .factories import AccessLogFactory

pytestmark = pytest.mark.django_db


def tamper(sql: str, params) -> None:
    """Change rows behind the application's back, as a database superuser could (triggers off for this transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET LOCAL session_replication_role = origin")


class TestChain:
    def test_each_row_carries_the_hash_of_the_one_before(self):
        first, second, third = (AccessLogFactory() for _ in range(3))
        assert first.previous_hash == GENESIS_HASH
        assert second.previous_hash == first.row_hash
        assert third.previous_hash == second.row_hash
        assert len({first.row_hash, second.row_hash, third.row_hash}) == 3
        for row in AccessLog.objects.all():
            assert row.row_hash == row.compute_row_hash()

    def test_an_intact_chain_verifies_in_small_batches(self):
        for _ in range(7):
            AccessLogFactory()
        report = chain_verify(batch_size=2)
        assert report.intact and report.rows_checked == 7
        assert report.last_hash == AccessLog.objects.order_by("-id").first().row_hash

    def test_an_ipv6_address_and_hostile_text_hash_the_same_after_a_round_trip(self, rf):
        request = rf.get("/", REMOTE_ADDR="2001:DB8:0:0:0:0:0:1")
        request.user = AccessLogFactory().user
        access_log_record(request=request, category=DataCategory.REGISTRY, action="search\x00\u202e", detail="=1+1")
        assert chain_verify().intact

    def test_a_row_cannot_be_saved_outside_the_service(self, counselor):
        with pytest.raises(AppendOnlyError):
            AccessLog.objects.create(user=counselor, category=DataCategory.REGISTRY, action="forged")


class TestAuditVerifyCommand:
    def test_reports_an_intact_chain(self, capsys):
        for _ in range(3):
            AccessLogFactory()
        call_command("audit_verify", batch_size=2)
        assert "intact: 3 rows" in capsys.readouterr().out

    def test_an_edited_row_is_reported_with_expected_and_found_hashes(self):
        rows = [AccessLogFactory() for _ in range(4)]
        edited = rows[2]
        tamper("UPDATE audit_accesslog SET action = %s WHERE id = %s", ["nothing to see", edited.pk])
        with pytest.raises(CommandError) as excinfo:
            call_command("audit_verify", batch_size=3)
        message = str(excinfo.value)
        assert excinfo.value.returncode == 2
        assert f"Row {edited.pk}: row_hash expected" in message
        assert f"found {edited.row_hash}" in message
        assert "after 2 intact rows" in message

    def test_a_deleted_row_breaks_the_link_of_the_next_one(self):
        rows = [AccessLogFactory() for _ in range(4)]
        tamper("DELETE FROM audit_accesslog WHERE id = %s", [rows[1].pk])
        report = chain_verify()
        assert report.first_break.row_id == rows[2].pk
        assert report.first_break.field == "previous_hash"
        assert report.first_break.expected == rows[0].row_hash
        assert report.first_break.found == rows[1].row_hash

    def test_a_rehashed_row_still_breaks_the_next_link(self):
        rows = [AccessLogFactory() for _ in range(3)]
        tamper("UPDATE audit_accesslog SET detail = 'x', row_hash = %s WHERE id = %s", ["f" * 64, rows[0].pk])
        report = chain_verify()
        assert not report.intact and report.first_break.row_id == rows[0].pk


# serialized_rollback: the flush after a transactional test would otherwise wipe the rows
# data migrations seed (roles, drug-test panels) for the tests that run after it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_never_fork_the_chain():
    """Writers in separate connections append at once; the advisory lock keeps one straight chain."""
    from accounts.tests.factories import CounselorFactory

    users = [CounselorFactory() for _ in range(4)]
    errors = []
    start = threading.Barrier(len(users))

    def write(user):
        try:
            start.wait()
            for index in range(10):
                access_log_record(request=None, user=user, category=DataCategory.REGISTRY, action=f"search {index}")
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert AccessLog.objects.count() == 40
    previous = list(AccessLog.objects.values_list("previous_hash", flat=True))
    assert len(set(previous)) == 40, "two rows chained onto the same predecessor"
    assert chain_verify().intact
