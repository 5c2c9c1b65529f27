"""Process settings for the worker's batch work, applied once by the command line.

The cyclic garbage collector runs a young collection every 700 allocations, and with
them, whenever the heap has grown by a quarter, a full one over every live object. A
sync holds hundreds of thousands of records and domain objects while it allocates
millions more (JSON pages, mapped invoices, ledger rows), and measured on a portal of
68,000 invoices the collector took most of the time spent decoding Stripe's pages: 8.7
ms a page of 100 invoices beside a million live objects instead of 1.8 (and the same
tax on mapping, the engine and the ledger). Young collections every 100,000
allocations keep the full ones rare; cyclic garbage is still collected (long-running
``serve`` included), in larger and far fewer steps.
"""

from __future__ import annotations

import gc

YOUNG_COLLECTION_EVERY = 100_000  # allocations (CPython's default: 700)


def tune_collector() -> None:
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, middle, old)
