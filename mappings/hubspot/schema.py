"""What ``hubspot setup`` creates, resolved from a :class:`PropertyMap`.

Names come from the map (so a renamed property is created under its configured
name); types, labels and options from the same declaration in ``mappings.properties``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from mappings.properties import PropertyMap, PropertySchema, PropertyType

COMPANY_OBJECT = "companies"
DEAL_OBJECT = "deals"


@dataclass(frozen=True, slots=True)
class PropertyOption:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class PropertyDefinition:
    """One property to create: the body of ``POST /crm/v3/properties/{object}``."""

    name: str
    label: str
    type: str
    field_type: str
    group_name: str
    unique: bool = False
    options: tuple[PropertyOption, ...] = ()


@dataclass(frozen=True, slots=True)
class CustomObjectDefinition:
    """One custom object schema to create (``POST /crm/v3/schemas``)."""

    name: str
    singular_label: str
    plural_label: str
    primary_display_property: str  # the unique id property
    required_properties: tuple[str, ...]
    associated_objects: tuple[str, ...]
    properties: tuple[PropertyDefinition, ...]


@dataclass(frozen=True, slots=True)
class SetupPlan:
    company_group: str
    deal_group: str
    company_properties: tuple[PropertyDefinition, ...]
    deal_properties: tuple[PropertyDefinition, ...]
    custom_objects: tuple[CustomObjectDefinition, ...]


def setup_plan(props: PropertyMap) -> SetupPlan:
    line, payout = props.commission_line, props.payout
    return SetupPlan(
        company_group=props.company.group_name,
        deal_group=props.deal.group_name,
        company_properties=property_definitions(props.company),
        deal_properties=property_definitions(props.deal),
        custom_objects=(
            CustomObjectDefinition(
                name=line.object_name,
                singular_label="Commission line",
                plural_label="Commission lines",
                primary_display_property=line.line_id,
                required_properties=(line.line_id,),
                associated_objects=("COMPANY", "DEAL"),
                properties=property_definitions(line),
            ),
            CustomObjectDefinition(
                name=payout.object_name,
                singular_label="Payout",
                plural_label="Payouts",
                primary_display_property=payout.payout_id,
                required_properties=(payout.payout_id,),
                associated_objects=("COMPANY",),
                properties=property_definitions(payout),
            ),
        ),
    )


def property_definitions(section: Any) -> tuple[PropertyDefinition, ...]:
    """The custom properties of one section (HubSpot's own carry no schema)."""
    definitions = []
    for field in dataclasses.fields(section):
        schema: PropertySchema | None = field.metadata.get("schema")
        if schema is not None:
            definitions.append(_definition(getattr(section, field.name), schema,
                                           section.group_name))
    return tuple(definitions)


def _definition(name: str, schema: PropertySchema, group_name: str) -> PropertyDefinition:
    return PropertyDefinition(
        name=name,
        label=schema.label,
        type=schema.type.value,
        field_type=schema.resolved_field_type,
        group_name=group_name,
        unique=schema.unique,
        options=_options(schema),
    )


def _options(schema: PropertySchema) -> tuple[PropertyOption, ...]:
    if schema.type is PropertyType.BOOL:
        return (PropertyOption("Yes", "true"), PropertyOption("No", "false"))
    return tuple(
        PropertyOption(value.replace("_", " ").capitalize(), value) for value in schema.options
    )
