"""Signed checkpoints catch what the chain alone cannot: its newest rows cut, its hashes redone, the table emptied."""

import datetime as dt
import importlib
import json
import logging

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from audit import tasks
from audit.chain import chain_verify
from audit.checkpoints import CheckpointError, checkpoint_parse, checkpoints_read, key_id
from audit.checks import checkpoint_key_check
from audit.constants import CHAIN_EVERY_SECONDS, CHECKPOINT_EVERY_SECONDS, CHECKPOINT_LOG_PREFIX, GENESIS_HASH
from audit.models import AccessLog
from audit.models.access_log import access_log_hash
from audit.services import access_log_chain, access_log_checkpoint

from .factories import AccessLogFactory
from .test_chain import chained_rows, tamper

pytestmark = pytest.mark.django_db

KEY = "test-checkpoint-key-" + "k" * 32
NEW_KEY = "rotated-checkpoint-key-" + "n" * 32

schedule_migration = importlib.import_module("audit.migrations.0007_chain_and_checkpoint_schedule")


@pytest.fixture
def checkpoint_file(settings, tmp_path):
    path = tmp_path / "audit-checkpoints.jsonl"
    settings.AUDIT_CHECKPOINT_FILE = str(path)
    settings.AUDIT_CHECKPOINT_KEY = KEY
    settings.AUDIT_CHECKPOINT_PREVIOUS_KEYS = []
    return path


def verify() -> str:
    """``audit_verify`` against the checkpoint file; its output, or the CommandError it raised."""
    try:
        call_command("audit_verify", batch_size=2)
    except CommandError as error:
        assert error.returncode == 2
        raise
    return "intact"


def rehash_from(place: int) -> None:
    """Recompute every hash from ``place`` on, as an owner covering an edit would (triggers off)."""
    previous = AccessLog.objects.get(chain_seq=place - 1).row_hash if place > 1 else GENESIS_HASH
    for row in AccessLog.objects.filter(chain_seq__gte=place).order_by("chain_seq"):
        row.previous_hash = previous
        row_hash = row.compute_row_hash()
        tamper(
            "UPDATE audit_accesslog SET previous_hash = %s, row_hash = %s WHERE id = %s", [previous, row_hash, row.pk]
        )
        previous = row_hash


class TestWritingCheckpoints:
    def test_one_signed_line_goes_to_the_file_and_to_the_log_stream(self, checkpoint_file, caplog):
        rows = chained_rows(3)
        with caplog.at_level(logging.INFO, logger="audit.checkpoints"):
            checkpoint = access_log_checkpoint()
        assert (checkpoint.count, checkpoint.row_id, checkpoint.row_hash) == (3, rows[-1].pk, rows[-1].row_hash)
        assert checkpoint.key_id == key_id(KEY) and KEY not in checkpoint.to_line()
        (line,) = checkpoint_file.read_text().splitlines()
        assert checkpoint_parse(line, [KEY]) == checkpoint
        (logged,) = [record.getMessage() for record in caplog.records if record.name == "audit.checkpoints"]
        assert logged.startswith(CHECKPOINT_LOG_PREFIX)
        assert checkpoint_parse(f"2026-01-01 00:00:00 INFO audit.checkpoints {logged}", [KEY]) == checkpoint

    def test_pending_rows_are_chained_before_the_head_is_signed(self, checkpoint_file):
        AccessLogFactory()
        AccessLogFactory()
        assert access_log_checkpoint().count == 2
        assert not AccessLog.objects.filter(chain_seq__isnull=True).exists()

    def test_an_empty_chain_is_checkpointed_too(self, checkpoint_file):
        checkpoint = access_log_checkpoint()
        assert (checkpoint.count, checkpoint.row_id, checkpoint.row_hash) == (0, None, GENESIS_HASH)
        assert verify() == "intact"

    def test_no_key_no_checkpoint(self, checkpoint_file, settings):
        settings.AUDIT_CHECKPOINT_KEY = ""
        with pytest.raises(Exception, match="Set AUDIT_CHECKPOINT_KEY"):
            access_log_checkpoint()
        assert not checkpoint_file.exists()


