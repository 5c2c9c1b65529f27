"""The HubSpot stand-in's in-memory portal: types, records, associations, search index.

Callers hold `state.lock` around each operation (the app does, per request), so one
request's reads and writes are atomic, as a single HubSpot call is.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Mapping
from typing import Any

from sandbox.core.clock import SandboxClock
from sandbox.hubspot.associations import AssociationStore, AssociationType
from sandbox.hubspot.errors import HubSpotError, invalid, not_found
from sandbox.hubspot.private_app import PrivateApp
from sandbox.hubspot.records import (
    Record,
    RecordChange,
    RecordStore,
    WriteSource,
    hubspot_timestamp,
)
from sandbox.hubspot.search import SearchIndex
from sandbox.hubspot.types import ObjectType, property_json, standard_types
from sandbox.hubspot.users import UserDirectory

JsonObject = dict[str, Any]

API_SOURCE = WriteSource()
FIRST_ID = 1000


class HubSpotState:
    def __init__(self, clock: SandboxClock, *, portal_id: int = 12345678,
                 strict_properties: bool = True, index_lag_seconds: float = 0.0) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.portal_id = portal_id
        self.strict_properties = strict_properties
        self.types: dict[str, ObjectType] = {}
        self.stores: dict[str, RecordStore] = {}
        self.associations = AssociationStore()
        self.index = SearchIndex(clock, index_lag_seconds)
        self.users = UserDirectory()
        self.private_app = PrivateApp()  # what the token introspection answers
        self._next_id = FIRST_ID
        self._next_custom = 1
        # Told of every creation and change (`sandbox.hubspot.webhooks`); seeding is not one.
        self.on_change: Callable[[RecordChange], None] = lambda _change: None
        for otype in standard_types():
            self.add_type(otype)

    # -- types -------------------------------------------------------------------------

    def add_type(self, otype: ObjectType) -> None:
        self.types[otype.type_id] = otype
        self.stores[otype.type_id] = RecordStore(otype.label)

    def next_custom_type_id(self) -> str:
        type_id = f"2-{self._next_custom}"
        self._next_custom += 1
        return type_id

    def resolve_type(self, name: str) -> ObjectType:
        """By objectTypeId, path name, singular, fully qualified name (case-insensitive)."""
        wanted = name.lower()
        for otype in self.types.values():
            if wanted in {a.lower() for a in otype.aliases}:
                return otype
        raise HubSpotError(400, f"Unable to infer object type from: {name}", "VALIDATION_ERROR")

    def properties_changed(self, otype: ObjectType) -> None:
        self.stores[otype.type_id].index_unique(otype.unique_properties())

    # -- records -------------------------------------------------------------------------

    def now(self) -> str:
        return hubspot_timestamp(self.clock.now())

    def new_id(self) -> str:
        self._next_id += 1
        return str(self._next_id)

    def note_id(self, record_id: str) -> None:
        """Keep generated ids above any id seeded from fixtures."""
        if record_id.isdigit():
            self._next_id = max(self._next_id, int(record_id))

    def find(self, otype: ObjectType, key: str, *, id_property: str | None = None,
             archived: bool = False) -> Record:
        record = self.lookup(otype, key, id_property)
        if record is None or record.archived != archived:
            raise not_found(otype.label, key)
        return record

    def lookup(self, otype: ObjectType, key: str, id_property: str | None) -> Record | None:
        store = self.stores[otype.type_id]
        if id_property in (None, "", "hs_object_id"):
            return store.get(key)
        if id_property not in otype.unique_properties():
            raise invalid(f"{id_property} is not a unique property of {otype.name}",
                          idProperty=[str(id_property)])
        return store.find_unique(str(id_property), key)

    def list(self, otype: ObjectType, *, archived: bool = False, after: str | None = None,
             limit: int | None = None) -> list[Record]:
        """Records in id order from ``after`` (included), at most ``limit``."""
        found = (r for r in self.stores[otype.type_id].in_id_order(after)
                 if r.archived == archived)
        return list(found if limit is None else itertools.islice(found, limit))

    def check_properties(self, otype: ObjectType, values: Mapping[str, Any]) -> None:
        if not self.strict_properties:
            return
        unknown = [n for n in values if n not in otype.properties]
        if unknown:
            details = [{"isValid": False, "message": f'Property "{n}" does not exist',
                        "error": "PROPERTY_DOESNT_EXIST", "name": n} for n in unknown]
            raise HubSpotError(400, f"Property values were not valid: {details}",
                               "VALIDATION_ERROR", errors=[
                                   {"message": d["message"], "code": "PROPERTY_DOESNT_EXIST",
                                    "context": {"propertyName": [d["name"]]}}
                                   for d in details])

    def create(self, otype: ObjectType, values: Mapping[str, Any],
               source: WriteSource = API_SOURCE) -> Record:
        self.check_properties(otype, values)
        store = self.stores[otype.type_id]
        store.check_unique(None, values)
        now, record_id = self.now(), self.new_id()
        record = Record(record_id, {}, {}, now, now)
        system = {"hs_object_id": record_id, otype.created_property: now,
                  "hs_lastmodifieddate": now}
        store.write(record, {**system, **values}, source, now)
        store.put(record)
        self.index.submit(otype.type_id, record)
        self.on_change(RecordChange(otype.type_id, record_id, True,
                                    {n: record.properties[n] for n in values}, source))
        return record

    def update(self, otype: ObjectType, record: Record, values: Mapping[str, Any],
               source: WriteSource = API_SOURCE) -> Record:
        self.check_properties(otype, values)
        now = self.now()
        changed = self.stores[otype.type_id].write(record, values, source, now)
        if changed:
            record.properties["hs_lastmodifieddate"] = now
            record.updated_at = now
            self.index.submit(otype.type_id, record)
            self.on_change(RecordChange(otype.type_id, record.id, False,
                                        {n: record.properties[n] for n in changed}, source))
        return record

    def archive(self, otype: ObjectType, record: Record) -> None:
        if record.archived:
            return
        now = self.now()
        record.archived, record.archived_at, record.updated_at = True, now, now
        self.associations.drop_object((otype.type_id, record.id))
        self.properties_changed(otype)
        self.index.submit(otype.type_id, record)

    def seed(self, otype: ObjectType, record: Record) -> None:
        """Put a fixture record in place as is; it is searchable at once."""
        self.note_id(record.id)
        if self.strict_properties:
            for name in record.properties.keys() - otype.properties.keys():
                otype.properties[name] = property_json(name)
        self.stores[otype.type_id].put(record)
        self.index.submit(otype.type_id, record, immediate=True)

    # -- associations ------------------------------------------------------------------

    def associate(self, source: tuple[ObjectType, str], target: tuple[ObjectType, str],
                  atype: AssociationType) -> None:
        for otype, record_id in (source, target):
            self.find(otype, record_id)
        self.associations.add((source[0].type_id, source[1]), (target[0].type_id, target[1]),
                              atype)

