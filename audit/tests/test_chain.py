"""The access log is a hash chain: a look is one INSERT, the sequencer chains rows after commit
without forking, and any edit, removal or late row is found."""

import datetime as dt
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections, transaction
from django.utils import timezone

from audit.chain import chain_verify
from audit.constants import GENESIS_HASH, DataCategory
from audit.models import AccessLog, AppendOnlyError
from audit.services import access_log_chain, access_log_record

from .factories import AccessLogFactory

pytestmark = pytest.mark.django_db


def tamper(sql: str, params) -> None:
    """Change rows behind the application's back, as a database superuser could (triggers off for this transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
        cursor.execute("SET LOCAL session_replication_role = origin")


def chained_rows(count: int) -> list[AccessLog]:
    for _ in range(count):
        AccessLogFactory()
    access_log_chain()
    return list(AccessLog.objects.order_by("chain_seq"))


class TestRecording:
    def test_a_look_is_one_insert_and_takes_no_lock(self, counselor, django_assert_num_queries):
        with django_assert_num_queries(1) as captured:
            access_log_record(request=None, user=counselor, category=DataCategory.REGISTRY, action="search")
        assert captured.captured_queries[0]["sql"].startswith('INSERT INTO "audit_accesslog"')

    def test_a_row_is_born_unchained(self, counselor):
        entry = AccessLogFactory(user=counselor)
        entry = AccessLog.objects.get(pk=entry.pk)
        assert (entry.chain_seq, entry.previous_hash, entry.row_hash) == (None, "", "")
        assert not entry.is_chained

    def test_a_row_cannot_be_saved_outside_the_service(self, counselor):
        with pytest.raises(AppendOnlyError):
            AccessLog.objects.create(user=counselor, category=DataCategory.REGISTRY, action="forged")
        assert not AccessLog.objects.exists()


class TestSequencer:
    def test_rows_are_chained_in_order_each_carrying_the_hash_of_the_one_before(self):
        first, second, third = chained_rows(3)
        assert [row.chain_seq for row in (first, second, third)] == [1, 2, 3]
        assert first.previous_hash == GENESIS_HASH
        assert second.previous_hash == first.row_hash
        assert third.previous_hash == second.row_hash
        assert len({first.row_hash, second.row_hash, third.row_hash}) == 3
        for row in (first, second, third):
            assert row.row_hash == row.compute_row_hash()

    def test_a_second_run_chains_nothing_and_later_rows_extend_the_chain(self):
        AccessLogFactory()
        assert access_log_chain() == 1
        assert access_log_chain() == 0
        AccessLogFactory()
        AccessLogFactory()
        assert access_log_chain(batch_size=1) == 2
        assert list(AccessLog.objects.order_by("id").values_list("chain_seq", flat=True)) == [1, 2, 3]

    def test_an_intact_chain_verifies_in_small_batches(self):
        rows = chained_rows(7)
        report = chain_verify(batch_size=2)
        assert report.intact and report.rows_checked == 7
        assert report.last_hash == rows[-1].row_hash

    def test_an_ipv6_address_and_hostile_text_hash_the_same_after_a_round_trip(self, rf):
        request = rf.get("/", REMOTE_ADDR="2001:DB8:0:0:0:0:0:1")
        request.user = AccessLogFactory().user
        access_log_record(request=request, category=DataCategory.REGISTRY, action="search\x00\u202e", detail="=1+1")
        access_log_chain()
        assert chain_verify().intact


class TestUnchainedRows:
    def test_a_row_not_chained_yet_is_fine_within_the_allowed_delay(self, settings):
        settings.AUDIT_CHAIN_MAX_DELAY_SECONDS = 120
        chained_rows(2)
        AccessLogFactory()
        report = chain_verify(now=timezone.now() + dt.timedelta(seconds=60))
        assert report.intact and report.rows_checked == 2 and report.rows_pending == 1

    def test_a_row_left_unchained_longer_is_a_break(self, settings):
        settings.AUDIT_CHAIN_MAX_DELAY_SECONDS = 120
        chained_rows(2)
        late = AccessLogFactory()
        report = chain_verify(now=timezone.now() + dt.timedelta(seconds=121))
        assert not report.intact
        assert report.first_break.row_id == late.pk and report.first_break.field == "chain_seq"
        assert "unchained since" in report.first_break.found


class TestAuditVerifyCommand:
    def test_reports_an_intact_chain(self, capsys):
        chained_rows(3)
        call_command("audit_verify", batch_size=2, without_checkpoints=True)
        captured = capsys.readouterr()
        assert "intact: 3 rows" in captured.out
        assert "Checkpoints not checked" in captured.err

    def test_an_edited_row_is_reported_with_expected_and_found_hashes(self):
        rows = chained_rows(4)
        edited = rows[2]
        tamper("UPDATE audit_accesslog SET action = %s WHERE id = %s", ["nothing to see", edited.pk])
        with pytest.raises(CommandError) as excinfo:
            call_command("audit_verify", batch_size=3, without_checkpoints=True)
        message = str(excinfo.value)
        assert excinfo.value.returncode == 2
        assert f"Row {edited.pk}: row_hash expected" in message
        assert f"found {edited.row_hash}" in message
        assert "after 2 intact rows" in message

    def test_a_deleted_row_breaks_the_chain_where_it_was(self):
        rows = chained_rows(4)
        tamper("DELETE FROM audit_accesslog WHERE id = %s", [rows[1].pk])
        report = chain_verify()
        assert report.first_break.row_id == rows[2].pk
        assert report.first_break.field == "chain_seq"
        assert (report.first_break.expected, report.first_break.found) == ("2", "3")

    def test_a_deleted_row_with_the_places_renumbered_breaks_the_next_link(self):
        rows = chained_rows(4)
        tamper("DELETE FROM audit_accesslog WHERE id = %s", [rows[1].pk])
        for place in (3, 4):
            tamper("UPDATE audit_accesslog SET chain_seq = %s WHERE chain_seq = %s", [place - 1, place])
        report = chain_verify()
        assert report.first_break.row_id == rows[2].pk
        assert report.first_break.field == "previous_hash"
        assert report.first_break.expected == rows[0].row_hash
        assert report.first_break.found == rows[1].row_hash

    def test_a_rehashed_row_still_breaks_the_next_link(self):
        rows = chained_rows(3)
        tamper("UPDATE audit_accesslog SET detail = 'x', row_hash = %s WHERE id = %s", ["f" * 64, rows[0].pk])
        report = chain_verify()
        assert not report.intact and report.first_break.row_id == rows[0].pk

    def test_a_row_left_unchained_fails_the_command(self, settings):
        settings.AUDIT_CHAIN_MAX_DELAY_SECONDS = 0
        chained_rows(1)
        AccessLogFactory()
        with pytest.raises(CommandError, match="unchained since") as excinfo:
            call_command("audit_verify", without_checkpoints=True)
        assert excinfo.value.returncode == 2


# serialized_rollback: the flush after a transactional test would otherwise wipe the rows
# data migrations seed (roles, drug-test panels) for the tests that run after it.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_writers_and_sequencers_never_fork_the_chain():
    """Writers append at once from separate connections while two sequencers chain: one straight chain."""
    from accounts.tests.factories import CounselorFactory

    users = [CounselorFactory() for _ in range(4)]
    errors = []
    start = threading.Barrier(len(users) + 2)
    writing = threading.Event()

    def write(user):
        try:
            start.wait()
            for index in range(10):
                access_log_record(request=None, user=user, category=DataCategory.REGISTRY, action=f"search {index}")
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    def chain():
        try:
            start.wait()
            while not writing.is_set():
                access_log_chain(batch_size=3)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    writers = [threading.Thread(target=write, args=(user,)) for user in users]
    sequencers = [threading.Thread(target=chain) for _ in range(2)]
    for thread in writers + sequencers:
        thread.start()
    for thread in writers:
        thread.join()
    writing.set()
    for thread in sequencers:
        thread.join()
    access_log_chain()
    assert not errors
    assert AccessLog.objects.count() == 40
    assert sorted(AccessLog.objects.values_list("chain_seq", flat=True)) == list(range(1, 41))
    previous = list(AccessLog.objects.values_list("previous_hash", flat=True))
    assert len(set(previous)) == 40, "two rows chained onto the same predecessor"
    assert chain_verify().intact


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_row_committed_after_a_later_one_takes_the_next_place():
    """Ids are handed out at INSERT, commits land in another order: the chain follows commits, never skips a row."""
    from accounts.tests.factories import CounselorFactory

    user = CounselorFactory()
    inserted, release = threading.Event(), threading.Event()
    early = {}

    def slow_request():
        try:
            with transaction.atomic():
                early["row"] = access_log_record(request=None, user=user, category=DataCategory.REGISTRY, action="a")
                inserted.set()
                release.wait(timeout=30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=slow_request)
    thread.start()
    assert inserted.wait(timeout=30)
    late = access_log_record(request=None, user=user, category=DataCategory.REGISTRY, action="b")
    assert access_log_chain() == 1
    release.set()
    thread.join()
    assert access_log_chain() == 1
    early_row = AccessLog.objects.get(pk=early["row"].pk)
    assert early_row.pk < late.pk
    assert early_row.chain_seq == AccessLog.objects.get(pk=late.pk).chain_seq + 1
    assert chain_verify().intact
