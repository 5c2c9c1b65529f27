"""A partner id nobody knows is said to be unknown (exit 1), not answered with an empty
list that reads like "this partner has no payouts" (docs/configuration.md)."""

from __future__ import annotations

import pytest

from sync.ledger import Ledger
from tests.commands.conftest import Cli

UNKNOWN = "39999999999"
MESSAGE = (f"partnersync: partner {UNKNOWN} is not a partner the ledger has read from "
           "HubSpot (its company id; `partnersync partners list` shows them)")


@pytest.mark.parametrize("argv", [["payouts", "list", "--partner", UNKNOWN],
                                  ["audit", "--partner", UNKNOWN]], ids=" ".join)
def test_an_unknown_partner_is_said_to_be_unknown(
        cli: Cli, ledger: Ledger, argv: list[str]) -> None:
    result = cli(*argv)
    assert (result.code, result.out, result.err.splitlines()) == (1, "", [MESSAGE])


def test_a_known_partner_still_lists_its_payouts(cli: Cli, ledger: Ledger) -> None:
    result = cli("payouts", "list", "--partner", "30000000001")
    assert result.code == 0 and "vmcpo_30000000001_" in result.out
