"""CRM search as a stream of records: pages of 200, any of several filter groups, the
properties wanted returned with each hit (no batch read needed after it), and past
HubSpot's 10,000-result cap the search restarts above the last id seen."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from sync.adapters.hubspot.shapes import OBJECT_ID, SEARCH_PAGE, SEARCH_RESULT_CAP, next_after
from sync.adapters.hubspot.transport import SEARCH, HubSpotTransport, JsonObject, json_objects

Group = list[JsonObject]  # filters that must all hold; a hit matches any group


@dataclass
class Search:
    transport: HubSpotTransport
    object_type: str
    groups: list[Group]
    properties: Sequence[str]
    operation: str
    total: int | None = None  # HubSpot's count of matches, once the first page is read

    def __iter__(self) -> Iterator[JsonObject]:
        floor: str | None = None
        after: str | None = None
        while True:
            page = self.transport.call(
                self.operation, self.transport.api.search.do_search, self.object_type,
                self._body(floor, after), window=SEARCH).body
            if self.total is None:
                self.total = int(page.get("total") or 0)
            hits = json_objects(page.get("results"))
            yield from hits
            after = next_after(page)
            if after is None or not hits:
                return
            if after.isdigit() and int(after) + SEARCH_PAGE > SEARCH_RESULT_CAP:
                floor, after = str(hits[-1]["id"]), None

    def _body(self, floor: str | None, after: str | None) -> JsonObject:
        above = [{"propertyName": OBJECT_ID, "operator": "GT", "value": floor}] if floor else []
        body: JsonObject = {
            "filterGroups": [{"filters": [*filters, *above]} for filters in self.groups],
            "sorts": [{"propertyName": OBJECT_ID, "direction": "ASCENDING"}],
            "properties": list(dict.fromkeys([OBJECT_ID, *self.properties])),
            "limit": SEARCH_PAGE}
        if after is not None:
            body["after"] = after
        return body


def modified_since(epoch_millis: str) -> Group:
    return [{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": epoch_millis}]


def has(name: str) -> Group:
    return [{"propertyName": name, "operator": "HAS_PROPERTY"}]
