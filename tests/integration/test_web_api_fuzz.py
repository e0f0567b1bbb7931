"""Schemathesis over the OpenAPI schema: no input the schema allows makes the server fail.

Every operation is called with inputs schemathesis generates from the schema, signed out,
signed in as a customer and signed in as a lead at the care desk (each with the session's
CSRF header), and must answer without a server error (5xx).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.web_support import (  # noqa: F401  (fixtures)
    LEAD_PASSWORD,
    Web,
    ledger_data,
    make_web,
    sign_in_customer,
    sign_in_staff,
)

BASE = "http://127.0.0.1:8000"


@pytest.fixture
def web(ledger_data: Path, tmp_path: Path) -> Iterator[Web]:  # noqa: F811
    yield from make_web(f"sqlite:///{tmp_path / 'store.sqlite'}", ledger_data, tmp_path)


def test_no_input_the_schema_allows_makes_the_api_fail(web: Web) -> None:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", web.client.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15
    sessions = []  # (cookies, CSRF token) of a customer, then of a lead
    for sign_in in (
        sign_in_customer,
        lambda w: sign_in_staff(w, "lee@care.example", LEAD_PASSWORD),
    ):
        web.client.cookies.clear()
        sign_in(web)
        token = web.client.get("/api/session").json().get("csrf_token", "")
        sessions.append((dict(web.client.cookies), token))
    # The scorecard is built once a day, re-rating included (as `goodwill scorecard`): build
    # it now, so that the fuzzed calls, each under the client's timeout, find it ready.
    assert web.client.get("/api/desk/scorecard").status_code == 200

    @given(data=st.data())
    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
    def call_anything(data: st.DataObject) -> None:
        operation = data.draw(st.sampled_from(operations))
        case = data.draw(operation.as_strategy())
        signed_out = case.call(base_url=BASE)
        assert signed_out.status_code < 500, (
            f"{case.method} {case.formatted_path}: {signed_out.text}"
        )
        # The schema declares the CSRF header, so the generated case carries a random one:
        # signed in, it must be the session's, or every change would stop at the CSRF check.
        for cookies, token in sessions:
            case.headers = {**(case.headers or {}), "x-csrf-token": token}
            signed_in = case.call(base_url=BASE, cookies=cookies)
            where = f"{case.method} {case.formatted_path}"
            assert signed_in.status_code < 500, f"{where}: {signed_in.text}"
            seen.add((signed_in.status_code, "/desk/" in case.formatted_path))

    seen: set[tuple[int, bool]] = set()
    call_anything()
    assert (200, True) in seen, f"no generated desk call ever got through: {sorted(seen)}"
    assert (200, False) in seen, f"no generated self-service call got through: {sorted(seen)}"
