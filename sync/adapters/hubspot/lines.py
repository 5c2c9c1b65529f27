"""Commission line records as HubSpot now shows them, to find edits made there.

The worker writes line records and never needs to read them, except to notice that
someone edited one (HubSpot is not the source of amounts): every record once, then
the records changed since the last look, which the search reads with their values.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sync.adapters.hubspot.gateway import HubSpotGateway
from sync.adapters.hubspot.search import Search, modified_since
from sync.adapters.hubspot.shapes import epoch_millis
from sync.adapters.hubspot.transport import JsonObject


class LineRecords:
    def __init__(self, gateway: HubSpotGateway) -> None:
        self._gateway = gateway

    def _read(self) -> tuple[str, list[str]]:
        names = self._gateway.props.commission_line
        type_id = self._gateway.object_type_id(names.object_name)
        return type_id, [names.line_id, names.partner_id, names.month, names.amount]

    def changed(self, since: datetime | None) -> Iterator[JsonObject]:
        """Line records changed at or after ``since``; every one when it is None."""
        type_id, properties = self._read()
        if since is None:
            return self._gateway.pages(type_id, properties, "lines.list")
        return iter(Search(self._gateway.transport, type_id,
                           [modified_since(epoch_millis(since))], properties, "lines.search"))
