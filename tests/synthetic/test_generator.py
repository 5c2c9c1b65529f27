"""The generator: deterministic, and every object in its vendor's exact shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sandbox.synthetic import Portal, generate_portal, write_portal
from sandbox.synthetic.generate import generate_scenario, iter_portal
from sandbox.synthetic.portal import FILES, portal_json, write_portal_chunks
from sandbox.synthetic.reference import reference, resource_names
from tests.reference import pinned_example, pinned_keys

SMALL = {"partners": 12, "deals": 160, "customers": 90, "months": 18, "start": "2025-05"}
STRIPE_FILES = {"customers": "customer", "products": "product", "prices": "price",
                "subscriptions": "subscription", "invoices": "invoice",
                "accounts": "account", "coupons": "coupon"}
CRM_KEYS = {"id", "properties", "propertiesWithHistory", "createdAt", "updatedAt", "archived"}


@pytest.fixture(scope="module")
def portal() -> Portal:
    return generate_portal(7, **SMALL)  # type: ignore[arg-type]


def test_same_seed_gives_identical_json(portal: Portal) -> None:
    again = generate_portal(7, **SMALL)  # type: ignore[arg-type]
    assert portal_json(again) == portal_json(portal)


def test_another_seed_gives_another_portal(portal: Portal) -> None:
    other = generate_portal(8, **SMALL)  # type: ignore[arg-type]
    assert portal_json(other)["stripe/invoices.json"] != portal_json(portal)[
        "stripe/invoices.json"]


def test_sizes_follow_the_arguments(portal: Portal) -> None:
    assert len(portal.deals) == SMALL["deals"]
    assert len(portal.customers) == SMALL["customers"]
    partners = [c for c in portal.companies if c["properties"]["vmc_partner_tier"] is not None]
    assert len(partners) == SMALL["partners"]


def test_streamed_files_equal_written_files(tmp_path: Path) -> None:
    scenario = generate_scenario(3, **SMALL)  # type: ignore[arg-type]
    write_portal_chunks(iter_portal(scenario, batch=7), tmp_path / "streamed")
    whole = Portal()
    for part in iter_portal(scenario):
        whole.extend(part)
    write_portal(whole, tmp_path / "whole")
    for relative in FILES.values():
        streamed = (tmp_path / "streamed" / relative).read_text(encoding="utf-8")
        assert streamed == (tmp_path / "whole" / relative).read_text(encoding="utf-8")
        assert json.loads(streamed) == json.loads(json.dumps(getattr(whole, _name(relative))))


def _name(relative: str) -> str:
    return next(name for name, path in FILES.items() if path == relative)


@pytest.mark.parametrize(("file", "resource"), sorted(STRIPE_FILES.items()))
def test_stripe_objects_have_exactly_the_reference_keys(
        portal: Portal, file: str, resource: str) -> None:
    expected = pinned_keys(resource)
    objects = getattr(portal, file)
    assert objects
    for obj in objects:
        assert set(obj) == expected, obj["id"]
        assert obj["object"] == resource


def test_nested_lines_and_items_have_the_reference_keys(portal: Portal) -> None:
    line_keys = pinned_keys("line_item")
    item_keys = pinned_keys("subscription_item")
    for invoice in portal.invoices:
        assert invoice["lines"]["has_more"] is False
        assert invoice["parent"]["type"] == "subscription_details"
        subscription = invoice["parent"]["subscription_details"]["subscription"]
        for line in invoice["lines"]["data"]:
            assert set(line) == line_keys
            assert line["pricing"]["type"] == "price_details"
            assert line["parent"]["type"] == "subscription_item_details"
            assert line["parent"]["subscription_item_details"]["subscription"] == subscription
    for subscription in portal.subscriptions:
        assert all(set(item) == item_keys for item in subscription["items"]["data"])


def test_vendored_reference_matches_the_published_one(stripe_reference: dict[str, Any]) -> None:
    """The generator starts from Stripe's published examples, without the keys the
    pinned version removed (tests/reference/README.md)."""
    assert resource_names() == ("account", "coupon", "customer", "discount", "invoice",
                                "line_item", "price", "product", "subscription",
                                "subscription_item")
    for name in resource_names():
        assert reference(name) == pinned_example(name)
        assert set(stripe_reference[name]) - set(reference(name)) == (
            {"subscription"} if name == "invoice" else set())


def test_hubspot_records_are_crm_v3_objects(portal: Portal) -> None:
    for record in portal.companies + portal.deals:
        assert CRM_KEYS <= set(record) <= CRM_KEYS | {"associations"}
        assert all(value is None or isinstance(value, str)
                   for value in record["properties"].values())
        assert record["properties"]["hs_object_id"] == record["id"]
        for entries in record["propertiesWithHistory"].values():
            stamps = [entry["timestamp"] for entry in entries]
            assert stamps == sorted(stamps, reverse=True)  # newest first
            assert all(stamp.endswith("Z") and len(stamp) == 24 for stamp in stamps)
    for deal in portal.deals:
        for link in deal.get("associations", {}).get("companies", {}).get("results", []):
            assert link["type"] == "deal_to_company"
