"""The browser tier: registers the ``browser`` mark (real Chromium from Debian)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives real Chromium (/usr/bin/chromium)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Mark the test's node failed, so a browser fixture can save a screenshot."""
    outcome = yield
    if call.when == "call":
        item.failed = outcome.get_result().failed  # type: ignore[attr-defined]
