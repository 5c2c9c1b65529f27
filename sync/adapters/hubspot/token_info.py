"""What HubSpot says the private app's token may do: its portal and its scopes.

HubSpot documents ``POST /oauth/v2/private-apps/get/access-token-info`` with the body
``{"tokenKey": "<token>"}`` on its private apps page (developers.hubspot.com/docs/api/
private-apps); the answer is ``{"userId", "hubId", "appId", "scopes"}``. Neither the
OpenAPI collection nor the SDK has an operation for it (the SDK's
``oauth.access_tokens_api`` reads OAuth tokens, ``GET /oauth/v1/access-tokens/{token}``,
with the token in the URL), so the request goes through that API's own client: the
SDK's urllib3 pool, retries off, errors classified and retried like every other call.
The token travels in the body and the ``Authorization`` header, never in the URL.

The scopes the worker needs are listed here, beside the calls that need them; the
README's "Connect a real HubSpot portal" step lists the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from sync.adapters.hubspot.gateway import HubSpotGateway

TOKEN_INFO_PATH = "/oauth/v2/private-apps/get/access-token-info"

# Reads and writes of a sync, a payment run and the destination review (R32).
WORKER_SCOPES = (
    "crm.objects.companies.read", "crm.objects.companies.write",
    "crm.objects.deals.read", "crm.objects.deals.write",
    "crm.objects.custom.read", "crm.objects.custom.write",
    "crm.schemas.companies.read", "crm.schemas.deals.read", "crm.schemas.custom.read",
)
# `partnersync hubspot setup`: properties on companies and deals, the custom objects.
SETUP_SCOPES = (
    "crm.schemas.companies.write", "crm.schemas.deals.write", "crm.schemas.custom.write",
)
# Optional: approvers' emails (R33, docs/configuration.md "Payout controls").
USERS_SCOPE = "settings.users.read"


@dataclass(frozen=True, slots=True)
class TokenInfo:
    hub_id: int | None
    app_id: int | None
    scopes: frozenset[str]


def token_info(gateway: HubSpotGateway) -> TokenInfo:
    """The portal and scopes of the gateway's token (one call, retried per the policy)."""
    transport = gateway.transport
    client = transport.api.oauth.api_client
    token = client.configuration.access_token  # set by the SDK from HubSpot(access_token=)
    request = partial(
        client.call_api, TOKEN_INFO_PATH, "POST",
        header_params={"Authorization": f"Bearer {token}", "Accept": "application/json",
                       "Content-Type": "application/json"},
        body={"tokenKey": token}, response_types_map={}, auth_settings=[])
    body = transport.call("token.info", request).body
    scopes = body.get("scopes")
    return TokenInfo(
        hub_id=_number(body.get("hubId")), app_id=_number(body.get("appId")),
        scopes=frozenset(s for s in scopes if isinstance(s, str))
        if isinstance(scopes, list) else frozenset())


def _number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
