"""The programme file: docs/rules.md's defaults (docs/configuration.md), TOML overrides, versioned terms, errors."""

from decimal import Decimal
from pathlib import Path

import pytest

from sync.config.programme_file import ProgrammeError, default_programme, load_programme
from sync.domain.inputs import Tier
from tests.engine.builders import at


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "programme.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_programme_md_numbers() -> None:
    terms = default_programme().terms_at(at("2026-01-01"))
    referral, partner, premier = (terms.tier(t) for t in (Tier.REFERRAL, Tier.PARTNER, Tier.PREMIER))
    assert (referral.rate, referral.window, referral.cadence, referral.minimum_payout) == (
        Decimal("0.20"), 12, "quarterly", 10000)
    assert (partner.rate, partner.bonus_rate, partner.bonus_threshold, partner.window) == (
        Decimal("0.25"), Decimal("0.05"), 100000, 24)
    assert (premier.rate, premier.window, premier.minimum_payout) == (Decimal("0.30"), None, 20000)
    assert (terms.attribution.window_days, terms.flat.amount, terms.mdf.share) == (90, 10000, Decimal("0.05"))
    assert terms.eligibility.premier.trailing12_revenue_min == 500000
    assert terms.eligibility.partner.mrr_brought_min == 50000
    programme = default_programme()
    assert (programme.approval.auto_approve_max, programme.promotion.auto) == (0, False)


def test_file_overrides_only_the_keys_it_sets(tmp_path: Path) -> None:
    programme = load_programme(write(tmp_path, """
[tiers.partner]
rate = "0.27"

[approval]
auto_approve_max = "150.00"

[promotion]
auto = true
"""))
    partner = programme.terms_at(at("2026-01-01")).tier(Tier.PARTNER)
    assert (partner.rate, partner.window, partner.minimum_payout) == (Decimal("0.27"), 24, 20000)
    assert (programme.approval.auto_approve_max, programme.promotion.auto) == (15000, True)


def test_amendments_apply_from_their_date_and_month_m_uses_terms_at_t_m(tmp_path: Path) -> None:
    programme = load_programme(write(tmp_path, """
[[amendments]]
effective_from = 2027-01-01
[amendments.tiers.referral]
rate = "0.22"
"""))
    assert programme.terms_at(at("2026-12-31T23:59:59")).tier(Tier.REFERRAL).rate == Decimal("0.20")
    assert programme.terms_at(at("2027-01-01")).tier(Tier.REFERRAL).rate == Decimal("0.22")
    # t_Dec2026 is just before 2027-01-01: the old terms; t_Jan2027 the new ones.
    assert programme.terms_before(at("2027-01-01")).tier(Tier.REFERRAL).rate == Decimal("0.20")
    assert programme.terms_before(at("2027-02-01")).tier(Tier.REFERRAL).rate == Decimal("0.22")


@pytest.mark.parametrize(("text", "message"), [
    ('[tiers.partner]\nrate = "abc"', 'tiers.partner.rate: expected a decimal rate such as "0.25"'),
    ('[tiers.partner]\nrate = "1.5"', "tiers.partner.rate: expected a rate between 0 and 1"),
    ('[tiers.referral]\nminimum_payout = "10.001"', "tiers.referral.minimum_payout: expected an EUR amount with at most two decimals"),
    ('[tiers.referral]\ncadence = "weekly"', "tiers.referral.cadence: Input should be 'monthly' or 'quarterly'"),
    ('[approval]\nauto_approve_max = "-1.00"', "approval.auto_approve_max: expected an amount >= 0.00"),
    ('[promotion]\nauto = "yes"', "promotion.auto: Input should be a valid boolean"),
    ('[attribution]\nwindow_dayz = 30', "attribution.window_dayz: Extra inputs are not permitted"),
    ("[[amendments]]\n[amendments.tiers.partner]\nrate = \"0.3\"", "amendments[0].effective_from: expected a date"),
    ("rate = ", "is not valid TOML"),
    ('[approval]\napprovers = ["alice"]', "approval.approvers: expected HubSpot user ids (digits)"),
    ('[approval]\napprovers = "1001"', "approval.approvers: expected a list of HubSpot user ids"),
    ('[approval]\nauto_approve_max = "300.00"\ndual_above = "200.00"',
     "approval: dual_above must be at least auto_approve_max"),
    ("[payments]\nconfirm_new_destinations = 1", "payments.confirm_new_destinations: Input should be a valid boolean"),
    ('[portal]\nreferral_link = "vmcloud.fr/?ref={code}"',
     "portal.referral_link: expected an http:// or https:// address (got 'vmcloud.fr/?ref={code}')"),
    ('[portal]\nreferral_link = "ftp://vmcloud.fr/{code}"',
     "portal.referral_link: expected an http:// or https:// address"),
    ('[portal]\nreferral_link = "https://vmcloud.fr/"',
     "portal.referral_link: expected {code} where the partner's referral code goes"),
    ('[portal]\nreferral_link = "https://vmcloud.fr/?ref={code} x"',
     "portal.referral_link: expected an address without spaces"),
    ("[portal]\nreferral_link = 3", "portal.referral_link: expected a text such as"),
    ('[portal]\nreferal_link = "https://vmcloud.fr/?ref={code}"',
     "portal.referal_link: Extra inputs are not permitted"),
    ('[portal]\nregistration_pipeline = "sales pipeline"',
     "portal.registration_pipeline: expected a HubSpot internal id (letters, digits, _ or -, "
     "such as \"default\" or \"appointmentscheduled\"; got 'sales pipeline')"),
    ('[portal]\nregistration_stage = ""', "portal.registration_stage: expected a HubSpot internal id"),
    ("[portal]\nregistration_stage = 42", 'portal.registration_stage: expected a text such as "default"'),
    ('[[amendments]]\neffective_from = 2027-01-01\nportal.referral_link = "https://a.fr/{code}"',
     "amendments[0].portal: Extra inputs are not permitted"),
])
def test_invalid_files_name_the_key_and_what_was_expected(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ProgrammeError) as caught:
        load_programme(write(tmp_path, text))
    assert message in str(caught.value)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProgrammeError, match="cannot read programme file"):
        load_programme(tmp_path / "nope.toml")


