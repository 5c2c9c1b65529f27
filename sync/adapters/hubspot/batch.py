"""Batch calls at HubSpot's documented sizes, and what became of each input.

A 207 multi-status is not an exception: each of HubSpot's ``errors[]`` names its inputs
in ``context`` (``{"ids": [...]}``, ``{"fromId": [...], "toId": [...]}``), so every
input ends up either succeeded (with its HubSpot record id) or failed with a reason,
and the caller retries only the failed ones. A chunk HubSpot refuses as a whole (a
4xx ``RequestRejected``) fails its inputs and the other chunks still go; auth, daily
quota and exhausted retries raise, since no later chunk could fare better.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sync.adapters.hubspot.errors import setup_refusal
from sync.adapters.hubspot.transport import Answer, JsonObject, json_objects
from sync.errors import RequestRejected, SetupRejected

# Inputs one batch call may carry (docs/sandbox.md, "Batch limits", has the sources):
BATCH_SIZE = 100  # object batch read/update/upsert: "limited to 100 records at a time"
ASSOCIATION_READ_BATCH = 1_000  # v4 associations batch/read: "up to 1,000 id values"
# v4 batch/associate/default: HubSpot documents no limit for it (only batch/read, 1,000,
# and batch/create, 2,000), so the worker stays at the object batches' 100: a larger
# request a real portal might refuse would leave every association of a run unwritten.
ASSOCIATION_DEFAULT_BATCH = 100

K = TypeVar("K", str, tuple[str, str])  # an input: a record key, or a (from, to) pair


@dataclass(frozen=True, slots=True)
class BatchFailure:
    code: str  # HubSpot's category, e.g. OBJECT_NOT_FOUND, VALIDATION_ERROR
    message: str
    setup: bool = False  # HubSpot blamed the setup, not the input (SetupRejected)


@dataclass(slots=True)
class BatchOutcome(Generic[K]):
    """Per input: the HubSpot record id it succeeded with, or why it failed."""

    succeeded: dict[K, str] = field(default_factory=dict)
    failed: dict[K, BatchFailure] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed

    def fail_all(self, inputs: Sequence[K], failure: BatchFailure) -> None:
        for key in inputs:
            self.failed[key] = failure

    def absorb(self, other: BatchOutcome[K]) -> None:
        self.succeeded.update(other.succeeded)
        self.failed.update(other.failed)


NO_RESULT = BatchFailure("NO_RESULT", "HubSpot answered without a result for this input")


def chunked(items: Sequence[Any], size: int = BATCH_SIZE) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def run_batches(
    inputs: Sequence[K],
    send: Callable[[Sequence[K]], Answer],
    read: Callable[[Sequence[K], Answer], BatchOutcome[K]],
    size: int = BATCH_SIZE,
) -> BatchOutcome[K]:
    """Send ``inputs`` ``size`` at a time and merge what each answer says about its chunk."""
    outcome: BatchOutcome[K] = BatchOutcome()
    for chunk in chunked(inputs, size):
        try:
            answer = send(chunk)
        except RequestRejected as error:
            outcome.fail_all(chunk, BatchFailure(error.code or "REJECTED", str(error),
                                                 setup=isinstance(error, SetupRejected)))
            continue
        outcome.absorb(read(chunk, answer))
    return outcome


def read_answer(
    chunk: Sequence[K],
    answer: Answer,
    result_key: Callable[[JsonObject], tuple[K, str] | None],
    mentions: Callable[[K, set[str]], bool],
) -> BatchOutcome[K]:
    """One chunk's outcome: ``result_key`` names a result's input and record id;
    ``mentions`` says whether an error's context ids point at an input."""
    outcome: BatchOutcome[K] = BatchOutcome()
    wanted = set(chunk)
    for result in json_objects(answer.body.get("results")):
        named = result_key(result)
        if named is not None and named[0] in wanted:
            outcome.succeeded[named[0]] = named[1]
    unmapped = NO_RESULT
    for error in json_objects(answer.body.get("errors")):
        failure = _failure(error)
        hit = [key for key in chunk if key not in outcome.succeeded
               and mentions(key, _context_ids(error))]
        outcome.fail_all(hit, failure)
        unmapped = unmapped if hit else failure
    silent = [key for key in chunk if key not in outcome.succeeded and key not in outcome.failed]
    outcome.fail_all(silent, unmapped)
    return outcome


def mentions_key(key: str, ids: set[str]) -> bool:
    return key in ids


def mentions_pair(pair: tuple[str, str], ids: set[str]) -> bool:
    return pair[0] in ids and pair[1] in ids


def _failure(error: Mapping[str, Any]) -> BatchFailure:
    code = error.get("category") or error.get("subCategory") or "ERROR"
    return BatchFailure(str(code), str(error.get("message") or "no message"),
                        setup=setup_refusal(error))


def _context_ids(error: Mapping[str, Any]) -> set[str]:
    context = error.get("context")
    if not isinstance(context, Mapping):
        return set()
    return {str(v) for values in context.values() if isinstance(values, list) for v in values}
