"""v4 association targets rewritten in the v3 shape the mappings read."""

from __future__ import annotations

from mappings.hubspot.deals import primary_company_id
from mappings.properties import DEFAULT_PROPERTY_MAP
from sync.adapters.hubspot.shapes import v3_company_links

NAMES = DEFAULT_PROPERTY_MAP.associations
PRIMARY = {"category": "HUBSPOT_DEFINED", "typeId": 5, "label": "Primary"}


def test_string_and_number_ids_give_the_same_id() -> None:
    links = v3_company_links([{"toObjectId": "5434402448", "associationTypes": [PRIMARY]},
                              {"toObjectId": 101, "associationTypes": [PRIMARY]}], NAMES)
    assert [link["id"] for link in links] == ["5434402448", "101"]


def test_a_target_without_an_id_names_no_company() -> None:
    """Not the company "None": the deal then has no primary company from that target."""
    links = v3_company_links([{"associationTypes": [PRIMARY]}], NAMES)
    assert [link["id"] for link in links] == [None]
    record = {"associations": {NAMES.deal_companies: {"results": links}}}
    assert primary_company_id(record, NAMES) is None
