"""The worker's one door to HubSpot: partner companies, deals and payouts in; deal and
company fields, commission lines, payouts and their associations out (docs/configuration.md).

Reads return plain dicts in the CRM v3 JSON shape (``{"id", "properties",
"propertiesWithHistory", "associations", "createdAt", "updatedAt", "archived"}``),
exactly what ``mappings.hubspot`` reads. Batches carry as many inputs as HubSpot
documents for each endpoint (``sync.adapters.hubspot.batch``); writes report per input
(``BatchOutcome``). Names come from the ``PropertyMap``; custom
objects are addressed by the ``objectTypeId`` the schemas API gives for their name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from mappings.hubspot.schema import property_definitions
from mappings.properties import PropertyMap
from sync.adapters.hubspot.batch import (
    ASSOCIATION_DEFAULT_BATCH,
    ASSOCIATION_READ_BATCH,
    BatchOutcome,
    chunked,
    mentions_key,
    mentions_pair,
    read_answer,
    run_batches,
)
from sync.adapters.hubspot.search import Search, has, modified_since
from sync.adapters.hubspot.shapes import (
    epoch_millis,
    id_order,
    next_after,
    unique_ids,
    v3_company_links,
)
from sync.adapters.hubspot.transport import (
    ASSOCIATIONS,
    DEFAULT_TIMEOUT,
    Answer,
    HubSpotTransport,
    JsonObject,
    Timeout,
    json_objects,
)
from sync.adapters.pacing import RollingWindowPacer
from sync.adapters.retry import RetryPolicy
from sync.errors import ConfigurationError

COMPANIES, DEALS = "companies", "deals"
STANDARD_OBJECTS = frozenset({"contacts", COMPANIES, DEALS, "tickets", "products",
                              "line_items", "quotes"})
OBJECT_TYPE_ID = re.compile(r"\d+-\d+")
LIST_PAGE = 100

Pair = tuple[str, str]


class HubSpotGateway:
    def __init__(self, access_token: str, base_url: str, props: PropertyMap, *,
                 retry: RetryPolicy, pacer: RollingWindowPacer | None,
                 search_pacer: RollingWindowPacer | None,
                 association_pacer: RollingWindowPacer | None = None,
                 timeout: Timeout = DEFAULT_TIMEOUT) -> None:
        self.props = props
        self.transport = HubSpotTransport(access_token, base_url, retry=retry, pacer=pacer,
                                          search_pacer=search_pacer,
                                          association_pacer=association_pacer, timeout=timeout)
        self._api = self.transport.api
        self._schemas: dict[str, JsonObject] | None = None

    # -- reads ----------------------------------------------------------------------------

    def partner_companies(self, known_ids: Iterable[str],
                          also_having: Sequence[str] = ()) -> list[JsonObject]:
        """Companies with a tier now, plus ``known_ids`` (partners whose tier may have
        been cleared since, R1), plus any company having one of ``also_having`` (one
        search: HubSpot ORs up to 5 filter groups), with the history of the (h)
        properties."""
        groups = [has(name) for name in [self.props.company.tier, *also_having]]
        found = [str(hit["id"]) for hit in Search(self.transport, COMPANIES, groups[:5], (),
                                                  "companies.search")]
        return self.partners(unique_ids([*found, *known_ids]))

    def partners(self, ids: Sequence[str]) -> list[JsonObject]:
        """Companies by id with the history of the (h) properties (a batch read: search
        and list answers carry no history)."""
        return self.batch_read(COMPANIES, unique_ids(ids),
                                self.props.company_properties_to_read(),
                                self.props.company_properties_with_history())

    def companies(self, ids: Iterable[str]) -> list[JsonObject]:
        """Companies by id (deals' companies, for R8's domain check)."""
        return self.batch_read(COMPANIES, unique_ids(ids),
                                self.props.company_properties_to_read(), ())

    def changed_companies(self, since: datetime) -> list[JsonObject]:
        """Ids and tiers of the companies changed at or after ``since`` (one search page
        when nothing changed): who needs reading again."""
        return list(Search(self.transport, COMPANIES, [modified_since(epoch_millis(since))],
                           [self.props.company.tier], "companies.search"))

    def archived_companies(self) -> list[str]:
        """Ids of the archived companies (one page, usually): known partners among them
        are reported missing without reading every partner (R1)."""
        return [str(record["id"]) for record in self.pages(
            COMPANIES, ["hs_object_id"], "companies.list_archived", archived=True)]

    def all_deals(self) -> Iterator[JsonObject]:
        """Every deal with its companies in ``associations``, streamed a page at a time."""
        return self.pages(DEALS, self._deal_properties(), "deals.list",
                           associations=[self.props.associations.deal_companies])

    def deals_modified_since(self, since: datetime | None) -> list[JsonObject]:
        """Deals changed at or after ``since`` (the caller subtracts its overlap), or
        every deal when ``since`` is None; each with its companies in ``associations``."""
        if since is None:
            return list(self.all_deals())
        changed = self.changed_deals(since, at_most=None)
        assert changed is not None
        return changed

    def changed_deals(self, since: datetime, at_most: int | None) -> list[JsonObject] | None:
        """Deals changed at or after ``since``, read by the search itself (it returns
        their properties) with their companies; None when more than ``at_most`` changed,
        a full listing being then the cheaper read."""
        search = Search(self.transport, DEALS, [modified_since(epoch_millis(since))],
                        self._deal_properties(), "deals.search")
        deals: list[JsonObject] = []
        for deal in search:
            if at_most is not None and search.total is not None and search.total > at_most:
                return None
            deals.append(deal)
        self._attach_companies(deals)
        return deals

    def deals(self, ids: Sequence[str]) -> list[JsonObject]:
        """Deals by id, with their companies in ``associations`` as the listing and the
        search give them; ids HubSpot no longer has are left out."""
        deals = self.batch_read(DEALS, unique_ids(ids), self._deal_properties(), ())
        self._attach_companies(deals)
        return deals

    def payout_records(self, ids: Sequence[str]) -> list[JsonObject]:
        """Payout records by HubSpot record id, with the properties ``payouts`` reads."""
        return self.batch_read(self.object_type_id(self.props.payout.object_name),
                               unique_ids(ids), self._payout_properties(), ())

    def payouts(self) -> list[JsonObject]:
        """Every payout record with its properties (finance's approvals and paid marks)."""
        return self._list(self.object_type_id(self.props.payout.object_name),
                          self._payout_properties(), "payouts.list")

    def changed_payouts(self, since: datetime) -> list[JsonObject]:
        """Payout records changed at or after ``since``, read by the search itself."""
        return list(Search(self.transport, self.object_type_id(self.props.payout.object_name),
                           [modified_since(epoch_millis(since))], self._payout_properties(),
                           "payouts.search"))

    def _payout_properties(self) -> list[str]:
        return [d.name for d in property_definitions(self.props.payout)]

    # -- writes ---------------------------------------------------------------------------

    def update_records(self, object_type: str,
                       updates: list[tuple[str, dict[str, str]]]) -> BatchOutcome[str]:
        """Batch update by record id; outcome keyed by record id."""
        type_id, latest = self.object_type_id(object_type), dict(updates)

        def send(chunk: Sequence[str]) -> Answer:
            body = {"inputs": [{"id": key, "properties": latest[key]} for key in chunk]}
            return self.transport.call(f"{object_type}.update", self._api.batch.update,
                                       type_id, body)

        def read(chunk: Sequence[str], answer: Answer) -> BatchOutcome[str]:
            return read_answer(chunk, answer, _record_id, mentions_key)

        return run_batches(list(latest), send, read)

    def upsert_records(self, object_name: str, id_property: str,
                       records: list[tuple[str, dict[str, str]]]) -> BatchOutcome[str]:
        """Batch upsert on the unique ``id_property``; outcome keyed by its value, each
        success with its HubSpot record id."""
        type_id, latest = self.object_type_id(object_name), dict(records)

        def send(chunk: Sequence[str]) -> Answer:
            body = {"inputs": [{"idProperty": id_property, "id": key,
                                "properties": {**latest[key], id_property: key}}
                               for key in chunk]}
            return self.transport.call(f"{object_name}.upsert", self._api.batch.upsert,
                                       type_id, body)

        def read(chunk: Sequence[str], answer: Answer) -> BatchOutcome[str]:
            def key_of(result: JsonObject) -> tuple[str, str] | None:
                value = (result.get("properties") or {}).get(id_property)
                return None if value is None else (str(value), str(result.get("id")))
            return read_answer(chunk, answer, key_of, mentions_key)

        return run_batches(list(latest), send, read)

    def associate(self, from_object: str, to_object: str,
                  pairs: list[Pair]) -> BatchOutcome[Pair]:
        """v4 default (unlabeled) associations, ``ASSOCIATION_DEFAULT_BATCH`` pairs a call;
        outcome keyed by ``(from_id, to_id)``."""
        from_type, to_type = self.object_type_id(from_object), self.object_type_id(to_object)

        def send(chunk: Sequence[Pair]) -> Answer:
            body = {"inputs": [{"from": {"id": a}, "to": {"id": b}} for a, b in chunk]}
            return self.transport.call(f"{from_object}.{to_object}.associate",
                                       self._api.associations.create_default,
                                       from_type, to_type, body, window=ASSOCIATIONS)

        def read(chunk: Sequence[Pair], answer: Answer) -> BatchOutcome[Pair]:
            return read_answer(chunk, answer, _pair_of, mentions_pair)

        return run_batches(list(dict.fromkeys(pairs)), send, read, ASSOCIATION_DEFAULT_BATCH)

    # -- custom object types --------------------------------------------------------------

    def object_type_id(self, name: str) -> str:
        """Standard names and ``2-...`` ids as they are; a custom object's name to the
        ``objectTypeId`` the schemas API reports (cached; re-read once when unknown)."""
        if name in STANDARD_OBJECTS or OBJECT_TYPE_ID.fullmatch(name):
            return name
        schema = self.custom_objects().get(name) or self.custom_objects(refresh=True).get(name)
        if schema is None:
            raise ConfigurationError(f"HubSpot has no custom object {name!r}; "
                                     "run `partnersync hubspot setup`")
        return str(schema["objectTypeId"])

    def custom_objects(self, *, refresh: bool = False) -> dict[str, JsonObject]:
        """The portal's custom object schemas by name (and fully qualified name)."""
        if self._schemas is None or refresh:
            answer = self.transport.call("schemas.list", self._api.schemas.get_all)
            self._schemas = {}
            for schema in json_objects(answer.body.get("results")):
                for key in ("fullyQualifiedName", "name"):
                    if isinstance(schema.get(key), str):
                        self._schemas[schema[key]] = schema
        return self._schemas

    # -- helpers --------------------------------------------------------------------------

    def _deal_properties(self) -> list[str]:
        written = [d.name for d in property_definitions(self.props.deal)]
        return list(dict.fromkeys([*self.props.deal_properties_to_read(), *written]))

    def batch_read(self, object_type: str, ids: Sequence[str], properties: Sequence[str],
                    history: Sequence[str]) -> list[JsonObject]:
        """Records by id, 100 a call; ids HubSpot no longer has are left out."""
        records: list[JsonObject] = []
        for chunk in chunked(ids):
            body: JsonObject = {"inputs": [{"id": i} for i in chunk],
                                "properties": list(properties)}
            if history:
                body["propertiesWithHistory"] = list(history)
            answer = self.transport.call(f"{object_type}.read", self._api.batch.read,
                                         object_type, body)
            records += json_objects(answer.body.get("results"))
        return sorted(records, key=lambda r: id_order(str(r.get("id"))))

    def _list(self, object_type: str, properties: Sequence[str], operation: str
              ) -> list[JsonObject]:
        return list(self.pages(object_type, properties, operation))

    def pages(self, object_type: str, properties: Sequence[str], operation: str, *,
               associations: Sequence[str] = (), archived: bool = False
               ) -> Iterator[JsonObject]:
        after: str | None = None
        while True:
            options: dict[str, Any] = {"limit": LIST_PAGE, "properties": list(properties),
                                       "archived": archived}
            if associations:
                options["associations"] = list(associations)
            if after is not None:
                options["after"] = after
            page = self.transport.call(operation, self._api.objects.get_page, object_type,
                                       **options).body
            yield from json_objects(page.get("results"))
            after = next_after(page)
            if after is None:
                return

    def _attach_companies(self, deals: list[JsonObject]) -> None:
        """v4 batch association read, ``ASSOCIATION_READ_BATCH`` deals a call, attached in
        the v3 shape the list API returns."""
        names = self.props.associations
        by_id = {str(deal["id"]): deal for deal in deals}
        for chunk in chunked(list(by_id), ASSOCIATION_READ_BATCH):
            body = {"inputs": [{"id": deal_id} for deal_id in chunk]}
            answer = self.transport.call("deals.companies.read",
                                         self._api.associations.get_page, DEALS, COMPANIES,
                                         body, window=ASSOCIATIONS)
            for result in json_objects(answer.body.get("results")):
                deal = by_id.get(str((result.get("from") or {}).get("id")))
                if deal is not None:
                    links = v3_company_links(json_objects(result.get("to")), names)
                    deal["associations"] = {names.deal_companies: {"results": links}}


def _record_id(result: JsonObject) -> tuple[str, str] | None:
    record_id = result.get("id")
    return None if record_id is None else (str(record_id), str(record_id))


def _pair_of(result: JsonObject) -> tuple[Pair, str] | None:
    source, target = result.get("from") or {}, result.get("to") or {}
    if "id" not in source or "id" not in target:
        return None
    return (str(source["id"]), str(target["id"])), str(target["id"])
