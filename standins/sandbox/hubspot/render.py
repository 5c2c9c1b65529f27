"""Records as the CRM v3 API returns them (SimplePublicObject[WithAssociations])."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sandbox.hubspot.records import Record
from sandbox.hubspot.search import Snapshot
from sandbox.hubspot.state import HubSpotState
from sandbox.hubspot.types import ObjectType

JsonObject = dict[str, Any]


def _property_values(otype: ObjectType, values: dict[str, str | None],
                     names: list[str] | None) -> dict[str, str | None]:
    wanted = otype.default_properties if names is None else names
    return {n: values.get(n) for n in wanted if n in values or n in otype.properties}


def render_record(state: HubSpotState, otype: ObjectType, record: Record, *,
                  properties: list[str] | None = None,
                  with_history: Iterable[str] = (),
                  associations: Iterable[str] = ()) -> JsonObject:
    body: JsonObject = {"id": record.id,
                        "properties": _property_values(otype, record.properties, properties)}
    history = {n: list(record.history.get(n, [])) for n in with_history
               if n in record.history or n in otype.properties}
    if history:
        body["propertiesWithHistory"] = history
    linked = _v3_associations(state, otype, record, associations)
    if linked:
        body["associations"] = linked
    body.update(createdAt=record.created_at, updatedAt=record.updated_at,
                archived=record.archived)
    if record.archived_at:
        body["archivedAt"] = record.archived_at
    return {**record.extra, **body}


def render_snapshot(otype: ObjectType, doc: Snapshot, properties: list[str] | None
                    ) -> JsonObject:
    """A search hit, from the (possibly lagging) index."""
    return {"id": doc.id, "properties": _property_values(otype, doc.properties, properties),
            "createdAt": doc.created_at, "updatedAt": doc.updated_at, "archived": False}


def association_key(otype: ObjectType) -> str:
    """The key v3 uses for an associated type: `companies`, `deals`, or the custom name."""
    return otype.name if otype.type_id.startswith("0-") else otype.fully_qualified_name


def _v3_associations(state: HubSpotState, otype: ObjectType, record: Record,
                     to_types: Iterable[str]) -> JsonObject:
    out: JsonObject = {}
    for name in to_types:
        to_type = state.resolve_type(name)
        results = [{"id": target_id, "type": atype.name}
                   for target_id, types in state.associations.targets(
                       (otype.type_id, record.id), to_type.type_id)
                   for atype in types]
        if results:
            out[association_key(to_type)] = {"results": results}
    return out
