"""/admin/partners: every partner's destination and holds (R32, R35), the held ones
first with why their payouts wait and the command that ends each hold."""

from __future__ import annotations

from flask.testing import FlaskClient

from sync.domain.decisions import PayoutStatus
from sync.wiring import Services
from tests.portal.admin.pages import grouped, rows_under, text
from tests.portal.conftest import sign_in_as_admin

MANAGER = "manager@vmcloud.example"
CHANGED = ("destination_changed: HubSpot shows acct_9New, the confirmed destination is "
           "acct_NXSD4xpdDCLWGY; no transfer to either until finance confirms one (R32)")


def _page(client: FlaskClient) -> str:
    answer = client.get("/admin/partners")
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_with_no_hold_every_partner_is_listed_with_its_destination(
        admin_client: FlaskClient, admin_services: Services) -> None:
    sign_in_as_admin(admin_client, admin_services, MANAGER)
    admin_services.ledger.confirm_destination("30000000001", "acct_ZG575FZJJRnzxt", "alice",
                                              shown="acct_ZG575FZJJRnzxt")
    page = _page(admin_client)
    words = text(page)
    assert "Partners with a hold (0)" in words
    assert "None: no hold applies to any partner." in words
    rows = rows_under(page, "Every partner")
    assert "Every partner (14)" in words  # the demo's 14 partners (README)
    assert rows[0] == ["Agence Lumière (30000000001)", "partner", "acct_ZG575FZJJRnzxt",
                       "acct_ZG575FZJJRnzxt", "alice", "no hold"]
    # Alpine Cloud Services (tier partner) has no Connect account: paid by hand (R26)
    alpine = next(row for row in rows if row[0].endswith("(30000000010)"))
    assert alpine == ["Alpine Cloud Services (30000000010)", "partner", "", "no destination", "",
                      "no hold"]
    assert "<td>Camille &lt;Durand&gt; &amp; Co <span" in page  # escaped


def test_held_partners_come_first_with_the_commands_that_end_their_holds(
        admin_client: FlaskClient, admin_services: Services) -> None:
    sign_in_as_admin(admin_client, admin_services, MANAGER)
    ledger = admin_services.ledger
    ledger.hold_partner("30000000002", "contract under review", "alice")
    ledger.wait_for_confirmation("30000000007", "acct_9New", CHANGED, "destination_changed")
    held = {partner: [payout for payout in ledger.list_payouts(PayoutStatus.ON_HOLD)
                      if payout.partner_id == partner]
            for partner in ("30000000002", "30000000007")}
    assert held["30000000002"] and held["30000000007"]  # every unpaid payout of each
    page = _page(admin_client)
    assert "Partners with a hold (2)" in text(page)
    rows = rows_under(page, "Partners with a hold")
    assert rows == [
        ["Julien Moreau - Nuage Conseil (30000000002)",
         "partner held by alice: contract under review (R35)",
         str(len(held["30000000002"])),
         grouped(sum(payout.amount for payout in held["30000000002"])),
         "partnersync partners release 30000000002 --by manager@vmcloud.example"],
        ["WebSud Agence (30000000007)", CHANGED, str(len(held["30000000007"])),
         grouped(sum(payout.amount for payout in held["30000000007"])),
         "partnersync partners confirm-destination 30000000007 acct_9New "
         "--by manager@vmcloud.example"],
    ]
    every = rows_under(page, "Every partner")
    assert [row[0] for row in every[:2]] == ["Julien Moreau - Nuage Conseil (30000000002)",
                                             "WebSud Agence (30000000007)"]
