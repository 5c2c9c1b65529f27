"""HubSpot JSON shapes the gateway builds and reads: search bodies, paging cursors,
record id order, and v4 associations rewritten in the v3 shape ``mappings`` reads."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from mappings.properties import PRIMARY_DEAL_TO_COMPANY_TYPE_ID, AssociationNames
from sync.adapters.hubspot.transport import JsonObject, json_objects

OBJECT_ID = "hs_object_id"
SEARCH_PAGE = 200  # HubSpot's largest search page
SEARCH_RESULT_CAP = 10_000  # search pages no further than this; then filter by id


def v3_company_links(targets: list[JsonObject], names: AssociationNames) -> list[JsonObject]:
    """v4 ``{toObjectId, associationTypes}`` as v3 ``{id, type}``, one per type."""
    return [{"id": _record_id(target.get("toObjectId")), "type": _v3_type(kind, names)}
            for target in targets for kind in json_objects(target.get("associationTypes"))]


def _record_id(value: object) -> object:
    """v4 gives ids as strings (older answers as numbers); anything else stays as it came,
    for the mapping to refuse, instead of becoming the company id "None"."""
    is_number = isinstance(value, int) and not isinstance(value, bool)
    return str(value) if is_number or isinstance(value, str) else value


def _v3_type(kind: Mapping[str, Any], names: AssociationNames) -> str:
    if (kind.get("typeId") == PRIMARY_DEAL_TO_COMPANY_TYPE_ID
            and kind.get("category") == "HUBSPOT_DEFINED"):
        return names.deal_to_company_primary
    label = kind.get("label")
    return str(label) if label else f"{names.deal_to_company_primary}_unlabeled"


def epoch_millis(instant: datetime) -> str:
    """HubSpot compares datetimes as epoch milliseconds; a naive instant is UTC."""
    aware = instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)
    return str(int(aware.timestamp() * 1000))


def next_after(page: JsonObject) -> str | None:
    """The ``paging.next.after`` cursor, if there is a next page."""
    after = ((page.get("paging") or {}).get("next") or {}).get("after")
    return None if after in (None, "") else str(after)


def unique_ids(ids: Iterable[str]) -> list[str]:
    """Distinct ids in HubSpot's (numeric) order."""
    return sorted({str(i) for i in ids}, key=id_order)


def id_order(record_id: str) -> tuple[int, str]:
    return len(record_id), record_id
