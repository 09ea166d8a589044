"""Walking the access-log hash chain to prove nothing was changed, removed or inserted."""

from dataclasses import dataclass

from .constants import GENESIS_HASH
from .models import AccessLog
from .models.access_log import access_log_hash

CHAIN_FIELDS = ("id", "at", "user_id", "patient_id", "category", "action", "outcome", "ip_address", "detail")


@dataclass(frozen=True)
class ChainBreak:
    row_id: int
    field: str
    expected: str
    found: str

    def __str__(self):
        return f"Row {self.row_id}: {self.field} expected {self.expected}, found {self.found}"


@dataclass(frozen=True)
class ChainReport:
    rows_checked: int
    last_hash: str
    first_break: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.first_break is None


def chain_verify(*, batch_size: int = 5000) -> ChainReport:
    """Recompute every row's hash in id order, a batch at a time (keyset on id: constant memory)."""
    expected_previous = GENESIS_HASH
    last_id = 0
    checked = 0
    while True:
        batch = list(
            AccessLog.objects.filter(id__gt=last_id)
            .order_by("id")
            .values_list(*CHAIN_FIELDS, "previous_hash", "row_hash")[:batch_size]
        )
        if not batch:
            return ChainReport(rows_checked=checked, last_hash=expected_previous, first_break=None)
        for row in batch:
            values = dict(zip(CHAIN_FIELDS, row[: len(CHAIN_FIELDS)], strict=True))
            previous_hash, row_hash = row[len(CHAIN_FIELDS) :]
            row_id = values.pop("id")
            if previous_hash != expected_previous:
                # A row removed or inserted before this one, or this row's link rewritten.
                return ChainReport(
                    checked, expected_previous, ChainBreak(row_id, "previous_hash", expected_previous, previous_hash)
                )
            recomputed = access_log_hash(**values, previous_hash=previous_hash)
            if recomputed != row_hash:
                # This row's contents changed after it was written.
                return ChainReport(checked, expected_previous, ChainBreak(row_id, "row_hash", recomputed, row_hash))
            expected_previous = row_hash
            last_id = row_id
            checked += 1
