"""Deal registration's HubSpot calls: the companies having a domain (CRM search), and
a company or deal upserted on its registration id (``vmc_registration_id``, unique), so
a registration sent again after a crash finds what the first attempt created."""

from __future__ import annotations

from sync.adapters.hubspot.batch import BatchFailure
from sync.adapters.hubspot.gateway import COMPANIES, HubSpotGateway
from sync.adapters.hubspot.search import Search
from sync.adapters.hubspot.transport import JsonObject
from sync.errors import RequestRejected, SetupRejected

MAX_DOMAIN_MATCHES = 20  # a domain shared by more companies is a data problem, not a list


def companies_with_domain(hubspot: HubSpotGateway, domain: str) -> list[JsonObject]:
    """Companies whose domain is ``domain`` or ``www.`` + it (HubSpot keeps the domain
    as typed; EQ ignores case), lowest id first (the search sorts by id)."""
    name = hubspot.props.company.domain
    groups = [[{"propertyName": name, "operator": "EQ", "value": value}]
              for value in (domain, f"www.{domain}")]
    found: list[JsonObject] = []
    for hit in Search(hubspot.transport, COMPANIES, groups, [name], "companies.search"):
        found.append(hit)
        if len(found) >= MAX_DOMAIN_MATCHES:
            break
    return found


def upsert_one(hubspot: HubSpotGateway, object_type: str, id_property: str, key: str,
               properties: dict[str, str]) -> str:
    """The record's HubSpot id once written; a refused input raises ``RequestRejected``
    with HubSpot's reason (a fatal error: sending it again cannot help), or
    ``SetupRejected`` when HubSpot blamed the setup (a property, pipeline or stage)."""
    outcome = hubspot.upsert_records(object_type, id_property, [(key, properties)])
    record_id = outcome.succeeded.get(key)
    if record_id is None:
        failure = outcome.failed.get(key) or BatchFailure("NO_RESULT", "no result")
        raise _rejected(failure)(
            f"HubSpot refused the {object_type} record: {failure.message}", api="hubspot",
            code=failure.code)
    return record_id


def associate_one(hubspot: HubSpotGateway, from_type: str, from_id: str, to_type: str,
                  to_id: str) -> None:
    outcome = hubspot.associate(from_type, to_type, [(from_id, to_id)])
    failure = outcome.failed.get((from_id, to_id))
    if failure is not None:
        raise _rejected(failure)(f"HubSpot refused the association: {failure.message}",
                                 api="hubspot", code=failure.code)


def _rejected(failure: BatchFailure) -> type[RequestRejected]:
    """The setup's fault (``SetupRejected``: resent once fixed) or the input's."""
    return SetupRejected if failure.setup else RequestRejected
