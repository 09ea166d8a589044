"""Signed checkpoints of the access-log chain's head, kept outside the database.

A checkpoint says "at this moment the chain held ``count`` rows, the last being ``row_id``
with hash ``row_hash``", signed with HMAC-SHA256 under ``AUDIT_CHECKPOINT_KEY``, a key that
lives in the environment and never in the database. Whoever can rewrite the table (the owner
role, a superuser with the triggers off) can re-hash the chain after an edit or cut its newest
rows, but cannot sign the head that results: ``audit_verify`` compares the chain with every
checkpoint and finds the difference.

One checkpoint is one line of JSON, in the checkpoint file and in the log stream after the
``AUDIT_CHECKPOINT`` marker, so lines grepped from collected logs verify the same way.
"""

import hashlib
import hmac
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from .constants import CHECKPOINT_LOG_PREFIX

CHAIN_NAME = "audit_accesslog"


class CheckpointError(Exception):
    """A checkpoint line that cannot be read or whose signature does not verify."""


def key_id(key: str) -> str:
    """A short public name for a key (a hash of it): says which key signed a line, reveals nothing of it."""
    return hashlib.sha256(b"iop audit checkpoint key\x00" + key.encode()).hexdigest()[:16]


def _timestamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class Checkpoint:
    at: datetime
    count: int
    row_id: int | None
    row_hash: str
    key_id: str
    mac: str

    def signed_fields(self) -> dict:
        return {
            "chain": CHAIN_NAME,
            "at": _timestamp(self.at),
            "count": self.count,
            "row_id": self.row_id,
            "row_hash": self.row_hash,
            "key_id": self.key_id,
        }

    def to_line(self) -> str:
        return json.dumps({**self.signed_fields(), "mac": self.mac}, sort_keys=True, separators=(",", ":"))

    def __str__(self):
        return f"checkpoint of {_timestamp(self.at)} ({self.count} rows, last row {self.row_id})"


def _mac(key: str, fields: dict) -> str:
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key.encode(), payload, hashlib.sha256).hexdigest()


def checkpoint_sign(*, key: str, at: datetime, count: int, row_id: int | None, row_hash: str) -> Checkpoint:
    """Sign the chain's head as it stands at ``at``."""
    unsigned = Checkpoint(at=at, count=count, row_id=row_id, row_hash=row_hash, key_id=key_id(key), mac="")
    return replace(unsigned, mac=_mac(key, unsigned.signed_fields()))


def checkpoint_parse(line: str, keys: Sequence[str]) -> Checkpoint:
    """Read one line (bare JSON or a log line carrying the marker) and check its signature against ``keys``."""
    text = line.split(CHECKPOINT_LOG_PREFIX, 1)[1] if CHECKPOINT_LOG_PREFIX in line else line
    try:
        data = json.loads(text)
        checkpoint = Checkpoint(
            at=datetime.strptime(data["at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC),
            count=data["count"],
            row_id=data["row_id"],
            row_hash=data["row_hash"],
            key_id=data["key_id"],
            mac=data["mac"],
        )
        well_formed = (
            data["chain"] == CHAIN_NAME
            and isinstance(checkpoint.count, int)
            and checkpoint.count >= 0
            and (checkpoint.row_id is None) == (checkpoint.count == 0)
            and isinstance(checkpoint.mac, str)
        )
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise CheckpointError(f"not a checkpoint ({error.__class__.__name__})") from error
    if not well_formed:
        raise CheckpointError("not a checkpoint of the access-log chain")
    key = next((key for key in keys if key_id(key) == checkpoint.key_id), None)
    if key is None:
        raise CheckpointError(f"signed with key {checkpoint.key_id}, which is neither the key nor a previous key")
    if not hmac.compare_digest(_mac(key, checkpoint.signed_fields()), checkpoint.mac):
        raise CheckpointError("its signature does not verify: the line was altered or forged")
    return checkpoint


def checkpoints_read(paths: Iterable[str | Path], keys: Sequence[str]) -> list[Checkpoint]:
    """Every checkpoint in these files, oldest first; the first unreadable or unsigned line raises, naming it."""
    found = []
    for path in paths:
        try:
            lines = Path(path).read_text(encoding="utf-8").splitlines()
        except FileNotFoundError as error:
            raise CheckpointError(f"no checkpoint file at {path}") from error
        for number, line in enumerate(lines, start=1):
            if line.strip():
                try:
                    found.append(checkpoint_parse(line, keys))
                except CheckpointError as error:
                    raise CheckpointError(f"{path}, line {number}: {error}") from error
    return sorted(found, key=lambda checkpoint: (checkpoint.at, checkpoint.count))
