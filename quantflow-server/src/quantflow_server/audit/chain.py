"""The hash chain, independent of storage: canonical JSON and the entry hash.

An entry's hash is SHA-256 over the canonical JSON (sorted keys, no whitespace, UTF-8, no NaN) of
`{action, actor, at, payload, prev, seq}`. The payload is stored as its canonical text and inlined
verbatim into the record, so verification hashes exactly the bytes that are in the database
without re-parsing them, and a changed byte anywhere changes the hash.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import msgspec

GENESIS = "0" * 64
_encoder = msgspec.json.Encoder(order="sorted", enc_hook=str)
_encode = _encoder.encode
_Raw = msgspec.Raw


def canonical(value: Any) -> str:
    """Canonical JSON text: keys sorted, no whitespace, UTF-8 (msgspec's sorted encoding; NaN and
    infinities become null, datetimes RFC 3339, anything unknown its string)."""
    return _encode(value).decode("utf-8")


def timestamp(when: datetime | None = None) -> str:
    """UTC, microseconds, fixed width: the same text on every database and platform."""
    return (when or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def record_bytes(seq: int, prev: str, at: str, action: str, actor: str | None, payload_text: str | bytes) -> bytes:
    """canonical({action, actor, at, payload, prev, seq}) with the payload's stored text inlined."""
    raw = _Raw(payload_text.encode("utf-8") if isinstance(payload_text, str) else payload_text)
    return _encode({"action": action, "actor": actor, "at": at, "payload": raw, "prev": prev, "seq": seq})


def entry_hash(seq: int, prev: str, at: str, action: str, actor: str | None, payload_text: str | bytes) -> str:
    return hashlib.sha256(record_bytes(seq, prev, at, action, actor, payload_text)).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One thing to record: what happened, who did it, and the details (no secrets, ever)."""

    action: str
    actor: str | None = None
    payload: Mapping[str, Any] | None = None


class Entry(NamedTuple):
    """A ledger row, in column order."""

    seq: int
    prev: str
    hash: str
    at: str
    action: str
    actor: str | None
    payload: str  # canonical JSON text

    def as_row(self) -> dict[str, Any]:
        return dict(zip(("seq", "prev_hash", "hash", "at", "action", "actor", "payload"), self, strict=True))


def chain(events: Iterable[AuditEvent], seq: int, prev: str, at: str | None = None) -> list[Entry]:
    """Entries seq+1, seq+2, ... following the entry (seq, prev).

    The hot loop of a batch append, so the record bytes are joined by hand in canonical key order
    (the same bytes `record_bytes` gives; a test holds them equal), with the leading
    action/actor/at part encoded once per distinct (action, actor).
    """
    at = at or timestamp()
    at_json = _encode(at)
    sha256, new, join, heads, out = hashlib.sha256, Entry._make, b"".join, {}, []
    for event in events:
        seq += 1
        action, actor = event.action, event.actor
        head = heads.get((action, actor))
        if head is None:
            head = heads[(action, actor)] = (
                b'{"action":' + _encode(action) + b',"actor":' + _encode(actor) + b',"at":' + at_json + b',"payload":'
            )
        payload = _encode(event.payload or {})
        digest = sha256(join((head, payload, b',"prev":"', prev.encode(), b'","seq":', b"%d}" % seq))).hexdigest()
        out.append(new((seq, prev, digest, at, action, actor, payload.decode("utf-8"))))
        prev = digest
    return out


@dataclass(frozen=True)
class Verdict:
    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None = None
    reason: str | None = None


class ChainChecker:
    """Feed stored entries in seq order; the first inconsistency is kept."""

    def __init__(self) -> None:
        self.expected_seq = 1
        self.prev = GENESIS
        self.count = 0
        self.bad: tuple[int, str] | None = None

    def feed(self, seq: int, prev: str, digest: str, at: str, action: str, actor: str | None, payload: str) -> bool:
        """False once a bad entry was seen (the caller may stop reading)."""
        if self.bad is not None:
            return False
        self.count += 1
        if seq != self.expected_seq:
            first = min(seq, self.expected_seq)
            what = "missing" if seq > self.expected_seq else "out of order or duplicated"
            return self._fail(first, f"entry {first} is {what} (found {seq} where {self.expected_seq} belongs)")
        if prev != self.prev:
            return self._fail(seq, f"entry {seq} does not link to entry {seq - 1}")
        if entry_hash(seq, prev, at, action, actor, payload) != digest:
            return self._fail(seq, f"entry {seq} was changed after it was written")
        self.prev, self.expected_seq = digest, seq + 1
        return True

    def _fail(self, seq: int, reason: str) -> bool:
        self.bad = (seq, reason)
        return False

    def verdict(self, head_seq: int | None, head_hash: str | None) -> Verdict:
        last = self.expected_seq - 1
        if self.bad is None and head_seq is None and self.count:
            self.bad = (1, "the chain head record is missing")
        elif self.bad is None and head_seq is not None and (head_seq != last or head_hash != self.prev):
            if head_seq > last:
                self.bad = (last + 1, f"entries {last + 1}..{head_seq} were deleted")
            else:  # entries were appended (or the last one replaced) without the head: a forgery
                self.bad = (min(last, head_seq + 1), f"entry {min(last, head_seq + 1)} is not the recorded head")
        seq, reason = self.bad if self.bad is not None else (None, None)
        return Verdict(self.bad is None, self.count, last, self.prev, seq, reason)
