"""Connect: `/v1/accounts`, `/v1/transfers` drawn from the platform `/v1/balance`."""

from __future__ import annotations

import copy

from sandbox.stripe.errors import StripeError
from sandbox.stripe.forms import require
from sandbox.stripe.lists import created_filter, field_filter
from sandbox.stripe.objects import JSON, blank, list_object, new_id, reference
from sandbox.stripe.routes.common import (
    ApiCall,
    Route,
    merged_metadata,
    positive_int,
    updated_fields,
)
from sandbox.stripe.state import AMPLE_BALANCE

INSUFFICIENT_FUNDS = (
    "You have insufficient available funds in your Stripe account. Try adding funds "
    "directly to your available balance by creating Charges using the 4000000000000077 "
    "test card. See: https://stripe.com/docs/testing#available-balance"
)
NO_TRANSFERS_CAPABILITY = (
    "Your destination account needs to have at least one of the following capabilities "
    "enabled: transfers, crypto_transfers, legacy_payments"
)


def retrieve_account(call: ApiCall, id: str) -> JSON:
    call.only()
    return call.serve(call.state.get("account", id))


def update_account(call: ApiCall, id: str) -> JSON:
    call.only("metadata")
    fields = updated_fields(call, call.state.get("account", id))
    return call.serve(call.state.update_fields("account", id, fields, "account.updated"))


def list_accounts(call: ApiCall) -> JSON:
    call.only_list("created")
    accounts = call.state.newest_first("account", created_filter(call.params))
    return call.page(accounts, "/v1/accounts", "account")


def create_transfer(call: ApiCall) -> JSON:
    call.only("amount", "currency", "destination", "transfer_group", "description",
              "metadata", "source_transaction", "source_type")
    amount = positive_int(call, "amount") or 0
    if amount < 1:
        raise StripeError.invalid_request("Invalid positive integer", param="amount")
    currency = str(require(call.params, "currency")).lower()
    destination = str(require(call.params, "destination"))
    with call.state.lock:
        _check_destination(call, destination)
        if not call.state.debit(amount, currency):
            raise StripeError.invalid_request(INSUFFICIENT_FUNDS, code="balance_insufficient")
        transfer = _new_transfer(call, amount, currency, destination)
        call.state.add("transfer", transfer)
        call.state.events.record("transfer.created", transfer)
    return call.serve(transfer)


def _check_destination(call: ApiCall, destination: str) -> None:
    try:
        account = call.state.get("account", destination)
    except StripeError:
        raise StripeError.invalid_request(
            f"No such destination: '{destination}'", param="destination",
            code="resource_missing",
        ) from None
    if (account.get("capabilities") or {}).get("transfers") != "active":
        raise StripeError.invalid_request(
            NO_TRANSFERS_CAPABILITY, param="destination",
            code="insufficient_capabilities_for_transfer",
        )


def _new_transfer(call: ApiCall, amount: int, currency: str, destination: str) -> JSON:
    transfer = blank(
        "transfer", call.state.now(), amount=amount, currency=currency,
        destination=destination, description=call.text("description"),
        transfer_group=call.text("transfer_group"),
        metadata=merged_metadata({}, call.params.get("metadata")),
        balance_transaction=new_id("balance_transaction"),
        destination_payment=new_id("payment"),
        source_transaction=call.text("source_transaction"),
    )
    transfer["reversals"] = list_object(f"/v1/transfers/{transfer['id']}/reversals")
    return transfer


def retrieve_transfer(call: ApiCall, id: str) -> JSON:
    call.only()
    return call.serve(call.state.get("transfer", id))


def update_transfer(call: ApiCall, id: str) -> JSON:
    call.only("description", "metadata")
    fields = updated_fields(call, call.state.get("transfer", id), "description")
    return call.serve(call.state.update_fields("transfer", id, fields, "transfer.updated"))


def list_transfers(call: ApiCall) -> JSON:
    call.only_list("destination", "transfer_group", "created")
    keep = field_filter(call.params, "destination", "transfer_group")
    by_created = created_filter(call.params)
    transfers = call.state.newest_first("transfer", lambda t: keep(t) and by_created(t))
    return call.page(transfers, "/v1/transfers", "transfer")


def retrieve_balance(call: ApiCall) -> JSON:
    """The platform balance; currencies never set show the "ample" default in EUR."""
    call.only()
    balance = reference("balance")
    amounts = call.state.balances() or {"eur": AMPLE_BALANCE}
    balance["available"] = [
        {"amount": cents, "currency": cur, "source_types": {"card": cents}}
        for cur, cents in sorted(amounts.items())
    ]
    balance["pending"] = [
        {"amount": 0, "currency": cur, "source_types": {"card": 0}} for cur in sorted(amounts)
    ]
    balance["connect_reserved"] = [{"amount": 0, "currency": cur} for cur in sorted(amounts)]
    return copy.deepcopy(balance)


ROUTES = [
    Route("GET", "/v1/accounts", "accounts.list", list_accounts),
    Route("GET", "/v1/accounts/<id>", "accounts.retrieve", retrieve_account),
    Route("POST", "/v1/accounts/<id>", "accounts.update", update_account),
    Route("POST", "/v1/transfers", "transfers.create", create_transfer),
    Route("GET", "/v1/transfers", "transfers.list", list_transfers),
    Route("GET", "/v1/transfers/<id>", "transfers.retrieve", retrieve_transfer),
    Route("POST", "/v1/transfers/<id>", "transfers.update", update_transfer),
    Route("GET", "/v1/balance", "balance.retrieve", retrieve_balance),
]
