"""Routing, bearer-token auth and error handling for the HubSpot stand-in's vendor paths."""

from __future__ import annotations

import hmac
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from sandbox.hubspot import api_associations as assoc
from sandbox.hubspot import api_groups as groups
from sandbox.hubspot import api_meta as meta
from sandbox.hubspot import api_objects as objects
from sandbox.hubspot import api_users as users
from sandbox.hubspot import private_app
from sandbox.hubspot.errors import HubSpotError
from sandbox.hubspot.http import SOURCE_KEY
from sandbox.hubspot.records import WriteSource
from sandbox.hubspot.state import API_SOURCE, HubSpotState
from sandbox.hubspot.users import token_user, user_source

if TYPE_CHECKING:
    from sandbox.core.wsgi import StartResponse, WSGIEnvironment

Handler = Callable[..., Response]

OBJ = "/crm/v3/objects/<object_type>"
PROPS = "/crm/v3/properties/<object_type>"
SCHEMAS = "/crm-object-schemas/v3/schemas"
V4_BATCH = "/crm/v4/associations/<from_type>/<to_type>/batch"
V4_OBJ = "/crm/v4/objects/<from_type>/<from_id>/associations"
USERS = "/settings/v3/users"

ROUTES: list[tuple[str, str, str, Handler]] = [
    ("crm.objects.list", OBJ, "GET", objects.list_objects),
    ("crm.objects.create", OBJ, "POST", objects.create_object),
    ("crm.objects.search", f"{OBJ}/search", "POST", objects.search),
    ("crm.objects.batch.read", f"{OBJ}/batch/read", "POST", objects.batch_read),
    ("crm.objects.batch.create", f"{OBJ}/batch/create", "POST", objects.batch_create),
    ("crm.objects.batch.update", f"{OBJ}/batch/update", "POST", objects.batch_update),
    ("crm.objects.batch.upsert", f"{OBJ}/batch/upsert", "POST", objects.batch_upsert),
    ("crm.objects.batch.archive", f"{OBJ}/batch/archive", "POST", objects.batch_archive),
    ("crm.objects.get", f"{OBJ}/<object_id>", "GET", objects.get_object),
    ("crm.objects.update", f"{OBJ}/<object_id>", "PATCH", objects.update_object),
    ("crm.objects.archive", f"{OBJ}/<object_id>", "DELETE", objects.archive_object),
    ("crm.properties.list", PROPS, "GET", meta.list_properties),
    ("crm.properties.create", PROPS, "POST", meta.create_property),
    ("crm.properties.batch.create", f"{PROPS}/batch/create", "POST",
     meta.batch_create_properties),
    ("crm.properties.batch.read", f"{PROPS}/batch/read", "POST", meta.batch_read_properties),
    ("crm.properties.groups.list", f"{PROPS}/groups", "GET", groups.list_groups),
    ("crm.properties.groups.create", f"{PROPS}/groups", "POST", groups.create_group),
    ("crm.properties.get", f"{PROPS}/<name>", "GET", meta.get_property),
    ("crm.properties.update", f"{PROPS}/<name>", "PATCH", meta.update_property),
    ("crm.schemas.list", SCHEMAS, "GET", meta.list_schemas),
    ("crm.schemas.create", SCHEMAS, "POST", meta.create_schema),
    ("crm.schemas.get", f"{SCHEMAS}/<object_type>", "GET", meta.get_schema),
    ("crm.schemas.associations.create", f"{SCHEMAS}/<object_type>/associations", "POST",
     meta.create_schema_association),
    ("crm.associations.batch.create", f"{V4_BATCH}/create", "POST", assoc.batch_create),
    ("crm.associations.batch.read", f"{V4_BATCH}/read", "POST", assoc.batch_read),
    ("crm.associations.batch.default", f"{V4_BATCH}/associate/default", "POST",
     assoc.batch_default),
    ("crm.associations.batch.archive", f"{V4_BATCH}/archive", "POST", assoc.batch_archive),
    ("crm.associations.default", f"{V4_OBJ}/default/<to_type>/<to_id>", "PUT",
     assoc.create_default),
    ("crm.associations.create", f"{V4_OBJ}/<to_type>/<to_id>", "PUT", assoc.create_labeled),
    ("crm.associations.archive", f"{V4_OBJ}/<to_type>/<to_id>", "DELETE", assoc.archive_pair),
    ("crm.associations.list", f"{V4_OBJ}/<to_type>", "GET", assoc.list_associations),
    ("settings.users.list", USERS, "GET", users.list_users),
    ("settings.users.get", f"{USERS}/<user_id>", "GET", users.get_user),
    ("oauth.private_apps.token_info", private_app.TOKEN_INFO_PATH, "POST",
     private_app.access_token_info),
]
# The SDK lists users at `/settings/v3/users/`; a hand-typed URL has no trailing slash.
LOOSE_SLASHES = {"settings.users.list"}

URL_MAP = Map([Rule(path, endpoint=name, methods=[method],
                    strict_slashes=name not in LOOSE_SLASHES)
               for name, path, method, _ in ROUTES])
HANDLERS: dict[str, Handler] = {name: handler for name, _, _, handler in ROUTES}


class HubSpotApp:
    """Answers the CRM and users paths. `token` None accepts any bearer token (still
    required); either way a user token `pat-user-<digits>` is accepted, once users are
    loaded only for a known user."""

    def __init__(self, state: HubSpotState, token: str | None) -> None:
        self.state = state
        self.token = token

    def __call__(
        self, environ: WSGIEnvironment, start_response: StartResponse
    ) -> Iterable[bytes]:
        return self.respond(Request(environ))(environ, start_response)

    def respond(self, request: Request) -> Response:
        try:
            request.environ[SOURCE_KEY] = self.authenticate(request)
            endpoint, args = URL_MAP.bind_to_environ(request.environ).match()
            with self.state.lock:
                return HANDLERS[str(endpoint)](self.state, request, **args)
        except HubSpotError as exc:
            return exc.response()
        except (NotFound, MethodNotAllowed) as exc:
            return HubSpotError(exc.code or 404, f"No route for {request.method} "
                                f"{request.path}", "OBJECT_NOT_FOUND").response()
        except HTTPException as exc:
            return HubSpotError(exc.code or 400, str(exc.description)).response()
        except (KeyError, TypeError, ValueError) as exc:
            return HubSpotError(400, f"Invalid input: {type(exc).__name__} {exc}"
                                ).response()

    def authenticate(self, request: Request) -> WriteSource:
        """Check the bearer token; returns who the request's writes are by."""
        header = request.headers.get("Authorization", "")
        scheme, _, presented = header.partition(" ")
        if scheme.lower() != "bearer" or not presented:
            raise HubSpotError(401, "Authentication credentials not found. This API supports "
                               "OAuth 2.0 authentication and you can find more details at "
                               "https://developers.hubspot.com/docs/methods/auth/oauth-overview",
                               "INVALID_AUTHENTICATION")
        user_id = token_user(presented)
        if user_id is not None:
            with self.state.lock:
                if self.state.users.accepts(user_id):
                    return user_source(user_id)
        elif self.token is None or hmac.compare_digest(presented, self.token):
            return API_SOURCE
        raise HubSpotError(401, "The access token provided is invalid or expired.",
                           "INVALID_AUTHENTICATION")


def routes_json() -> list[dict[str, Any]]:
    """The served endpoints, for documentation and tests."""
    return [{"endpoint": n, "path": p, "method": m} for n, p, m, _ in ROUTES]
