"""Seed the stand-in from a fixture set (docs/sandbox.md): objects served back verbatim,
and the portal's users from `users.json` (Settings users API shape)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sandbox.hubspot.associations import AssociationType, Edge
from sandbox.hubspot.records import Record
from sandbox.hubspot.state import HubSpotState
from sandbox.hubspot.types import ObjectType
from sandbox.hubspot.users import USERS_FILE

JsonObject = dict[str, Any]
Link = tuple[Edge, Edge, AssociationType]

# Standard files first, in this order; any other `<type>.json` naming a known type after.
STANDARD_FILES = ("companies.json", "deals.json")
RECORD_KEYS = {"id", "properties", "propertiesWithHistory", "associations", "createdAt",
               "updatedAt", "archived", "archivedAt"}


def hubspot_dir(path: Path) -> Path:
    """Accept a fixture set (`<set>/hubspot/...`) or its `hubspot` directory itself."""
    return path / "hubspot" if (path / "hubspot").is_dir() else path


def record_from_fixture(obj: JsonObject) -> Record:
    history: dict[str, list[JsonObject]] = {
        name: list(entries) for name, entries in (obj.get("propertiesWithHistory") or {}).items()}
    properties: dict[str, str | None] = dict(obj.get("properties") or {})
    for name, entries in history.items():
        if name not in properties and entries:
            properties[name] = entries[0].get("value")
    return Record(
        id=str(obj["id"]), properties=properties, history=history,
        created_at=str(obj.get("createdAt", "")), updated_at=str(obj.get("updatedAt", "")),
        archived=bool(obj.get("archived", False)), archived_at=obj.get("archivedAt"),
        extra={k: v for k, v in obj.items() if k not in RECORD_KEYS},
    )


def _fixture_files(directory: Path) -> list[Path]:
    standard = [directory / f for f in STANDARD_FILES if (directory / f).is_file()]
    others = sorted(p for p in directory.glob("*.json")
                    if p.name not in {*STANDARD_FILES, USERS_FILE})
    return standard + others


def _links(state: HubSpotState, otype: ObjectType, obj: JsonObject) -> list[Link]:
    links: list[Link] = []
    for key, block in (obj.get("associations") or {}).items():
        to_type = state.resolve_type(key)
        for item in block.get("results", []):
            atype = state.associations.by_name(str(item["type"]), otype.type_id)
            if atype is None:
                raise ValueError(f"unknown association type {item['type']!r} in fixture "
                                 f"{otype.name} {obj['id']}")
            links.append(((otype.type_id, str(obj["id"])), (to_type.type_id, str(item["id"])),
                          atype))
    return links


def _load_users(state: HubSpotState, directory: Path) -> int | None:
    file = directory / USERS_FILE
    if not file.is_file():
        return None
    users = json.loads(file.read_text(encoding="utf-8"))
    if not isinstance(users, list):
        raise ValueError(f"{file}: expected a JSON array of users")
    state.users.load(users)
    return len(users)


def load_fixtures(state: HubSpotState, path: Path) -> dict[str, int]:
    """Load every HubSpot fixture file under `path`; returns records loaded per type
    (and `users`, when the set has a users file)."""
    directory = hubspot_dir(path)
    if not directory.is_dir():
        raise FileNotFoundError(f"no fixture directory at {path}")
    loaded: dict[str, int] = {}
    links: list[Link] = []
    with state.lock:
        users = _load_users(state, directory)
        for file in _fixture_files(directory):
            otype = state.resolve_type(file.stem)
            objects = json.loads(file.read_text(encoding="utf-8"))
            for obj in objects:
                state.seed(otype, record_from_fixture(obj))
                links += _links(state, otype, obj)
            state.properties_changed(otype)
            loaded[otype.name] = loaded.get(otype.name, 0) + len(objects)
        state.associations.seed(links)
    return loaded if users is None else {**loaded, "users": users}
