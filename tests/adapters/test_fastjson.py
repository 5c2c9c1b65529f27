"""sync.runtime.fastjson gives what the standard library gives, whichever decoder ran."""

from __future__ import annotations

import json
import math
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sync.runtime import fastjson

SCALARS = (st.none() | st.booleans() | st.text()
           | st.integers(min_value=-(10**40), max_value=10**40)
           | st.floats(allow_nan=True, allow_infinity=True))
VALUES = st.recursive(SCALARS, lambda children: st.lists(children, max_size=4)
                      | st.dictionaries(st.text(max_size=8), children, max_size=4),
                      max_leaves=30)


def same(left: Any, right: Any) -> bool:
    """Equal, NaN equal to NaN, and of the same type (an int never turns into a float)."""
    if isinstance(left, float) and isinstance(right, float):
        return (math.isnan(left) and math.isnan(right)) or left == right
    if type(left) is not type(right) and not (isinstance(left, float)
                                              and isinstance(right, float)):
        return False
    if isinstance(left, dict):
        return left.keys() == right.keys() and all(same(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(map(same, left, right))
    return bool(left == right)


@given(VALUES)
def test_loads_reads_what_json_reads(value: Any) -> None:
    text = json.dumps(value)
    assert same(fastjson.loads(text.encode()), json.loads(text))
    assert same(fastjson.loads(text), json.loads(text))


@given(VALUES)
def test_dumps_round_trips_through_loads(value: Any) -> None:
    decoded = fastjson.loads(json.dumps(value))
    assert same(fastjson.loads(fastjson.dumps(decoded)), decoded)
    assert same(json.loads(fastjson.dumps(decoded)), decoded)


def test_an_integer_beyond_64_bits_stays_an_exact_integer() -> None:
    absurd = fastjson.loads(b'{"amount": 100000000000000000000000000001}')
    assert absurd == {"amount": 100000000000000000000000000001}
    assert fastjson.dumps(absurd) == '{"amount":100000000000000000000000000001}'


def test_nan_and_infinity_survive_a_round_trip_as_json_writes_them() -> None:
    read = fastjson.loads(b'{"a": NaN, "b": Infinity, "c": 1e400, "d": 1.5}')
    assert math.isnan(read["a"]) and read["b"] == math.inf and read["c"] == math.inf
    assert fastjson.dumps(read) == '{"a":NaN,"b":Infinity,"c":Infinity,"d":1.5}'


def test_non_string_keys_are_encoded_like_json() -> None:
    assert fastjson.dumps({1: "x"}) == '{"1":"x"}'


def test_not_json_raises_value_error() -> None:
    for broken in (b"", b"{", b'{"a": }', b"\xff"):
        try:
            fastjson.loads(broken)
        except ValueError:
            continue
        raise AssertionError(f"{broken!r} was read")
