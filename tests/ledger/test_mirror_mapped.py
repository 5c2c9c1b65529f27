"""The mirror keeps each Stripe invoice mapped beside its body (``sync.pull.mapped``,
issue 14): what a sync decodes is what mapping the bodies gives, the independent path
(``invoices_from_stripe`` over the bodies in id order), on SQLite and PostgreSQL."""

from __future__ import annotations

import copy
import json
from typing import Any

from mappings.stripe.billing import invoices_from_stripe, prices_from_stripe
from sync.domain.inputs import Invoice, Quarantined
from sync.ledger import Ledger
from sync.ledger.mirror import Mirror
from sync.pull import mapped
from sync.pull.mapped import FINGERPRINT, mapped_invoices
from sync.pull.mirror_inputs import Mirrored
from tests.pull.support import DEMO

JSON = dict[str, Any]
INVOICES = Mirrored.STRIPE_INVOICE.value
BAD = {**json.loads((DEMO / "stripe/invoices.json").read_text())[0], "id": "in_zz_bad",
       "status": "paid-ish"}
DELETED = {"id": "in_zz_deleted", "object": "invoice", "deleted": True}


def _bodies() -> list[JSON]:
    demo: list[JSON] = json.loads((DEMO / "stripe/invoices.json").read_text())
    return [*demo, copy.deepcopy(BAD), DELETED]


def _known() -> set[str]:
    prices, _ = prices_from_stripe(json.loads((DEMO / "stripe/prices.json").read_text()))
    return {price.id for price in prices}


def _expected(bodies: list[JSON], known: set[str]) -> tuple[list[Invoice], list[Quarantined]]:
    return invoices_from_stripe(sorted(bodies, key=lambda body: str(body["id"])),
                                known_price_ids=known)


def _stored(ledger: Ledger, bodies: list[JSON], *, encode: bool = True) -> Mirror:
    mirror = Mirror(ledger, None, mapped.encode if encode else None)
    run_id = ledger.start_run("pull", ledger.now())
    mirror.upsert(INVOICES, [(str(body["id"]), body) for body in bodies], run_id)
    return mirror


def _forms(mirror: Mirror) -> dict[str, bytes | None]:
    return dict(mirror.stream_mapped(INVOICES))


def test_stored_invoices_decode_to_what_their_bodies_map_to(ledger: Ledger) -> None:
    bodies = _bodies()
    mirror = _stored(ledger, bodies)
    decoded = mapped_invoices(mirror, _known())
    assert decoded == _expected(bodies, _known())
    quarantined = ["in_5YLz7EkZlZBWsk", "in_6ik9kyKKs39qy5", "in_zz_bad"]  # the demo's two
    assert len(decoded[0]) == 1400 and [bad.record_id for bad in decoded[1]] == quarantined
    forms = _forms(mirror)
    for record_id in quarantined:  # not stored mapped: mapped from the body every run
        assert forms.pop(record_id) is None
    assert forms.pop("in_zz_deleted") == FINGERPRINT + b"D"
    assert len(forms) == 1400 and all(form and form[:9] == FINGERPRINT + b"I"
                                      for form in forms.values())


def test_a_price_no_longer_known_quarantines_its_invoices_as_mapping_does(
        ledger: Ledger) -> None:
    bodies = _bodies()
    mirror = _stored(ledger, bodies)
    known = _known() - {"price_5eq9ctUOaQPPi0"}
    decoded = mapped_invoices(mirror, known)
    assert decoded == _expected(bodies, known)
    assert len(decoded[1]) > 60  # 67 lines name it: the check did quarantine


def test_forms_missing_or_from_other_code_are_mapped_from_the_body_and_stored(
        ledger: Ledger) -> None:
    bodies = _bodies()
    mirror = _stored(ledger, bodies, encode=False)  # as stored before migration 0010
    assert set(_forms(mirror).values()) == {None}
    assert mapped_invoices(mirror, _known()) == _expected(bodies, _known())
    forms = _forms(mirror)
    assert sum(1 for form in forms.values() if form and form[:8] == FINGERPRINT) == 1401
    older = {record_id: b"\x00" * 8 + form[8:] for record_id, form in forms.items() if form}
    mirror.store_mapped(INVOICES, older)  # written by an older release's mapping code
    assert mapped_invoices(mirror, _known()) == _expected(bodies, _known())
    assert _forms(mirror) == forms
    damaged = {record_id: form[:9] + b"\xc1" for record_id, form in forms.items()
               if form and form[8:9] == b"I"}  # 0xc1: never valid msgpack
    mirror.store_mapped(INVOICES, damaged)
    assert mapped_invoices(mirror, _known()) == _expected(bodies, _known())
    assert _forms(mirror) == forms


def test_a_changed_body_is_stored_with_its_new_form(ledger: Ledger) -> None:
    bodies = _bodies()
    mirror = _stored(ledger, bodies)
    first = next(body for body in bodies if body.get("status") == "paid")
    changed = {**first, "amount_paid": first["amount_paid"] + 1}
    mirror.upsert(INVOICES, [(str(first["id"]), changed)],
                  ledger.start_run("pull", ledger.now()))
    updated = [changed if body is first else body for body in bodies]
    assert mapped_invoices(mirror, _known()) == _expected(updated, _known())


def test_the_fingerprint_covers_every_module_the_invoice_mapping_runs() -> None:
    """Code the mapping imports from the project, transitively, is fingerprinted: a
    change to any of it makes every stored form stale."""
    import ast
    from pathlib import Path

    root = Path(__file__).parents[2]
    seen: set[str] = set()
    todo = ["mappings.stripe.invoices"]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        tree = ast.parse((root / (name.replace(".", "/") + ".py")).read_text())
        todo += [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                 and node.module and node.module.split(".")[0] in ("mappings", "sync")]
    assert seen <= set(mapped.MAPPING_MODULES)
