"""``Ledger``: the durable state of the worker, on SQLite or PostgreSQL.

Every method runs in a unit of work. Inside ``with ledger.transaction():`` the methods
called take part in that one transaction (so data and the cursor covering it commit
together, or neither does); outside it, each method commits on its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from sync.domain.decisions import Decisions, LedgerState
from sync.domain.months import require_utc
from sync.engine.partner_facts import ProgrammeFacts
from sync.ledger import outbox, transitions, views
from sync.ledger.checkpoints import checkpointer_for
from sync.ledger.database import READ_ONLY, connection_failure, ledger_engine
from sync.ledger.decisions import record_decisions
from sync.ledger.errors import (
    LedgerMissing,
    RunStateError,
    StaleDecisionsError,
    UnknownRecordError,
    scrub,
)
from sync.ledger.facts import FactsWritten, write_facts
from sync.ledger.generation import generation
from sync.ledger.locks import advisory_lock, lease_lock
from sync.ledger.migrate import current_revision, head_revision, upgrade
from sync.ledger.models import (
    CursorRow,
    FindingRow,
    FrozenAttributionRow,
    LineRow,
    LineVersionRow,
    RunRow,
)
from sync.ledger.portal import PortalMethods
from sync.ledger.portal_sessions import SessionMethods
from sync.ledger.records import (
    Finding,
    LineVersion,
    OutboxEntry,
    RunRecord,
    frozen_of,
    line_of,
    rate_value,
)
from sync.ledger.store_payouts import PayoutMethods
from sync.ledger.webhooks import WebhookMethods

Clock = Callable[[], datetime]
FINISHED = ("succeeded", "failed", "stopped")


def _unit_options(dialect: str, snapshot: bool, read_only: bool) -> dict[str, Any]:
    if dialect != "postgresql":
        return {READ_ONLY: True} if read_only else {}
    options: dict[str, Any] = {"postgresql_readonly": True} if read_only else {}
    if snapshot:
        options["isolation_level"] = "REPEATABLE READ"
    return options


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _run_of(row: RunRow | None) -> RunRecord | None:
    if row is None:
        return None
    return RunRecord(row.id, row.kind, row.as_of, row.dry_run, row.status, row.started_at,
                     row.finished_at, row.recorded_at, row.summary, row.error)


class Ledger(PayoutMethods, PortalMethods, SessionMethods, WebhookMethods):
    def __init__(self, engine: Engine, clock: Clock = _utc_now) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._clock = clock
        self._local = threading.local()  # the open unit of work, per thread
        self._checkpointer = checkpointer_for(engine)  # SQLite: the log copied back apart

    @classmethod
    def open(cls, url: str, *, clock: Clock = _utc_now, create: bool = True) -> Ledger:
        """The ledger at ``url``; ``create=False`` refuses a missing SQLite file."""
        return cls(ledger_engine(url, create=create), clock)

    def migrate(self, *, create: bool = True) -> None:
        """Bring the schema to the newest revision. A database that does not answer is
        ``DatabaseUnavailable`` (or a configuration error when it refused us);
        ``create=False`` refuses a database that holds no ledger yet."""
        try:
            revision = current_revision(self.engine)
        except DBAPIError as error:
            raise connection_failure(error, self.engine.url) from None
        if revision is None and not create:
            raise LedgerMissing("the database holds no ledger")
        upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()
        if self._checkpointer is not None:
            self._checkpointer.close()

    def now(self) -> datetime:
        return require_utc(self._clock(), "ledger clock")

    @contextmanager
    def transaction(self, *, snapshot: bool = False,
                    read_only: bool = False) -> Iterator[Session]:
        """One unit of work; nested calls join the outer one. Commits on success.
        ``snapshot``: all reads see one instant (REPEATABLE READ on PostgreSQL; SQLite's
        transactions already do). ``read_only``: a unit that only reads (the portal's
        pages) takes no write lock, so it never waits behind a sync on SQLite, and a
        write in it fails on both databases."""
        current: Session | None = getattr(self._local, "session", None)
        if current is not None:
            yield current
            return
        with self._sessions.begin() as session:
            options = _unit_options(self.engine.dialect.name, snapshot, read_only)
            if options:
                session.connection(execution_options=options)
            self._local.session = session
            try:
                yield session
            finally:
                self._local.session = None
        if self._checkpointer is not None:
            self._checkpointer.committed()

    # Engine state (R16, R17, R10a, R22-R24) -------------------------------------------

    def load_state(self) -> LedgerState:
        """Live lines, every payout with its current status, frozen attributions; by id."""
        with self.transaction(snapshot=True) as session:
            lines = session.scalars(
                select(LineRow).where(LineRow.status != "void").order_by(LineRow.id))
            frozen = session.scalars(
                select(FrozenAttributionRow).order_by(FrozenAttributionRow.customer_id))
            return LedgerState(
                lines=tuple(line_of(row) for row in lines),
                payouts=tuple(record.to_payout() for record in transitions.list_payouts(session)),
                frozen_attributions=tuple(frozen_of(row) for row in frozen),
            )

    def view(self, as_of: datetime) -> views.LedgerView:
        """The ledger a plan at ``as_of`` compares with: as it stands now, or, when
        ``as_of`` is before the latest recorded sync, as it stood then (a replay,
        ``views``). One snapshot."""
        with self.transaction(snapshot=True) as session:
            replay = views.replay_of(session, require_utc(as_of, "as_of"))
            return views.view_now(session) if replay is None else views.view_at(session, replay)

    def merged_intents(self, kind: str, cut: RunRecord) -> dict[str, dict[str, Any]]:
        """A replay's view of what the worker had set by ``cut`` (``views``)."""
        with self.transaction() as session:
            return views.merged_intents(session, kind, cut)

    def latest_sync(self) -> RunRecord | None:
        """The recorded sync with the latest ``as_of``: a run before it would rewrite
        what later runs decided."""
        with self.transaction() as session:
            return views.latest_sync(session)

    def record_decisions(self, run_id: int, decisions: Decisions,
                         facts: ProgrammeFacts | None = None) -> FactsWritten | None:
        """All of a run's decisions in one transaction, or none (see ``decisions``), with
        the partner portal's read model of them (``facts``; the sync cycle always passes
        it, ``None`` leaves the read model as it was). Returns what the facts changed."""
        try:
            with self.transaction() as session:
                record_decisions(session, run_id, decisions, self.now())
                if facts is None:
                    return None
                return write_facts(session, run_id, facts, self.now())
        except IntegrityError as error:  # a concurrent writer got there first
            raise StaleDecisionsError(f"run {run_id}: decisions conflict with stored rows "
                                      f"({type(error.orig).__name__}); reload and decide again"
                                      ) from error

    def line_history(self, line_id: str) -> list[LineVersion]:
        with self.transaction() as session:
            rows = session.scalars(select(LineVersionRow).where(LineVersionRow.line_id == line_id)
                                   .order_by(LineVersionRow.version))
            return [LineVersion(row.line_id, row.version, row.action, row.amount, row.basis,
                                rate_value(row.rate), row.explanation, row.payout_id,
                                row.run_id, row.at) for row in rows]

    def line_status(self, line_id: str) -> str | None:
        with self.transaction() as session:
            row = session.get(LineRow, line_id)
            return None if row is None else row.status

    def findings(self, run_id: int | None = None, *, kind: str | None = None,
                 subject: str | None = None) -> list[Finding]:
        """Reviews, unrecovered (R17) and quarantined records of a run; by default of the
        latest run that recorded decisions."""
        with self.transaction() as session:
            if run_id is None:
                run_id = session.scalar(select(RunRow.id).where(RunRow.recorded_at.is_not(None))
                                        .order_by(RunRow.id.desc()).limit(1))
            query = select(FindingRow).where(FindingRow.run_id == run_id)
            if kind is not None:
                query = query.where(FindingRow.kind == kind)
            if subject is not None:
                query = query.where(FindingRow.subject == subject)
            return [Finding(row.run_id, row.kind, row.subject, row.rule, row.message, row.data)
                    for row in session.scalars(query.order_by(FindingRow.id))]

    # Runs and cursors ----------------------------------------------------------------

    def start_run(self, kind: str, as_of: datetime, dry_run: bool = False) -> int:
        with self.transaction() as session:
            row = RunRow(kind=kind, as_of=require_utc(as_of, "as_of"), dry_run=dry_run,
                         status="running", started_at=self.now(), summary={})
            session.add(row)
            session.flush()
            return row.id

    def finish_run(self, run_id: int, status: str, summary: dict[str, Any],
                   error: str | None = None) -> None:
        if status not in FINISHED:
            raise RunStateError(f"a run finishes as one of {FINISHED}, not {status!r}")
        with self.transaction() as session:
            row = session.get(RunRow, run_id, with_for_update=True)
            if row is None:
                raise UnknownRecordError(f"run {run_id} does not exist")
            if row.status != "running":
                raise RunStateError(f"run {run_id} already finished as {row.status}")
            row.status, row.finished_at, row.summary = status, self.now(), summary
            row.error = None if error is None else scrub(error)

    def close_abandoned_runs(self) -> int:
        """Runs still ``running`` when a job takes the lock were killed (nothing else
        could hold it): they end ``stopped`` so the history says so. Returns how many."""
        with self.transaction() as session:
            rows = session.scalars(select(RunRow).where(RunRow.status == "running")).all()
            for row in rows:
                row.status, row.finished_at = "stopped", self.now()
                row.error = "abandoned: the worker stopped before finishing (killed?)"
            return len(rows)

    def last_run(self, kind: str | None = None) -> RunRecord | None:
        with self.transaction() as session:
            query = select(RunRow).order_by(RunRow.id.desc()).limit(1)
            return _run_of(session.scalar(
                query if kind is None else query.where(RunRow.kind == kind)))

    def last_finished_run(self, kind: str, statuses: tuple[str, ...] = FINISHED
                          ) -> RunRecord | None:
        """The latest run of ``kind`` that ended in one of ``statuses``, dry runs aside:
        what ``/healthz`` reports, whichever process or replica ran it."""
        with self.transaction() as session:
            return _run_of(session.scalar(
                select(RunRow).where(RunRow.kind == kind, RunRow.status.in_(statuses),
                                     RunRow.dry_run.is_(False))
                .order_by(RunRow.id.desc()).limit(1)))

    def migrations(self) -> tuple[str | None, str | None]:
        """(the database's revision, the code's head): equal when it is migrated."""
        return current_revision(self.engine), head_revision()

    def generation(self) -> int:
        """Moves on every committed change to lines, payouts, frozen attributions or
        partner controls (``sync.ledger.generation``)."""
        with self.transaction() as session:
            return generation(session)

    def get_cursor(self, name: str) -> str | None:
        with self.transaction() as session:
            row = session.get(CursorRow, name)
            return None if row is None else row.value

    def set_cursor(self, name: str, value: str) -> None:
        """Call inside the ``transaction()`` that writes what the cursor covers."""
        with self.transaction() as session:
            row = session.get(CursorRow, name)
            if row is None:
                session.add(CursorRow(name=name, value=value, updated_at=self.now()))
            else:
                row.value, row.updated_at = value, self.now()

    # Outbox and job locks ------------------------------------------------------------

    def enqueue(self, key: str, kind: str, target: str, payload: dict[str, Any]) -> bool:
        with self.transaction() as session:
            return outbox.enqueue(session, key, kind, target, payload, self.now())

    def pending(self, kind: str | None = None) -> list[OutboxEntry]:
        with self.transaction() as session:
            return outbox.pending(session, kind)

    def outbox_entry(self, key: str) -> OutboxEntry | None:
        with self.transaction() as session:
            return outbox.get(session, key)

    def confirm(self, key: str, result: dict[str, Any]) -> None:
        with self.transaction() as session:
            outbox.confirm(session, key, result, self.now())

    def fail(self, key: str, error: str, *, retry: bool = False) -> None:
        with self.transaction() as session:
            outbox.fail(session, key, error, self.now(), retry=retry)

    def job_lock(self, name: str, *, lease_seconds: float = 900.0
                 ) -> AbstractContextManager[bool]:
        """``with ledger.job_lock("pay") as held:`` -- ``held`` is False when another
        holder has it; never blocks. See ``locks`` for each backend's mechanism."""
        if self.engine.dialect.name == "postgresql":
            return advisory_lock(self.engine, name)
        return lease_lock(self._sessions, name, lease_seconds, self.now)
