"""The domain: the vocabulary every layer shares. Pure: no I/O, no clock, no environment.

``inputs`` (partners, deals, Stripe billing, already validated), ``decisions`` (what the
engine decides and the ledger state it decides against), ``terms`` (the programme's
numbers over time), ``money`` (integer cents), ``months`` and ``history`` (R1).
"""
