"""The read mirror, on the ledger's database (the write memory: ``sync.ledger.written``).

``Mirror`` keeps the last copy of every vendor record read, so an incremental pull
(only what changed since a cursor) still gives the engine the whole portal. It is
updated in the same transaction as the cursor that covers it.

"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from sync.ledger.bulk import insert_rows
from sync.ledger.models import CursorRow, MirrorRow, table_of
from sync.ledger.store import Ledger

CHUNK = 1000  # records a statement or a read page
T = TypeVar("T")
Digest = Callable[[str, dict[str, Any]], str]  # (object type, body) -> digest
Encode = Callable[[str, dict[str, Any]], bytes | None]  # (object type, body) -> mapped


class Mirror:
    """Bodies are read and written in chunks (``CHUNK`` records a statement, each read
    page its own short transaction), so a 345,000-invoice portal never sits in memory
    whole and no transaction holds SQLite's write lock for long."""

    def __init__(self, ledger: Ledger, digest: Digest | None = None,
                 encode: Encode | None = None) -> None:
        self._ledger = ledger
        # What the engine reads of a record, as a digest (``sync.pull.decision_content``):
        # a record whose body changed but not that keeps its ``input_run``. None: every
        # change counts.
        self._digest = digest
        # The record mapped, stored with its body (``sync.pull.mapped``); None: not kept.
        self._encode = encode

    def upsert(self, object_type: str, records: Iterable[tuple[str, dict[str, Any]]],
               run_id: int) -> int:
        """Store records read now; returns how many were new or changed."""
        changed = 0
        with self._ledger.transaction() as session:
            for chunk in chunked(records):
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
        mapped = self._encode(object_type, body) if self._encode is not None else None
        return {"record_id": record_id, "body": body, "input_digest": digest,
                "input_run": input_run, "mapped": mapped}

    def replace_all(self, object_type: str, records: Iterable[tuple[str, dict[str, Any]]],
                    run_id: int) -> tuple[int, int]:
        """A full listing: store it and forget records it no longer has (archived,
        merged, deleted). Returns (new or changed, removed)."""
        with self._ledger.transaction():
            listed: set[str] = set()
            changed = 0
            for chunk in chunked(records):
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
        rows = table_of(MirrorRow).c  # Core: no ORM loading for 340,000 bodies
        yield from (body for _, body in self._paged(object_type, rows.body, CHUNK))

    def stream_mapped(self, object_type: str) -> Iterator[tuple[str, bytes | None]]:
        """(record id, its stored mapped form) of a type in record id order, paged as
        ``stream`` (bigger pages: the forms are small); the bodies are not read."""
        yield from self._paged(object_type, table_of(MirrorRow).c.mapped, CHUNK * 5)

    def _paged(self, object_type: str, column: Any, size: int) -> Iterator[tuple[str, Any]]:
        rows = table_of(MirrorRow).c
        after: str | None = None
        while True:
            query = select(rows.record_id, column).where(rows.object_type == object_type)
            if after is not None:
                query = query.where(rows.record_id > after)
            with self._ledger.transaction() as session:
                page = [(record_id, value) for record_id, value in session.connection()
                        .execute(query.order_by(rows.record_id).limit(size))]
            yield from page
            if len(page) < size:
                return
            after = page[-1][0]

    def bodies(self, object_type: str, record_ids: list[str]) -> Iterator[
            tuple[str, dict[str, Any]]]:
        rows = table_of(MirrorRow).c
        for start in range(0, len(record_ids), CHUNK):
            with self._ledger.transaction() as session:
                yield from ((record_id, body) for record_id, body in session.connection()
                            .execute(select(rows.record_id, rows.body).where(
                                rows.object_type == object_type,
                                rows.record_id.in_(record_ids[start:start + CHUNK]))))

    def store_mapped(self, object_type: str, mapped: Mapping[str, bytes | None]) -> None:
        """Store mapped forms computed since (the bodies stay as they are)."""
        table = table_of(MirrorRow)
        for chunk in chunked(mapped.items()):
            with self._ledger.transaction() as session:
                session.connection().execute(
                    update(table).where(table.c.object_type == object_type,
                                        table.c.record_id == bindparam("target"))
                    .values(mapped=bindparam("stored")),
                    [{"target": record_id, "stored": stored} for record_id, stored in chunk])

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


def chunked(items: Iterable[T]) -> Iterator[list[T]]:
    """``items`` in lists of ``CHUNK``, the last shorter."""
    chunk: list[T] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def copy_mirror(source: Ledger, target: Ledger) -> None:
    """Seed a scratch ledger with the mirror and its cursors (a dry run pulls into it)."""
    with source.transaction() as session:
        rows = [(row.object_type, row.record_id, row.body, row.read_run, row.mapped)
                for row in session.scalars(select(MirrorRow))]
        cursors = [(row.name, row.value) for row in session.scalars(select(CursorRow))]
    with target.transaction() as session:
        for object_type, record_id, body, read_run, mapped in rows:
            session.add(MirrorRow(object_type=object_type, record_id=record_id, body=body,
                                  read_run=read_run, updated_at=target.now(), mapped=mapped))
        for name, value in cursors:
            target.set_cursor(name, value)
