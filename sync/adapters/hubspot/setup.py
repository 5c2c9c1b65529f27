"""``partnersync hubspot setup``: create, idempotently, what ``setup_plan`` declares.

Property groups and properties on companies and deals, then the custom objects
(commission lines, payouts) with their properties and associations. Whatever already
exists is left alone, so a second run creates nothing; a custom object that exists
but lacks a property or an association gets just what is missing. ``pending_setup``
reads the same lists and names what a run would create, creating nothing
(``partnersync doctor``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from mappings.hubspot.schema import (
    COMPANY_OBJECT,
    DEAL_OBJECT,
    CustomObjectDefinition,
    PropertyDefinition,
    setup_plan,
)
from mappings.properties import PropertyMap
from sync.adapters.hubspot.gateway import HubSpotGateway
from sync.adapters.hubspot.transport import HubSpotTransport, JsonObject, json_objects
from sync.errors import RequestRejected

# HubSpot-defined object type ids, fixed across portals (like association type 5).
STANDARD_TYPE_IDS = {"CONTACT": "0-1", "COMPANY": "0-2", "DEAL": "0-3", "TICKET": "0-5"}
ALREADY_EXISTS = "OBJECT_ALREADY_EXISTS"


@dataclass(frozen=True, slots=True)
class SetupReport:
    """What this run created, e.g. ``"property deals.vmc_converted_at"``; empty when
    the portal was already set up."""

    created: tuple[str, ...]

    @property
    def changed(self) -> bool:
        return bool(self.created)


def ensure_setup(gateway: HubSpotGateway, props: PropertyMap) -> SetupReport:
    plan = setup_plan(props)
    steps = _Steps(gateway.transport)
    steps.group_and_properties(COMPANY_OBJECT, plan.company_group, plan.company_properties)
    steps.group_and_properties(DEAL_OBJECT, plan.deal_group, plan.deal_properties)
    schemas = gateway.custom_objects(refresh=True)
    for definition in plan.custom_objects:
        schema = schemas.get(definition.name)
        if schema is None:
            steps.custom_object(definition)
        else:
            steps.complete_custom_object(str(schema["objectTypeId"]), schema, definition)
    gateway.custom_objects(refresh=True)
    return SetupReport(tuple(steps.created))


def pending_setup(gateway: HubSpotGateway, props: PropertyMap) -> tuple[str, ...]:
    """What ``ensure_setup`` would create now, named as its report names it; read only."""
    plan, transport = setup_plan(props), gateway.transport
    api, pending = transport.api, []
    for object_type, group, definitions in (
            (COMPANY_OBJECT, plan.company_group, plan.company_properties),
            (DEAL_OBJECT, plan.deal_group, plan.deal_properties)):
        groups = transport.call("property_groups.list", api.property_groups.get_all,
                                object_type).body
        if group not in _names(groups):
            pending.append(f"property group {object_type}.{group}")
        listed = transport.call("properties.list", api.properties.get_all, object_type).body
        present = {str(p.get("name")): p for p in json_objects(listed.get("results"))}
        pending += _missing_properties(object_type, definitions, present)
    schemas = gateway.custom_objects(refresh=True)
    for definition in plan.custom_objects:
        schema = schemas.get(definition.name)
        if schema is None:
            pending.append(f"custom object {definition.name}")
            continue
        present = {str(p.get("name")): p for p in json_objects(schema.get("properties"))}
        pending += _missing_properties(definition.name, definition.properties, present)
        type_id = str(schema.get("objectTypeId"))
        linked = {str(a.get("toObjectTypeId")) for a in json_objects(schema.get("associations"))
                  if str(a.get("fromObjectTypeId")) == type_id}
        pending += [f"association {definition.name} -> {target}"
                    for target in definition.associated_objects
                    if STANDARD_TYPE_IDS.get(target.upper(), target) not in linked]
    return tuple(pending)


def _missing_properties(label: str, definitions: Sequence[PropertyDefinition],
                        present: dict[str, JsonObject]) -> list[str]:
    missing = []
    for definition in definitions:
        existing = present.get(definition.name)
        if existing is None:
            missing.append(f"property {label}.{definition.name}")
        elif _lacks_options(existing, definition):
            values = {str(o.get("value")) for o in json_objects(existing.get("options"))}
            missing.append(f"options {label}.{definition.name}: " + ", ".join(
                o.value for o in definition.options if o.value not in values))
    return missing


class _Steps:
    def __init__(self, transport: HubSpotTransport) -> None:
        self.transport = transport
        self.api = transport.api
        self.created: list[str] = []

    def group_and_properties(self, object_type: str, group: str,
                             definitions: Sequence[PropertyDefinition]) -> None:
        self.group(object_type, group)
        self.properties(object_type, definitions)

    def group(self, object_type: str, name: str, label: str | None = None) -> None:
        listed = self.transport.call("property_groups.list", self.api.property_groups.get_all,
                                     object_type).body
        if name in _names(listed):
            return
        body = {"name": name, "label": name.replace("_", " ").capitalize(), "displayOrder": -1}
        self.transport.call("property_groups.create", self.api.property_groups.create,
                            object_type, body)
        self.created.append(f"property group {label or object_type}.{name}")

    def properties(self, object_type: str, definitions: Sequence[PropertyDefinition],
                   label: str | None = None) -> None:
        listed = self.transport.call("properties.list", self.api.properties.get_all,
                                     object_type).body
        self.options(object_type, definitions, listed, label)
        missing = [d for d in definitions if d.name not in _names(listed)]
        if not missing:
            return
        body = {"inputs": [property_body(d) for d in missing]}
        answer = self.transport.call("properties.create", self.api.property_batch.create,
                                     object_type, body)
        _raise_unless_existing(json_objects(answer.body.get("errors")), object_type)
        for name in _names(answer.body):
            self.created.append(f"property {label or object_type}.{name}")

    def options(self, object_type: str, definitions: Sequence[PropertyDefinition],
                listed: JsonObject, label: str | None) -> None:
        """An existing enumeration lacking values the worker writes (a portal set up
        before ``on_hold`` or ``manual`` existed) gets them, its own values kept."""
        existing = {str(p.get("name")): p for p in json_objects(listed.get("results"))}
        for definition in definitions:
            current = existing.get(definition.name)
            if current is None or not definition.options:
                continue
            have = json_objects(current.get("options"))
            values = {str(option.get("value")) for option in have}
            added = [o for o in definition.options if o.value not in values]
            if not added:
                continue
            options = have + [{"label": o.label, "value": o.value, "hidden": False,
                               "displayOrder": len(have) + i} for i, o in enumerate(added)]
            self.transport.call("properties.update", self.api.properties.update, object_type,
                                definition.name, {"options": options})
            self.created.append(f"options {label or object_type}.{definition.name}: "
                                + ", ".join(o.value for o in added))

    def custom_object(self, definition: CustomObjectDefinition) -> None:
        self.transport.call("schemas.create", self.api.schemas.create, schema_body(definition))
        self.created.append(f"custom object {definition.name}")

    def complete_custom_object(self, type_id: str, schema: JsonObject,
                               definition: CustomObjectDefinition) -> None:
        present = {str(p.get("name")): p for p in json_objects(schema.get("properties"))}
        if any(d.name not in present or _lacks_options(present[d.name], d)
               for d in definition.properties):
            self.group(type_id, definition.properties[0].group_name, label=definition.name)
            self.properties(type_id, definition.properties, label=definition.name)
        linked = {str(a.get("toObjectTypeId")) for a in json_objects(schema.get("associations"))
                  if str(a.get("fromObjectTypeId")) == type_id}
        for target in definition.associated_objects:
            to_type = STANDARD_TYPE_IDS.get(target.upper(), target)
            if to_type not in linked:
                self.association(type_id, to_type, definition.name, target)

    def association(self, type_id: str, to_type: str, name: str, target: str) -> None:
        body = {"fromObjectTypeId": type_id, "toObjectTypeId": to_type,
                "name": f"{name}_to_{target.lower()}"}
        self.transport.call("schemas.associate", self.api.schemas.create_association,
                            type_id, body)
        self.created.append(f"association {name} -> {target}")


def property_body(definition: PropertyDefinition) -> JsonObject:
    """``PropertyCreate`` JSON for one planned property."""
    body: JsonObject = {
        "name": definition.name, "label": definition.label, "type": definition.type,
        "fieldType": definition.field_type, "groupName": definition.group_name,
        "hasUniqueValue": definition.unique,
    }
    if definition.options:
        body["options"] = [{"label": o.label, "value": o.value, "displayOrder": i,
                            "hidden": False} for i, o in enumerate(definition.options)]
    return body


def schema_body(definition: CustomObjectDefinition) -> JsonObject:
    """``ObjectSchemaEgg`` JSON; its properties land in the object's default group."""
    properties = []
    for prop in definition.properties:
        body = property_body(prop)
        del body["groupName"]
        properties.append(body)
    return {
        "name": definition.name,
        "labels": {"singular": definition.singular_label, "plural": definition.plural_label},
        "primaryDisplayProperty": definition.primary_display_property,
        "requiredProperties": list(definition.required_properties),
        "searchableProperties": [definition.primary_display_property],
        "secondaryDisplayProperties": [],
        "properties": properties,
        "associatedObjects": list(definition.associated_objects),
    }


def _lacks_options(existing: JsonObject, definition: PropertyDefinition) -> bool:
    values = {str(option.get("value")) for option in json_objects(existing.get("options"))}
    return any(option.value not in values for option in definition.options)


def _names(listing: JsonObject) -> set[str]:
    return {str(item["name"]) for item in json_objects(listing.get("results")) if "name" in item}


def _raise_unless_existing(errors: Iterable[JsonObject], object_type: str) -> None:
    """A property someone created meanwhile is fine; any other refusal is not."""
    refused = [e for e in errors if e.get("category") != ALREADY_EXISTS]
    if refused:
        details = "; ".join(str(e.get("message")) for e in refused)[:500]
        raise RequestRejected(f"HubSpot refused properties on {object_type}: {details}",
                              api="hubspot", status=207,
                              code=str(refused[0].get("category") or "VALIDATION_ERROR"))
