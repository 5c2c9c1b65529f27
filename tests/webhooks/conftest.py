"""The small synthetic portal of the end-to-end tests, and the ledger tests' PostgreSQL
fixtures, shared by the webhook tests."""

from tests.e2e.conftest import small_fixtures
from tests.ledger.conftest import postgres_schema_url, postgres_url

__all__ = ["postgres_schema_url", "postgres_url", "small_fixtures"]
