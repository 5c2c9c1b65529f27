"""The read mirror and the write memory (one intent per record content)."""

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from sync.ledger import Ledger
from sync.ledger.bulk import insert_rows
from sync.ledger.mirror import Mirror, copy_mirror
from sync.ledger.models import MirrorRow, table_of
from sync.ledger.written import plan_write


def test_mirror_upsert_counts_only_new_or_changed_records(ledger: Ledger) -> None:
    mirror = Mirror(ledger)
    assert mirror.upsert("deal", [("1", {"id": "1", "v": 1}), ("2", {"id": "2"})], 1) == 2
    assert mirror.upsert("deal", [("1", {"id": "1", "v": 1})], 2) == 0
    assert mirror.upsert("deal", [("1", {"id": "1", "v": 2})], 3) == 1
    assert mirror.records("deal") == [{"id": "1", "v": 2}, {"id": "2"}]
    assert mirror.records("company") == []


def test_full_listing_forgets_records_no_longer_listed(ledger: Ledger) -> None:
    mirror = Mirror(ledger)
    mirror.upsert("deal", [(str(n), {"id": str(n)}) for n in range(5)], 1)
    assert mirror.replace_all("deal", [("1", {"id": "1"}), ("9", {"id": "9"})], 2) == (1, 4)
    assert mirror.ids("deal") == {"1", "9"}


def test_full_listing_of_as_many_records_but_other_ids_still_forgets_the_old_ones(
        ledger: Ledger) -> None:
    # replace_all skips the search for records to forget when the type holds exactly as
    # many rows as were listed: that must not be fooled by a listing of the same size.
    mirror = Mirror(ledger)
    mirror.upsert("deal", [(str(n), {"id": str(n)}) for n in range(3)], 1)
    listing = [("0", {"id": "0"}), ("7", {"id": "7"}), ("8", {"id": "8"})]
    assert mirror.replace_all("deal", listing, 2) == (2, 2)
    assert mirror.ids("deal") == {"0", "7", "8"} and mirror.count("deal") == 3


def test_full_listing_with_an_id_listed_twice_keeps_the_last_and_forgets_nothing_listed(
        ledger: Ledger) -> None:
    mirror = Mirror(ledger)
    mirror.upsert("deal", [("1", {"id": "1"}), ("2", {"id": "2"})], 1)
    listing = [("1", {"id": "1", "v": 1}), ("2", {"id": "2"}), ("1", {"id": "1", "v": 2})]
    assert mirror.replace_all("deal", listing, 2)[1] == 0
    assert mirror.records("deal") == [{"id": "1", "v": 2}, {"id": "2"}]
    assert mirror.count("deal") == 2 and mirror.count("company") == 0


def test_mirror_and_cursor_commit_together_or_not_at_all(ledger: Ledger) -> None:
    mirror = Mirror(ledger)

    def killed_before_commit() -> None:
        with ledger.transaction():
            mirror.upsert("deal", [("1", {"id": "1"})], 1)
            ledger.set_cursor("hubspot.deals", "2026-01-01T00:00:00Z")
            raise RuntimeError("killed before commit")

    with pytest.raises(RuntimeError):
        killed_before_commit()
    assert mirror.ids("deal") == set() and ledger.get_cursor("hubspot.deals") is None


def test_the_same_content_is_written_once_and_a_change_supersedes_a_pending_write(ledger: Ledger) -> None:
    first = plan_write(ledger, "hubspot.line", "vmcl_1", "aaa", {"amount": "1.00"}, run_id=1)
    assert first == "hubspot.line:vmcl_1:aaa:run1"
    assert plan_write(ledger, "hubspot.line", "vmcl_1", "aaa", {"amount": "1.00"}, run_id=2) is None
    second = plan_write(ledger, "hubspot.line", "vmcl_1", "bbb", {"amount": "2.00"}, run_id=3)
    assert [entry.key for entry in ledger.pending()] == [second]
    stale = ledger.outbox_entry(first)
    assert stale is not None and stale.status == "failed" and "superseded" in (stale.last_error or "")
    ledger.confirm(second or "", {})
    # Back to the first content: a real change again, so written again under a new key.
    third = plan_write(ledger, "hubspot.line", "vmcl_1", "aaa", {"amount": "1.00"}, run_id=4)
    assert third == "hubspot.line:vmcl_1:aaa:run4"


def test_copy_mirror_seeds_a_scratch_ledger_with_records_and_cursors(ledger: Ledger, tmp_path: Path) -> None:
    Mirror(ledger).upsert("deal", [("1", {"id": "1"})], 1)
    ledger.set_cursor("hubspot.deals.modified_since", "2026-01-01T00:00:00Z")
    scratch = Ledger.open(f"sqlite:///{tmp_path / 'scratch.db'}")
    scratch.migrate()
    copy_mirror(ledger, scratch)
    assert Mirror(scratch).records("deal") == [{"id": "1"}]
    assert scratch.get_cursor("hubspot.deals.modified_since") == "2026-01-01T00:00:00Z"
    scratch.close()


def test_rows_inserted_through_the_driver_read_back_as_sqlalchemy_binds_them(
        ledger: Ledger) -> None:
    """``insert_rows`` binds values itself (JSON, aware UTC): what it stores reads back
    exactly like a row inserted the ordinary way, on SQLite and PostgreSQL."""
    table = table_of(MirrorRow)
    body = {"name": "Müller & Söhne \u2603", "amount": 10**20, "nested": [None, 1.5, {"a": []}]}
    when = datetime(2026, 3, 1, 12, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    shared = {"object_type": "deal", "read_run": 7, "updated_at": when}
    with ledger.transaction() as session:
        insert_rows(session.connection(), table, [{"record_id": "a", "body": body}], shared)
        session.connection().execute(insert(table), [{"record_id": "b", "body": body, **shared}])
    with ledger.transaction() as session:
        rows = {row.record_id: row for row in session.scalars(select(MirrorRow))}
    assert {name: getattr(rows["a"], name) for name in ("object_type", "body", "read_run",
                                                        "updated_at")} == {
        name: getattr(rows["b"], name) for name in ("object_type", "body", "read_run",
                                                    "updated_at")}
    assert rows["a"].body == body and rows["a"].updated_at == when
    assert rows["a"].updated_at.tzinfo is UTC


def test_input_run_moves_only_when_what_the_engine_reads_changes(ledger: Ledger) -> None:
    # The digest here reads "v" only: a change of "ours" is the worker's own write.
    mirror = Mirror(ledger, lambda _type, body: str(body.get("v")))
    mirror.upsert("deal", [("1", {"v": 1, "ours": "a"}), ("2", {"v": 5})], 1)
    assert mirror.input_marks(["deal"]) == {"deal": (2, 1)}
    assert mirror.upsert("deal", [("1", {"v": 1, "ours": "b"})], 2) == 1  # stored anew
    assert mirror.records("deal")[0] == {"v": 1, "ours": "b"}
    assert mirror.input_marks(["deal"]) == {"deal": (2, 1)}  # but not an input change
    mirror.upsert("deal", [("2", {"v": 6})], 3)
    assert mirror.input_marks(["deal", "company"]) == {"deal": (2, 3)}
    mirror.remove("deal", ["1"])
    assert mirror.input_marks(["deal"]) == {"deal": (1, 3)}  # a removal moves the count
