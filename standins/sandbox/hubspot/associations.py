"""Associations (v4 model): typed, directed edges kept in both directions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sandbox.hubspot.errors import invalid


@dataclass(frozen=True)
class AssociationType:
    type_id: int
    category: str            # "HUBSPOT_DEFINED" or "USER_DEFINED"
    name: str                # the v3 name, e.g. "deal_to_company"
    label: str | None
    from_type: str           # objectTypeId
    to_type: str
    inverse_id: int
    is_default: bool = False  # the unlabeled type "associate/default" uses

    def spec(self) -> dict[str, object]:
        """v4 AssociationSpecWithLabel."""
        return {"category": self.category, "typeId": self.type_id, "label": self.label}


def _pair(first: tuple[int, str, str | None], second: tuple[int, str, str | None],
          from_type: str, to_type: str, category: str, default: bool
          ) -> list[AssociationType]:
    return [
        AssociationType(first[0], category, first[1], first[2], from_type, to_type, second[0],
                        default),
        AssociationType(second[0], category, second[1], second[2], to_type, from_type, first[0],
                        default),
    ]


def standard_association_types() -> list[AssociationType]:
    return [
        *_pair((5, "deal_to_company", "Primary"), (6, "company_to_deal", "Primary"),
               "0-3", "0-2", "HUBSPOT_DEFINED", False),
        *_pair((341, "deal_to_company_unlabeled", None),
               (342, "company_to_deal_unlabeled", None), "0-3", "0-2", "HUBSPOT_DEFINED", True),
    ]


Edge = tuple[str, str]  # (objectTypeId, object id)


class AssociationStore:
    """Type definitions and edges. Edges keep insertion order, as fixtures list them."""

    def __init__(self) -> None:
        self.types: dict[int, AssociationType] = {}
        self._edges: dict[Edge, dict[Edge, list[int]]] = {}
        self._next_user_type = 900
        for atype in standard_association_types():
            self.types[atype.type_id] = atype

    def define_pair(self, from_type: str, to_type: str, from_name: str, to_name: str
                    ) -> AssociationType:
        """A new unlabeled user-defined type between two object types (both directions)."""
        ids = (self._next_user_type, self._next_user_type + 1)
        self._next_user_type += 2
        forward, backward = _pair(
            (ids[0], f"{from_name}_to_{to_name}", None), (ids[1], f"{to_name}_to_{from_name}",
                                                           None),
            from_type, to_type, "USER_DEFINED", True)
        self.types[forward.type_id] = forward
        self.types[backward.type_id] = backward
        return forward

    def types_between(self, from_type: str, to_type: str) -> list[AssociationType]:
        return [t for t in self.types.values()
                if t.from_type == from_type and t.to_type == to_type]

    def default_type(self, from_type: str, to_type: str) -> AssociationType:
        for atype in self.types_between(from_type, to_type):
            if atype.is_default:
                return atype
        raise invalid(f"No default association from {from_type} to {to_type}")

    def resolve(self, type_id: int, from_type: str, to_type: str | None = None
                ) -> AssociationType:
        atype = self.types.get(int(type_id))
        if atype is None or atype.from_type != from_type or (
                to_type is not None and atype.to_type != to_type):
            raise invalid(f"Invalid association type {type_id} from {from_type}",
                          associationTypeId=[str(type_id)])
        return atype

    def by_name(self, name: str, from_type: str) -> AssociationType | None:
        for atype in self.types.values():
            if atype.name == name and atype.from_type == from_type:
                return atype
        return None

    def add(self, source: Edge, target: Edge, atype: AssociationType) -> None:
        """Associate both ways: `atype` from source to target and its inverse back."""
        self._link(source, target, atype.type_id)
        self._link(target, source, atype.inverse_id)

    def _link(self, source: Edge, target: Edge, type_id: int) -> None:
        ids = self._edges.setdefault(source, {}).setdefault(target, [])
        if type_id not in ids:
            ids.append(type_id)

    def seed(self, links: list[tuple[Edge, Edge, AssociationType]]) -> None:
        """Fixture links: each record's own list first, in its order, then the inverses."""
        for source, target, atype in links:
            self._link(source, target, atype.type_id)
        for source, target, atype in links:
            self._link(target, source, atype.inverse_id)

    def remove(self, source: Edge, target: Edge, type_ids: Iterable[int] | None = None) -> None:
        """Remove the given types (all when None) between two objects, both directions."""
        for atype_id in list(self._edges.get(source, {}).get(target, [])):
            if type_ids is None or atype_id in set(type_ids):
                self._unlink(source, target, atype_id)
                self._unlink(target, source, self.types[atype_id].inverse_id)

    def _unlink(self, source: Edge, target: Edge, type_id: int) -> None:
        targets = self._edges.get(source, {})
        ids = targets.get(target, [])
        if type_id in ids:
            ids.remove(type_id)
        if not ids:
            targets.pop(target, None)

    def drop_object(self, node: Edge) -> None:
        for target in list(self._edges.get(node, {})):
            self.remove(node, target)

    def targets(self, source: Edge, to_type: str) -> list[tuple[str, list[AssociationType]]]:
        """(target id, types) for every object of `to_type` associated with `source`."""
        return [(target_id, [self.types[i] for i in ids])
                for (target_type, target_id), ids in self._edges.get(source, {}).items()
                if target_type == to_type and ids]
