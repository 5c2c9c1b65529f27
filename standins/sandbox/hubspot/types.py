"""Object types (standard and custom), their properties and schemas."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sandbox.hubspot.errors import HubSpotError, invalid

JsonObject = dict[str, Any]

EPOCH = "2020-01-01T00:00:00Z"

FIELD_TYPES = {"string": "text", "number": "number", "date": "date", "datetime": "date",
               "enumeration": "select", "bool": "booleancheckbox"}


def property_json(
    name: str, type_: str = "string", *, label: str | None = None, group: str = "",
    hubspot_defined: bool = False, unique: bool = False, at: str = EPOCH, **extra: Any,
) -> JsonObject:
    """A property definition as the properties API returns it."""
    prop: JsonObject = {
        "updatedAt": at, "createdAt": at, "name": name, "label": label or name,
        "type": type_, "fieldType": FIELD_TYPES.get(type_, "text"), "description": "",
        "groupName": group, "options": [], "displayOrder": -1, "calculated": False,
        "externalOptions": False, "hasUniqueValue": unique, "hidden": False,
        "modificationMetadata": {"archivable": not hubspot_defined,
                                 "readOnlyDefinition": hubspot_defined,
                                 "readOnlyValue": False},
        "formField": not hubspot_defined,
    }
    if hubspot_defined:
        prop["hubspotDefined"] = True
    prop.update(extra)
    return prop


@dataclass
class ObjectType:
    """One CRM object type and what is needed to address, validate and render it."""

    type_id: str                 # "0-2", "0-3", "2-1"...
    name: str                    # path name: "companies", "deals", or the custom name
    singular: str                # "company", "deal", custom name
    fully_qualified_name: str
    created_property: str        # "createdate" or "hs_createdate"
    default_properties: list[str]
    properties: dict[str, JsonObject] = field(default_factory=dict)
    groups: dict[str, JsonObject] = field(default_factory=dict)  # property groups by name
    schema: JsonObject | None = None  # custom objects only

    @property
    def label(self) -> str:
        """How HubSpot names the type in error messages."""
        return self.singular.upper()

    @property
    def aliases(self) -> set[str]:
        return {self.type_id, self.name, self.singular, self.fully_qualified_name}

    def unique_properties(self) -> set[str]:
        return {n for n, p in self.properties.items() if p.get("hasUniqueValue")}

    def add_property(self, definition: JsonObject) -> JsonObject:
        name = str(definition.get("name", ""))
        if not name:
            raise invalid("Property name is required")
        if name in self.properties:
            raise HubSpotError(409, f"Property {name} already exists", "OBJECT_ALREADY_EXISTS",
                               context={"name": [name]})
        self.properties[name] = definition
        return definition


def _standard(type_id: str, name: str, singular: str, props: dict[str, str],
              defaults: list[str]) -> ObjectType:
    otype = ObjectType(type_id, name, singular, name, "createdate", defaults)
    for prop_name, type_ in props.items():
        otype.properties[prop_name] = property_json(
            prop_name, type_, group=f"{singular}information", hubspot_defined=True)
    return otype


_SYSTEM = {"hs_object_id": "number", "createdate": "datetime", "hs_lastmodifieddate": "datetime"}


def standard_types() -> list[ObjectType]:
    companies = _standard("0-2", "companies", "company", {
        **_SYSTEM, "name": "string", "domain": "string", "industry": "enumeration",
        "city": "string", "country": "string", "phone": "string",
    }, ["createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"])
    deals = _standard("0-3", "deals", "deal", {
        **_SYSTEM, "dealname": "string", "amount": "number", "dealstage": "enumeration",
        "pipeline": "enumeration", "closedate": "datetime", "description": "string",
    }, ["amount", "closedate", "createdate", "dealname", "dealstage", "hs_lastmodifieddate",
        "hs_object_id", "pipeline"])
    return [companies, deals]


def custom_type(type_id: str, portal_id: int, egg: JsonObject, at: str) -> ObjectType:
    """A custom object type from an ObjectSchemaEgg (`POST /crm-object-schemas/v3/schemas`)."""
    name = str(egg.get("name") or "")
    if not name or "labels" not in egg:
        raise invalid("A schema needs a name and labels")
    fqn = f"p{portal_id}_{name}"
    otype = ObjectType(type_id, name, name, fqn, "hs_createdate",
                       ["hs_createdate", "hs_lastmodifieddate", "hs_object_id"])
    for prop_name in ("hs_object_id", "hs_createdate", "hs_lastmodifieddate"):
        otype.properties[prop_name] = property_json(
            prop_name, "number" if prop_name == "hs_object_id" else "datetime",
            hubspot_defined=True, at=at)
    for prop in egg.get("properties", []):
        otype.add_property(property_json(
            str(prop["name"]), str(prop.get("type", "string")), label=prop.get("label"),
            unique=bool(prop.get("hasUniqueValue", False)), at=at,
            **{k: v for k, v in prop.items() if k in {"fieldType", "description", "options"}}))
    primary = egg.get("primaryDisplayProperty")
    otype.default_properties += [primary] if primary else []
    otype.schema = {
        "id": type_id.split("-", 1)[1], "objectTypeId": type_id, "name": name,
        "fullyQualifiedName": fqn, "labels": egg["labels"],
        "primaryDisplayProperty": primary,
        "requiredProperties": list(egg.get("requiredProperties", [])),
        "searchableProperties": list(egg.get("searchableProperties", [])),
        "secondaryDisplayProperties": list(egg.get("secondaryDisplayProperties", [])),
        "createdAt": at, "updatedAt": at, "archived": False,
    }
    return otype


def schema_json(otype: ObjectType, associations: list[JsonObject]) -> JsonObject:
    """The ObjectSchema answer: the stored schema with live properties and associations."""
    if otype.schema is None:
        raise invalid(f"{otype.name} is not a custom object")
    return {**otype.schema, "properties": list(otype.properties.values()),
            "associations": associations}
