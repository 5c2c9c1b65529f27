"""Property groups through the SDK: list, create, conflict on a second create."""

import pytest
from hubspot.crm.properties import ApiException, PropertyGroupCreate

from tests.sandbox.conftest import hubspot_client


def test_groups_are_created_listed_and_unique(hubspot_url: str) -> None:
    groups = hubspot_client(hubspot_url).crm.properties.groups_api
    assert groups.get_all("companies").results == []
    created = groups.create("companies", PropertyGroupCreate(name="vmc_partner_programme",
                                                             label="Partner programme"))
    assert (created.name, created.label) == ("vmc_partner_programme", "Partner programme")
    assert [g.name for g in groups.get_all("companies").results] == ["vmc_partner_programme"]
    assert groups.get_all("deals").results == []
    with pytest.raises(ApiException) as caught:
        groups.create("companies", PropertyGroupCreate(name="vmc_partner_programme", label="x"))
    assert caught.value.status == 409
