"""R32: what the Connect account HubSpot shows means for a partner's payouts (pure)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from sync.engine.destinations import (
    CHANGED,
    UNCONFIRMED,
    AccountFacts,
    DestinationAction,
    decide_destination,
    needs_decision,
)

A = DestinationAction
OWN = AccountFacts(owner=None, company_id="501")


def test_r32_the_first_account_is_confirmed_on_first_use() -> None:
    decision = decide_destination("501", "acct_a", None, None, OWN, confirm_new=False)
    assert (decision.action, decision.account) == (A.CONFIRM, "acct_a")


def test_r32_a_first_account_waits_when_the_programme_asks_finance() -> None:
    decision = decide_destination("501", "acct_a", None, None, OWN, confirm_new=True)
    assert decision.action is A.WAIT
    assert decision.reason == (f"{UNCONFIRMED}: acct_a waits for finance's confirmation: "
                               "the programme has finance confirm every new destination (R32)")


def test_r32_another_partners_account_on_first_appearance_waits() -> None:
    facts = AccountFacts(owner="502", company_id=None)
    decision = decide_destination("501", "acct_b", None, None, facts, confirm_new=False)
    assert decision.action is A.WAIT
    assert "already the confirmed destination of partner 502" in decision.reason


def test_r32_an_account_onboarded_for_another_company_waits() -> None:
    facts = AccountFacts(owner=None, company_id="777")
    decision = decide_destination("501", "acct_c", None, None, facts, confirm_new=False)
    assert decision.action is A.WAIT
    assert "metadata.hubspot_company_id names company 777" in decision.reason


def test_r32_a_changed_account_holds_with_both_accounts_named() -> None:
    decision = decide_destination("501", "acct_new", "acct_old", None, None, confirm_new=False)
    assert (decision.action, decision.account, decision.audit_action) == (
        A.WAIT, "acct_new", CHANGED)
    assert decision.reason.startswith(
        f"{CHANGED}: HubSpot shows acct_new, the confirmed destination is acct_old")


def test_r32_changed_back_still_holds_until_finance_confirms() -> None:
    # seen: acct_old (confirmed) -> acct_evil (waiting) -> acct_old again
    decision = decide_destination("501", "acct_old", "acct_old", "acct_evil", None, False)
    assert (decision.action, decision.account) == (A.WAIT, "acct_old")
    assert "showed acct_evil, now the confirmed acct_old again" in decision.reason


def test_r32_hubspot_agreeing_with_finances_choice_ends_the_hold() -> None:
    # finance confirmed acct_old while HubSpot showed acct_new; HubSpot is set back
    agreed = decide_destination("501", "acct_old", "acct_old", "acct_new", None, False,
                                mismatch=True)
    assert (agreed.action, agreed.account) == (A.AGREE, "acct_old")
    # the same sequence without finance's word is a change back: it holds
    assert decide_destination("501", "acct_old", "acct_old", "acct_new", None,
                              False).action is A.WAIT


def test_r32_no_second_first_use_while_an_account_waits() -> None:
    decision = decide_destination("501", "acct_fresh", None, "acct_doubtful", OWN, False)
    assert decision.action is A.WAIT
    assert "it replaced acct_doubtful, which was waiting for confirmation" in decision.reason


def test_r32_nothing_to_decide_for_the_confirmed_waiting_or_no_account() -> None:
    assert not needs_decision("acct_a", "acct_a", None)
    assert not needs_decision("acct_b", "acct_a", "acct_b")  # already waiting
    assert not needs_decision(None, "acct_a", None)  # paid by hand (R26)
    assert not needs_decision("", None, None)
    assert decide_destination("501", "acct_a", "acct_a", None, None, False).action is A.KEEP


accounts = st.sampled_from(["acct_a", "acct_b", "acct_c"])
maybe = st.none() | accounts
partners = st.sampled_from(["501", "502"])


@given(shown=maybe, confirmed=maybe, waiting=maybe, owner=st.none() | partners,
       company=st.none() | partners, confirm_new=st.booleans(), mismatch=st.booleans())
def test_r32_never_a_new_destination_without_finance_once_one_is_confirmed(
        shown: str | None, confirmed: str | None, waiting: str | None, owner: str | None,
        company: str | None, confirm_new: bool, mismatch: bool) -> None:
    """Money goes only to a confirmed account: the worker itself confirms nothing but a
    partner's very first account, free of every doubt, and ends a hold only when HubSpot
    comes to show the account finance confirmed."""
    facts = AccountFacts(owner, company)
    decision = decide_destination("501", shown, confirmed, waiting, facts, confirm_new,
                                  mismatch=mismatch)
    if decision.action is A.AGREE:
        assert mismatch and shown == confirmed and decision.account == confirmed
    if decision.action is A.CONFIRM:
        assert confirmed is None and waiting is None and not confirm_new
        assert owner in (None, "501") and company in (None, "501")
        assert decision.account == shown
    if confirmed is not None and shown not in (None, confirmed) and shown != waiting:
        assert decision.action is A.WAIT