class TestVerifyingAgainstCheckpoints:
    def test_an_intact_chain_agrees_with_its_checkpoints(self, checkpoint_file, capsys):
        chained_rows(2)
        access_log_checkpoint()
        AccessLogFactory()
        access_log_checkpoint()
        assert verify() == "intact"
        assert "intact: 3 rows" in capsys.readouterr().out

    def test_deleting_the_newest_rows_is_caught(self, checkpoint_file):
        rows = chained_rows(5)
        access_log_checkpoint()
        tamper("DELETE FROM audit_accesslog WHERE chain_seq > 3", [])
        assert chain_verify().intact, "the chain alone cannot see its end cut off"
        with pytest.raises(CommandError, match=f"Row {rows[-1].pk}: chain length expected 5 rows .* found 3"):
            verify()

    def test_rehashing_after_an_edit_is_caught(self, checkpoint_file):
        rows = chained_rows(4)
        access_log_checkpoint()
        tamper("UPDATE audit_accesslog SET action = 'nothing to see' WHERE id = %s", [rows[1].pk])
        rehash_from(2)
        assert chain_verify().intact, "the owner's re-hash satisfies the chain alone"
        with pytest.raises(CommandError, match=f"Row {rows[-1].pk}: row_hash expected {rows[-1].row_hash}"):
            verify()

    def test_a_rehash_signed_by_a_later_checkpoint_still_disagrees_with_the_earlier_one(self, checkpoint_file):
        rows = chained_rows(3)
        access_log_checkpoint()
        tamper("UPDATE audit_accesslog SET detail = 'edited' WHERE id = %s", [rows[2].pk])
        rehash_from(3)
        access_log_checkpoint()
        with pytest.raises(CommandError, match=f"Row {rows[2].pk}: row_hash expected {rows[2].row_hash}"):
            verify()

    def test_an_emptied_table_is_never_reported_intact(self, checkpoint_file):
        chained_rows(3)
        access_log_checkpoint()
        tamper("DELETE FROM audit_accesslog", [])  # what a TRUNCATE with the triggers off leaves
        assert chain_verify().rows_checked == 0
        with pytest.raises(CommandError) as excinfo:
            verify()
        assert "intact: 0 rows" not in str(excinfo.value)
        assert "chain length expected 3 rows" in str(excinfo.value)

    def test_no_checkpoint_file_fails(self, checkpoint_file):
        chained_rows(1)
        with pytest.raises(CommandError, match="no checkpoint file at"):
            verify()

    def test_a_missing_recent_checkpoint_fails(self, checkpoint_file, settings):
        settings.AUDIT_CHECKPOINT_MAX_AGE_SECONDS = 900
        chained_rows(2)
        access_log_checkpoint(now=timezone.now() - dt.timedelta(seconds=901))
        with pytest.raises(CommandError, match="checkpoint expected one written in the last 900 s"):
            verify()
        access_log_checkpoint()
        assert verify() == "intact"

    @pytest.mark.parametrize("field", ["count", "row_hash", "at"])
    def test_an_altered_line_fails(self, checkpoint_file, field):
        chained_rows(2)
        access_log_checkpoint()
        data = json.loads(checkpoint_file.read_text())
        data[field] = {"count": 1, "row_hash": "0" * 64, "at": "2099-01-01T00:00:00.000000Z"}[field]
        checkpoint_file.write_text(json.dumps(data) + "\n")
        with pytest.raises(CommandError, match="line 1: its signature does not verify"):
            verify()

    def test_a_line_signed_with_an_unknown_key_fails(self, checkpoint_file, settings):
        chained_rows(1)
        settings.AUDIT_CHECKPOINT_KEY = NEW_KEY
        access_log_checkpoint()
        settings.AUDIT_CHECKPOINT_KEY = KEY
        with pytest.raises(CommandError, match="neither the key nor a previous key"):
            verify()

    def test_after_a_rotation_lines_signed_with_the_previous_key_still_verify(self, checkpoint_file, settings):
        chained_rows(1)
        access_log_checkpoint()
        settings.AUDIT_CHECKPOINT_KEY = NEW_KEY
        settings.AUDIT_CHECKPOINT_PREVIOUS_KEYS = [KEY]
        AccessLogFactory()
        assert access_log_checkpoint().key_id == key_id(NEW_KEY)
        assert verify() == "intact"
        assert [checkpoint.count for checkpoint in checkpoints_read([checkpoint_file], [NEW_KEY, KEY])] == [1, 2]

    def test_log_lines_grepped_from_the_log_stream_verify(self, checkpoint_file, tmp_path, caplog):
        chained_rows(2)
        with caplog.at_level(logging.INFO, logger="audit.checkpoints"):
            access_log_checkpoint()
        logs = tmp_path / "grepped.log"
        lines = [f"2026-01-01 INFO audit.checkpoints {record.getMessage()}" for record in caplog.records]
        logs.write_text("\n".join(lines) + "\n")
        call_command("audit_verify", checkpoints=[str(logs)])

    def test_a_line_that_is_not_a_checkpoint_fails(self, tmp_path):
        path = tmp_path / "checkpoints.jsonl"
        path.write_text('{"chain": "audit_accesslog"}\n')
        with pytest.raises(CheckpointError, match="line 1: not a checkpoint"):
            checkpoints_read([path], [KEY])


