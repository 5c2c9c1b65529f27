"""The private app behind the stand-in's tokens, and its token introspection.

HubSpot documents `POST /oauth/v2/private-apps/get/access-token-info` on its private
apps page: the body `{"tokenKey": "<token>"}` names the token, the answer is
`{"userId", "hubId", "appId", "scopes"}`. The stand-in answers it for the token the
request authenticates with (any other `tokenKey` is the 401 of a bad token), with the
portal id and the scopes set here. The scopes are reported, not enforced: every other
path answers whatever they say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from sandbox.core.wsgi import json_response
from sandbox.hubspot.errors import HubSpotError, invalid

if TYPE_CHECKING:
    from sandbox.hubspot.state import HubSpotState

TOKEN_INFO_PATH = "/oauth/v2/private-apps/get/access-token-info"

# A private app set up as the README's "Connect a real HubSpot portal" step says,
# with the optional users scope.
README_SCOPES = (
    "crm.objects.companies.read", "crm.objects.companies.write",
    "crm.objects.deals.read", "crm.objects.deals.write",
    "crm.objects.custom.read", "crm.objects.custom.write",
    "crm.schemas.companies.read", "crm.schemas.deals.read", "crm.schemas.custom.read",
    "crm.schemas.companies.write", "crm.schemas.deals.write", "crm.schemas.custom.write",
    "settings.users.read",
)


@dataclass
class PrivateApp:
    app_id: int = 3141592
    user_id: int = 1001  # the super admin who created it
    scopes: list[str] = field(default_factory=lambda: list(README_SCOPES))

    def set_scopes(self, scopes: object) -> list[str]:
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            raise ValueError("token_scopes must be a list of scope names")
        self.scopes = list(scopes)
        return self.scopes


def access_token_info(state: HubSpotState, request: Request) -> Response:
    body = request.get_json(silent=True)
    token = body.get("tokenKey") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        raise invalid("tokenKey is required", tokenKey=[])
    _, _, presented = request.headers.get("Authorization", "").partition(" ")
    if token != presented:
        raise HubSpotError(401, "The access token provided is invalid or expired.",
                           "INVALID_AUTHENTICATION")
    app = state.private_app
    return json_response({"userId": app.user_id, "hubId": state.portal_id,
                          "appId": app.app_id, "scopes": list(app.scopes)})
