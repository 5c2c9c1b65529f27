"""Process bodies for the job-lock tests (spawned: each opens its own Ledger)."""

from __future__ import annotations

import os
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Event

from sync.ledger import Ledger

WAIT = 60.0


def hold(url: str, name: str, results: Queue[tuple[str, bool]], held: Event, release: Event,
         die: bool = False) -> None:
    """Take the lock, say so, keep it until told; ``die`` exits without releasing."""
    ledger = Ledger.open(url)
    with ledger.job_lock(name) as acquired:
        results.put(("holder", acquired))
        held.set()
        release.wait(WAIT)
        if die:
            os._exit(0)  # no cleanup at all: a killed replica
    ledger.close()


def probe(url: str, name: str, results: Queue[tuple[str, bool]], held: Event, release: Event,
          released: Event) -> None:
    """Try while the holder has it, then again once it released it."""
    ledger = Ledger.open(url)
    held.wait(WAIT)
    with ledger.job_lock(name) as acquired:
        results.put(("while held", acquired))
    release.set()
    released.wait(WAIT)
    with ledger.job_lock(name) as acquired:
        results.put(("after release", acquired))
    ledger.close()
