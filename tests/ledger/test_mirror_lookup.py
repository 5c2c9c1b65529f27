"""Mirrored records found by a value inside their JSON, on SQLite and PostgreSQL (the
SQL differs: json_extract and text, jsonb's ->> and its text form)."""

from __future__ import annotations

from typing import Any

from sync.ledger import Ledger
from sync.ledger import mirror_lookup as lookup
from sync.ledger.mirror import Mirror

COMPANIES: dict[str, dict[str, Any]] = {
    "7201": {"id": "7201", "properties": {"name": "Globex", "domain": "www.Globex.example"}},
    "7202": {"id": "7202", "properties": {"name": "Globex Asia", "domain": "asia-globex.example"}},
    "7203": {"id": "7203", "properties": {"name": "Wildcard", "domain": "g_obex.example"}},
    "7204": {"id": "7204", "properties": {"name": "No domain", "domain": None}},
}
DEALS: dict[str, dict[str, Any]] = {
    "8201": {"id": "8201", "properties": {"dealname": "Globex"},
             "associations": {"companies": {"results": [{"id": "7201"}]}}},
    "8202": {"id": "8202", "properties": {"dealname": "72011"},  # holds 7201, not as "7201"
             "associations": {"companies": {"results": [{"id": "7204"}]}}},
}
INVOICES: dict[str, dict[str, Any]] = {
    "in_1": {"id": "in_1", "customer": "cus_A", "description": "for cus_B"},
    "in_2": {"id": "in_2", "customer": "cus_B", "description": None},
}


def stored(ledger: Ledger) -> Ledger:
    mirror = Mirror(ledger)
    mirror.upsert("hubspot.company", COMPANIES.items(), run_id=1)
    mirror.upsert("hubspot.deal", DEALS.items(), run_id=1)
    mirror.upsert("stripe.invoice", INVOICES.items(), run_id=1)
    return ledger


def test_containing_text_at_ignores_case_and_escapes_wildcards(ledger: Ledger) -> None:
    stored(ledger)
    found = lookup.containing_text_at(ledger, ["hubspot.company", "hubspot.partner"],
                                      ("properties", "domain"), "globex.example")
    assert set(found) == {"7201", "7202"}  # a superset: asia-globex.example too
    assert found["7201"] == COMPANIES["7201"]
    assert set(lookup.containing_text_at(ledger, ["hubspot.company"],
                                         ("properties", "domain"), "g_obex")) == {"7203"}
    assert lookup.containing_text_at(ledger, ["hubspot.deal"], ("properties", "domain"),
                                     "globex") == {}


def test_mentioning_finds_a_quoted_value_anywhere(ledger: Ledger) -> None:
    stored(ledger)
    assert set(lookup.mentioning(ledger, ["hubspot.deal"], {"7201"})) == {"8201"}
    assert set(lookup.mentioning(ledger, ["hubspot.deal"], {"7201", "7204"})) == {
        "8201", "8202"}
    assert lookup.mentioning(ledger, ["hubspot.deal"], set()) == {}


def test_with_value_at_compares_the_value_at_the_path(ledger: Ledger) -> None:
    stored(ledger)
    assert set(lookup.with_value_at(ledger, ["stripe.invoice"], ("customer",),
                                    {"cus_B"})) == {"in_2"}  # in_1 mentions it elsewhere
    assert lookup.with_value_at(ledger, ["stripe.invoice"], ("customer",), set()) == {}
    assert set(lookup.by_id(ledger, ["stripe.invoice"], {"in_1", "in_9"})) == {"in_1"}
