"""HubSpot: the private app's token, its scopes, and what ``hubspot setup`` creates.

The token is introspected (``sync.adapters.hubspot.token_info``): one call says whether
HubSpot accepts it, for which portal, with which scopes. The portal's property and
custom object lists say what ``hubspot setup`` would still create.
"""

from __future__ import annotations

from mappings.properties import PropertyMap
from sync.adapters.hubspot.gateway import HubSpotGateway
from sync.adapters.hubspot.setup import pending_setup
from sync.adapters.hubspot.token_info import (
    SETUP_SCOPES,
    USERS_SCOPE,
    WORKER_SCOPES,
    TokenInfo,
    token_info,
)
from sync.doctor.checks import Check, is_unreachable, unreachable_reason
from sync.domain.terms import Programme
from sync.errors import AuthenticationError, UpstreamError

TOKEN, SCOPES = "hubspot.token", "hubspot.scopes"
SETUP_SCOPES_ID, USERS_ID, SETUP = "hubspot.setup_scopes", "hubspot.users_scope", "hubspot.setup"
LABELS = {TOKEN: "HubSpot token", SCOPES: "HubSpot scopes",
          SETUP_SCOPES_ID: "HubSpot setup scopes", USERS_ID: "HubSpot users scope",
          SETUP: "HubSpot custom objects and properties"}
VARIABLE = "PARTNERSYNC_HUBSPOT_ACCESS_TOKEN"
APP = "Settings > Integrations > Private Apps > the app"
SHOWN = 4  # pending setup items named before "and N more"


def hubspot_checks(gateway: HubSpotGateway | None, base_url: str, props: PropertyMap,
                   programme: Programme | None) -> list[Check]:
    """Every HubSpot line; ``gateway`` None: no token is set."""
    if gateway is None:
        return [_fail(TOKEN, f"{VARIABLE} is not set",
                      f"set it to the private app's access token ({APP} > Auth)"),
                *_skipped(f"no {VARIABLE}")]
    try:
        info = token_info(gateway)
    except UpstreamError as error:
        return [_token_refused(error, base_url), *_skipped("the token check failed")]
    setup, pending = _setup(gateway, props)
    return [Check.ok(TOKEN, LABELS[TOKEN], f"accepted for portal {info.hub_id}"),
            _worker_scopes(info), _setup_scopes(info, pending),
            _users_scope(info, programme), setup]


def _token_refused(error: UpstreamError, base_url: str) -> Check:
    if is_unreachable(error):
        return Check.unreachable(TOKEN, LABELS[TOKEN], f"HubSpot at {base_url}: "
                                 f"{unreachable_reason(error)}", "check the network, or "
                                 "PARTNERSYNC_HUBSPOT_BASE_URL (the HubSpot client uses no "
                                 "proxy)")
    if isinstance(error, AuthenticationError):
        return _fail(TOKEN, f"HubSpot refused the token (HTTP {error.status})",
                     f"set {VARIABLE} to the private app's access token ({APP} > Auth)")
    return _fail(TOKEN, f"HubSpot at {base_url} answered HTTP {error.status} to the token "
                 "check", "check PARTNERSYNC_HUBSPOT_BASE_URL: HubSpot's API is "
                 "https://api.hubapi.com")


def _worker_scopes(info: TokenInfo) -> Check:
    missing = [scope for scope in WORKER_SCOPES if scope not in info.scopes]
    if missing:
        return _fail(SCOPES, "missing " + ", ".join(missing), _give(missing))
    return Check.ok(SCOPES, LABELS[SCOPES], f"all {len(WORKER_SCOPES)} a run needs")


def _setup_scopes(info: TokenInfo, setup_pending: bool) -> Check:
    missing = [scope for scope in SETUP_SCOPES if scope not in info.scopes]
    if not missing:
        return Check.ok(SETUP_SCOPES_ID, LABELS[SETUP_SCOPES_ID],
                        "`partnersync hubspot setup` may create what it needs")
    detail = "missing " + ", ".join(missing)
    if setup_pending:
        return _fail(SETUP_SCOPES_ID, f"{detail}: `partnersync hubspot setup` cannot run",
                     _give(missing))
    return Check.warn(SETUP_SCOPES_ID, LABELS[SETUP_SCOPES_ID], f"{detail}: not needed "
                      "while the portal stays set up", _give(missing) + " before the next "
                      "`partnersync hubspot setup`")


def _users_scope(info: TokenInfo, programme: Programme | None) -> Check:
    label = LABELS[USERS_ID]
    if USERS_SCOPE in info.scopes:
        return Check.ok(USERS_ID, label, "approvals made in HubSpot are recorded with the "
                        "approver's email")
    if programme is not None and programme.approval.approvers:
        return Check.warn(USERS_ID, label, f"no {USERS_SCOPE}: HubSpot approvals are "
                          "recorded by user id only, and an approver approving in HubSpot "
                          "and on the command line counts as two people (R33)",
                          _give([USERS_SCOPE]))
    return Check.ok(USERS_ID, label, f"no {USERS_SCOPE}; not needed without approvers in "
                    "HubSpot (R33)")


def _setup(gateway: HubSpotGateway, props: PropertyMap) -> tuple[Check, bool]:
    """The line, and whether ``hubspot setup`` has something to create."""
    try:
        pending = pending_setup(gateway, props)
    except AuthenticationError:
        return Check.skip(SETUP, LABELS[SETUP], "not checked: the token may not read "
                          "them (see HubSpot scopes)"), False
    except UpstreamError as error:
        if is_unreachable(error):
            return Check.unreachable(SETUP, LABELS[SETUP], f"HubSpot: "
                                     f"{unreachable_reason(error)}", "run doctor again"), False
        return _fail(SETUP, f"HubSpot refused reading them (HTTP {error.status})",
                     "check the token's scopes"), False
    if not pending:
        return Check.ok(SETUP, LABELS[SETUP], "everything `partnersync hubspot setup` "
                        "creates is there"), False
    more = f" and {len(pending) - SHOWN} more" if len(pending) > SHOWN else ""
    return _fail(SETUP, "missing " + "; ".join(pending[:SHOWN]) + more,
                 "run `partnersync hubspot setup`"), True


def _give(scopes: list[str]) -> str:
    return f"give the private app {', '.join(scopes)} ({APP} > Scopes)"


def _fail(check_id: str, detail: str, fix: str) -> Check:
    return Check.fail(check_id, LABELS[check_id], detail, fix)


def _skipped(reason: str) -> list[Check]:
    return [Check.skip(check_id, LABELS[check_id], f"not checked: {reason}")
            for check_id in (SCOPES, SETUP_SCOPES_ID, USERS_ID, SETUP)]
