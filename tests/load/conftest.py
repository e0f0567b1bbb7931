"""The load tests run on the same store matrix as the integration tests."""

from tests.integration.conftest import store_url

__all__ = ["store_url"]
