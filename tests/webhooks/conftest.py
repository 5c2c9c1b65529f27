"""The small synthetic portal of the end-to-end tests, shared by the webhook tests."""

from tests.e2e.conftest import small_fixtures

__all__ = ["small_fixtures"]
