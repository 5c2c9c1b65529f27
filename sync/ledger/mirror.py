"""The read mirror and the write memory, on the ledger's database.

``Mirror`` keeps the last copy of every vendor record read, so an incremental pull
(only what changed since a cursor) still gives the engine the whole portal. It is
updated in the same transaction as the cursor that covers it.

``plan_write`` decides whether an intended external write is new: a write whose content
hash equals what was last intended for that record is not made again, which is how an
identical rerun writes nothing; otherwise the intent goes to the outbox under a key
unique to this run, and becomes the record's last intent, in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from sync.ledger import outbox
from sync.ledger.models import CursorRow, MirrorRow, WrittenRow
from sync.ledger.store import Ledger


class Mirror:
    def __init__(self, ledger: Ledger) -> None:
        self._ledger = ledger

    def upsert(self, object_type: str, records: Iterable[tuple[str, dict[str, Any]]],
               run_id: int) -> int:
        """Store records read now; returns how many were new or changed."""
        changed = 0
        with self._ledger.transaction() as session:
            for record_id, body in records:
                row = session.get(MirrorRow, (object_type, record_id))
                if row is None:
                    session.add(MirrorRow(object_type=object_type, record_id=record_id,
                                          body=body, read_run=run_id,
                                          updated_at=self._ledger.now()))
                    changed += 1
                elif row.body != body:
                    row.body, row.read_run, row.updated_at = body, run_id, self._ledger.now()
                    changed += 1
        return changed

    def replace_all(self, object_type: str, records: Iterable[tuple[str, dict[str, Any]]],
                    run_id: int) -> tuple[int, int]:
        """A full listing: store it and forget records it no longer has (archived,
        merged, deleted). Returns (new or changed, removed)."""
        listed = list(records)
        with self._ledger.transaction() as session:
            changed = self.upsert(object_type, listed, run_id)
            keep = {record_id for record_id, _ in listed}
            gone = [rid for rid in self.ids(object_type) if rid not in keep]
            self.remove(object_type, gone, session)
        return changed, len(gone)

    def remove(self, object_type: str, record_ids: Iterable[str],
               session: Session | None = None) -> None:
        ids = list(record_ids)
        if not ids:
            return
        with self._ledger.transaction() as own:
            target = session or own
            for start in range(0, len(ids), 500):
                target.execute(delete(MirrorRow).where(
                    MirrorRow.object_type == object_type,
                    MirrorRow.record_id.in_(ids[start:start + 500])))

    def records(self, object_type: str) -> list[dict[str, Any]]:
        with self._ledger.transaction() as session:
            rows = session.scalars(select(MirrorRow.body).where(
                MirrorRow.object_type == object_type).order_by(MirrorRow.record_id))
            return list(rows)

    def ids(self, object_type: str) -> set[str]:
        with self._ledger.transaction() as session:
            return set(session.scalars(select(MirrorRow.record_id).where(
                MirrorRow.object_type == object_type)))

    def count(self, object_type: str) -> int:
        return len(self.ids(object_type))


def plan_write(ledger: Ledger, kind: str, target: str, content_hash: str,
               payload: dict[str, Any], run_id: int) -> str | None:
    """Enqueue the write unless it was the record's last intent; returns the outbox key
    of a new intent, or ``None`` when there is nothing to write."""
    with ledger.transaction() as session:
        row = session.get(WrittenRow, (kind, target))
        if row is not None and row.content_hash == content_hash:
            return None
        key = f"{kind}:{target}:{content_hash}:run{run_id}"
        if row is not None:
            previous = outbox.get(session, row.outbox_key)
            if previous is not None and previous.status == "pending":
                # Never sent: the newer content replaces it (no stale write after it).
                outbox.fail(session, row.outbox_key, f"superseded by {key}", ledger.now())
        outbox.enqueue(session, key, kind, target, payload, ledger.now())
        if row is None:
            session.add(WrittenRow(kind=kind, target=target, content_hash=content_hash,
                                   outbox_key=key, updated_at=ledger.now()))
        else:
            row.content_hash, row.outbox_key, row.updated_at = content_hash, key, ledger.now()
        return key


def new_writes(ledger: Ledger, hashes: Iterable[tuple[str, str, str]]) -> set[tuple[str, str]]:
    """Of ``(kind, target, content hash)``, the records whose content differs from the
    last intent: what a run would write (a dry run asks without enqueueing)."""
    with ledger.transaction() as session:
        known = {(row.kind, row.target): row.content_hash
                 for row in session.scalars(select(WrittenRow))}
    return {(kind, target) for kind, target, digest in hashes
            if known.get((kind, target)) != digest}


def copy_mirror(source: Ledger, target: Ledger) -> None:
    """Seed a scratch ledger with the mirror and its cursors (a dry run pulls into it)."""
    with source.transaction() as session:
        rows = [(row.object_type, row.record_id, row.body, row.read_run)
                for row in session.scalars(select(MirrorRow))]
        cursors = [(row.name, row.value) for row in session.scalars(select(CursorRow))]
    with target.transaction() as session:
        for object_type, record_id, body, read_run in rows:
            session.add(MirrorRow(object_type=object_type, record_id=record_id, body=body,
                                  read_run=read_run, updated_at=target.now()))
        for name, value in cursors:
            target.set_cursor(name, value)
