"""Alembic migrations of the ledger (run with ``sync.ledger.migrate.upgrade``)."""
