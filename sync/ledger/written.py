"""The write memory, on the ledger's database.

``plan_write`` decides whether an intended external write is new: a write whose content
hash equals what was last intended for that record is not made again, which is how an
identical rerun writes nothing; otherwise the intent goes to the outbox under a key
unique to this run, and becomes the record's last intent, in one transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sync.ledger import outbox
from sync.ledger.bulk import insert_rows
from sync.ledger.mirror import chunked
from sync.ledger.models import OutboxRow, WrittenRow, table_of
from sync.ledger.store import Ledger


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


def forget_write(ledger: Ledger, kind: str, target: str) -> bool:
    """HubSpot no longer shows what was written (someone edited the record): forget
    the last intent, so the next plan writes the ledger's values again. False when a
    write of the record is pending anyway (it will put them back)."""
    with ledger.transaction() as session:
        row = session.get(WrittenRow, (kind, target))
        if row is None:
            return False
        previous = outbox.get(session, row.outbox_key)
        if previous is not None and previous.status == "pending":
            return False
        session.delete(row)
        return True


def plan_writes(ledger: Ledger, intents: Iterable[tuple[str, str, str, dict[str, Any]]],
                run_id: int) -> int:
    """``plan_write`` for many ``(kind, target, content hash, payload)`` at once, a
    chunk of statements per ``CHUNK`` intents instead of three round trips each; the
    caller's transaction holds them all. Returns how many were enqueued."""
    enqueued = 0
    with ledger.transaction() as session:
        for chunk in chunked(intents):
            enqueued += _plan_chunk(ledger, session, chunk, run_id)
    return enqueued


def _plan_chunk(ledger: Ledger, session: Session,
                chunk: list[tuple[str, str, str, dict[str, Any]]], run_id: int) -> int:
    latest = {(kind, target): (digest, payload) for kind, target, digest, payload in chunk}
    known: dict[tuple[str, str], WrittenRow] = {}
    for kind in {kind for kind, _ in latest}:
        targets = [target for k, target in latest if k == kind]
        known |= {(row.kind, row.target): row for row in session.scalars(select(WrittenRow)
                  .where(WrittenRow.kind == kind, WrittenRow.target.in_(targets)))}
    first: list[tuple[str, str, str, dict[str, Any]]] = []
    planned = 0
    for (kind, target), (digest, payload) in latest.items():
        row = known.get((kind, target))
        if row is not None and row.content_hash == digest:
            continue
        planned += 1
        if row is None:
            first.append((kind, target, digest, payload))
        else:
            plan_write(ledger, kind, target, digest, payload, run_id)
    _first_writes(ledger, session, first, run_id)
    return planned


def _first_writes(ledger: Ledger, session: Session,
                  intents: list[tuple[str, str, str, dict[str, Any]]], run_id: int) -> None:
    """Records never written: nothing to supersede, so two bulk inserts."""
    if not intents:
        return
    now = ledger.now()
    keys = [f"{kind}:{target}:{digest}:run{run_id}" for kind, target, digest, _ in intents]
    connection = session.connection()
    upsert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    outbox = table_of(OutboxRow)
    insert_rows(connection, outbox, [
        {"key": key, "kind": kind, "target": target, "payload": payload}
        for key, (kind, target, _, payload) in zip(keys, intents, strict=True)],
        {"status": "pending", "attempts": 0, "created_at": now, "updated_at": now},
        statement=upsert(outbox).on_conflict_do_nothing(index_elements=["key"]))
    insert_rows(connection, table_of(WrittenRow), [
        {"kind": kind, "target": target, "content_hash": digest, "outbox_key": key}
        for key, (kind, target, digest, _) in zip(keys, intents, strict=True)],
        {"updated_at": now})


def confirm_all(ledger: Ledger, results: Mapping[str, dict[str, Any]]) -> None:
    """``ledger.confirm`` for many pending outbox keys at once (key -> result); a key no
    longer pending is confirmed one by one, which says why it cannot be."""
    if not results:
        return
    with ledger.transaction() as session:
        rows = session.execute(select(OutboxRow.key, OutboxRow.attempts).where(
            OutboxRow.key.in_(list(results)), OutboxRow.status == "pending")).all()
        now = ledger.now()
        if rows:
            session.execute(update(OutboxRow), [
                {"key": key, "status": "sent", "result": results[key], "last_error": None,
                 "attempts": attempts + 1, "updated_at": now} for key, attempts in rows])
        for key in set(results) - {key for key, _ in rows}:
            ledger.confirm(key, results[key])
