"""Who decides (``--by``) is a person: the option, else ``PARTNERSYNC_OPERATOR``, else
the command refuses (exit 2) -- never the OS account (``root`` in a container, a shared
admin) nor ``cli``, which name nobody and would let R33 mistake two people for one, or
one for two (docs/configuration.md, "Command line")."""

from __future__ import annotations

import pytest

from sync.ledger import Ledger
from tests.commands.conftest import Cli, Synced

PAYOUT_COMMANDS = [["payouts", "approve"], ["payouts", "hold", "--reason", "check"],
                   ["payouts", "mark-paid"]]
PARTNER_COMMANDS = [["partners", "hold", "30000000001", "--reason", "check"],
                    ["partners", "release", "30000000001"],
                    ["partners", "confirm-destination", "30000000001", "acct_x"],
                    ["lines", "add", "30000000001", "--month", "2026-01", "--amount", "5",
                     "--reason", "bonus"]]
REFUSAL = ("partnersync: configuration error: --by: say who decides -- your HubSpot email, "
           "e.g. --by claire.martin@vmcloud.example, so that R33 knows you -- or set "
           "PARTNERSYNC_OPERATOR")


def _payout(synced: Synced) -> str:
    return synced.decisions.ledger.payouts[0].id


@pytest.fixture(autouse=True)
def _no_operator(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PARTNERSYNC_OPERATOR", raising=False)
    monkeypatch.setenv("USER", "root")


@pytest.mark.parametrize("argv", PAYOUT_COMMANDS + PARTNER_COMMANDS + [["payouts", "release"]],
                         ids=" ".join)
def test_without_by_or_operator_a_decision_is_refused_and_nothing_changes(
        cli: Cli, synced: Synced, ledger: Ledger, argv: list[str]) -> None:
    argv = [*argv, _payout(synced)] if argv[0] == "payouts" else argv
    before = ledger.audit_events()
    result = cli(*argv)
    assert (result.code, result.out, result.err.splitlines()) == (2, "", [REFUSAL])
    assert ledger.audit_events() == before


def test_the_operator_variable_names_who_approves(
        cli: Cli, synced: Synced, ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTNERSYNC_OPERATOR", "claire.martin@vmcloud.example")
    payout_id = _payout(synced)
    assert cli("payouts", "approve", payout_id).code == 0
    assert ledger.get_payout(payout_id).approved_by == "claire.martin@vmcloud.example"


def test_by_wins_over_the_operator_variable(
        cli: Cli, synced: Synced, ledger: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PARTNERSYNC_OPERATOR", "claire.martin@vmcloud.example")
    payout_id = _payout(synced)
    assert cli("payouts", "approve", payout_id, "--by", "hugo@vmcloud.example").code == 0
    assert ledger.get_payout(payout_id).approved_by == "hugo@vmcloud.example"


def test_an_empty_by_is_a_bad_argument(cli: Cli, synced: Synced, ledger: Ledger) -> None:
    refused = cli("payouts", "approve", _payout(synced), "--by", "  ")
    assert (refused.code, refused.err) == (2, "partnersync: payouts approve: argument --by: "
                                           "must not be empty (see `partnersync payouts "
                                           "approve --help`)\n")
