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

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from sync.ledger import outbox
from sync.ledger.bulk import insert_rows
from sync.ledger.models import CursorRow, MirrorRow, OutboxRow, WrittenRow, table_of
from sync.ledger.store import Ledger

CHUNK = 1000  # records a statement or a read page
T = TypeVar("T")
Digest = Callable[[str, dict[str, Any]], str]  # (object type, body) -> digest


class Mirror:
    """Bodies are read and written in chunks (``CHUNK`` records a statement, each read
    page its own short transaction), so a 345,000-invoice portal never sits in memory
    whole and no transaction holds SQLite's write lock for long."""

    def __init__(self, ledger: Ledger, digest: Digest | None = None) -> None:
        self._ledger = ledger
        # What the engine reads of a record, as a digest (``sync.pull.decision_content``):
        # a record whose body changed but not that keeps its ``input_run``. None: every
        # change counts.
        self._digest = digest

    def upsert(self, object_type: str, records: Iterable[tuple[str, dict[str, Any]]],
               run_id: int) -> int:
        """Store records read now; returns how many were new or changed."""
        changed = 0
        with self._ledger.transaction() as session:
            for chunk in _chunked(records):
                changed += self._upsert_chunk(session, object_type, dict(chunk), run_id)
        return changed

    def _upsert_chunk(self, session: Session, object_type: str,
                      latest: dict[str, dict[str, Any]], run_id: int) -> int:
        table = table_of(MirrorRow)  # Core: the ORM's bulk paths cost more than SQLite
        connection = session.connection()
        stored = {record_id: (body, digest, input_run) for record_id, body, digest, input_run
                  in connection.execute(select(
                      table.c.record_id, table.c.body, table.c.input_digest,
                      table.c.input_run).where(
                      table.c.object_type == object_type,
                      table.c.record_id.in_(list(latest))))}
        shared = {"object_type": object_type, "read_run": run_id,
                  "updated_at": self._ledger.now()}
        rows = [self._row(object_type, record_id, body, stored.get(record_id), run_id)
                for record_id, body in latest.items()
                if record_id not in stored or stored[record_id][0] != body]
        insert_rows(connection, table, [row for row in rows if row["record_id"] not in stored],
                    shared)
        changed = [{**row, **shared} for row in rows if row["record_id"] in stored]
        if changed:
            session.execute(update(MirrorRow), changed)
        return len(rows)

    def _row(self, object_type: str, record_id: str, body: dict[str, Any],
             stored: tuple[Any, str | None, int | None] | None, run_id: int) -> dict[str, Any]:
        digest = self._digest(object_type, body) if self._digest is not None else None
        input_run = run_id  # new, or what the engine reads of it changed (or unknown)
        if stored is not None and digest is not None and stored[1] == digest:
            input_run = stored[2] or run_id
        return {"record_id": record_id, "body": body, "input_digest": digest,
                "input_run": input_run}

    def replace_all(self, object_type: str, records: Iterable[tuple[str, dict[str, Any]]],
                    run_id: int) -> tuple[int, int]:
        """A full listing: store it and forget records it no longer has (archived,
        merged, deleted). Returns (new or changed, removed)."""
        with self._ledger.transaction():
            listed: set[str] = set()
            changed = 0
            for chunk in _chunked(records):
                listed.update(record_id for record_id, _ in chunk)
                changed += self.upsert(object_type, chunk, run_id)
            # Every listed record is stored now: as many rows as listed means no others.
            removed = (0 if self.count(object_type) == len(listed)
                       else self.remove_except(object_type, listed))
        return changed, removed

    def remove_except(self, object_type: str, keep: set[str]) -> int:
        """Forget the records of a type not in ``keep``; returns how many."""
        gone = [record_id for record_id in self.ids(object_type) if record_id not in keep]
        self.remove(object_type, gone)
        return len(gone)

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
        return list(self.stream(object_type))

    def stream(self, object_type: str) -> Iterator[dict[str, Any]]:
        """The bodies of a type in record id order, read a page at a time, each page in
        its own transaction (on SQLite every transaction takes the write lock)."""
        after: str | None = None
        rows = table_of(MirrorRow).c  # Core: no ORM loading for 340,000 bodies
        while True:
            query = select(rows.record_id, rows.body).where(rows.object_type == object_type)
            if after is not None:
                query = query.where(rows.record_id > after)
            with self._ledger.transaction() as session:
                page = list(session.connection().execute(
                    query.order_by(rows.record_id).limit(CHUNK)))
            for _, body in page:
                yield body
            if len(page) < CHUNK:
                return
            after = page[-1][0]

    def ids(self, object_type: str) -> set[str]:
        with self._ledger.transaction() as session:
            return set(session.scalars(select(MirrorRow.record_id).where(
                MirrorRow.object_type == object_type)))

    def input_marks(self, object_types: Iterable[str]) -> dict[str, tuple[int, int]]:
        """Per type: (records, the latest ``input_run``). Equal marks mean the engine
        reads the same records as when they were taken: a change moves the latest run,
        a removal the count (an addition both)."""
        rows = table_of(MirrorRow).c
        with self._ledger.transaction() as session:
            found = session.connection().execute(
                select(rows.object_type, func.count(), func.max(rows.input_run))
                .where(rows.object_type.in_(list(object_types)))
                .group_by(rows.object_type)).all()
        return {object_type: (count, latest or 0) for object_type, count, latest in found}

    def count(self, object_type: str) -> int:
        with self._ledger.transaction() as session:
            return session.scalar(select(func.count()).select_from(MirrorRow).where(
                MirrorRow.object_type == object_type)) or 0


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
        for chunk in _chunked(intents):
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


def _chunked(items: Iterable[T]) -> Iterator[list[T]]:
    """``items`` in lists of ``CHUNK``, the last shorter."""
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


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