class TestCheckpointKeyCheck:
    def test_production_without_a_key_fails_the_system_check(self, settings):
        settings.DEBUG = settings.TESTING = False
        for missing in ("", settings.AUDIT_CHECKPOINT_DEVELOPMENT_KEY):
            settings.AUDIT_CHECKPOINT_KEY = missing
            assert [error.id for error in checkpoint_key_check(None)] == ["audit.E001"]
        settings.AUDIT_CHECKPOINT_KEY = "short"
        assert [error.id for error in checkpoint_key_check(None)] == ["audit.E002"]
        settings.AUDIT_CHECKPOINT_KEY = KEY
        assert checkpoint_key_check(None) == []

    def test_debug_may_use_the_development_key(self, settings):
        settings.DEBUG, settings.TESTING = True, False
        settings.AUDIT_CHECKPOINT_KEY = settings.AUDIT_CHECKPOINT_DEVELOPMENT_KEY
        assert checkpoint_key_check(None) == []


class TestSchedule:
    def test_beat_chains_every_5_seconds_and_checkpoints_every_5_minutes(self):
        schedule_migration.create_schedule(apps, None)  # a second run must not duplicate the rows
        chain = PeriodicTask.objects.get(task="audit.tasks.access_log_chain")
        checkpoint = PeriodicTask.objects.get(task="audit.tasks.access_log_checkpoint")
        assert chain.enabled and chain.interval.every * {"seconds": 1}[chain.interval.period] == CHAIN_EVERY_SECONDS
        assert checkpoint.enabled and checkpoint.interval.every * 60 == CHECKPOINT_EVERY_SECONDS
        assert checkpoint.interval.period == "minutes"
        assert chain.expire_seconds < CHAIN_EVERY_SECONDS and checkpoint.expire_seconds < CHECKPOINT_EVERY_SECONDS
        assert PeriodicTask.objects.filter(task__startswith="audit.tasks.").count() == 2

    def test_the_tasks_chain_and_checkpoint(self, checkpoint_file):
        AccessLogFactory()
        assert tasks.access_log_chain.apply().get() == 1
        AccessLogFactory()
        assert tasks.access_log_checkpoint.apply().get() == 2
        assert access_log_chain() == 0
        assert len(checkpoint_file.read_text().splitlines()) == 1


def test_the_hash_of_a_row_is_the_one_the_chain_was_started_with():
    # Rows chained before the sequencer existed keep verifying: the hashed fields and their spelling did not change.
    at = dt.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC)
    fields = {"category": "registry", "action": "search", "outcome": "allowed", "ip_address": "::1", "detail": ""}
    assert access_log_hash(at=at, user_id=1, patient_id=None, previous_hash=GENESIS_HASH, **fields) == (
        "6e4908865fef98b4a15872b8866d72ba19b9dc6527f987d9ac880e32d58a10a5"
    )