def test_amendments_build_in_date_order_whatever_the_file_order(tmp_path: Path) -> None:
    programme = load_programme(write(tmp_path, """
[[amendments]]
effective_from = 2028-01-01
[amendments.tiers.partner]
rate = "0.28"

[[amendments]]
effective_from = 2027-01-01
[amendments.flat]
amount = "150.00"
"""))
    in_2027 = programme.terms_at(at("2027-06-01"))
    in_2028 = programme.terms_at(at("2028-06-01"))
    assert (in_2027.tier(Tier.PARTNER).rate, in_2027.flat.amount) == (Decimal("0.25"), 15000)
    assert (in_2028.tier(Tier.PARTNER).rate, in_2028.flat.amount) == (Decimal("0.28"), 15000)


def test_a_bad_programme_file_is_a_configuration_error(tmp_path: Path) -> None:
    from sync.errors import ConfigurationError
    with pytest.raises(ConfigurationError):
        load_programme(write(tmp_path, '[tiers.partner]\nrate = "x"'))


def test_payout_controls_keys(tmp_path: Path) -> None:
    """R32, R33: approvers, the two-approval amount, confirming new destinations."""
    programme = load_programme(write(tmp_path, """
[approval]
approvers = ["1001", "1002"]
dual_above = "5000.00"

[payments]
confirm_new_destinations = true
"""))
    assert programme.approval.approvers == ("1001", "1002")
    assert programme.approval.dual_above == 500000
    assert programme.approval.needs_two(500001) and not programme.approval.needs_two(500000)
    assert programme.payments.confirm_new_destinations is True
    defaults = load_programme(None)
    assert (defaults.approval.approvers, defaults.approval.dual_above) == ((), None)
    assert defaults.payments.confirm_new_destinations is False


def test_the_portal_referral_link(tmp_path: Path) -> None:
    """``[portal] referral_link``: kept as written (trimmed); not set by default."""
    programme = load_programme(write(tmp_path, """
[portal]
referral_link = " https://vmcloud.fr/?ref={code} "
"""))
    assert programme.portal.referral_link == "https://vmcloud.fr/?ref={code}"
    assert load_programme(None).portal.referral_link is None


def test_the_portal_registration_pipeline_and_stage(tmp_path: Path) -> None:
    """``[portal] registration_pipeline`` and ``registration_stage``: trimmed; HubSpot's
    default sales pipeline and its first stage by default."""
    programme = load_programme(write(tmp_path, """
[portal]
registration_pipeline = " 75e28846-ad0d-4be2 "
registration_stage = "1234567"
"""))
    assert (programme.portal.registration_pipeline, programme.portal.registration_stage) == (
        "75e28846-ad0d-4be2", "1234567")
    defaults = load_programme(None).portal
    assert (defaults.registration_pipeline, defaults.registration_stage) == (
        "default", "appointmentscheduled")
