"""Walking the access-log hash chain to prove nothing was changed, removed, inserted or cut off.

The chain is the rows in ``chain_seq`` order (1, 2, 3… with no gap), each carrying the hash
of the one before. Inside the chain an edit, a removal or an insertion breaks a link; at its
ends, the signed checkpoints (``audit.checkpoints``) catch a chain cut short, re-hashed after
an edit, or emptied. Rows the sequencer has not chained yet are fine for
``AUDIT_CHAIN_MAX_DELAY_SECONDS`` after they were written, and a break after that.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Min
from django.utils import timezone

from .checkpoints import Checkpoint
from .constants import GENESIS_HASH
from .models import AccessLog
from .models.access_log import HASHED_FIELDS, access_log_hash


@dataclass(frozen=True)
class ChainBreak:
    row_id: int | None
    field: str
    expected: str
    found: str

    def __str__(self):
        where = f"Row {self.row_id}: " if self.row_id is not None else ""
        return f"{where}{self.field} expected {self.expected}, found {self.found}"


@dataclass(frozen=True)
class ChainReport:
    rows_checked: int
    last_hash: str
    first_break: ChainBreak | None
    # Rows written less than the allowed delay ago and not chained yet.
    rows_pending: int = 0
    checkpoints_checked: int | None = None
    latest_checkpoint: Checkpoint | None = None

    @property
    def intact(self) -> bool:
        return self.first_break is None


def chain_verify(
    *,
    batch_size: int = 5000,
    checkpoints: Sequence[Checkpoint] | None = None,
    now: datetime | None = None,
) -> ChainReport:
    """Recompute every chained row's hash in chain order, a batch at a time (keyset on chain_seq: constant memory).

    With ``checkpoints`` (oldest first), also fail on a row that is not what a checkpoint
    signed, a chain shorter than one counted, and no checkpoint within
    ``AUDIT_CHECKPOINT_MAX_AGE_SECONDS``. Without them a cut or re-hashed chain goes unseen.
    """
    now = now or timezone.now()
    expected_at, conflict = _checkpoints_by_count(checkpoints or [])
    walk = _walk(batch_size, expected_at)
    checked, last_hash, first_break = walk
    latest = checkpoints[-1] if checkpoints else None

    def report(found_break: ChainBreak | None, pending: int = 0) -> ChainReport:
        return ChainReport(
            rows_checked=checked,
            last_hash=last_hash,
            first_break=found_break,
            rows_pending=pending,
            checkpoints_checked=None if checkpoints is None else len(checkpoints),
            latest_checkpoint=latest,
        )

    if first_break is not None:
        return report(first_break)
    if conflict is not None:
        return report(conflict)
    if checkpoints:
        longest = max(checkpoints, key=lambda checkpoint: checkpoint.count)
        if longest.count > checked:
            # Rows a checkpoint counted are gone: the newest rows deleted, or the table emptied.
            return report(ChainBreak(longest.row_id, "chain length", f"{longest.count} rows ({longest})", f"{checked}"))

    unchained = AccessLog.objects.filter(chain_seq__isnull=True).aggregate(rows=Count("id"), oldest=Min("at"))
    limit = now - timedelta(seconds=settings.AUDIT_CHAIN_MAX_DELAY_SECONDS)
    if unchained["rows"] and unchained["oldest"] < limit:
        stale = AccessLog.objects.filter(chain_seq__isnull=True, at__lt=limit).order_by("id").first()
        return report(
            ChainBreak(
                stale.pk,
                "chain_seq",
                f"chained within {settings.AUDIT_CHAIN_MAX_DELAY_SECONDS} s",
                f"unchained since {stale.at.isoformat()} (is the sequencer, audit.tasks.access_log_chain, running?)",
            ),
            unchained["rows"],
        )

    if checkpoints is not None:
        max_age = timedelta(seconds=settings.AUDIT_CHECKPOINT_MAX_AGE_SECONDS)
        if latest is None or latest.at < now - max_age:
            newest = f"the newest is the {latest}" if latest else "none"
            return report(
                ChainBreak(None, "checkpoint", f"one written in the last {int(max_age.total_seconds())} s", newest),
                unchained["rows"],
            )
    return report(None, unchained["rows"])


def _checkpoints_by_count(checkpoints: Sequence[Checkpoint]) -> tuple[dict[int, Checkpoint], ChainBreak | None]:
    """What the row at each counted place must be; two checkpoints that disagree mean the chain was rewritten."""
    by_count: dict[int, Checkpoint] = {}
    for checkpoint in checkpoints:
        if checkpoint.count == 0:
            continue
        earlier = by_count.setdefault(checkpoint.count, checkpoint)
        if (earlier.row_id, earlier.row_hash) != (checkpoint.row_id, checkpoint.row_hash):
            return by_count, ChainBreak(
                checkpoint.row_id,
                "checkpoint",
                f"row {earlier.row_id} with hash {earlier.row_hash} ({earlier})",
                f"row {checkpoint.row_id} with hash {checkpoint.row_hash} ({checkpoint})",
            )
    return by_count, None


def _walk(batch_size: int, expected_at: dict[int, Checkpoint]) -> tuple[int, str, ChainBreak | None]:
    expected_previous = GENESIS_HASH
    checked = 0
    while True:
        batch = list(
            AccessLog.objects.filter(chain_seq__gt=checked)
            .order_by("chain_seq")
            .values_list("chain_seq", "id", *HASHED_FIELDS, "previous_hash", "row_hash")[:batch_size]
        )
        if not batch:
            return checked, expected_previous, None
        for chain_seq, row_id, *rest in batch:
            values = dict(zip(HASHED_FIELDS, rest[: len(HASHED_FIELDS)], strict=True))
            previous_hash, row_hash = rest[len(HASHED_FIELDS) :]
            if chain_seq != checked + 1:
                # A row removed from the chain (with its successors re-linked), or a place made up.
                return checked, expected_previous, ChainBreak(row_id, "chain_seq", str(checked + 1), str(chain_seq))
            if previous_hash != expected_previous:
                # A row removed or inserted before this one, or this row's link rewritten.
                return (
                    checked,
                    expected_previous,
                    ChainBreak(row_id, "previous_hash", expected_previous, previous_hash),
                )
            recomputed = access_log_hash(**values, previous_hash=previous_hash)
            if recomputed != row_hash:
                # This row's contents changed after it was written.
                return checked, expected_previous, ChainBreak(row_id, "row_hash", recomputed, row_hash)
            signed = expected_at.get(chain_seq)
            if signed is not None and (signed.row_id, signed.row_hash) != (row_id, row_hash):
                # The chain holds together but is not the one that was signed: re-hashed after an edit.
                return (
                    checked,
                    expected_previous,
                    ChainBreak(row_id, "row_hash", f"{signed.row_hash} (row {signed.row_id}, {signed})", row_hash),
                )
            expected_previous = row_hash
            checked += 1
