"""``fixtures/demo``: in sync with its script, and exercising every R10 status and the
cases docs/rules.md's rules need (engine run at 2026-11-01, default programme)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from mappings.assemble import load_fixture_dir
from sandbox.synthetic.demo import Malformed, build_demo
from sandbox.synthetic.demo_book import Case
from sandbox.synthetic.portal import portal_json
from sync.config.programme_file import default_programme
from sync.domain.decisions import AttributionStatus, Decisions, LedgerState, LineKind
from sync.domain.inputs import Inputs, Tier
from sync.engine.decide import decide

DEMO = Path(__file__).parents[2] / "fixtures" / "demo"
AS_OF = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def built() -> tuple[list[Case], list[Malformed]]:
    _, cases, malformed = build_demo()
    return cases, malformed


@pytest.fixture(scope="module")
def inputs() -> Inputs:
    return load_fixture_dir(DEMO)


@pytest.fixture(scope="module")
def decisions(inputs: Inputs) -> Decisions:
    return decide(inputs, LedgerState(), AS_OF, default_programme())


def test_fixture_files_equal_what_the_script_generates() -> None:
    portal, _, _ = build_demo()
    for relative, text in portal_json(portal).items():
        on_disk = (DEMO / relative).read_text(encoding="utf-8")
        assert on_disk == text, f"{relative} drifted: run python -m sandbox.synthetic demo"


def test_every_r10_status_appears(decisions: Decisions) -> None:
    assert {deal.status for deal in decisions.deals} == set(AttributionStatus)
    sources = {deal.source for deal in decisions.deals if deal.source is not None}
    assert {source.value for source in sources} == {"deal_registration", "referral_link"}


def test_scale(inputs: Inputs) -> None:
    tiers = {partner.tier.at(AS_OF) or partner.tier.values()[0] for partner in inputs.partners}
    assert len(inputs.partners) >= 12
    assert set(Tier) <= tiers
    assert len(inputs.deals) >= 150
    assert len(inputs.customers) >= 100


def test_lines_payouts_and_reviews(decisions: Decisions) -> None:
    kinds = {line.kind for line in decisions.ledger.lines}
    assert {LineKind.RECURRING, LineKind.FLAT} <= kinds
    assert decisions.ledger.payouts
    assert any(payout.minimum_waived for payout in decisions.ledger.payouts)  # R23
    assert decisions.reviews


def test_bonus_rate_line_for_the_partner_tier(decisions: Decisions) -> None:
    assert any(line.tier is Tier.PARTNER and line.rate == Decimal("0.30")
               and line.basis > 100000 for line in decisions.ledger.lines)


def test_premier_partner_earns_mdf(inputs: Inputs, decisions: Decisions) -> None:
    rhone = next(p for p in inputs.partners if p.name == "Infogérance Rhône-Alpes")
    assert sum(m.mdf for m in decisions.metrics if m.partner_id == rhone.id) > 0


def test_planted_malformed_records_are_quarantined(
        decisions: Decisions, built: tuple[list[Case], list[Malformed]]) -> None:
    _, malformed = built
    assert len(malformed) == 4
    found = {(q.object_type, q.record_id, q.field) for q in decisions.quarantined}
    for item in malformed:
        assert any(kind == item.object_type and record == item.record_id
                   and field.startswith(item.field) for kind, record, field in found), item


def test_frozen_attribution_raises_a_review_when_hubspot_changes(
        inputs: Inputs, decisions: Decisions, built: tuple[list[Case], list[Malformed]]) -> None:
    """R10a: the winning deal of a paid-out customer disappears from HubSpot."""
    cases, _ = built
    customer, deal = cases[0].records
    changed = replace(inputs, deals=tuple(d for d in inputs.deals if d.id != deal))
    later = decide(changed, decisions.ledger, AS_OF, default_programme())
    assert any(r.rule == "R10a" and r.subject == customer for r in later.reviews)
