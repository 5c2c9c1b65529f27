"""Invoices in the pinned version's shape (2026-10-28.endive): since 2025-03-31.basil an
invoice has no top-level `subscription`; its subscription is under
`parent.subscription_details`, and each line's subscription item under
`parent.subscription_item_details` (docs/sandbox.md, "Stripe")."""

from __future__ import annotations

import json
import urllib.error
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.stripe import StripeSandbox
from tests.sandbox.stripe_helpers import StripeEnv, fixture_objects, raw, stripe_env

REPO = Path(__file__).parents[2]
FIXTURE_SETS = ["fixtures/demo", "tests/sandbox/fixtures/stripe_billing",
                "tests/adapters/fixtures/stripe_gateway"]
NORTHWIND_SUB = "sub_1QWHtP3fS2qHx6kwXoII"


@pytest.fixture
def env() -> Iterator[StripeEnv]:
    with stripe_env() as served:
        yield served


def test_invoices_served_have_no_top_level_subscription(env: StripeEnv) -> None:
    v1 = env.client.v1
    listed = raw(v1.invoices.list(params={"limit": 100}))["data"]
    assert len(listed) == 8
    draft = v1.invoices.retrieve("in_1QZe2qpUWnoVPDF2yeE6")
    paid = raw(v1.invoices.pay("in_1QciOx9gy1CJdObOIRpF"))
    for invoice in [*listed, raw(draft), paid]:
        assert "subscription" not in invoice, invoice["id"]
        assert invoice["parent"]["type"] == "subscription_details"
    assert raw(draft)["parent"]["subscription_details"]["subscription"] == NORTHWIND_SUB
    assert paid["parent"]["subscription_details"]["subscription"] == "sub_1Qp0zVZomHFwUbbYrEqm"
    assert draft.parent is not None and draft.parent.subscription_details is not None
    assert draft.parent.subscription_details.subscription == NORTHWIND_SUB


def test_invoices_list_by_subscription_reads_the_parent(env: StripeEnv) -> None:
    listed = env.client.v1.invoices.list(params={"subscription": NORTHWIND_SUB})
    assert [i.id for i in listed.data] == [
        "in_1QZe2qpUWnoVPDF2yeE6", "in_1QMGmSrCGIZEG8pSH448", "in_1QENUhJduRHHJEYXg4Jd",
        "in_1QA1id6Vw5DQL05HA064", "in_1QMEQ7wjJJibaZUPgHV7"]
    other = env.client.v1.invoices.list(params={"subscription": "sub_1QogoEmvnEN5N1aE6PwZ"})
    assert [i.id for i in other.data] == ["in_1Qjc01T5GOBUSZGi6HWG"]


def _old_shape_invoice() -> dict[str, Any]:
    invoice = fixture_objects("invoices")[0]
    return {**invoice, "subscription": invoice["parent"]["subscription_details"]["subscription"]}


def test_fixture_invoice_with_a_top_level_subscription_is_refused(tmp_path: Path) -> None:
    (tmp_path / "stripe").mkdir()
    (tmp_path / "stripe" / "invoices.json").write_text(json.dumps([_old_shape_invoice()]))
    with pytest.raises(ValueError, match=r"in_1QMEQ7wjJJibaZUPgHV7.*`subscription`.*"
                                         r"parent\.subscription_details\.subscription"):
        StripeSandbox.from_fixtures(tmp_path)


def _refused(env: StripeEnv, **change: Any) -> str:
    with pytest.raises(urllib.error.HTTPError) as refused:
        env.control.records(**change)
    assert refused.value.code == 400
    message: str = json.loads(refused.value.read())["error"]
    return message


def test_control_add_and_update_refuse_a_top_level_subscription(env: StripeEnv) -> None:
    added = _refused(env, action="add", object="invoice",
                     data={**_old_shape_invoice(), "id": "in_old"})
    assert "in_old" in added and "parent.subscription_details.subscription" in added
    updated = _refused(env, action="update", object="invoice", id="in_1QMEQ7wjJJibaZUPgHV7",
                       fields={"subscription": NORTHWIND_SUB})
    assert "parent.subscription_details.subscription" in updated
    assert [i.id for i in env.client.v1.invoices.list(params={"limit": 100}).data
            if i.id == "in_old"] == []
    served = raw(env.client.v1.invoices.retrieve("in_1QMEQ7wjJJibaZUPgHV7"))
    assert "subscription" not in served


@pytest.mark.parametrize("fixture_set", FIXTURE_SETS)
def test_fixture_sets_name_subscriptions_under_parent(fixture_set: str) -> None:
    invoices = json.loads((REPO / fixture_set / "stripe" / "invoices.json").read_text("utf-8"))
    assert invoices
    for invoice in invoices:
        assert "subscription" not in invoice, invoice["id"]
        parent = invoice["parent"]
        assert parent["type"] == "subscription_details", invoice["id"]
        subscription = parent["subscription_details"]["subscription"]
        assert subscription.startswith("sub_"), invoice["id"]
        for line in invoice["lines"]["data"]:
            assert {"type", "proration", "subscription_item", "price", "plan"}.isdisjoint(line)
            details = line["parent"]["subscription_item_details"]
            assert details["subscription"] == subscription, line["id"]
            assert details["subscription_item"].startswith("si_"), line["id"]
